"""The rate limiter: moving-window limits per restaurant + session and per client IP for each kind of
request (chat, order, quote), shared
through Upstash (one Lua call per request) and degrading to per-instance memory when the store fails.

See docs/ratelimits.md. Sync and thread-safe (handlers call it through ``run_in_threadpool``, like the
other services); ``in_flight`` is an async context manager.
"""

from __future__ import annotations

import functools
import logging
import math
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, MovingWindowSupport, Storage, storage_from_string

from shared.errors import ConfigError, RateLimited
from shared.ratelimit.addresses import Pseudonyms
from shared.ratelimit.attempts import Attempt, AttemptStore, MemoryAttempts
from shared.ratelimit.windows import MultiAcquire, WindowCheck, WindowState
from shared.settings import Settings

# The defaults are the settings' (shared/settings.py is the one source of each number).
_SETTINGS = Settings.model_fields
DEFAULT_CHAT_LIMIT: str = _SETTINGS["chat_rate_limit"].default
DEFAULT_IP_LIMIT: str = _SETTINGS["chat_ip_rate_limit"].default
DEFAULT_HEALTH_LIMIT: str = _SETTINGS["health_check_rate_limit"].default
DEFAULT_ORDER_LIMIT: str = _SETTINGS["order_rate_limit"].default
DEFAULT_ORDER_IP_LIMIT: str = _SETTINGS["order_ip_rate_limit"].default
DEFAULT_QUOTE_LIMIT: str = _SETTINGS["quote_rate_limit"].default
DEFAULT_QUOTE_IP_LIMIT: str = _SETTINGS["quote_ip_rate_limit"].default
DEFAULT_BURST: int = _SETTINGS["chat_burst"].default
DEFAULT_HASH_SECRET: str = _SETTINGS["client_hash_secret"].default.get_secret_value()
DEFAULT_BACKOFF_SECONDS = 10.0

