"""A real redis-server behind the Upstash REST bridge, for the security tests that need limits shared
the way production shares them (the admin lockout under parallel requests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.support.redis_server import redis_server, socket_path
from tests.support.servers import BackgroundServer, serve
from tests.support.upstash_bridge import UpstashBridge

UPSTASH_TOKEN = "security-upstash-token"


@pytest.fixture(scope="module")
def security_redis() -> Iterator[redis.Redis]:
    with redis_server() as client:
        yield client


@pytest.fixture(scope="module")
def upstash_bridge(security_redis: redis.Redis) -> Iterator[BackgroundServer]:
    bridge = UpstashBridge(socket_path(security_redis), UPSTASH_TOKEN)
    with serve(bridge.app) as server:
        yield server
    bridge.close()


@pytest.fixture
def upstash_env(upstash_bridge: BackgroundServer, security_redis: redis.Redis) -> dict[str, str]:
    """Settings that share the rate limits (and the admin lockout) through Upstash, over an empty Redis."""
    security_redis.flushall()
    return {"UPSTASH_REDIS_REST_URL": upstash_bridge.url, "UPSTASH_REDIS_REST_TOKEN": UPSTASH_TOKEN}
