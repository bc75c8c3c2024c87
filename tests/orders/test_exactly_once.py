"""Exactly once under retries and concurrency, and whole-or-nothing under faults, on real Postgres.
Faults are injected in the database (a trigger that fails or stalls between the order row and its
lines, a backend terminated mid-transaction), not by mocking our code."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.errors import StjarnaError, StoreUnavailable
from shared.orders.requests import OrderRequest
from shared.orders.service import Ceilings, OrderService
from shared.store.postgres import PostgresStore
from tests.conftest import make_settings
from tests.orders.conftest import new_key, order_body

N = 50


def request_for(items, **extra):
    return OrderRequest.model_validate(order_body((items["demo/hummus"], 1), (items["demo/sorbet"], 2), **extra))


def demo_id(sql):
    return str(sql("select id from restaurants where slug = 'demo'")[0][0])


def race(database, clock, calls):
    """Run ``calls(service, i)`` N times at once, each on its own connection (like N Lambda instances)."""
    stores = [PostgresStore(database, timeout_seconds=10) for _ in range(N)]
    for s in stores:
        s.ping()  # connect first, so the calls start together
    barrier = threading.Barrier(N)

    def run(i):
        barrier.wait()
        return calls(OrderService(stores[i], make_settings(), clock=clock), i)

    try:
        with ThreadPoolExecutor(N) as pool:
            return list(pool.map(run, range(N)))
    finally:
        for s in stores:
            s.close()


def test_fifty_concurrent_submissions_with_one_key_make_one_order(seeded, database, items, clock, sql):
    rid, key, request = demo_id(sql), new_key(), request_for(items)
    results = race(database, clock, lambda service, i: service.place(rid, request, key, ordering_enabled=True))
    assert len({r.order["orderId"] for r in results}) == 1
    assert len({r.order["orderCode"] for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert sql("select count(*) from orders") == [(1,)]
    assert sql("select count(*) from order_items") == [(2,)]
    assert sql("select count(*) from order_events") == [(1,)]


def test_fifty_concurrent_submissions_with_different_keys_make_fifty_codes(seeded, database, items, clock, sql):
    rid, request = demo_id(sql), request_for(items)
    keys = [new_key() for _ in range(N)]
    roomy = Ceilings(max_open_orders=N, max_total_cents=10**8, max_items=1000)  # one session, fifty orders
    results = race(database, clock, lambda service, i: service.place(rid, request, keys[i], ordering_enabled=True,
                                                                     ceilings=roomy))
    assert len({r.order["orderCode"] for r in results}) == N
    assert not any(r.replayed for r in results)
    assert sql("select count(*), count(distinct code) from orders") == [(N, N)]


def test_a_taken_code_is_drawn_again(seeded, items, clock, sql):
    rid, service = demo_id(sql), OrderService(seeded, make_settings(), clock=clock)
    sql("create sequence code_draws")
    sql("""create or replace function stjarna_new_order_code() returns text language sql volatile as $$
             select case when nextval('code_draws') <= 3 then 'AAAAAA' else 'BBBBBB' end $$""")
    first = service.place(rid, request_for(items), new_key(), ordering_enabled=True)
    second = service.place(rid, request_for(items), new_key(), ordering_enabled=True)
    assert (first.order["orderCode"], second.order["orderCode"]) == ("AAAAAA", "BBBBBB")
    # codes are unique per restaurant, not globally
    assert sql("select count(*) from orders") == [(2,)]


def test_when_no_code_is_free_nothing_is_stored(seeded, items, clock, sql):
    rid, service = demo_id(sql), OrderService(seeded, make_settings(), clock=clock)
    sql("create or replace function stjarna_new_order_code() returns text language sql volatile as $$ "
        "select 'AAAAAA' $$")
    service.place(rid, request_for(items), new_key(), ordering_enabled=True)
    with pytest.raises(StjarnaError):
        service.place(rid, request_for(items), new_key(), ordering_enabled=True)
    assert sql("select count(*) from orders") == [(1,)]


@pytest.fixture
def fault(sql):
    """Install a trigger that runs ``body`` when an order's lines are inserted: after the order row,
    before the commit."""
    def install(body: str) -> None:
        sql(f"create function inject_fault() returns trigger language plpgsql as $$ begin {body}; "
            "return null; end $$")
        sql("create trigger inject_fault before insert on order_items for each statement "
            "execute function inject_fault()")
    yield install
    sql("drop trigger if exists inject_fault on order_items")
    sql("drop function if exists inject_fault()")


def test_a_failure_between_the_order_and_its_lines_leaves_no_rows(app_for, items, clock, sql, fault):
    fault("raise exception 'injected fault'")
    client, _ = app_for(clock=clock)
    r = client.post("/api/orders", json=order_body((items["demo/hummus"], 1)), headers={"Idempotency-Key": new_key()})
    assert r.status_code == 500 and r.json()["error"]["code"] == "INTERNAL"
    assert sql("select count(*) from orders") == [(0,)]
    assert sql("select count(*) from order_events") == [(0,)]


def test_a_timeout_mid_order_is_unavailable_and_leaves_no_rows(seeded, database, items, clock, sql, fault):
    fault("perform pg_sleep(3)")
    store = PostgresStore(database, timeout_seconds=0.5)  # STORE_TIMEOUT_SECONDS: the statement timeout
    service = OrderService(store, make_settings(), clock=clock)
    with pytest.raises(StoreUnavailable):  # 503 STORE_UNAVAILABLE on the API
        service.place(demo_id(sql), request_for(items), new_key(), ordering_enabled=True)
    store.close()
    assert sql("select count(*) from orders") == [(0,)]


def test_a_connection_killed_mid_order_then_the_retry_makes_one_order(seeded, database, items, clock, sql, fault):
    fault("perform pg_sleep(30)")
    rid, key, request = demo_id(sql), new_key(), request_for(items)
    store = PostgresStore(database, timeout_seconds=60)
    service = OrderService(store, make_settings(), clock=clock)
    outcome: list[BaseException] = []

    def submit() -> None:
        try:
            service.place(rid, request, key, ordering_enabled=True)
        except BaseException as exc:  # the assertion below looks at it
            outcome.append(exc)

    worker = threading.Thread(target=submit)
    worker.start()
    query = ("select pid from pg_stat_activity where state = 'active' "
             "and query like '%stjarna_place_order%' and pid <> pg_backend_pid()")
    deadline = time.monotonic() + 10
    while not sql(query) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sql(f"select pg_terminate_backend(pid) from ({query}) q") == [(True,)]
    worker.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], StoreUnavailable)
    assert sql("select count(*) from orders") == [(0,)]

    sql("drop trigger inject_fault on order_items")
    retried = service.place(rid, request, key, ordering_enabled=True)  # a new connection, the same key
    again = service.place(rid, request, key, ordering_enabled=True)
    assert not retried.replayed and again.replayed and again.order["orderId"] == retried.order["orderId"]
    assert sql("select count(*) from orders") == [(1,)]
    store.close()
