"""PostgreSQL slow, paused or down, through the whole app: the fault proxy sits between the app and the
real database (DATABASE_URL points at it). The outcomes of docs/faults.md: the menu's last good copy,
marked stale, within MENU_STALE_IF_ERROR_SECONDS (else 503 STORE_UNAVAILABLE); chat from that copy;
orders 503 with no rows; health down. Every answer comes within the store's bounds (the statement
timeout, then the client's deadline or the connect timeout), however long the fault lasts."""

from __future__ import annotations

import time

import pytest

from tests.faults.conftest import STORE_BOUND_SECONDS, STORE_TIMEOUT
from tests.orders.conftest import new_key, order_body

MENU = "/api/public/menu?restaurantId=demo"
FAULTS = {
    "slow": lambda proxy: proxy.latency(60),  # every packet a minute late: far past any timeout
    "paused": lambda proxy: proxy.blackhole(),  # accepted, never answered (a SIGSTOPped server)
    "down": lambda proxy: proxy.refuse(),  # nothing listening
}


class Timed:
    """Each call's answer must come within ``STORE_BOUND_SECONDS``."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, method):
        call = getattr(self.client, method)

        def timed(*args, **kwargs):
            started = time.monotonic()
            response = call(*args, **kwargs)
            assert time.monotonic() - started < STORE_BOUND_SECONDS, f"{method} {args[0]} took too long"
            return response

        return timed


def first_stale(client):
    """The first menu answer past MENU_LOCAL_CACHE_SECONDS (until then the local copy answers without
    asking the database): polled, bounded."""
    deadline = time.monotonic() + 10
    while True:
        started = time.monotonic()
        menu = client.get(MENU)
        assert time.monotonic() - started < STORE_BOUND_SECONDS
        if "X-Menu-Stale" in menu.headers or menu.status_code != 200 or time.monotonic() > deadline:
            return menu
        time.sleep(0.02)


def rows(sql):
    return sql("select (select count(*) from orders), (select count(*) from order_items), "
               "(select count(*) from order_events)")[0]


@pytest.mark.parametrize("fault", FAULTS)
def test_menu_stale_chat_cached_orders_refused_health_down(fault, app_from_env, proxied_database, pg_proxy,
                                                           items, sql):
    # health reports afresh on every call: with its 1 s reuse, a fault that fails fast (a refused connection)
    # could still be the answer after the fault clears
    client, _ = app_from_env(proxied_database, MENU_LOCAL_CACHE_SECONDS="1", HEALTH_CACHE_SECONDS="0")
    good = client.get(MENU)
    assert good.status_code == 200 and "X-Menu-Stale" not in good.headers
    key, body = new_key(), order_body((items["demo/hummus"], 1), (items["demo/sorbet"], 2))

    FAULTS[fault](pg_proxy)
    timed = Timed(client)
    health = timed.get("/api/health")  # (first: meanwhile the menu's local copy ages past its second)
    assert health.status_code == 503 and health.json()["status"] == "down"
    assert health.json()["checks"]["database"]["status"] == "down"
    stale = first_stale(client)
    assert stale.status_code == 200 and stale.content == good.content and stale.headers["ETag"] == good.headers["ETag"]
    assert int(stale.headers["X-Menu-Stale"]) >= 0
    chat = timed.post("/api/chat", json={"restaurantId": "demo", "sessionToken": "pg-fault-session",
                                         "message": "anything vegan?"})
    assert chat.status_code == 200 and chat.json()["suggestions"]
    order = timed.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    assert order.status_code == 503 and order.json()["error"]["code"] == "STORE_UNAVAILABLE"
    assert rows(sql) == (0, 0, 0)

    pg_proxy.pass_through()  # the fault clears: the same key places the order, once
    placed = client.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    assert placed.status_code == 201 and "Idempotent-Replayed" not in placed.headers
    assert rows(sql) == (1, 2, 1)
    assert client.get("/api/health").json()["checks"]["database"]["status"] == "ok"


def test_past_the_stale_window_menu_and_chat_are_503(app_from_env, proxied_database, pg_proxy):
    """MENU_STALE_IF_ERROR_SECONDS=0 is the window run out (the window itself, with a moving clock:
    tests/menus/test_stale_if_error.py)."""
    client, _ = app_from_env(proxied_database, MENU_STALE_IF_ERROR_SECONDS="0", MENU_LOCAL_CACHE_SECONDS="0")
    assert client.get(MENU).status_code == 200
    pg_proxy.refuse()  # (how the database fails does not matter here; this one fails at once)
    timed = Timed(client)
    menu = timed.get(MENU)
    assert menu.status_code == 503 and menu.json()["error"]["code"] == "STORE_UNAVAILABLE"
    chat = timed.post("/api/chat", json={"restaurantId": "demo", "sessionToken": "pg-fault-session",
                                         "message": "anything vegan?"})
    assert chat.status_code == 503 and chat.json()["error"]["code"] == "STORE_UNAVAILABLE"
    pg_proxy.pass_through()
    assert client.get(MENU).status_code == 200


def test_a_call_to_a_paused_database_ends_at_the_client_deadline_and_reconnects(proxied_database, pg_proxy, sql):
    """The statement timeout is the server's: a paused server never enforces it. The store's own
    deadline (STORE_TIMEOUT_SECONDS + DEADLINE_GRACE_SECONDS) cuts the call and drops the connection;
    the next call connects again, and the cut connection's backend does not linger."""
    from shared.errors import StoreUnavailable
    from shared.store.postgres import DEADLINE_GRACE_SECONDS, PostgresStore

    store = PostgresStore(proxied_database, timeout_seconds=float(STORE_TIMEOUT))
    try:
        store.ping()
        pg_proxy.blackhole()
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.ping()
        assert float(STORE_TIMEOUT) + DEADLINE_GRACE_SECONDS <= time.monotonic() - started < STORE_BOUND_SECONDS
        pg_proxy.pass_through()
        store.ping()
        assert pg_proxy.accepted == 2
        backends = ("select count(*) from pg_stat_activity where application_name = 'stjarna' "
                    "and datname = current_database()")
        deadline = time.monotonic() + 10
        while sql(backends) != [(1,)]:
            assert time.monotonic() < deadline, "the cut connection's backend lingers"
            time.sleep(0.05)
    finally:
        store.close()
