"""In-process KV with per-key expiry, bounded in size (oldest entries evicted first)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence


class MemoryKV:
    def __init__(self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            value, expires = entry
            if expires <= self._clock():
                del self._data[key]
                return None
            return value

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        with self._lock:
            self._data[key] = (value, self._clock() + ttl_seconds)
            self._data.move_to_end(key)
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def get_many(self, keys: Sequence[str]) -> list[str | None]:
        return [self.get(key) for key in keys]

    def write(self, sets: Sequence[tuple[str, str, int]] = (), counters: Sequence[tuple[str, int]] = ()) -> None:
        for key, value, ttl in sets:
            self.set(key, value, ttl)
        with self._lock:
            now = self._clock()
            for key, ttl in counters:
                value, expires = self._data.get(key, ("0", now + ttl))
                if expires <= now:
                    value, expires = "0", now + ttl
                self._data[key] = (str(int(value) + 1), expires)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None