Scope = Literal["session", "ip", "health"]
Kind = Literal["chat", "order", "quote"]
_log = logging.getLogger("stjarna.ratelimit")


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one hit, with the numbers for the response headers. When allowed they describe
    the limit with the least room left; when refused, the limit that refused."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds: when the oldest counted request leaves the window (one slot frees)
    retry_after: int  # seconds; >= 1 when refused, 0 when allowed
    scope: Scope
    degraded: bool = False  # answered by this instance's memory limiter (the shared store failed)

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-*`` (Reset as epoch seconds, rounded up) and, when refused, ``Retry-After``."""
        headers = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                   "X-RateLimit-Reset": str(math.ceil(self.reset_at))}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers

    def error(self) -> RateLimited:
        return RateLimited(retry_after=self.retry_after, limit=self.limit, remaining=self.remaining,
                           reset_at=self.reset_at)


@runtime_checkable
class MultiWindowStorage(Protocol):
    """A storage that checks and consumes several moving windows in one atomic call (UpstashStorage)."""

    def acquire_entries(self, checks: Sequence[WindowCheck], now: float) -> MultiAcquire: ...


class _LocalWindows:
    """The same all-or-nothing operation over an in-process ``limits`` storage (memory), made atomic
    with one lock. Only atomic within this process."""

    def __init__(self, storage: Storage) -> None:
        if not isinstance(storage, MovingWindowSupport):
            raise ConfigError(f"{type(storage).__name__} does not support the moving window")
        self.storage = storage
        self._windows: MovingWindowSupport = storage
        self._lock = threading.Lock()

    def acquire_entries(self, checks: Sequence[WindowCheck], now: float) -> MultiAcquire:
        windows: list[WindowState] = []
        with self._lock:
            for index, check in enumerate(checks):
                oldest, count = self._windows.get_moving_window(check.key, check.limit, check.expiry)
                windows.append(WindowState(oldest if count else now, count))
                if count + 1 > check.limit:
                    return MultiAcquire(index, windows)
            for check in checks:
                self._windows.acquire_entry(check.key, check.limit, check.expiry)
        return MultiAcquire(None, windows)


def parse_limit(value: str, name: str) -> RateLimitItem:
    """One limit in the ``limits`` notation; anything else is a ``ConfigError`` naming the setting."""
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if len(items) != 1 or items[0].amount < 1:
        raise ConfigError(f"{name} must be one rate limit such as '15 per 30 seconds', got {value!r}")
    return items[0]


@functools.lru_cache(maxsize=256)
def _parsed(value: str, name: str) -> RateLimitItem:
    return parse_limit(value, name)


class RateLimiter:
    """``hit(restaurant_id, session_token, client_ip, kind) -> Decision``; ``in_flight(...)``; ``degraded``.

    ``storage``: a ``limits`` storage or URI; ``"memory://"`` (default) for one instance, an
    ``UpstashStorage`` (``make_storage(settings)``) to share limits across instances. With a shared
    storage, failures (errors or timeouts) switch to a per-instance memory limiter with the same limits
    (one warning per outage) and the shared store is tried again after ``backoff_seconds``.

    Session tokens and client addresses never reach the store (or its keys) in clear: a BLAKE2b keyed
    with ``hash_secret`` (``CLIENT_HASH_SECRET``) of the token, and of the address (an IPv6 one as its /64).
    """

    def __init__(self, storage: Storage | str = "memory://", *,
                 chat_limit: str = DEFAULT_CHAT_LIMIT, ip_limit: str = DEFAULT_IP_LIMIT,
                 health_limit: str = DEFAULT_HEALTH_LIMIT, burst: int = DEFAULT_BURST,
                 order_limit: str = DEFAULT_ORDER_LIMIT, order_ip_limit: str = DEFAULT_ORDER_IP_LIMIT,
                 quote_limit: str = DEFAULT_QUOTE_LIMIT, quote_ip_limit: str = DEFAULT_QUOTE_IP_LIMIT,
                 backoff_seconds: float = DEFAULT_BACKOFF_SECONDS, hash_secret: str = DEFAULT_HASH_SECRET,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.chat_item = parse_limit(chat_limit, "CHAT_RATE_LIMIT")
        self.ip_item = parse_limit(ip_limit, "CHAT_IP_RATE_LIMIT")
        self.health_item = parse_limit(health_limit, "HEALTH_CHECK_RATE_LIMIT")
        self.policies: dict[Kind, tuple[RateLimitItem, RateLimitItem]] = {
            "chat": (self.chat_item, self.ip_item),
            "order": (parse_limit(order_limit, "ORDER_RATE_LIMIT"), parse_limit(order_ip_limit, "ORDER_IP_RATE_LIMIT")),
            "quote": (parse_limit(quote_limit, "QUOTE_RATE_LIMIT"), parse_limit(quote_ip_limit, "QUOTE_IP_RATE_LIMIT")),
        }
        if burst < 1:
            raise ConfigError(f"CHAT_BURST must be at least 1, got {burst}")
        self.burst = burst
        self.backoff_seconds = backoff_seconds
        self._clock = clock
        self.pseudonyms = Pseudonyms(hash_secret)

        if isinstance(storage, str):
            built = storage_from_string(storage)
            if not isinstance(built, Storage):
                raise ConfigError(f"{storage!r} is an async storage; the limiter needs a sync one")
            storage = built
        self.storage = storage
        self._shared: MultiWindowStorage | None
        if isinstance(storage, MemoryStorage):
            self._shared, self._local = None, _LocalWindows(storage)
        else:
            # UpstashStorage does it in one atomic call; another limits storage only within this process.
            self._shared = storage if isinstance(storage, MultiWindowStorage) else _LocalWindows(storage)
            self._local = _LocalWindows(MemoryStorage())
        # counted attempts (the admin lockout): Upstash's, else this instance's memory
        self._shared_attempts = storage if isinstance(storage, AttemptStore) else None
        self._local_attempts = MemoryAttempts()

        self._state_lock = threading.Lock()
        self._degraded = False
        self._retry_shared_at = 0.0
        self._flying: dict[tuple[str, str], int] = {}
        self._flying_lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while the shared store is failing and this instance limits on its own."""
        return self._degraded

    @property
    def shared(self) -> bool:
        return self._shared is not None

    # -- hits ----------------------------------------------------------------------------------
    def checks_for(self, restaurant_id: str, session_token: str, client_ip: str, kind: Kind = "chat",
                   limits: tuple[str, str] | None = None, *, probe: bool = False) -> list[tuple[Scope, WindowCheck]]:
        """``probe``: an authenticated monitoring probe (the caller checked X-Stjarna-Probe)."""
        if probe:  # monitoring: its own generous limit per restaurant
            return [("health", self._check(self.health_item, f"{kind}-health", restaurant_id))]
        if limits is None:
            session_item, ip_item = self.policies[kind]
        else:  # limits changed by ops (flags): parsed once per distinct text
            session_item, ip_item = _parsed(limits[0], f"{kind.upper()}_RATE_LIMIT"), _parsed(
                limits[1], f"{kind.upper()}_IP_RATE_LIMIT")
        names = self.pseudonyms
        return [("session", self._check(session_item, f"{kind}-session", restaurant_id, names.digest(session_token))),
                ("ip", self._check(ip_item, f"{kind}-ip", names.address(client_ip)))]

    @staticmethod
    def _check(item: RateLimitItem, *identifiers: str) -> WindowCheck:
        return WindowCheck(item.key_for(*identifiers), item.amount, item.get_expiry())

    def hit(self, restaurant_id: str, session_token: str, client_ip: str, kind: Kind = "chat",
            limits: tuple[str, str] | None = None, *, probe: bool = False) -> Decision:
        """Count one request of ``kind``: the session limit, then the IP limit, checked and consumed
        together (a request refused by either consumes from neither). One store round trip.
        ``limits``: (session, IP) limits in force for this restaurant (flags), else the configured ones;
        ``probe``: an authenticated monitoring probe, counted only against the restaurant's probe limit."""
        scoped = self.checks_for(restaurant_id, session_token, client_ip, kind, limits, probe=probe)
        checks = [check for _, check in scoped]
        now = time.time()
        result, degraded = self._acquire(checks, now)
        return _decide(scoped, result, now, degraded)

    def _acquire(self, checks: Sequence[WindowCheck], now: float) -> tuple[MultiAcquire, bool]:
        shared = self._shared
        if shared is not None and self._try_shared():
            try:
                result = shared.acquire_entries(checks, now)
            except StorageError as exc:
                self._shared_failed(exc)
            else:
                self._shared_ok()
                return result, False
        return self._local.acquire_entries(checks, now), shared is not None

    def _try_shared(self) -> bool:
        with self._state_lock:
            if not self._degraded:
                return True
            now = self._clock()
            if now < self._retry_shared_at:
                return False
            self._retry_shared_at = now + self.backoff_seconds  # one probe per back-off, not a stampede
            return True

    def _shared_failed(self, exc: StorageError) -> None:
        with self._state_lock:
            self._retry_shared_at = self._clock() + self.backoff_seconds
            if self._degraded:
                return
            self._degraded = True
        _log.warning("rate-limit store unavailable; limiting per instance from memory",
                     extra={"error": type(exc.storage_error).__name__, "retryInSeconds": self.backoff_seconds})

    def _shared_ok(self) -> None:
        with self._state_lock:
            if not self._degraded:
                return
            self._degraded = False
        _log.info("rate-limit store back; limits are shared again")

    # -- counted attempts (the admin lockout) ----------------------------------------------------
    def begin_attempt(self, key: str, limit: int, expiry: int, *, message: str | None = None) -> Attempt:
        """Count one attempt under ``key`` BEFORE it is judged (at most ``limit`` per sliding ``expiry``
        seconds; atomic, shared across instances with Upstash): the ``Attempt``, or ``RateLimited``
        (with ``message``) when the window is full. ``end_attempt`` takes a legitimate one back."""
        now = time.time()
        member = secrets.token_hex(8)
        shared = self._shared_attempts
        store: AttemptStore = self._local_attempts
        if shared is not None and self._try_shared():
            try:
                admitted, oldest = shared.begin_attempt(key, limit, expiry, member, now)
            except StorageError as exc:
                self._shared_failed(exc)
            else:
                self._shared_ok()
                store = shared
        if store is self._local_attempts:
            admitted, oldest = store.begin_attempt(key, limit, expiry, member, now)
        if not admitted:
            reset_at = oldest + expiry
            raise RateLimited(retry_after=math.ceil(reset_at - now), limit=limit, reset_at=reset_at, message=message)
        return Attempt(key, member, store)

    def end_attempt(self, attempt: Attempt) -> None:
        """Take an attempt back (it was legitimate): it no longer counts against the window."""
        try:
            attempt.store.end_attempt(attempt.key, attempt.member)
        except StorageError as exc:  # it ages out with the window
            self._shared_failed(exc)

    # -- in flight -----------------------------------------------------------------------------
    @asynccontextmanager
    async def in_flight(self, restaurant_id: str, session_token: str, *, probe: bool = False) -> AsyncIterator[None]:
        """At most ``burst`` requests of one session at once, on this instance; ``RateLimited``
        (retry after 1 s) beyond. Authenticated probes are exempt."""
        if probe:
            yield
            return
        key = (restaurant_id, self.pseudonyms.digest(session_token))
        with self._flying_lock:
            running = self._flying.get(key, 0)
            if running >= self.burst:
                raise RateLimited(retry_after=1, limit=self.burst, remaining=0, reset_at=time.time() + 1,
                                  message="Too many requests at once from this chat; wait for an answer.")
            self._flying[key] = running + 1
        try:
            yield
        finally:
            with self._flying_lock:
                left = self._flying[key] - 1
                if left:
                    self._flying[key] = left
                else:
                    del self._flying[key]

    def close(self) -> None:
        close = getattr(self.storage, "close", None)
        if callable(close):
            close()


