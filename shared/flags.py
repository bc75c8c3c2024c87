"""Feature flags and the settings ops change without a deploy (docs/flags.md).

Layers, lowest first: code default < environment < global override < per-tenant override. The
overrides live in SSM Parameter Store in production (``/stjarna/<stage>/flags/<NAME>`` and
``/stjarna/<stage>/tenants/<slug>/flags/<NAME>``) or in a local file in development
(``STJARNA_DATA_DIR/flags.json``). Each instance reads every override in one call (SSM:
GetParametersByPath, paginated) at most every ``FLAGS_CACHE_SECONDS``. Reading never raises: a failed
read keeps the last good overrides (or none: defaults and environment) and is logged once per outage;
an override that does not parse is ignored (logged once) and the layer below applies.

``Flags.for_restaurant(slug)`` is the hot-path call: a dict lookup once the overrides are loaded.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from shared.errors import ConfigError, ValidationFailed

if TYPE_CHECKING:
    from shared.settings import Settings

_log = logging.getLogger("stjarna.flags")
Source = Literal["default", "env", "global", "tenant"]
Value = bool | int | str


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"true", "1", "yes", "on"}:
        return True
    if lowered in {"false", "0", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _seconds(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) > 86400:
        raise ValueError("must be a whole number of seconds from 0 to 86400")
    return int(text)


def _limit(raw: str) -> str:
    from shared.settings import LIMIT_PATTERN  # the notation the environment layer accepts

    text = raw.strip()
    match = re.fullmatch(LIMIT_PATTERN, text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError("must be one rate limit such as '15 per 30 seconds' or '5 per minute'")
    return text


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    parse: Callable[[str], Value]
    setting: str  # the Settings field holding the environment layer (and the code default)
    help: str


SPECS: dict[str, Spec] = {s.name: s for s in (
    Spec("USE_SERVER_CHAT", _bool, "use_server_chat",
         "server chat on; off: /api/chat answers 503 SERVER_CHAT_DISABLED and the widget answers locally"),
    Spec("AI_DEGRADED_MODE", _bool, "ai_degraded_mode", "never call the model: every answer is the fallback"),
    Spec("ORDERING_ENABLED", _bool, "ordering_enabled", "pickup ordering on; off: 409 ORDERING_DISABLED"),
    Spec("CHAT_RATE_LIMIT", _limit, "chat_rate_limit", "chat requests per restaurant + session"),
    Spec("CHAT_IP_RATE_LIMIT", _limit, "chat_ip_rate_limit", "chat requests per client IP"),
    Spec("ORDER_RATE_LIMIT", _limit, "order_rate_limit", "orders per restaurant + session"),
    Spec("ORDER_IP_RATE_LIMIT", _limit, "order_ip_rate_limit", "orders per client IP"),
    Spec("MENU_S_MAXAGE", _seconds, "menu_s_maxage", "the menu's CDN cache time (s-maxage)"),
    Spec("MENU_STALE_WHILE_REVALIDATE", _seconds, "menu_stale_while_revalidate",
         "how long the CDN may serve a stale menu while it revalidates"),
)}


def spec(name: str) -> Spec:
    found = SPECS.get(name.strip().upper())
    if found is None:
        raise ValidationFailed([{"path": "name", "message": f"unknown flag {name!r}; known: {', '.join(SPECS)}"}])
    return found


def parse_value(name: str, raw: str) -> Value:
    """The flag's value from text, or ``ValidationFailed`` naming the flag and what it accepts."""
    flag = spec(name)
    try:
        return flag.parse(raw)
    except ValueError as exc:
        raise ValidationFailed([{"path": flag.name, "message": f"{raw!r}: {exc}"}]) from None


@dataclass(frozen=True, slots=True)
class FlagValue:
    value: Any  # bool, int or str, as the flag's Spec parses it
    source: Source


@dataclass(frozen=True)
class Overrides:
    """Raw override text as stored: global ``{NAME: text}``, per tenant ``{slug: {NAME: text}}``."""

    global_: Mapping[str, str] = field(default_factory=dict)
    tenants: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


class FlagStore(Protocol):
    where: str

    def load(self) -> Overrides: ...

    def put(self, name: str, value: str, slug: str | None) -> None: ...

    def delete(self, name: str, slug: str | None) -> bool:
        """Remove an override; False when there was none."""
        ...


