"""The KV port: shared fast state (menu cache now; rate limits and chat context later).

- ``MemoryKV``: in-process, first-class for the embedded mode and tests;
- ``UpstashKV``: Upstash Redis over its REST API with the upstash-redis client.
Every failure surfaces as ``KVUnavailable``; callers on the diner's path degrade instead of failing.
"""

from __future__ import annotations

from typing import Protocol


class KV(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl_seconds: int) -> None: ...

    def delete(self, key: str) -> None: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...
