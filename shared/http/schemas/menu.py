"""The menu routes' answers (shared/http/menu.py): the public menu and the widget's config."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from shared.http.schemas.base import Allergen, Cents, Currency, Hours, Out, Slug, Tag, Uuid
from shared.menus.contact import E164_PATTERN


class MenuRestaurant(Out):
    id: Uuid
    slug: Slug
    name: str
    currency: Currency
    locale: str
    timezone: str = Field(description="IANA time zone of the opening hours")
    hours: Hours
    address: str | None = Field(description="Street address, plain text; lines separated by \\n; null when unset")
    phone: str | None = Field(pattern=E164_PATTERN, description="E.164, e.g. +46701740642; null when unset")
    website: str | None = Field(pattern=r"^https?://", description="Absolute http(s) URL; null when unset")


class MenuItem(Out):
    id: Uuid
    name: str
    description: str | None
    price_cents: Cents
    allergens: list[Allergen] = Field(description="EU-14 codes; meaningful only when allergensDeclared")
    allergens_declared: bool = Field(description="false: unknown, ask staff; never allergen-free")
    tags: list[Tag]


class MenuSection(Out):
    id: Uuid
    name: str
    description: str | None
    items: list[MenuItem] = Field(min_length=1)


class PublicMenu(Out):
    """Active sections with available items, of a live restaurant."""

    restaurant: MenuRestaurant
    version: int = Field(ge=1, description="The menu version; also in X-Menu-Version")
    sections: list[MenuSection]


class Theme(Out):
    color: Annotated[str, Field(pattern=r"^#[0-9a-f]{6}$")] | None


class Features(Out):
    server_chat: bool
    ordering: bool


class OrderingState(Out):
    paused: bool = Field(description="The kitchen paused ordering: orders and quotes get 409 ORDERING_PAUSED")
    resumes_at: AwareDatetime | None = Field(description="When a timed pause ends (null: not paused, or until "
                                                         "the kitchen resumes it)")


class OpenState(Out):
    now: bool = Field(description="Open now by the menu's hours, at the server's time (the widget shows this, "
                                  "not the diner's clock)")
    next_change: AwareDatetime | None = Field(description="The next closing (when open) or opening (when closed); "
                                                          "null when it never changes")


class WidgetConfig(Out):
    restaurant_id: Uuid
    slug: Slug
    name: str
    locale: str
    currency: Currency
    timezone: str
    menu_version: int = Field(ge=1)
    theme: Theme
    greeting: str | None
    features: Features
    ordering: OrderingState
    open: OpenState
