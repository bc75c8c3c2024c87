"""One rate-limit contract for memory:// and the Upstash storage (real Redis through the Upstash
bridge), then the Upstash specifics: the limits API over the storage, degradation to memory and
recovery, and two processes sharing one key."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from limits import parse
from limits.errors import StorageError
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from shared.ratelimit import RateLimiter
from shared.ratelimit.windows import WindowCheck
from tests.contract.conftest import KV_FAULT_TIMEOUT, UPSTASH_TOKEN, FakeClock

REPO = Path(__file__).resolve().parents[2]
IP = "203.0.113.7"


@pytest.fixture
def limiter(limiter_storage):
    made: list[RateLimiter] = []

    def make(**limits) -> RateLimiter:
        made.append(RateLimiter(limiter_storage(), **limits))
        return made[-1]

    yield make
    for item in made:
        item.close()


# -- the contract ---------------------------------------------------------------------------------
def test_runbook_20_requests_give_15_answers_then_refusals(limiter):
    rl = limiter()
    decisions = [rl.hit("demo", "test-session-1", IP) for _ in range(20)]
    assert [d.allowed for d in decisions] == [True] * 15 + [False] * 5
    assert [d.remaining for d in decisions[:15]] == list(range(14, -1, -1))
    now = time.time()
    for refused in decisions[15:]:
        assert (refused.limit, refused.remaining, refused.scope) == (15, 0, "session")
        assert 28 <= refused.retry_after <= 30
        assert refused.reset_at == pytest.approx(decisions[0].reset_at, abs=0.01)
        assert refused.headers()["Retry-After"] == str(refused.retry_after)
        assert not refused.degraded
    assert decisions[0].reset_at == pytest.approx(now + 30, abs=1.0)


def test_remaining_and_reset_describe_the_tightest_limit(limiter):
    rl = limiter(chat_limit="5 per 30 seconds", ip_limit="3 per 10 seconds")
    first = rl.hit("demo", "s1", IP)
    assert (first.allowed, first.scope, first.limit, first.remaining) == (True, "ip", 3, 2)
    assert first.reset_at == pytest.approx(time.time() + 10, abs=1.0)
    second = rl.hit("demo", "s1", IP)
    assert (second.remaining, second.reset_at) == (1, pytest.approx(first.reset_at, abs=0.01))
    headers = second.headers()
    assert headers == {"X-RateLimit-Limit": "3", "X-RateLimit-Remaining": "1",
                       "X-RateLimit-Reset": str(int(-(-second.reset_at // 1)))}


def test_rotating_session_tokens_are_stopped_by_the_ip_limit(limiter):
    rl = limiter(chat_limit="3 per 30 seconds", ip_limit="5 per 30 seconds")
    decisions = [rl.hit("demo", f"rotating-{i}", IP) for i in range(8)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
    assert all((d.scope, d.limit, d.remaining) == ("ip", 5, 0) and d.retry_after >= 1 for d in decisions[5:])
    # The IP refusal consumed nothing from the session: that token is fresh from another address.
    fresh = rl.hit("demo", "rotating-7", "198.51.100.1")
    assert (fresh.allowed, fresh.scope, fresh.remaining) == (True, "session", 2)
    assert rl.hit("demo", "other", "198.51.100.2").allowed


def test_a_session_refusal_does_not_consume_the_ip_limit(limiter):
    rl = limiter(chat_limit="2 per 30 seconds", ip_limit="3 per 30 seconds")
    assert [rl.hit("demo", "a", IP).allowed for _ in range(4)] == [True, True, False, False]
    b = rl.hit("demo", "b", IP)  # the IP has 2 counted, not 4
    assert (b.allowed, b.scope, b.remaining) == (True, "ip", 0)
    c = rl.hit("demo", "c", IP)
    assert (c.allowed, c.scope) == (False, "ip")


def test_moving_window_has_no_boundary_burst(limiter):
    """3 per 2 s: 1 hit, then 2 a second later; just after the first leaves the window exactly one
    slot is free, whatever the wall-clock alignment (a fixed window would free all three at its edge)."""
    rl = limiter(chat_limit="3 per 2 seconds")
    t0 = time.time()
    assert rl.hit("demo", "s", IP).allowed
    time.sleep(1.0)
    assert [rl.hit("demo", "s", IP).allowed for _ in range(2)] == [True, True]
    refused = rl.hit("demo", "s", IP)
    assert not refused.allowed and refused.retry_after == 1
    assert refused.reset_at == pytest.approx(t0 + 2, abs=0.2)
    time.sleep(max(0.0, t0 + 2.1 - time.time()))
    again = rl.hit("demo", "s", IP)
    assert (again.allowed, again.remaining) == (True, 0)
    late = rl.hit("demo", "s", IP)
    assert not late.allowed and late.reset_at == pytest.approx(t0 + 3, abs=0.2)


def test_restaurants_have_separate_keys(limiter):
    rl = limiter(chat_limit="2 per 30 seconds")
    assert [rl.hit("r-one", "s", IP).allowed for _ in range(3)] == [True, True, False]
    assert [rl.hit("r-two", "s", IP).allowed for _ in range(3)] == [True, True, False]


def test_health_checks_are_limited_separately(limiter):
    rl = limiter(health_limit="2 per minute")
    probes = [rl.hit("demo", "health-check", IP, probe=True) for _ in range(3)]
    assert [p.allowed for p in probes] == [True, True, False]
    assert (probes[2].scope, probes[2].limit) == ("health", 2)
    # Probes consumed nothing from the chat limits of that IP or restaurant.
    chat = rl.hit("demo", "diner", IP)
    assert (chat.allowed, chat.scope, chat.remaining) == (True, "session", 14)
    # The token alone makes no probe (the endpoint checks X-Stjarna-Probe): an ordinary session.
    unproven = rl.hit("demo", "health-check", IP)
    assert (unproven.allowed, unproven.scope, unproven.remaining) == (True, "session", 14)


# -- the storage itself, through the limits API ----------------------------------------------------
def test_upstash_storage_serves_the_limits_strategies(upstash, new_upstash_storage, redis_server):
    url, _ = upstash
    storage = new_upstash_storage(url)
    assert storage.check()
    moving = MovingWindowRateLimiter(storage)
    item = parse("2 per 30 seconds")
    assert [moving.hit(item, "k") for _ in range(3)] == [True, True, False]
    assert not moving.test(item, "k")
    stats = moving.get_window_stats(item, "k")
    assert stats.remaining == 0 and stats.reset_time == pytest.approx(time.time() + 30, abs=1.0)

    fixed = FixedWindowRateLimiter(storage)
    assert [fixed.hit(item, "f") for _ in range(3)] == [True, True, False]
    assert storage.get(item.key_for("f")) == 3
    assert storage.get_expiry(item.key_for("f")) == pytest.approx(time.time() + 30, abs=1.5)
    assert storage.incr("counter", 60, amount=5) == 5
    assert 55 <= redis_server.ttl("LIMITS:counter") <= 60  # the library's prefix unless told otherwise
    storage.clear("counter")
    assert storage.get("counter") == 0
    assert storage.reset() >= 2
    assert moving.hit(item, "k")


def test_upstash_storage_reloads_flushed_scripts(upstash, new_upstash_storage, redis_server):
    url, _ = upstash
    storage = new_upstash_storage(url)
    check = [WindowCheck("k", 2, 30)]
    assert storage.acquire_entries(check, time.time()).refused is None
    redis_server.script_flush()  # EVALSHA now answers NOSCRIPT: EVAL once, in the same call
    assert storage.acquire_entries(check, time.time()).refused is None
    assert storage.acquire_entries(check, time.time()).refused == 0


def test_no_session_token_or_ip_reaches_redis(upstash, new_upstash_storage, redis_server):
    url, _ = upstash
    rl = RateLimiter(new_upstash_storage(url))
    rl.hit("demo", "secret-session-token", "192.0.2.55")
    keys = [k.decode() for k in redis_server.keys("*")]
    assert len(keys) == 2 and all("secret-session-token" not in k and "192.0.2.55" not in k for k in keys)
    assert all("demo" in k for k in keys if "chat-session" in k)


def test_the_token_comes_from_options_not_the_url(upstash, new_upstash_storage):
    url, _ = upstash
    with pytest.raises(StorageError):
        new_upstash_storage(url, token="wrong").acquire_entries([WindowCheck("k", 1, 30)], time.time())
    assert not new_upstash_storage(url, token="wrong").check()


# -- degradation --------------------------------------------------------------------------------
def test_slow_store_degrades_to_memory_and_recovers(upstash, new_upstash_storage, caplog):
    url, bridge = upstash
    clock = FakeClock()
    rl = RateLimiter(new_upstash_storage(url, KV_FAULT_TIMEOUT), chat_limit="3 per 30 seconds",
                     backoff_seconds=10, clock=clock)
    assert rl.hit("demo", "s", IP).remaining == 2 and not rl.degraded

    bridge.delay_seconds = 3 * KV_FAULT_TIMEOUT
    caplog.set_level(logging.WARNING, logger="stjarna.ratelimit")
    started = time.monotonic()
    decisions = [rl.hit("demo", "s", IP) for _ in range(5)]
    assert time.monotonic() - started < 2 * KV_FAULT_TIMEOUT  # one timeout, then memory until the back-off
    assert rl.degraded and all(d.degraded for d in decisions)
    assert [d.allowed for d in decisions] == [True, True, True, False, False]  # memory has its own window
    warnings = [r for r in caplog.records if r.name == "stjarna.ratelimit" and r.levelno == logging.WARNING]
    assert len(warnings) == 1

    bridge.delay_seconds = 0.0
    clock.advance(5)
    assert rl.hit("demo", "s", IP).degraded  # still within the back-off: not retried yet
    clock.advance(6)
    back = rl.hit("demo", "s", IP)
    assert not back.degraded and not rl.degraded
    assert (back.allowed, back.remaining) == (True, 1)  # the shared window: 2 counted, this is the 2nd-to-last


def test_stopped_store_degrades_then_shares_again(restartable_upstash, new_upstash_storage, caplog):
    server = restartable_upstash
    clock = FakeClock()
    rl = RateLimiter(new_upstash_storage(server.url, KV_FAULT_TIMEOUT), backoff_seconds=10, clock=clock)
    assert not rl.hit("demo", "s", IP).degraded
    server.stop()
    caplog.set_level(logging.WARNING, logger="stjarna.ratelimit")
    answered = [rl.hit("demo", "s", IP) for _ in range(3)]
    assert all(d.allowed and d.degraded for d in answered) and rl.degraded
    clock.advance(11)
    assert rl.hit("demo", "s", IP).degraded  # retried once: still down, the next retry is 10 s later
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    server.start()
    clock.advance(11)
    shared = rl.hit("demo", "s", IP)
    assert not shared.degraded and not rl.degraded and shared.remaining == 13


# -- two processes, one key ---------------------------------------------------------------------
_WORKER = """
import sys, time
from limits.storage import storage_from_string
import shared.ratelimit.upstash_storage
from shared.ratelimit import RateLimiter
url, token, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
limiter = RateLimiter(storage_from_string("upstash+" + url, token=token, timeout_seconds=5.0))
limiter.hit("warm-up", "w", "127.0.0.9")
time.sleep(max(0.0, start_at - time.time()))
first = time.time()
admitted = sum(limiter.hit("demo", "shared-session", "203.0.113.7").allowed for _ in range(40))
print(admitted, first, time.time())
"""


def test_two_processes_never_admit_more_than_the_limit(upstash):
    url, _ = upstash
    start_at = f"{time.time() + 1.5:.3f}"  # both past their imports, then hammer together
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, url, UPSTASH_TOKEN, start_at], cwd=REPO, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=30)
        assert worker.returncode == 0, err
        admitted, first, last = out.split()
        results.append((int(admitted), float(first), float(last)))
    assert sum(admitted for admitted, _, _ in results) == 15
    (_, first_a, last_a), (_, first_b, last_b) = results
    assert first_a < last_b and first_b < last_a, "the two processes did not hit the store at the same time"
