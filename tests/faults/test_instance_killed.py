"""A Lambda instance dies mid-request: a real ``stjarna serve`` process (DATABASE_URL: the test's
database; Upstash: the bridge over a real Redis) is SIGKILLed while an order is in flight, then the
diner's retry with the same Idempotency-Key goes to a second instance. Two moments of death:

- mid-transaction (a trigger stalls the order between its row and its lines): nothing is left behind,
  the orphaned transaction ends at the statement timeout, and the retry places the one order;
- after the commit, before the answer (the fault proxy holds the database's replies): the retry
  replays the order the dead instance placed.

Either way a second retry replays it (``Idempotent-Replayed: true``) and the database holds one order."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import server_data_dir
from tests.faults.conftest import TOKEN
from tests.orders.conftest import new_key, order_body
from tests.support.serve_process import stjarna_process
from tests.support.servers import closed_port

IN_FLIGHT = ("select pid from pg_stat_activity where datname = current_database() and state = 'active' "
             "and query like '%stjarna_place_order%' and pid <> pg_backend_pid()")


@pytest.fixture
def instance_env(kv_bridge, redis_kv) -> Iterator[Callable[..., dict[str, str]]]:
    root = server_data_dir("stjarna-test-killed-")
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "OPENAI_", "ORDER", "CHAT_", "USE_",
                                      "STORE_", "KV_", "MENU_"))}

    def env(database_url: str, **extra: str) -> dict[str, str]:
        return {**inherited, "DATABASE_URL": database_url, "UPSTASH_REDIS_REST_URL": kv_bridge.url,
                "UPSTASH_REDIS_REST_TOKEN": TOKEN, "STJARNA_DATA_DIR": str(root), **extra}

    yield env
    shutil.rmtree(root, ignore_errors=True)


def wait_for(condition: Callable[[], object], what: str, timeout: float = 15.0) -> object:
    """Poll until ``condition()`` is truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return found


def post_in_background(url: str, body: dict, key: str) -> tuple[threading.Thread, list[object]]:
    """The diner's request, left hanging when its instance dies: the outcome is recorded."""
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(httpx.post(url, json=body, headers={"Idempotency-Key": key}, timeout=30))
        except httpx.TransportError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def kill(proc, thread: threading.Thread, outcome: list[object]) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.TransportError)  # no answer, ever


def retry_on(base: str, body: dict, key: str) -> tuple[httpx.Response, httpx.Response]:
    first = httpx.post(f"{base}/api/orders", json=body, headers={"Idempotency-Key": key}, timeout=30)
    second = httpx.post(f"{base}/api/orders", json=body, headers={"Idempotency-Key": key}, timeout=30)
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json()["orderId"] == first.json()["orderId"]
    assert second.json()["orderCode"] == first.json()["orderCode"]
    return first, second


def rows(sql):
    return sql("select (select count(*) from orders), (select count(*) from order_items), "
               "(select count(*) from order_events)")[0]


def test_killed_mid_transaction_leaves_nothing_and_the_retry_places_one_order(
        seeded, database, items, sql, instance_env, tmp_path: Path):
    body, key = order_body((items["demo/hummus"], 1), (items["demo/sorbet"], 2)), new_key()
    with ExitStack() as stack:
        # the dead instance's statement timeout ends its orphaned transaction (PostgreSQL does not
        # notice a vanished client while a statement runs)
        env_a = instance_env(database, STORE_TIMEOUT_SECONDS="2")
        a, proc_a = stack.enter_context(stjarna_process(closed_port(), env_a, tmp_path / "a.log"))
        sql("create function stall_order() returns trigger language plpgsql as $$ begin perform pg_sleep(60); "
            "return null; end $$")
        sql("create trigger stall_order before insert on order_items for each statement "
            "execute function stall_order()")

        thread, outcome = post_in_background(f"{a}/api/orders", body, key)
        with psycopg.connect(database, autocommit=True) as watch:
            (backend,) = wait_for(lambda: watch.execute(IN_FLIGHT).fetchone(), "the order in flight")
            kill(proc_a, thread, outcome)
            # the retry goes to another instance, started cold (like a new Lambda instance)
            b, _ = stack.enter_context(stjarna_process(closed_port(), instance_env(database), tmp_path / "b.log"))
            wait_for(lambda: watch.execute("select 1 from pg_stat_activity where pid = %s",
                                           (backend,)).fetchone() is None, "the orphaned transaction to end")
        assert rows(sql) == (0, 0, 0)  # not even the order row that was inserted before the stall

        sql("drop trigger stall_order on order_items")
        first, _ = retry_on(b, body, key)
        assert "Idempotent-Replayed" not in first.headers  # the dead instance placed nothing
    assert rows(sql) == (1, 2, 1)


def test_killed_after_the_commit_the_retry_replays_the_order(seeded, database, items, sql, instance_env,
                                                             pg_proxy, proxied_database, tmp_path: Path):
    body, key = order_body((items["demo/hummus"], 1)), new_key()
    with ExitStack() as stack:
        a, proc_a = stack.enter_context(stjarna_process(
            closed_port(), instance_env(proxied_database, STORE_TIMEOUT_SECONDS="10", MENU_LOCAL_CACHE_SECONDS="30"),
            tmp_path / "a.log"))
        assert httpx.get(f"{a}/api/public/menu", params={"restaurantId": "demo"}).status_code == 200  # warm

        pg_proxy.latency(60, direction="replies")  # the database answers, the answer never arrives
        thread, outcome = post_in_background(f"{a}/api/orders", body, key)
        wait_for(lambda: rows(sql)[0] == 1, "the order to commit")
        kill(proc_a, thread, outcome)

        b, _ = stack.enter_context(stjarna_process(closed_port(), instance_env(database), tmp_path / "b.log"))
        first, _ = retry_on(b, body, key)
        assert first.headers["Idempotent-Replayed"] == "true"  # the dead instance's order, not a second one
    assert rows(sql) == (1, 1, 1)
