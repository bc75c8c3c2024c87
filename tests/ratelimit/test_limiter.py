"""The limiter's own rules: configuration, the in-flight bound, headers; no store needed (memory)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest
from limits import parse

from shared.errors import ConfigError, RateLimited
from shared.ratelimit import LIMIT_PATTERN, Decision, RateLimiter, build_rate_limiter
from shared.settings import load_settings


@pytest.mark.parametrize("value", ["15 per 30 seconds", "120 per 30 seconds", "60 per minute", "15/30seconds",
                                   "1/second", "3 per 2 seconds", "1000 per day"])
def test_valid_limits_match_the_settings_pattern_and_parse(value):
    assert re.match(LIMIT_PATTERN, value)
    item = parse(value)
    RateLimiter(chat_limit=value, ip_limit=value, health_limit=value).close()
    assert item.amount >= 1


@pytest.mark.parametrize("value", ["", "fifteen per minute", "15 per fortnight", "15 per 30 seconds; 100 per hour",
                                   "0 per minute", "15"])
def test_bad_limits_are_config_errors_naming_the_setting(value):
    assert not re.match(LIMIT_PATTERN, value) or value.startswith("0")
    with pytest.raises(ConfigError, match="CHAT_IP_RATE_LIMIT"):
        RateLimiter(ip_limit=value)


def test_burst_must_be_positive():
    with pytest.raises(ConfigError, match="CHAT_BURST"):
        RateLimiter(burst=0)


def test_in_flight_bounds_one_session_on_this_instance():
    limiter = RateLimiter(burst=2)

    async def scenario() -> None:
        release = asyncio.Event()
        entered = 0

        async def request(session: str) -> None:
            nonlocal entered
            async with limiter.in_flight("demo", session):
                entered += 1
                await release.wait()

        running = [asyncio.create_task(request("s")) for _ in range(2)]
        other = asyncio.create_task(request("other-session"))
        elsewhere = asyncio.create_task(request_at("other-restaurant"))
        await asyncio.sleep(0.01)
        with pytest.raises(RateLimited) as refused:
            async with limiter.in_flight("demo", "s"):
                pytest.fail("a third request of the session ran")
        err = refused.value
        assert (err.status, err.code, err.retry_after, err.limit, err.remaining) == (429, "RATE_LIMITED", 1, 2, 0)
        async with limiter.in_flight("demo", "health-check", probe=True):  # probes are exempt
            pass
        release.set()
        await asyncio.gather(*running, other, elsewhere)
        assert entered == 3
        async with limiter.in_flight("demo", "s"):  # released: room again
            pass
        assert limiter._flying == {}

    async def request_at(restaurant: str) -> None:
        async with limiter.in_flight(restaurant, "s"):
            await asyncio.sleep(0.02)

    asyncio.run(scenario())


def test_in_flight_releases_on_errors():
    limiter = RateLimiter(burst=1)

    async def scenario() -> None:
        with pytest.raises(ValueError, match="boom"):
            async with limiter.in_flight("demo", "s"):
                raise ValueError("boom")
        async with limiter.in_flight("demo", "s"):
            pass

    asyncio.run(scenario())


def test_decision_headers_and_error():
    refused = Decision(False, 15, 0, 1_700_000_029.2, 29, "session")
    assert refused.headers() == {"X-RateLimit-Limit": "15", "X-RateLimit-Remaining": "0",
                                 "X-RateLimit-Reset": "1700000030", "Retry-After": "29"}
    err = refused.error()
    assert isinstance(err, RateLimited) and (err.retry_after, err.limit, err.reset_at) == (29, 15, 1_700_000_029.2)
    assert err.details == {"retryAfter": 29}
    assert err.headers() == refused.headers()
    assert "Retry-After" not in Decision(True, 15, 3, 1_700_000_029.2, 0, "session").headers()


def test_build_from_settings_is_memory_without_upstash():
    limiter = build_rate_limiter(load_settings({"CHAT_RATE_LIMIT": "2 per minute"}))
    assert not limiter.shared and not limiter.degraded
    assert [limiter.hit("demo", "s", "ip").allowed for _ in range(3)] == [True, True, False]


def test_build_from_settings_shares_through_upstash_without_a_network_call():
    settings = load_settings({"UPSTASH_REDIS_REST_URL": "https://example-host.upstash.io",
                              "UPSTASH_REDIS_REST_TOKEN": "a-real-looking-token-value"})
    limiter = build_rate_limiter(settings)
    assert limiter.shared
    assert limiter.storage.url == "https://example-host.upstash.io"  # type: ignore[attr-defined]
    limiter.close()


def test_importing_the_storage_module_is_needed_only_for_upstash():
    code = ("import sys, shared.ratelimit as r; r.RateLimiter().hit('a', 'b', 'c');"
            "print('upstash_redis' in sys.modules, 'httpx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["False", "False"]
