"""The tenant as a request sees it: identity, CORS allowlist and widget settings (the row
``stjarna_restaurant_head`` returns; cached with the menu, shared/menus/cache.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from shared.tenants.origins import OriginPattern, compile_patterns

RestaurantStatus = Literal["draft", "live", "suspended"]  # the restaurants.status check (0001_core.sql)


@dataclass(frozen=True, slots=True)
class RestaurantHead:
    id: str
    slug: str
    name: str
    version: int
    currency: str
    locale: str
    timezone: str
    allowed_origins: tuple[str, ...]
    origin_patterns: tuple[OriginPattern, ...]
    theme_color: str | None
    greeting: str | None
    plan: str
    ordering_paused: bool = False  # the kitchen paused ordering (docs/console.md, Pausing) ...
    ordering_paused_until: str | None = None  # ... until this ISO time, or with None until resumed
    hours: dict[str, Any] = field(default_factory=dict)  # the weekly opening hours (docs/menu-format.md)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RestaurantHead:
        origins = tuple(data.get("allowedOrigins") or ())
        return cls(id=data["id"], slug=data["slug"], name=data["name"], version=int(data["version"]),
                   currency=data["currency"], locale=data["locale"], timezone=data["timezone"],
                   allowed_origins=origins, origin_patterns=compile_patterns(origins),
                   theme_color=data.get("themeColor"), greeting=data.get("greeting"),
                   plan=data.get("plan", "starter"), ordering_paused=bool(data.get("orderingPaused")),
                   ordering_paused_until=data.get("orderingPausedUntil"), hours=data.get("hours") or {})

    def ordering_pause(self, now: datetime) -> dict[str, Any]:
        """``{"paused", "resumesAt"}`` at ``now``: a timed pause ends by itself, without a write."""
        until = self.ordering_paused_until
        paused = self.ordering_paused and (until is None or datetime.fromisoformat(until) > now)
        return {"paused": paused, "resumesAt": until if paused else None}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "slug": self.slug, "name": self.name, "version": self.version,
                "currency": self.currency, "locale": self.locale, "timezone": self.timezone,
                "allowedOrigins": list(self.allowed_origins), "themeColor": self.theme_color,
                "greeting": self.greeting, "plan": self.plan, "orderingPaused": self.ordering_paused,
                "orderingPausedUntil": self.ordering_paused_until, "hours": self.hours}
