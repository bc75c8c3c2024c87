"""The admin tenant routes' answers (shared/http/admin.py; shared/helpdesk/tenant.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from shared.http.schemas.base import Allergen, Cents, Count, Currency, Hours, Out, Slug, Tag, Uuid
from shared.orders.requests import Status
from shared.tenants.head import RestaurantStatus


class TenantMenu(Out):
    version: int
    last_change_at: AwareDatetime
    sections: Count
    active_sections: Count
    items: Count
    available: Count
    published: Count
    vegan: Count
    undeclared_allergens: Count


class OrdersToday(Out):
    since: AwareDatetime
    until: AwareDatetime
    total: Count
    by_status: dict[Status, Count]


class AuditEntry(Out):
    at: AwareDatetime
    actor: str
    action: str
    restaurant_id: Uuid | None
    details: dict[str, Any]


class FlagState(Out):
    value: bool | int | str
    source: Literal["default", "env", "global", "tenant"]


class TenantSummary(Out):
    id: Uuid
    slug: Slug
    name: str
    status: RestaurantStatus
    plan: Literal["starter", "growth", "pro"]
    currency: Currency
    locale: str
    timezone: str
    hours: Hours
    allowed_origins: list[str]
    theme_color: str | None
    greeting: str | None
    address: str | None
    phone: str | None = Field(description="E.164")
    website: str | None
    created_at: AwareDatetime
    menu: TenantMenu
    orders_today: OrdersToday
    audit: list[AuditEntry] = Field(description="Newest first, at most auditLimit")
    public: bool
    at: AwareDatetime
    open_now: bool
    next_opening_at: AwareDatetime | None
    flags: dict[str, FlagState] = Field(description="Effective flags for this restaurant (docs/flags.md)")


class ItemsRestaurant(Out):
    id: Uuid
    slug: Slug
    name: str
    status: RestaurantStatus
    currency: Currency
    menu_version: int


class Question(Out):
    tags: list[Tag]
    allergen_free: list[Allergen]
    undeclared: bool
    name: str | None


class SupportItem(Out):
    id: Uuid
    key: str
    name: str
    description: str | None
    section: str
    section_name: str
    section_active: bool
    price_cents: Cents
    allergens: list[Allergen]
    allergens_declared: bool
    tags: list[Tag]
    available: bool


class Reason(Out):
    code: Literal["restaurant_not_live", "section_inactive", "unavailable", "not_tagged", "contains_allergen",
                  "allergens_undeclared", "allergens_declared"]
    text: str
    tag: Tag | None = None
    allergens: list[Allergen] | None = None


class HiddenItem(SupportItem):
    reasons: list[Reason] = Field(min_length=1)


class TenantItems(Out):
    restaurant: ItemsRestaurant
    question: Question
    description: str
    shown: list[SupportItem]
    not_shown: list[HiddenItem] = Field(description="The likely culprits first")
    unlisted: Count


class CdnInvalidation(Out):
    distribution_id: str
    invalidation_id: str
    status: str
    paths: list[str]


class CdnFailure(Out):
    distribution_id: str
    paths: list[str]
    error: str


class CachePurge(Out):
    restaurant_id: Uuid
    slug: Slug
    status: RestaurantStatus
    previous_version: int
    version: int
    at: AwareDatetime
    local_cache_seconds: float = Field(ge=0)
    cdn_max_age_seconds: Count
    cdn: CdnInvalidation | CdnFailure | None = Field(description="null without a CloudFront distribution")


class TenantCreated(Out):
    restaurant_id: Uuid
    slug: Slug
    name: str
    created: bool = Field(description="false: an existing restaurant was updated (200)")
    status: RestaurantStatus
    version: int
    sections: Count
    items: Count
    allowed_origins: list[str]
    currency: Currency
    timezone: str
    locale: str
    embed: str = Field(description="The <script> tag for the restaurant's website")
    endpoint: str
    notes: list[str] = Field(description="What still keeps the widget from working")
