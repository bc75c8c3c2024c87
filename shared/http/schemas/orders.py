"""The order routes' answers (shared/http/orders.py) and the staff's view of an order (shared/http/admin.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from shared.http.schemas.base import Cents, Currency, OrderCode, Out, Uuid
from shared.orders.requests import Status


class OrderLine(Out):
    item_id: Uuid
    name: str = Field(description="Snapshot at ordering time")
    quantity: int = Field(ge=1, le=20)
    unit_price_cents: Cents
    line_total_cents: Cents
    note: str | None


class Order(Out):
    order_id: Uuid
    order_code: OrderCode
    restaurant_id: Uuid
    status: Status
    items: list[OrderLine] = Field(min_length=1)
    total_cents: Cents
    currency: Currency
    pickup_at: AwareDatetime | None = Field(description="null: as soon as possible")
    placed_at: AwareDatetime
    updated_at: AwareDatetime
    payment_method: str
    ready_at: AwareDatetime | None = Field(description="The ready time the kitchen promised when accepting")
    cancel_reason: str | None = Field(description="Why the kitchen cancelled (shown to the diner)")


class Payment(Out):
    method: str
    status: str
    amount_cents: Cents
    currency: Currency


class PlacedOrder(Order):
    payment: Payment
    status_url: str = Field(description="The status route (add the session token)")
    request_id: str


class Quote(Out):
    """An order priced with every check an order gets, stored nowhere (also a probe's answer)."""

    restaurant_id: Uuid
    status: Literal["quote"]
    items: list[OrderLine] = Field(min_length=1)
    total_cents: Cents
    currency: Currency
    pickup_at: AwareDatetime | None
    payment_method: str
    probe: bool = Field(description="true for a monitoring probe (sessionToken health-check)")
    request_id: str


class HistoryEntry(Out):
    status: Status
    at: AwareDatetime


class SessionOrder(Order):
    history: list[HistoryEntry] = Field(min_length=1)
    request_id: str


class StaffHistoryEntry(HistoryEntry):
    actor: str = Field(description="diner, admin-key:<id>, cli:…, system:expiry")


class StaffOrder(Order):
    history: list[StaffHistoryEntry] = Field(min_length=1)
    pickup_name: str | None = Field(description="The name to call out (erased ORDER_PII_RETENTION_DAYS after "
                                                "the order finished)")
    pickup_phone: str | None = Field(description="E.164; erased like the name")


class OrderList(Out):
    orders: list[Order] = Field(description="Newest first")


class BoardRestaurant(Out):
    id: Uuid
    slug: str
    name: str
    timezone: str
    currency: Currency


class Pause(Out):
    until: AwareDatetime | None = Field(description="null: until resumed")


class Today(Out):
    orders: int = Field(ge=0, description="Orders placed today (the restaurant's local day), any status")
    revenue_cents: Cents = Field(description="Their total, without cancelled and expired orders")
    currency: Currency
    avg_accept_to_ready_seconds: int | None = Field(description="Over today's orders that were accepted and "
                                                                "made ready; null: none yet")


class Board(Out):
    """The kitchen's board (docs/console.md, Board); its ETag is ``"board-<version>"``."""

    version: int = Field(ge=0, description="Bumped by every order, status change, pause and availability change")
    restaurant: BoardRestaurant
    paused: Pause | None = Field(description="null: taking orders")
    orders: list[StaffOrder] = Field(description="Open orders (placed, accepted, preparing, ready), oldest first")
    recent: list[StaffOrder] = Field(description="Today's picked-up and cancelled orders, newest first, at most 20")
    today: Today


class PauseState(Out):
    paused: Pause | None = Field(description="null: taking orders")


class KitchenItem(Out):
    item_id: Uuid
    key: str
    name: str
    section: str
    price_cents: Cents
    available: bool = Field(description="As an order sees it now")
    unavailable_until: AwareDatetime | None = Field(description="Sold out until the next opening: back by itself then")


class KitchenItems(Out):
    items: list[KitchenItem]
