"""Each restaurant's effective flags, from the layers, cached per instance; reading never raises."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from shared.flags.overrides import FlagStore, Overrides
from shared.flags.specs import SPECS, BoolFlag, CountFlag, FlagName, LimitFlag, SecondsFlag, Value, known

if TYPE_CHECKING:
    from shared.settings import Settings

_log = logging.getLogger("stjarna.flags")
Source = Literal["default", "env", "global", "tenant"]
V = TypeVar("V", bound=Value)


@dataclass(frozen=True, slots=True)
class FlagValue(Generic[V]):
    value: V  # bool, int or str, as the flag's Spec parses it
    source: Source


class FlagSet(Mapping[FlagName, FlagValue[Any]]):
    """One restaurant's effective flags by name; ``flags["MENU_S_MAXAGE"].value`` is an ``int``."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[FlagName, FlagValue[Any]]) -> None:
        self._values = values

    @overload
    def __getitem__(self, name: BoolFlag) -> FlagValue[bool]: ...
    @overload
    def __getitem__(self, name: SecondsFlag | CountFlag) -> FlagValue[int]: ...
    @overload
    def __getitem__(self, name: LimitFlag) -> FlagValue[str]: ...
    @overload
    def __getitem__(self, name: FlagName) -> FlagValue[Any]: ...
    def __getitem__(self, name: FlagName) -> FlagValue[Any]:
        return self._values[name]

    def __iter__(self) -> Iterator[FlagName]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"FlagSet({self._values!r})"


class Flags:
    """The effective flags of each restaurant, from the layers, cached per instance."""

    def __init__(self, settings: Settings, store: FlagStore | None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.store = store
        self._clock = clock
        explicit = settings.model_fields_set
        self._base: dict[FlagName, FlagValue[Any]] = {
            s.name: FlagValue(getattr(settings, s.setting), "env" if s.setting in explicit else "default")
            for s in SPECS.values()}
        self._overrides = Overrides()
        self._loaded_at: float | None = None
        self._failing = False
        self._reported: set[tuple[str, str, str]] = set()
        self._computed: dict[str | None, FlagSet] = {}
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

    def for_restaurant(self, slug: str | None = None) -> FlagSet:
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

    @overload
    def value(self, name: BoolFlag, slug: str | None = None) -> bool: ...
    @overload
    def value(self, name: SecondsFlag | CountFlag, slug: str | None = None) -> int: ...
    @overload
    def value(self, name: LimitFlag, slug: str | None = None) -> str: ...
    def value(self, name: FlagName, slug: str | None = None) -> Value:
        found: Value = self.for_restaurant(slug)[name].value
        return found

    def _compute(self, slug: str | None) -> FlagSet:
        values = dict(self._base)
        layers: list[tuple[Source, str, Mapping[str, str]]] = [("global", "global", self._overrides.global_)]
        if slug is not None:
            layers.append(("tenant", slug, self._overrides.tenants.get(slug, {})))
        for source, scope, layer in layers:
            for name, raw in layer.items():
                flag = known(name)
                if flag is None:
                    self._report(scope, name, raw, "unknown flag")
                    continue
                try:
                    values[flag.name] = FlagValue(flag.parse(raw), source)
                except ValueError as exc:
                    self._report(scope, name, raw, str(exc))
        return FlagSet(values)

    def _report(self, scope: str, name: str, raw: str, problem: str) -> None:
        key = (scope, name, raw)
        if key not in self._reported:
            self._reported.add(key)
            _log.warning("flag override ignored", extra={"scope": scope, "flag": name, "problem": problem})
