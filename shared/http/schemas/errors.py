"""The error bodies: ``{"error": {...}}`` per HTTP status, with the codes of the error tree
(shared/errors.py) and the details some codes carry."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model

from shared import errors
from shared.http.schemas.base import Out, enum, member_of
from shared.orders.requests import Status


class _ErrorFields(Out):
    message: str = Field(description="For humans; may change. Branch on `code`.")
    request_id: str = Field(description="Equals the X-Request-ID response header")


class FieldError(Out):
    path: str = Field(description="The bad field: `items[0].quantity`, `headers.Idempotency-Key`, `(body)`")
    message: str


class ValidationErrorDetail(_ErrorFields):
    code: Literal["VALIDATION_ERROR"]
    errors: list[FieldError] = Field(min_length=1)


class RateLimitedDetail(_ErrorFields):
    code: Literal["RATE_LIMITED"]
    retry_after: int = Field(ge=1, description="Seconds; also in Retry-After")


class RestaurantClosedDetail(_ErrorFields):
    code: Literal["RESTAURANT_CLOSED"]
    next_opening_at: AwareDatetime | None = Field(
        description="The next opening after the wanted time; null when none within a week")


class OrderingPausedDetail(_ErrorFields):
    code: Literal["ORDERING_PAUSED"]
    resumes_at: AwareDatetime | None = Field(description="When ordering reopens; null: when the kitchen resumes it")


class PickupSlotFullDetail(_ErrorFields):
    code: Literal["PICKUP_SLOT_FULL"]
    pickup_at: AwareDatetime = Field(description="The slot asked for (its start)")
    capacity: int = Field(ge=1, description="PICKUP_SLOT_CAPACITY: the orders one slot takes")


class UnavailableItem(Out):
    item_id: str
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


class RestaurantBusyDetail(_ErrorFields):
    code: Literal["RESTAURANT_BUSY"]
    retry_after: int = Field(ge=1, description="Seconds; also in Retry-After")


class TooManyItemsDetail(_ErrorFields):
    code: Literal["TOO_MANY_ITEMS"]
    item_count: int = Field(description="The order's items, quantities summed")
    max_items: int = Field(description="ORDER_MAX_ITEMS for this restaurant")


class TooManyOpenOrdersDetail(_ErrorFields):
    code: Literal["TOO_MANY_OPEN_ORDERS"]
    open_orders: int = Field(description="This session's orders not yet picked up, cancelled or expired")
    max_open_orders: int = Field(description="ORDER_MAX_OPEN_PER_SESSION for this restaurant")


class OrderTotalTooHighDetail(_ErrorFields):
    code: Literal["ORDER_TOTAL_TOO_HIGH"]
    total_cents: int
    max_total_cents: int = Field(description="ORDER_MAX_TOTAL_CENTS for this restaurant")
    currency: str


DETAILED: dict[str, type[_ErrorFields]] = {
    "VALIDATION_ERROR": ValidationErrorDetail, "RATE_LIMITED": RateLimitedDetail,
    "RESTAURANT_CLOSED": RestaurantClosedDetail, "ITEM_UNAVAILABLE": ItemUnavailableDetail,
    "INVALID_TRANSITION": InvalidTransitionDetail, "ORDER_STATUS_CONFLICT": OrderStatusConflictDetail,
    "RESTAURANT_BUSY": RestaurantBusyDetail, "TOO_MANY_ITEMS": TooManyItemsDetail,
    "TOO_MANY_OPEN_ORDERS": TooManyOpenOrdersDetail, "ORDER_TOTAL_TOO_HIGH": OrderTotalTooHighDetail,
    "PICKUP_SLOT_FULL": PickupSlotFullDetail, "ORDERING_PAUSED": OrderingPausedDetail,
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
            code = Annotated[str, member_of(plain), enum(plain)]
            members.insert(0, create_model(f"Error{status}Detail", __base__=_ErrorFields, code=(code, ...)))
        detail = members[0]
        for member in members[1:]:
            detail = detail | member
        models[status] = create_model(f"Error{status}", __base__=Out, error=(detail, ...))
    return models