class Flags:
    """The effective flags of each restaurant, from the layers, cached per instance."""

    def __init__(self, settings: Settings, store: FlagStore | None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.store = store
        self._clock = clock
        explicit = settings.model_fields_set
        self._base: dict[str, FlagValue] = {
            s.name: FlagValue(getattr(settings, s.setting), "env" if s.setting in explicit else "default")
            for s in SPECS.values()}
        self._overrides = Overrides()
        self._loaded_at: float | None = None
        self._failing = False
        self._reported: set[tuple[str, str, str]] = set()
        self._computed: dict[str | None, dict[str, FlagValue]] = {}
        self._lock = threading.Lock()

    @property
    def stale(self) -> bool:
        """True when the next call would read the store (callers on an event loop use a thread)."""
        if self.store is None:
            return False
        return self._loaded_at is None or self._clock() - self._loaded_at >= self.settings.flags_cache_seconds

    @property
    def failing(self) -> bool:
        """The last read of the overrides failed (health reports it; the last good values apply)."""
        return self._failing

    def refresh(self) -> None:
        """Read the overrides now; on failure keep the last good ones (logged once per outage)."""
        if self.store is None:
            return
        try:
            overrides = self.store.load()
        except Exception as exc:  # noqa: BLE001 - any failure of the store is survived the same way
            with self._lock:
                self._loaded_at = self._clock()  # retry after the cache time, not on every request
                if not self._failing:
                    _log.warning("flag overrides unavailable; keeping the last good values",
                                 extra={"where": self.store.where, "error": type(exc).__name__})
                self._failing = True
            return
        with self._lock:
            if self._failing:
                _log.info("flag overrides readable again", extra={"where": self.store.where})
            self._overrides, self._loaded_at, self._failing = overrides, self._clock(), False
            self._computed = {}

    def for_restaurant(self, slug: str | None = None) -> dict[str, FlagValue]:
        """Every flag's effective value and where it came from (``slug`` None: the global view)."""
        if self.stale:
            self.refresh()
        found = self._computed.get(slug)
        if found is None:
            found = self._compute(slug)
            with self._lock:
                if len(self._computed) > 4096:
                    self._computed = {}
                self._computed[slug] = found
        return found

    def value(self, name: str, slug: str | None = None) -> Any:
        return self.for_restaurant(slug)[name].value

    def _compute(self, slug: str | None) -> dict[str, FlagValue]:
        values = dict(self._base)
        layers: list[tuple[Source, str, Mapping[str, str]]] = [("global", "global", self._overrides.global_)]
        if slug is not None:
            layers.append(("tenant", slug, self._overrides.tenants.get(slug, {})))
        for source, scope, layer in layers:
            for name, raw in layer.items():
                flag = SPECS.get(name)
                if flag is None:
                    self._report(scope, name, raw, "unknown flag")
                    continue
                try:
                    values[name] = FlagValue(flag.parse(raw), source)
                except ValueError as exc:
                    self._report(scope, name, raw, str(exc))
        return values

    def _report(self, scope: str, name: str, raw: str, problem: str) -> None:
        key = (scope, name, raw)
        if key not in self._reported:
            self._reported.add(key)
            _log.warning("flag override ignored", extra={"scope": scope, "flag": name, "problem": problem})


# -- stores -----------------------------------------------------------------------------------------
class FileFlagStore:
    """``{"global": {NAME: "text"}, "tenants": {slug: {NAME: "text"}}}`` in one JSON file, rewritten
    atomically (development and self-hosting; several processes may share it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"file:{path}"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"global": {}, "tenants": {}}
        if not isinstance(data, dict):
            raise ConfigError(f"{self.path} is not a flags file")
        return {"global": dict(data.get("global") or {}), "tenants": dict(data.get("tenants") or {})}

    def load(self) -> Overrides:
        data = self._read()
        return Overrides({k: str(v) for k, v in data["global"].items()},
                         {slug: {k: str(v) for k, v in layer.items()} for slug, layer in data["tenants"].items()})

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".flags-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
        os.replace(tmp, self.path)

    def put(self, name: str, value: str, slug: str | None) -> None:
        data = self._read()
        layer = data["global"] if slug is None else data["tenants"].setdefault(slug, {})
        layer[name] = value
        self._write(data)

    def delete(self, name: str, slug: str | None) -> bool:
        data = self._read()
        layer = data["global"] if slug is None else data["tenants"].get(slug, {})
        found = layer.pop(name, None) is not None
        if slug is not None and not layer:
            data["tenants"].pop(slug, None)
        if found:
            self._write(data)
        return found


class SsmFlagStore:
    """SSM Parameter Store under ``/stjarna/<stage>/``: ``flags/<NAME>`` and ``tenants/<slug>/flags/<NAME>``
    (String parameters). boto3 is imported here only: the Lambda runtime provides it."""

    def __init__(self, stage: str, *, timeout_seconds: float, client: Any = None) -> None:
        self.prefix = f"/stjarna/{stage}/"
        self.where = f"ssm:{self.prefix}"
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("ssm", config=Config(connect_timeout=timeout_seconds, read_timeout=timeout_seconds,
                                                       retries={"max_attempts": 1, "mode": "standard"}))
        self._ssm = client

    def path(self, name: str, slug: str | None) -> str:
        return f"{self.prefix}flags/{name}" if slug is None else f"{self.prefix}tenants/{slug}/flags/{name}"

    def _parameters(self, path: str, *, recursive: bool) -> list[tuple[list[str], str]]:
        pages = self._ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=recursive)
        return [(p["Name"][len(self.prefix):].split("/"), p["Value"]) for page in pages for p in page["Parameters"]]

    def load(self) -> Overrides:
        """Two reads (paginated): the global flags and the tenants' flags; never the secrets that
        live beside them under the stage's prefix."""
        global_ = {parts[1]: value for parts, value in self._parameters(f"{self.prefix}flags", recursive=False)
                   if len(parts) == 2}
        tenants: dict[str, dict[str, str]] = {}
        for parts, value in self._parameters(f"{self.prefix}tenants", recursive=True):
            if len(parts) == 4 and parts[2] == "flags":
                tenants.setdefault(parts[1], {})[parts[3]] = value
        return Overrides(global_, tenants)

    def put(self, name: str, value: str, slug: str | None) -> None:
        self._ssm.put_parameter(Name=self.path(name, slug), Value=value, Type="String", Overwrite=True)

    def delete(self, name: str, slug: str | None) -> bool:
        try:
            self._ssm.delete_parameter(Name=self.path(name, slug))
        except self._ssm.exceptions.ParameterNotFound:
            return False
        return True


def build_flag_store(settings: Settings) -> FlagStore | None:
    source = settings.flags_source
    if source == "ssm":
        return SsmFlagStore(settings.stage, timeout_seconds=settings.flags_ssm_timeout_seconds)
    if source == "file":
        return FileFlagStore(settings.data_dir / "flags.json")
    return None
