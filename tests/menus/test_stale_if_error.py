"""Stale-if-error: while PostgreSQL refuses connections (a real outage of the test database, not a
mock), the menu is served from the last good copy for MENU_STALE_IF_ERROR_SECONDS, marked stale;
then 503 STORE_UNAVAILABLE. Chat answers from the same copy; orders are refused whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from shared.errors import StoreUnavailable
from shared.kv.memory import MemoryKV
from shared.menus.cache import MenuService
from shared.store.postgres import PostgresStore
from tests.conftest import Ticks
from tests.orders.conftest import new_key, order_body


@pytest.fixture
def outage(pg_uri: str, database: str):
    """``with outage():`` the test database refuses connections and its sessions are cut."""
    name = conninfo_to_dict(database)["dbname"]

    @contextmanager
    def down() -> Iterator[None]:
        with psycopg.connect(pg_uri, autocommit=True) as conn:
            conn.execute(f"alter database {name} allow_connections false")
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
        try:
            yield
        finally:
            with psycopg.connect(pg_uri, autocommit=True) as conn:
                conn.execute(f"alter database {name} allow_connections true")

    return down


def service(store, kv, clock, wall, window=600.0):
    return MenuService(store, kv, local_seconds=2, kv_ttl_seconds=3600, stale_if_error_seconds=window,
                       clock=clock, wall=wall)


def test_the_last_good_copy_is_served_within_the_window(seeded, outage):
    clock, wall, kv = Ticks(), Ticks(), MemoryKV()
    menus = service(seeded, kv, clock, wall)
    good, status = menus.menu("demo")
    assert status == "miss" and good.stale_seconds is None
    clock.now += 100
    wall.now += 100
    with outage():
        stale, status = menus.menu("demo")
        assert status == "stale" and stale.body == good.body and stale.etag == good.etag
        assert stale.stale_seconds == pytest.approx(100)
        assert menus.fresh("demo") is stale  # no database call for local_seconds: the outage is not hammered
        assert menus.head("demo") == good.head  # CORS and config keep working
        clock.now += 501
        wall.now += 501
        with pytest.raises(StoreUnavailable):  # past MENU_STALE_IF_ERROR_SECONDS (600 s)
            menus.menu("demo")
    clock.now += 3
    fresh, status = menus.menu("demo")  # the database is back
    assert status == "hit" and fresh.stale_seconds is None and fresh.body == good.body


def test_a_new_instance_serves_what_another_left_in_the_kv(seeded, outage, database):
    clock, wall, kv = Ticks(), Ticks(), MemoryKV()
    good, _ = service(seeded, kv, clock, wall).menu("demo")
    wall.now += 30
    with outage():
        cold = service(PostgresStore(database, timeout_seconds=1), kv, Ticks(), wall)
        stale, status = cold.menu("demo")
        assert status == "stale" and stale.body == good.body and stale.stale_seconds == pytest.approx(30)
        with pytest.raises(StoreUnavailable):  # a restaurant nobody loaded: nothing to serve
            cold.menu("nattbaren")
        cold._store.close()


def test_without_a_window_the_outage_is_503_at_once(seeded, outage):
    clock, wall = Ticks(), Ticks()
    menus = service(seeded, MemoryKV(), clock, wall, window=0)
    menus.menu("demo")
    clock.now += 3
    with outage(), pytest.raises(StoreUnavailable):
        menus.menu("demo")


def test_through_the_app_menu_chat_orders_and_health(app_for, items, outage, sql):
    client, container = app_for(MENU_LOCAL_CACHE_SECONDS="0", STORE_TIMEOUT_SECONDS="1")
    good = client.get("/api/public/menu?restaurantId=demo", headers={"Origin": "https://shop.stjarna.dev"})
    assert good.status_code == 200 and "X-Menu-Stale" not in good.headers
    with outage():
        stale = client.get("/api/public/menu?restaurantId=demo", headers={"Origin": "https://shop.stjarna.dev"})
        assert stale.status_code == 200 and stale.content == good.content
        assert stale.headers["ETag"] == good.headers["ETag"]
        assert int(stale.headers["X-Menu-Stale"]) >= 0
        assert stale.headers["Cache-Control"] == "public, max-age=0, s-maxage=5"
        assert stale.headers["Access-Control-Allow-Origin"] == "https://shop.stjarna.dev"
        assert "X-Menu-Stale" in stale.headers["Access-Control-Expose-Headers"]
        chat = client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": "outage-session",
                                              "message": "anything vegan?"})
        assert chat.status_code == 200 and chat.json()["suggestions"]
        order = client.post("/api/orders", json=order_body((items["demo/hummus"], 1)),
                            headers={"Idempotency-Key": new_key()})
        assert order.status_code == 503 and order.json()["error"]["code"] == "STORE_UNAVAILABLE"
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json()["status"] == "down"
    assert sql("select count(*) from orders") == [(0,)]
    back = client.get("/api/public/menu?restaurantId=demo")
    assert back.status_code == 200 and "X-Menu-Stale" not in back.headers
