"""KV adapter for Upstash Redis (REST), with the upstash-redis client.

The client has no HTTP timeout of its own and retries after a 3 s sleep by default; we turn its
retries off and give its httpx client an explicit timeout (docs/architecture.md, "Outbound calls").
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from upstash_redis import Redis
from upstash_redis.errors import UpstashError

from shared.errors import KVUnavailable

# Whatever an answer does to the client: transport errors, a non-JSON body (ValueError), JSON of the
# wrong shape (KeyError, TypeError, AttributeError, IndexError) and a `null` body, on which the client
# fails an assertion. The KV turns them into KVUnavailable, the rate-limit storage into StorageError.
FAILURES = (UpstashError, httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError)


def bounded_client(url: str, token: str, *, timeout_seconds: float) -> Redis:
    """The upstash-redis client as every adapter here uses it: no retries (the client's default sleeps
    3 s before one), no telemetry headers, and an explicit timeout on every HTTP call."""
    redis = Redis(url, token, rest_retries=0, allow_telemetry=False, read_your_writes=False)
    # The client builds httpx.Client(timeout=None) and offers no option; replace (and close) it.
    redis._http._client.close()
    redis._http._client = httpx.Client(timeout=httpx.Timeout(timeout_seconds))
    return redis


class UpstashKV:
    def __init__(self, url: str, token: str, *, timeout_seconds: float) -> None:
        self._redis = bounded_client(url, token, timeout_seconds=timeout_seconds)

    def get(self, key: str) -> str | None:
        try:
            value = self._redis.get(key)
        except FAILURES as exc:
            raise KVUnavailable() from exc
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        try:
            self._redis.set(key, value, ex=ttl_seconds)
        except FAILURES as exc:
            raise KVUnavailable() from exc

    def get_many(self, keys: Sequence[str]) -> list[str | None]:
        try:
            values = self._redis.mget(*keys)
        except FAILURES as exc:
            raise KVUnavailable() from exc
        if not isinstance(values, list) or len(values) != len(keys):
            raise KVUnavailable("The KV answered MGET with something other than one value per key.")
        return [v if isinstance(v, str) else None for v in values]

    def write(self, sets: Sequence[tuple[str, str, int]] = (), counters: Sequence[tuple[str, int]] = ()) -> None:
        if not sets and not counters:
            return
        pipeline = self._redis.pipeline()
        for key, value, ttl in sets:
            pipeline.set(key, value, ex=ttl)
        for key, ttl in counters:
            pipeline.set(key, "0", ex=ttl, nx=True)  # creates it with its TTL; INCR keeps the TTL
            pipeline.incr(key)
        try:
            pipeline.exec()
        except FAILURES as exc:
            raise KVUnavailable() from exc

    def delete(self, key: str) -> None:
        try:
            self._redis.delete(key)
        except FAILURES as exc:
            raise KVUnavailable() from exc

    def ping(self) -> None:
        try:
            answer = self._redis.ping()
        except FAILURES as exc:
            raise KVUnavailable() from exc
        if answer != "PONG":
            raise KVUnavailable("The KV did not answer PING with PONG.")

    def close(self) -> None:
        self._redis.close()  # type: ignore[no-untyped-call]
