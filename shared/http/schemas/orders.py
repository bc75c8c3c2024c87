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


class OrderList(Out):
    orders: list[Order] = Field(description="Newest first")
