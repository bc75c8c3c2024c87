"""The console session's and the owner routes' answers (shared/http/console_session.py,
shared/http/owner.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from shared.http.schemas.base import Hours, Out, Slug, Uuid

StaffRole = Literal["platform", "owner", "kitchen"]


class ConsoleRestaurant(Out):
    id: Uuid
    slug: Slug
    name: str


class ConsoleSession(Out):
    role: StaffRole
    restaurant: ConsoleRestaurant | None
    key_name: str
    csrf_token: str = Field(description="Send it as X-Stjarna-CSRF on every write under /console/api/")
    idle_timeout_seconds: int = Field(ge=60)
    expires_at: AwareDatetime = Field(description="The session's absolute end")


class StaffKey(Out):
    id: Uuid
    name: str
    role: StaffRole
    restaurant_id: Uuid | None
    restaurant: Slug | None
    active: bool
    created_at: AwareDatetime
    last_used_at: AwareDatetime | None
    expires_at: AwareDatetime | None
    revoked_at: AwareDatetime | None


class StaffKeyList(Out):
    keys: list[StaffKey]


class StaffKeyCreated(StaffKey):
    key: str = Field(description="The key itself: shown once, never again", pattern=r"^stj_[A-Za-z0-9_-]{43}$")


class TenantCheck(Out):
    name: str
    verdict: Literal["PASS", "FAIL", "SKIP"]
    ok: bool
    detail: str


class RestaurantSetup(Out):
    restaurant: ConsoleRestaurant
    status: Literal["draft", "live", "suspended"]
    embed_snippet: str
    allowed_origins: list[str]
    timezone: str = Field(description="IANA time zone of the opening hours")
    hours: Hours
    check: list[TenantCheck] = Field(description="`stjarna tenant check`'s database-side checks: the tenant, "
                                                 "and the allowlist's verdict for each allowed origin")


class OriginsChanged(Out):
    allowed_origins: list[str]


class HoursChanged(Out):
    timezone: str = Field(description="IANA time zone of the opening hours")
    hours: Hours
