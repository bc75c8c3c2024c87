"""Fixtures for the fault tests (docs/faults.md): the fault proxy (tests/support/fault_proxy.py) in
front of the session's PostgreSQL and of a real redis-server behind the Upstash bridge, a "lying"
Upstash that answers HTTP 200 with malformed JSON or the wrong types, and the whole app built from
its settings (DATABASE_URL, UPSTASH_REDIS_REST_URL) the way a Lambda instance builds it.

Timeouts are small here so that every fault is over quickly: each wait is bounded by them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from shared.container import Container
from shared.http.app import create_app
from shared.ratelimit import RateLimiter
from shared.ratelimit.upstash_storage import make_storage
from tests.conftest import Ticks, make_settings
from tests.support.fault_proxy import FaultProxy
from tests.support.redis_server import redis_server, socket_path
from tests.support.servers import BackgroundServer, serve
from tests.support.upstash_bridge import UpstashBridge

TOKEN = "faults-upstash-token"
STORE_TIMEOUT = "0.5"  # STORE_TIMEOUT_SECONDS: the statement timeout; the client's deadline is 0.5 s later
KV_TIMEOUT = "0.25"  # KV_TIMEOUT_SECONDS
# A store call during a database fault ends within the client deadline (1 s here) or psycopg's shortest
# connect timeout (2 s), and a request makes at most two (the restaurant, then the order): this bound
# leaves room for a busy machine, and is far below what the faults last (a minute, or for ever).
STORE_BOUND_SECONDS = 6.0


# -- PostgreSQL behind the proxy ---------------------------------------------------------------
@pytest.fixture
def pg_proxy(pg_uri: str) -> Iterator[FaultProxy]:
    """A fault proxy on 127.0.0.1 in front of the session PostgreSQL's Unix socket."""
    info = conninfo_to_dict(pg_uri)
    with FaultProxy(f"{info['host']}/.s.PGSQL.{info.get('port') or 5432}") as proxy:
        yield proxy


@pytest.fixture
def proxied_database(database: str, pg_proxy: FaultProxy) -> str:
    """This test's database, reached over TCP through ``pg_proxy``."""
    return make_conninfo(database, host=pg_proxy.host, port=str(pg_proxy.port))


# -- Redis behind the Upstash bridge, behind the proxy ----------------------------------------
@pytest.fixture(scope="module")
def fault_redis() -> Iterator[redis.Redis]:
    with redis_server() as client:
        yield client


@pytest.fixture(scope="module")
def kv_bridge(fault_redis: redis.Redis) -> Iterator[BackgroundServer]:
    """The Upstash REST bridge over a real redis-server (token ``TOKEN``)."""
    bridge = UpstashBridge(socket_path(fault_redis), TOKEN)
    with serve(bridge.app) as server:
        yield server
    bridge.close()


@pytest.fixture
def redis_kv(fault_redis: redis.Redis) -> redis.Redis:
    """The real Redis behind the bridge, emptied: to see what the app shared."""
    fault_redis.flushall()
    return fault_redis


@pytest.fixture
def kv_proxy(kv_bridge: BackgroundServer, redis_kv: redis.Redis) -> Iterator[FaultProxy]:
    """A fault proxy in front of the Upstash bridge (over an empty Redis)."""
    port = int(kv_bridge.url.rsplit(":", 1)[1])
    with FaultProxy(("127.0.0.1", port)) as proxy:
        yield proxy


class LyingUpstash:
    """Answers every request with HTTP 200 and ``body``: malformed JSON, or JSON of the wrong shape."""

    def __init__(self) -> None:
        self.body = b"{}"
        self.app = Starlette(routes=[Route("/{path:path}", self._answer, methods=["POST"])])

    async def _answer(self, request: Request) -> Response:
        await request.body()
        return Response(self.body, media_type="application/json")


@pytest.fixture(scope="module")
def lying_upstash() -> Iterator[tuple[str, LyingUpstash]]:
    liar = LyingUpstash()
    with serve(liar.app) as server:
        yield server.url, liar


# -- the app, built from its settings ------------------------------------------------------------
AppFactory = Callable[..., tuple[TestClient, Container]]


@pytest.fixture
def limiter_clock() -> Ticks:
    """The rate limiter's monotonic clock: a test moves it past the back-off instead of waiting."""
    return Ticks()


@pytest.fixture
def app_from_env(seeded: Any, clock: Any, limiter_clock: Ticks) -> Iterator[AppFactory]:
    """``client, container = app_from_env(database_url, kv_url=None, **env)``: the full app on a
    Container built from settings, as in a Lambda instance: the store from DATABASE_URL and, with
    ``kv_url``, the KV and the shared rate limits from UPSTASH_REDIS_REST_URL. Only the clocks are the
    test's: the orders' "now" and the rate limiter's back-off. Containers are closed afterwards."""
    made: list[tuple[TestClient, Container]] = []

    def build(database_url: str, kv_url: str | None = None, **env: str) -> tuple[TestClient, Container]:
        values = {"DATABASE_URL": database_url, "STORE_TIMEOUT_SECONDS": STORE_TIMEOUT,
                  "KV_TIMEOUT_SECONDS": KV_TIMEOUT, **env}
        if kv_url is not None:
            values |= {"UPSTASH_REDIS_REST_URL": kv_url, "UPSTASH_REDIS_REST_TOKEN": TOKEN}
        settings = make_settings(**values)
        storage = make_storage(settings)
        limiter = None if storage is None else RateLimiter(storage, clock=limiter_clock)
        container = Container(settings, limiter=limiter, clock=clock)
        client = TestClient(create_app(container=container), base_url="http://testserver",
                            raise_server_exceptions=False)
        made.append((client, container))
        return client, container

    yield build
    for client, container in made:
        client.close()
        container.close()
