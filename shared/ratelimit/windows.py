"""Plain data shared by the limiter and the storages (no vendor imports)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.settings import LIMIT_PATTERN

__all__ = ["LIMIT_PATTERN", "MultiAcquire", "WindowCheck", "WindowState"]


@dataclass(frozen=True, slots=True)
class WindowCheck:
    """One moving-window limit to check: ``limit`` entries per ``expiry`` seconds under ``key``."""

    key: str
    limit: int
    expiry: int


@dataclass(frozen=True, slots=True)
class WindowState:
    """A window as found BEFORE this hit: ``count`` entries, the oldest at ``oldest`` (epoch seconds;
    about now when empty)."""

    oldest: float
    count: int


@dataclass(frozen=True, slots=True)
class MultiAcquire:
    """``refused`` is the index of the first check that did not admit (then nothing was consumed), or
    ``None`` when every check admitted and consumed one entry. ``windows`` has one state per check up
    to and including the refused one."""

    refused: int | None
    windows: list[WindowState]
