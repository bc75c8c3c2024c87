"""Counted attempts: a sliding window of attempts under one key that admits an attempt only while
fewer than ``limit`` are in the window, counting it in the same atomic step, and can take back an
attempt that turned out legitimate (the admin lockout: shared/http/admin.py).

Each attempt is a member with its time: ``begin`` drops members older than the window, refuses when
``limit`` remain, else adds one; ``end`` removes that member again. ``MemoryAttempts`` does it under a
lock (one process); ``UpstashStorage`` (upstash_storage.py) with one Lua call on a sorted set.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["Attempt", "AttemptStore", "MemoryAttempts"]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One admitted attempt (``key``, ``member``), counted in ``store`` until it ends or ages out."""

    key: str
    member: str
    store: AttemptStore


@runtime_checkable
class AttemptStore(Protocol):
    def begin_attempt(self, key: str, limit: int, expiry: int, member: str, now: float) -> tuple[bool, float]:
        """(admitted, the oldest attempt's time in the window, or ``now`` when it is empty); atomic."""
        ...

    def end_attempt(self, key: str, member: str) -> None: ...


class MemoryAttempts:
    def __init__(self) -> None:
        self._windows: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def begin_attempt(self, key: str, limit: int, expiry: int, member: str, now: float) -> tuple[bool, float]:
        with self._lock:
            window = {m: t for m, t in self._windows.get(key, {}).items() if t > now - expiry}
            oldest = min(window.values(), default=now)
            admitted = len(window) < limit
            if admitted:
                window[member] = now
            if window:
                self._windows[key] = window
            else:
                self._windows.pop(key, None)
            return admitted, oldest

    def end_attempt(self, key: str, member: str) -> None:
        with self._lock:
            window = self._windows.get(key)
            if window is not None:
                window.pop(member, None)
                if not window:
                    del self._windows[key]
