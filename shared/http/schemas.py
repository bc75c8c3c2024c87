"""The API's response bodies as pydantic models: the source of the OpenAPI document's schemas
(shared/http/openapi.py). The handlers do not build their answers through these models (the menu is
assembled in SQL and served as cached bytes); tests/openapi proves every real answer matches them.

Output models forbid extra fields, so an undocumented field in an answer fails those tests. Input
models live with their domain (``OrderRequest``, ``ChatRequest``, ``StatusChange``, ``TenantCreate``).
Imported only by the generator: never on a request's path.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from shared import errors, vocabulary
from shared.orders.models import Status
from shared.tenants.refs import SLUG_RE


def _member_of(values: tuple[str, ...]) -> AfterValidator:
    """A string from a closed set that is data (the vocabulary, the error tree), not code; with
    ``_enum``, which documents the set."""
    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"one of {', '.join(values)}")
        return value

    return AfterValidator(check)


def _enum(values: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values)})


Uuid = Annotated[str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Slug = Annotated[str, Field(pattern=SLUG_RE.pattern)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
Cents = Annotated[int, Field(ge=0, description="Integer cents (the currency's minor unit)")]
HHMM = Annotated[str, Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Hours = Annotated[dict[Weekday, list[tuple[HHMM, HHMM]]], Field(
    description="Weekday -> opening ranges [start, end] in local wall-clock time; an end at or before the "
                "start runs past midnight; a missing day is closed")]
Allergen = Annotated[str, _member_of(vocabulary.allergens()), _enum(vocabulary.allergens())]
Tag = Annotated[str, _member_of(vocabulary.tags()), _enum(vocabulary.tags())]
OrderCode = Annotated[str, Field(pattern=r"^[2-9A-HJKMNP-Z]{6}$")]
RestaurantStatus = Literal["draft", "live", "suspended"]
Count = Annotated[int, Field(ge=0)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- errors ---------------------------------------------------------------------------------------
class _ErrorFields(_Out):
    message: str = Field(description="For humans; may change. Branch on `code`.")
    requestId: str = Field(description="Equals the X-Request-ID response header")  # noqa: N815


class FieldError(_Out):
    path: str = Field(description="The bad field: `items[0].quantity`, `headers.Idempotency-Key`, `(body)`")
    message: str


class ValidationErrorDetail(_ErrorFields):
    code: Literal["VALIDATION_ERROR"]
    errors: list[FieldError] = Field(min_length=1)


class RateLimitedDetail(_ErrorFields):
    code: Literal["RATE_LIMITED"]
    retryAfter: int = Field(ge=1, description="Seconds; also in Retry-After")  # noqa: N815


class RestaurantClosedDetail(_ErrorFields):
    code: Literal["RESTAURANT_CLOSED"]
    nextOpeningAt: AwareDatetime | None = Field(  # noqa: N815
        description="The next opening after the wanted time; null when none within a week")


class UnavailableItem(_Out):
    itemId: str  # noqa: N815 - as the diner sent it (may be unknown)
    reason: Literal["unknown", "unavailable"]


class ItemUnavailableDetail(_ErrorFields):
    code: Literal["ITEM_UNAVAILABLE"]
    items: list[UnavailableItem] = Field(min_length=1)


class InvalidTransitionDetail(_ErrorFields):
    model_config = ConfigDict(populate_by_name=True)

    code: Literal["INVALID_TRANSITION"]
    from_: Status = Field(alias="from")
    to: Status


class OrderStatusConflictDetail(_ErrorFields):
    code: Literal["ORDER_STATUS_CONFLICT"]
    status: Status = Field(description="The order's current status")


DETAILED: dict[str, type[_ErrorFields]] = {
    "VALIDATION_ERROR": ValidationErrorDetail, "RATE_LIMITED": RateLimitedDetail,
    "RESTAURANT_CLOSED": RestaurantClosedDetail, "ITEM_UNAVAILABLE": ItemUnavailableDetail,
    "INVALID_TRANSITION": InvalidTransitionDetail, "ORDER_STATUS_CONFLICT": OrderStatusConflictDetail,
}


def error_codes() -> dict[int, tuple[str, ...]]:
    """Every stable code of the error tree (shared/errors.py), by HTTP status."""
    by_status: dict[int, list[str]] = defaultdict(list)
    for name in errors.__all__:
        cls = getattr(errors, name)
        if cls.code not in by_status[cls.status]:
            by_status[cls.status].append(cls.code)
    return {status: tuple(codes) for status, codes in sorted(by_status.items())}


def error_models() -> dict[int, type[BaseModel]]:
    """The ``{"error": {...}}`` body of each status: its codes, and the details the codes carry."""
    models: dict[int, type[BaseModel]] = {}
    for status, codes in error_codes().items():
        plain = tuple(c for c in codes if c not in DETAILED)
        members: list[Any] = [DETAILED[c] for c in codes if c in DETAILED]
        if plain:
            code = Annotated[str, _member_of(plain), _enum(plain)]
            members.insert(0, create_model(f"Error{status}Detail", __base__=_ErrorFields, code=(code, ...)))
        detail = members[0]
        for member in members[1:]:
            detail = detail | member
        models[status] = create_model(f"Error{status}", __base__=_Out, error=(detail, ...))
    return models


# -- public: menu and config ------------------------------------------------------------------
class MenuRestaurant(_Out):
    id: Uuid
    slug: Slug
    name: str
    currency: Currency
    locale: str
    timezone: str = Field(description="IANA time zone of the opening hours")
    hours: Hours


class MenuItem(_Out):
    id: Uuid
    name: str
    description: str | None
    priceCents: Cents  # noqa: N815
    allergens: list[Allergen] = Field(description="EU-14 codes; meaningful only when allergensDeclared")
    allergensDeclared: bool = Field(description="false: unknown, ask staff; never allergen-free")  # noqa: N815
    tags: list[Tag]


class MenuSection(_Out):
    id: Uuid
    name: str
    description: str | None
    items: list[MenuItem] = Field(min_length=1)


class PublicMenu(_Out):
    """Active sections with available items, of a live restaurant."""

    restaurant: MenuRestaurant
    version: int = Field(ge=1, description="The menu version; also in X-Menu-Version")
    sections: list[MenuSection]


class Theme(_Out):
    color: Annotated[str, Field(pattern=r"^#[0-9a-f]{6}$")] | None


class Features(_Out):
    serverChat: bool  # noqa: N815
    ordering: bool


class WidgetConfig(_Out):
    restaurantId: Uuid  # noqa: N815
    slug: Slug
    name: str
    locale: str
    currency: Currency
    timezone: str
    menuVersion: int = Field(ge=1)  # noqa: N815
    theme: Theme
    greeting: str | None
    features: Features


# -- chat --------------------------------------------------------------------------------------------
class Suggestion(_Out):
    itemId: Uuid  # noqa: N815
    name: str
    priceCents: Cents  # noqa: N815
    reason: str
    allergens: list[Allergen] = Field(description="Declared allergens, in the regulation's order")
    allergensDeclared: bool = Field(  # noqa: N815
        description="false: the restaurant has not declared this dish's allergens (never offered while "
                    "allergens are in play)")


Language = Annotated[str, _member_of(tuple(vocabulary.chat_section("languages")["understood"])),
                     _enum(tuple(vocabulary.chat_section("languages")["understood"]))]


class Understood(_Out):
    """What the assistant read from the conversation so far, as codes; the widget shows it as
    removable chips (``forget`` in the request takes a part back)."""
    diets: list[Annotated[str, _member_of(tuple(vocabulary.chat_section("diets"))),
                          _enum(tuple(vocabulary.chat_section("diets")))]]
    avoid: list[Allergen] = Field(description="Allergens avoided, in the regulation's order")
    maxPriceCents: Cents | None  # noqa: N815
    cheapest: bool
    spicy: bool | None
    courses: list[Annotated[str, _member_of(tuple(vocabulary.chat_section("courses"))),
                            _enum(tuple(vocabulary.chat_section("courses")))]]
    language: Language | None
    askAllergen: bool = Field(  # noqa: N815
        description="Allergy-related but no allergen recognised: the reply asks which, with no suggestions")


class ChatAnswer(_Out):
    reply: str = Field(min_length=1)
    source: Literal["ai", "fallback"]
    suggestions: list[Suggestion] = Field(max_length=4)
    chips: list[str] = Field(max_length=15, description="Follow-ups; sent back as a message when tapped. "
                             "When askAllergen, one per allergen not yet avoided, then 'start over'")
    understood: Understood
    requestId: str  # noqa: N815


# -- orders ------------------------------------------------------------------------------------------
class OrderLine(_Out):
    itemId: Uuid  # noqa: N815
    name: str = Field(description="Snapshot at ordering time")
    quantity: int = Field(ge=1, le=20)
    unitPriceCents: Cents  # noqa: N815
    lineTotalCents: Cents  # noqa: N815
    note: str | None


class Order(_Out):
    orderId: Uuid  # noqa: N815
    orderCode: OrderCode  # noqa: N815
    restaurantId: Uuid  # noqa: N815
    status: Status
    items: list[OrderLine] = Field(min_length=1)
    totalCents: Cents  # noqa: N815
    currency: Currency
    pickupAt: AwareDatetime | None = Field(description="null: as soon as possible")  # noqa: N815
    placedAt: AwareDatetime  # noqa: N815
    updatedAt: AwareDatetime  # noqa: N815
    paymentMethod: str  # noqa: N815


class Payment(_Out):
    method: str
    status: str
    amountCents: Cents  # noqa: N815
    currency: Currency


class PlacedOrder(Order):
    payment: Payment
    statusUrl: str = Field(description="The status route (add the session token)")  # noqa: N815
    requestId: str  # noqa: N815


class Quote(_Out):
    """An order priced with every check an order gets, stored nowhere (also a probe's answer)."""

    restaurantId: Uuid  # noqa: N815
    status: Literal["quote"]
    items: list[OrderLine] = Field(min_length=1)
    totalCents: Cents  # noqa: N815
    currency: Currency
    pickupAt: AwareDatetime | None  # noqa: N815
    paymentMethod: str  # noqa: N815
    probe: bool = Field(description="true for a monitoring probe (sessionToken health-check)")
    requestId: str  # noqa: N815


class HistoryEntry(_Out):
    status: Status
    at: AwareDatetime


class SessionOrder(Order):
    history: list[HistoryEntry] = Field(min_length=1)
    requestId: str  # noqa: N815


class StaffHistoryEntry(HistoryEntry):
    actor: str = Field(description="diner, admin-key:<id>, cli:…, system:expiry")


class StaffOrder(Order):
    history: list[StaffHistoryEntry] = Field(min_length=1)


class OrderList(_Out):
    orders: list[Order] = Field(description="Newest first")


# -- health ------------------------------------------------------------------------------------------
CheckStatus = Literal["ok", "degraded", "down"]


class Check(_Out):
    status: CheckStatus
    latencyMs: float = Field(ge=0)  # noqa: N815
    error: str | None = Field(None, description="The error code when it failed")
    backend: Literal["supabase", "postgres", "embedded", "upstash", "memory"] | None = None
    mode: Literal["openai", "fallback"] | None = None
    reason: str | None = None
    source: str | None = None


class Checks(_Out):
    database: Check
    cache: Check
    ai: Check
    flags: Check


class Health(_Out):
    status: CheckStatus = Field(description="down when the database is, degraded when anything else is")
    version: str
    checks: Checks


class Live(_Out):
    status: Literal["ok"]


class ReadyChecks(_Out):
    database: Check


class Ready(_Out):
    status: Literal["ok", "down"]
    checks: ReadyChecks


# -- admin: tenants ----------------------------------------------------------------------------
class TenantMenu(_Out):
    version: int
    lastChangeAt: AwareDatetime  # noqa: N815
    sections: Count
    activeSections: Count  # noqa: N815
    items: Count
    available: Count
    published: Count
    vegan: Count
    undeclaredAllergens: Count  # noqa: N815


class OrdersToday(_Out):
    since: AwareDatetime
    until: AwareDatetime
    total: Count
    byStatus: dict[Status, Count]  # noqa: N815


class AuditEntry(_Out):
    at: AwareDatetime
    actor: str
    action: str
    restaurantId: Uuid | None  # noqa: N815
    details: dict[str, Any]


class FlagState(_Out):
    value: bool | int | str
    source: Literal["default", "env", "global", "tenant"]


class TenantSummary(_Out):
    id: Uuid
    slug: Slug
    name: str
    status: RestaurantStatus
    plan: Literal["starter", "growth", "pro"]
    currency: Currency
    locale: str
    timezone: str
    hours: Hours
    allowedOrigins: list[str]  # noqa: N815
    themeColor: str | None  # noqa: N815
    greeting: str | None
    createdAt: AwareDatetime  # noqa: N815
    menu: TenantMenu
    ordersToday: OrdersToday  # noqa: N815
    audit: list[AuditEntry] = Field(description="Newest first, at most auditLimit")
    public: bool
    at: AwareDatetime
    openNow: bool  # noqa: N815
    nextOpeningAt: AwareDatetime | None  # noqa: N815
    flags: dict[str, FlagState] = Field(description="Effective flags for this restaurant (docs/flags.md)")


class ItemsRestaurant(_Out):
    id: Uuid
    slug: Slug
    name: str
    status: RestaurantStatus
    currency: Currency
    menuVersion: int  # noqa: N815


class Question(_Out):
    tags: list[Tag]
    allergenFree: list[Allergen]  # noqa: N815
    undeclared: bool
    name: str | None


class SupportItem(_Out):
    id: Uuid
    key: str
    name: str
    description: str | None
    section: str
    sectionName: str  # noqa: N815
    sectionActive: bool  # noqa: N815
    priceCents: Cents  # noqa: N815
    allergens: list[Allergen]
    allergensDeclared: bool  # noqa: N815
    tags: list[Tag]
    available: bool


class Reason(_Out):
    code: Literal["restaurant_not_live", "section_inactive", "unavailable", "not_tagged", "contains_allergen",
                  "allergens_undeclared", "allergens_declared"]
    text: str
    tag: Tag | None = None
    allergens: list[Allergen] | None = None


class HiddenItem(SupportItem):
    reasons: list[Reason] = Field(min_length=1)


class TenantItems(_Out):
    restaurant: ItemsRestaurant
    question: Question
    description: str
    shown: list[SupportItem]
    notShown: list[HiddenItem] = Field(description="The likely culprits first")  # noqa: N815
    unlisted: Count


class CdnInvalidation(_Out):
    distributionId: str  # noqa: N815
    invalidationId: str  # noqa: N815
    status: str
    paths: list[str]


class CdnFailure(_Out):
    distributionId: str  # noqa: N815
    paths: list[str]
    error: str


class CachePurge(_Out):
    restaurantId: Uuid  # noqa: N815
    slug: Slug
    status: RestaurantStatus
    previousVersion: int  # noqa: N815
    version: int
    at: AwareDatetime
    localCacheSeconds: float = Field(ge=0)  # noqa: N815
    cdnMaxAgeSeconds: Count  # noqa: N815
    cdn: CdnInvalidation | CdnFailure | None = Field(description="null without a CloudFront distribution")


class TenantCreated(_Out):
    restaurantId: Uuid  # noqa: N815
    slug: Slug
    name: str
    created: bool = Field(description="false: an existing restaurant was updated (200)")
    status: RestaurantStatus
    version: int
    sections: Count
    items: Count
    allowedOrigins: list[str]  # noqa: N815
    currency: Currency
    timezone: str
    locale: str
    embed: str = Field(description="The <script> tag for the restaurant's website")
    endpoint: str
    notes: list[str] = Field(description="What still keeps the widget from working")


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    PublicMenu, WidgetConfig, ChatAnswer, PlacedOrder, Quote, SessionOrder, StaffOrder, OrderList, Health, Live,
    Ready, TenantSummary, TenantItems, CachePurge, TenantCreated,
)