def _decide(scoped: Sequence[tuple[Scope, WindowCheck]], result: MultiAcquire, now: float,
            degraded: bool) -> Decision:
    if result.refused is not None:
        scope, check = scoped[result.refused]
        window = result.windows[result.refused]
        reset_at = window.oldest + check.expiry
        return Decision(False, check.limit, 0, reset_at, max(1, math.ceil(reset_at - now)), scope, degraded)
    best: Decision | None = None
    for (scope, check), window in zip(scoped, result.windows, strict=True):
        remaining = max(0, check.limit - window.count - 1)
        oldest = window.oldest if window.count else now
        if best is None or remaining < best.remaining:
            best = Decision(True, check.limit, remaining, oldest + check.expiry, 0, scope, degraded)
    assert best is not None
    return best


def build_rate_limiter(settings: Settings) -> RateLimiter:
    """Upstash-shared limits when Upstash is configured, else memory (embedded mode)."""
    storage: Storage | str = "memory://"
    if settings.kv_kind == "upstash":
        from shared.ratelimit.upstash_storage import make_storage

        storage = make_storage(settings) or storage
    return RateLimiter(storage, chat_limit=settings.chat_rate_limit, ip_limit=settings.chat_ip_rate_limit,
                       health_limit=settings.health_check_rate_limit, burst=settings.chat_burst,
                       order_limit=settings.order_rate_limit, order_ip_limit=settings.order_ip_rate_limit,
                       quote_limit=settings.quote_rate_limit, quote_ip_limit=settings.quote_ip_rate_limit,
                       hash_secret=settings.client_hash_secret.get_secret_value())
