"""A ``limits`` storage for Upstash Redis over its REST API (the ``upstash_redis`` client).

Registered for the URL schemes ``upstash+https`` and ``upstash+http`` (tests), so
``limits.storage.storage_from_string("upstash+https://<host>", token=..., timeout_seconds=...)`` works
once this module is imported. The token is an option, never part of the URL: build it with
``make_storage(settings)``.

Supports the fixed window (``incr``/``get``/``get_expiry``) and the moving window
(``MovingWindowSupport``: no boundary bursts) with the ``limits`` package's own Redis Lua scripts
(package data), run with EVALSHA (EVAL once on ``NOSCRIPT``): each operation is atomic and costs one
HTTP round trip. ``acquire_entries`` goes further for the chat limiter: several moving-window limits
checked and, only if all admit, consumed together in ONE script call (the library's two moving-window
scripts wrapped as Lua functions).

Every call is bounded by the same client as the KV's (``shared/kv/upstash.py`` ``bounded_client``): no
client retries, an explicit httpx timeout. Transport, protocol and server errors all become
``limits.errors.StorageError``.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from limits.errors import ConfigurationError, StorageError
from limits.storage import MovingWindowSupport, Storage
from upstash_redis.errors import UpstashError

from shared.kv.upstash import FAILURES, bounded_client
from shared.ratelimit.windows import MultiAcquire, WindowCheck, WindowState

if TYPE_CHECKING:
    from shared.settings import Settings

_SCRIPTS = "resources/redis/lua_scripts"


def _library_script(name: str) -> str:
    return importlib.resources.files("limits").joinpath(f"{_SCRIPTS}/{name}").read_text("utf-8")


class _Script:
    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode("utf-8"), usedforsecurity=False).hexdigest()


def _as_function(name: str, library_script: str) -> str:
    """The library script as a local Lua function whose KEYS/ARGV parameters shadow the globals."""
    return f"local function {name}(KEYS, ARGV)\n{library_script}\nend\n"


class UpstashStorage(Storage, MovingWindowSupport):
    """``limits`` storage over the Upstash REST API. Options: ``token`` (required),
    ``timeout_seconds`` (default 1.0), ``key_prefix`` (default ``"LIMITS"``)."""

    STORAGE_SCHEME = ["upstash+https", "upstash+http"]  # noqa: RUF012 - typed by limits as a list

    SCRIPT_MOVING_WINDOW = _Script(_library_script("moving_window.lua"))
    SCRIPT_ACQUIRE_MOVING_WINDOW = _Script(_library_script("acquire_moving_window.lua"))
    SCRIPT_CLEAR_KEYS = _Script(_library_script("clear_keys.lua"))
    SCRIPT_INCR_EXPIRE = _Script(_library_script("incr_expire.lua"))
    SCRIPT_ACQUIRE_MANY = _Script(
        _as_function("limits_moving_window", SCRIPT_MOVING_WINDOW.source)
        + _as_function("limits_acquire_moving_window", SCRIPT_ACQUIRE_MOVING_WINDOW.source)
        + importlib.resources.files("shared.ratelimit").joinpath("acquire_many.lua").read_text("utf-8")
    )
    SCRIPT_ATTEMPT = _Script(importlib.resources.files("shared.ratelimit").joinpath("attempts.lua").read_text("utf-8"))

    def __init__(self, uri: str, wrap_exceptions: bool = True, **options: float | str | bool) -> None:
        token = options.pop("token", None)
        timeout = options.pop("timeout_seconds", 1.0)
        prefix = options.pop("key_prefix", "LIMITS")
        if not isinstance(token, str) or not token:
            raise ConfigurationError("UpstashStorage needs token=... (never in the URL)")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigurationError("UpstashStorage needs a positive timeout_seconds")
        if options:
            raise ConfigurationError(f"UpstashStorage: unknown options {sorted(options)}")
        parts = urlsplit(uri)
        if parts.scheme not in self.STORAGE_SCHEME or not parts.hostname or parts.username or parts.password:
            raise ConfigurationError("expected upstash+https://<host> (no credentials in the URL)")
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.key_prefix = str(prefix)
        self.url = urlunsplit(parts._replace(scheme=parts.scheme.removeprefix("upstash+")))
        self._redis = bounded_client(self.url, token, timeout_seconds=float(timeout))

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return FAILURES  # already turned into StorageError below; listed for the base class's wrapper

    def close(self) -> None:
        self._redis.close()  # type: ignore[no-untyped-call]

    def prefixed_key(self, key: str) -> str:
        return f"{self.key_prefix}:{key}"

    # -- transport: one bounded HTTP request per call ---------------------------------------------
    def _call(self, command: list[Any]) -> Any:
        try:
            return self._redis.execute(command)
        except FAILURES as exc:
            raise StorageError(exc) from exc

    def _run(self, script: _Script, keys: Sequence[str], args: Sequence[float | int | str]) -> Any:
        """EVALSHA; on NOSCRIPT (first use on this server, or after SCRIPT FLUSH) EVAL, which caches it."""
        tail: list[Any] = [len(keys), *keys, *(_arg(a) for a in args)]
        try:
            return self._redis.execute(["EVALSHA", script.sha, *tail])
        except UpstashError as exc:
            if not _is_noscript(exc):
                raise StorageError(exc) from exc
        except FAILURES as exc:
            raise StorageError(exc) from exc
        return self._call(["EVAL", script.source, *tail])

    # -- limits.storage.Storage --------------------------------------------------------------------
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return int(self._run(self.SCRIPT_INCR_EXPIRE, [self.prefixed_key(key)], [expiry, amount]))

    def get(self, key: str) -> int:
        return int(self._call(["GET", self.prefixed_key(key)]) or 0)

    def get_expiry(self, key: str) -> float:
        return max(int(self._call(["TTL", self.prefixed_key(key)])), 0) + time.time()

    def check(self) -> bool:
        try:
            return bool(self._call(["PING"]) == "PONG")
        except StorageError:
            return False

    def reset(self) -> int | None:
        return int(self._run(self.SCRIPT_CLEAR_KEYS, [self.prefixed_key("*")], []))

    def clear(self, key: str) -> None:
        self._call(["DEL", self.prefixed_key(key)])

    # -- limits.storage.MovingWindowSupport --------------------------------------------------------
    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return bool(self._run(self.SCRIPT_ACQUIRE_MOVING_WINDOW, [self.prefixed_key(key)],
                              [time.time(), limit, expiry, amount]))

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        window = self._run(self.SCRIPT_MOVING_WINDOW, [self.prefixed_key(key)], [now - expiry, limit])
        if window:
            return float(window[0]), int(window[1])
        return now, 0

    # -- several limits, one round trip ------------------------------------------------------------
    def acquire_entries(self, checks: Sequence[WindowCheck], now: float) -> MultiAcquire:
        """Check every window in order; if all admit, take one entry in each, else take none and name
        the first that refused. Atomic (one Lua script) and one round trip."""
        if not checks:
            return MultiAcquire(None, [])
        args: list[float | int] = [now]
        for check in checks:
            args += [check.limit, check.expiry]
        try:
            out = self._run(self.SCRIPT_ACQUIRE_MANY, [self.prefixed_key(c.key) for c in checks], args)
            refused = int(out[0])
            windows = [WindowState(float(out[i]) if out[i] not in ("", None) else now, int(out[i + 1]))
                       for i in range(1, len(out), 2)]
        except (TypeError, ValueError, IndexError) as exc:
            raise StorageError(exc) from exc
        if not 0 <= refused <= len(checks) or len(windows) != (refused or len(checks)):  # one per window checked
            raise StorageError(ValueError("the moving-window script's answer does not match the limits checked"))
        return MultiAcquire(refused - 1 if refused else None, windows)


    # -- counted attempts (shared/ratelimit/attempts.py) -------------------------------------------
    def begin_attempt(self, key: str, limit: int, expiry: int, member: str, now: float) -> tuple[bool, float]:
        """Atomic (one Lua script on a sorted set) and one round trip."""
        out = self._run(self.SCRIPT_ATTEMPT, [self.prefixed_key(key)], [now, limit, expiry, member])
        try:
            return bool(int(out[0])), float(out[1]) if out[1] not in ("", None) else now
        except (TypeError, ValueError, IndexError) as exc:
            raise StorageError(exc) from exc

    def end_attempt(self, key: str, member: str) -> None:
        self._call(["ZREM", self.prefixed_key(key), member])


def _is_noscript(exc: UpstashError) -> bool:
    message = str(exc).lower()  # "NOSCRIPT No matching script. Please use EVAL." (some proxies drop the code)
    return "noscript" in message or "no matching script" in message


def _arg(value: float | int | str) -> str | int:
    """Floats as exact decimal strings (the REST API takes JSON strings and integers)."""
    return repr(value) if isinstance(value, float) else value


def make_storage(settings: Settings, *, key_prefix: str = "stjarna:rl") -> UpstashStorage | None:
    """The shared Upstash storage when Upstash is configured, else ``None`` (memory only). URL and
    token come from settings; every call is bounded by ``KV_TIMEOUT_SECONDS``."""
    if not (settings.upstash_redis_rest_url and settings.upstash_redis_rest_token):
        return None
    return UpstashStorage(f"upstash+{settings.upstash_redis_rest_url}",
                          token=settings.upstash_redis_rest_token.get_secret_value(),
                          timeout_seconds=settings.kv_timeout_seconds, key_prefix=key_prefix)
