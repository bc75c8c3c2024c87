"""The KV port: shared fast state (menu cache, chat context, AI quotas; rate limits have their own
storage in shared/ratelimit).

- ``MemoryKV``: in-process, first-class for the embedded mode and tests;
- ``UpstashKV``: Upstash Redis over its REST API with the upstash-redis client.
Every failure surfaces as ``KVUnavailable``; callers on the diner's path degrade instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = ["KV", "build_kv"]


class KV(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl_seconds: int) -> None: ...

    def delete(self, key: str) -> None: ...

    def get_many(self, keys: Sequence[str]) -> list[str | None]:
        """Several values in one round trip (``None`` for a missing key)."""
        ...

    def write(self, sets: Sequence[tuple[str, str, int]] = (), counters: Sequence[tuple[str, int]] = ()) -> None:
        """One round trip: ``set`` each (key, value, ttl) and add 1 to each (key, ttl) counter; a counter
        gets its TTL when it is created and keeps it (a monthly quota expires with its month)."""
        ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


def build_kv(settings: Settings) -> KV:
    """Upstash when its REST URL is set, else memory; the client library is imported here, when used."""
    if settings.kv_kind == "upstash":
        from shared.kv.upstash import UpstashKV

        assert settings.upstash_redis_rest_url and settings.upstash_redis_rest_token
        return UpstashKV(settings.upstash_redis_rest_url, settings.upstash_redis_rest_token.get_secret_value(),
                         timeout_seconds=settings.kv_timeout_seconds)
    from shared.kv.memory import MemoryKV

    return MemoryKV()
