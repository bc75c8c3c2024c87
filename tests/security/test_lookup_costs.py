"""What an anonymous caller can make the database do (issue #16): an unknown restaurant asked for again
costs no query for a few seconds, a flood of random ids cannot evict the live menus, a restaurant this
process creates is not hidden by its "no such" entry, and /api/health costs one database check per
cache period however often and however concurrently it is called. Counted on the real store (a
counting wrapper around PostgresStore), not mocked."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.container import Container
from shared.errors import RestaurantNotFound
from shared.kv.memory import MemoryKV
from shared.menus.cache import MenuService
from shared.store.postgres import PostgresStore
from tests.conftest import Ticks, make_settings


class CountingStore:
    """The real store, counting each call by function (``ping`` included)."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def rpc(self, function: str, params: Any) -> Any:
        with self._lock:
            self.calls[function] += 1
        return self.store.rpc(function, params)

    def ping(self) -> None:
        with self._lock:
            self.calls["ping"] += 1
        self.store.ping()

    def close(self) -> None:
        self.store.close()

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@pytest.fixture
def counted(seeded: PostgresStore) -> CountingStore:
    return CountingStore(seeded)


def menus(store: CountingStore, ticks: Ticks, **kw: Any) -> MenuService:
    return MenuService(store, MemoryKV(), local_seconds=2, kv_ttl_seconds=600, negative_seconds=5,  # type: ignore[arg-type]
                       clock=ticks, **kw)


def ask(service: MenuService, ref: str) -> str:
    """What the tenant wrapper does: the fresh copy without I/O, else the cache layers."""
    try:
        head = service.fresh_head(ref) or service.head(ref)
    except RestaurantNotFound:
        return "404"
    return head.slug


def test_an_unknown_restaurant_costs_one_query_per_negative_period(counted):
    ticks = Ticks()
    service = menus(counted, ticks)
    unknown = str(uuid.uuid4())
    assert [ask(service, unknown) for _ in range(100)] == ["404"] * 100
    assert counted.calls == {"stjarna_restaurant_head": 1}
    ticks.now += 4.9
    assert ask(service, unknown) == "404" and counted.total == 1
    ticks.now += 0.2  # past MENU_NEGATIVE_CACHE_SECONDS: asked again, once
    assert [ask(service, unknown) for _ in range(10)] == ["404"] * 10
    assert counted.total == 2


def test_a_flood_of_random_ids_neither_evicts_live_menus_nor_grows_without_bound(counted):
    ticks = Ticks()
    service = menus(counted, ticks, max_entries=10, max_unknown=50)
    assert ask(service, "demo") == "demo"
    before = counted.total
    for _ in range(500):
        ask(service, str(uuid.uuid4()))
    assert counted.total == before + 500  # distinct random ids: one query each (the limiter bounds those)
    assert len(service._unknown) == 50
    assert ask(service, "demo") == "demo" and counted.total == before + 500  # still in memory: no query


def test_a_restaurant_created_in_this_process_is_not_hidden_by_its_negative_entry(counted):
    from shared.helpdesk.tenant import TenantSpec, create

    c = Container(make_settings(), store=counted, kv=MemoryKV())  # type: ignore[arg-type]
    service = c.menus
    assert ask(service, "bistro-nord") == "404"
    create(c, TenantSpec(slug="bistro-nord", name="Bistro Nord", origins=["https://bistro-nord.example"],
                         menu={"sections": [{"key": "mains", "name": "Mains", "items": [
                             {"key": "soup", "name": "Soup", "priceCents": 9500}]}]}),
           "cli:test", api="https://api.example")
    assert ask(service, "bistro-nord") == "bistro-nord"


def test_the_negative_period_is_bounded():
    from shared.errors import ConfigError

    assert make_settings().menu_negative_cache_seconds == 5
    with pytest.raises(ConfigError, match="MENU_NEGATIVE_CACHE_SECONDS"):
        make_settings(MENU_NEGATIVE_CACHE_SECONDS="3600")


def _health_app(counted: CountingStore, **env: str):
    from starlette.testclient import TestClient

    from shared.http.app import create_app

    container = Container(make_settings(**env), store=counted, kv=MemoryKV())  # type: ignore[arg-type]
    return TestClient(create_app(("health",), container=container), base_url="http://testserver")


@pytest.mark.parametrize("path", ["/api/health", "/api/health/ready"])
def test_rapid_and_concurrent_health_calls_cost_one_database_check(counted, path):
    client = _health_app(counted, HEALTH_CACHE_SECONDS="10")  # long enough that no call here outlives it
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: client.get(path).status_code, range(64)))
    statuses += [client.get(path).status_code for _ in range(20)]
    assert statuses == [200] * 84
    assert counted.calls["ping"] == 1


def test_without_the_cache_every_health_call_checks_the_database(counted):
    """The counter sees what the cache saves: with HEALTH_CACHE_SECONDS=0 each call is a check."""
    client = _health_app(counted, HEALTH_CACHE_SECONDS="0")
    for _ in range(5):
        assert client.get("/api/health").status_code == 200
    assert counted.calls["ping"] == 5
