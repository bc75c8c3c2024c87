"""The admin lockout (shared/http/admin.py) under real parallelism, with the limits shared through a
real Redis (the Upstash bridge), as in production: every authentication is counted atomically BEFORE
its key is checked, so however many wrong keys arrive at once, at most ADMIN_AUTH_MAX_FAILURES are
checked per window; the window slides; and a valid key is never refused because of others' failures."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from shared.ratelimit.attempts import MemoryAttempts
from shared.ratelimit.upstash_storage import UpstashStorage
from tests.security.conftest import UPSTASH_TOKEN
from tests.support.servers import serve

LIMIT = 10
ORDERS = "/api/admin/orders?restaurantId=demo"


@pytest.fixture
def admin_server(app_for, upstash_env):
    """A real uvicorn serving the app (peer 127.0.0.1 for every request), limits in Redis; a valid key."""
    _, container = app_for(ADMIN_AUTH_MAX_FAILURES=str(LIMIT), **upstash_env)
    from shared.http.app import create_app

    key, _ = container.admin_keys.create("staff", "cli:test")
    with serve(create_app(container=container)) as server:
        yield server.url, key, container
    container.close()


def _parallel(base: str, keys: list[str]) -> list[int]:
    """Every key presented at once (a barrier releases them together), one connection each."""
    barrier = threading.Barrier(len(keys))

    def call(key: str) -> int:
        with httpx.Client(base_url=base, timeout=30) as client:
            barrier.wait()
            return client.get(ORDERS, headers={"Authorization": f"Bearer {key}"}).status_code

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(call, keys))


def test_parallel_wrong_keys_get_at_most_the_limit_of_checks(admin_server, caplog):
    """Before: the counter was read, the key checked, then the counter raised; 60 parallel wrong keys
    got 18 checks against a limit of 10."""
    base, _, _ = admin_server
    guesses = [f"stj_AAAAAAAA{i:035d}" for i in range(60)]  # one prefix: one (address, prefix) window
    statuses = Counter(_parallel(base, guesses))
    assert statuses == {401: LIMIT, 429: 60 - LIMIT}
    assert sum(r.getMessage() == "admin authentication failed" for r in caplog.records) == LIMIT


def test_a_valid_key_works_while_others_are_locked_out(admin_server):
    """Someone behind the same address (NAT, VPN, CDN edge) fails on purpose: staff are not locked out,
    and the staff's own successes are not counted as failures."""
    base, key, _ = admin_server
    guesses = [f"stj_BBBBBBBB{i:035d}" for i in range(LIMIT + 5)]
    assert Counter(_parallel(base, guesses))[429] == 5
    with httpx.Client(base_url=base) as client:
        locked = client.get(ORDERS, headers={"Authorization": f"Bearer {guesses[0]}"})
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
        for _ in range(2 * LIMIT):  # successes never fill a window
            assert client.get(ORDERS, headers={"Authorization": f"Bearer {key}"}).status_code == 200
        # garbage in the header (no key shape) has a window of its own, apart from the guesses'
        assert client.get(ORDERS, headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401
    # valid and locked-out keys at once (one key holder may have up to the limit in flight from one address)
    statuses = Counter(_parallel(base, [key] * LIMIT + guesses))
    assert statuses == {200: LIMIT, 429: len(guesses)}


def test_the_window_is_per_address_behind_the_cdn(app_for, upstash_env):
    """Behind the CDN every request comes from an edge: the lockout counts the viewer's address
    (CloudFront-Viewer-Address, trusted with the origin secret), so one viewer's failures lock only them."""
    client, container = app_for(ADMIN_AUTH_MAX_FAILURES="2", CDN_ORIGIN_SECRET="cdn-origin-secret-for-tests",
                                **upstash_env)
    key, _ = container.admin_keys.create("staff", "cli:test")

    def get(viewer: str, bearer: str) -> int:
        headers = {"Authorization": f"Bearer {bearer}", "X-Origin-Verify": "cdn-origin-secret-for-tests",
                   "CloudFront-Viewer-Address": viewer}
        return client.get(ORDERS, headers=headers).status_code

    same_prefix = key[:12] + "x" * (len(key) - 12)  # someone who saw the first characters of the key
    assert [get("203.0.113.9:5000", same_prefix) for _ in range(3)] == [401, 401, 429]
    assert get("198.51.100.7:443", key) == 200  # the staff, behind the same edge, another viewer
    assert get("[2001:db8:1:2::9]:443", same_prefix) == 401  # IPv6: its /64 ...
    assert get("2001:db8:1:2::7:443", same_prefix) == 401
    assert get("2001:db8:1:2:ffff::1:443", same_prefix) == 429  # ... is one address
    container.close()


# -- the window slides (both stores, explicit times) ------------------------------------------------
@pytest.fixture(params=["memory", "upstash"])
def attempts(request, upstash_env):
    if request.param == "memory":
        yield MemoryAttempts()
        return
    storage = UpstashStorage(f"upstash+{upstash_env['UPSTASH_REDIS_REST_URL']}", token=UPSTASH_TOKEN)
    yield storage
    storage.close()


def test_the_window_slides_and_an_ended_attempt_frees_its_place(attempts):
    """2 per 10 s. A fixed window would open again at t=10; a sliding one only when the oldest attempt
    (t=5) is 10 s old."""
    assert attempts.begin_attempt("k", 2, 10, "a", 5.0) == (True, 5.0)
    assert attempts.begin_attempt("k", 2, 10, "b", 9.0) == (True, 5.0)
    assert attempts.begin_attempt("k", 2, 10, "c", 12.0) == (False, 5.0)  # t=5 and t=9 still count
    assert attempts.begin_attempt("k", 2, 10, "d", 15.5)[0]  # t=5 left the window
    attempts.end_attempt("k", "d")  # a legitimate attempt, taken back
    assert attempts.begin_attempt("k", 2, 10, "e", 15.6)[0]
    assert not attempts.begin_attempt("k", 2, 10, "f", 15.7)[0]
    assert attempts.begin_attempt("other", 2, 10, "g", 15.7)[0]  # windows are per key
