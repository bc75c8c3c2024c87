"""The order service: a thin layer over the SQL functions of infra/migrations/0003_orders.sql, which
price, gate, deduplicate and insert in one transaction. This module turns their outcomes into the API's
answers or errors (docs/errors.md). Sync, like the other services (handlers use a thread)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.errors import (
    IdempotencyKeyReused,
    InvalidTransition,
    ItemUnavailable,
    NotFound,
    OrderingDisabled,
    OrderingPaused,
    OrderNotFound,
    OrderStatusConflict,
    OrderTotalTooHigh,
    RestaurantClosed,
    RestaurantNotFound,
    StjarnaError,
    TooManyItems,
    TooManyOpenOrders,
    ValidationFailed,
)
from shared.observability import metrics
from shared.orders.payments import PayAtPickup, PaymentProvider
from shared.orders.requests import (
    OrderRequest,
    Status,
    normalise_code,
    pickup_phone_e164,
    session_hash,
    utc_iso,
)
from shared.orders.slots import gate_error
from shared.settings import Settings
from shared.store import Store
from shared.tenants.refs import UUID_RE

_log = logging.getLogger("stjarna.orders")
Clock = Callable[[], datetime]
Rows = list[dict[str, Any]]  # (the service's own ``list`` method shadows the builtin in its body)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Ceilings:
    """What one session and one order may ask of the kitchen (the restaurant's flags; docs/orders.md):
    open orders per session, an order's total in cents and its items (quantities summed)."""

    max_open_orders: int
    max_total_cents: int
    max_items: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Ceilings:
        return cls(settings.order_max_open_per_session, settings.order_max_total_cents, settings.order_max_items)


@dataclass(frozen=True, slots=True)
class Placed:
    order: dict[str, Any]
    replayed: bool


class OrderService:
    def __init__(self, store: Store, settings: Settings, *, clock: Clock = system_clock,
                 payments: PaymentProvider | None = None) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.payments: PaymentProvider = payments or PayAtPickup()

    # -- diners ------------------------------------------------------------------------------------
    def place(self, restaurant_id: str, request: OrderRequest, key: str, *, ordering_enabled: bool,
              ceilings: Ceilings | None = None, locale: str | None = None) -> Placed:
        """Place the order (or replay the one this key placed). Raises the 409s, 422 and 404 of
        docs/orders.md; ``StoreUnavailable`` leaves no order behind (one transaction). ``ceilings``:
        the restaurant's (flags), else the configured ones; ``locale``: the restaurant's, whose country
        a phone number without its +country code is read in."""
        result = self._call(restaurant_id, request, key, ordering_enabled=ordering_enabled, dry_run=False,
                            ceilings=ceilings, locale=locale)
        order = {**result["order"], "payment": self.payments.start(result["order"])}
        replayed = result["outcome"] == "replayed"
        if not replayed:
            _log.info("order placed", extra={"orderId": order["orderId"], "totalCents": order["totalCents"],
                                             "lines": len(order["items"])})
            metrics.order_placed(restaurant_id)
        return Placed(order, replayed)

    def quote(self, restaurant_id: str, request: OrderRequest, *, ordering_enabled: bool,
              ceilings: Ceilings | None = None, locale: str | None = None) -> dict[str, Any]:
        """Price a cart exactly as ``place`` would, with the same checks (the ceilings too), storing nothing."""
        return dict(self._call(restaurant_id, request, "quote-only", ordering_enabled=ordering_enabled,
                               dry_run=True, ceilings=ceilings, locale=locale)["order"])

    def _call(self, restaurant_id: str, request: OrderRequest, key: str, *, ordering_enabled: bool,
              dry_run: bool, ceilings: Ceilings | None, locale: str | None) -> dict[str, Any]:
        limits = ceilings or Ceilings.from_settings(self.settings)
        item_count = sum(line.quantity for line in request.items)
        if item_count > limits.max_items:  # known before any I/O
            raise TooManyItems(item_count, limits.max_items)
        phone = pickup_phone_e164(request.pickup_phone, locale)
        payload = {
            "restaurantId": restaurant_id, "sessionHash": request.session_hash, "idempotencyKey": key,
            "requestHash": request.request_hash(restaurant_id), "pickupAt": request.pickup_utc(),
            "items": [line.model_dump() for line in request.items],
            "leadMinutes": self.settings.order_lead_minutes, "horizonMinutes": self.settings.order_horizon_hours * 60,
            "orderingEnabled": ordering_enabled, "paymentMethod": self.payments.method, "dryRun": dry_run,
            "maxOpenOrders": limits.max_open_orders, "maxTotalCents": limits.max_total_cents,
            "pickupName": request.pickup_name, "pickupPhone": phone,
            "slotMinutes": self.settings.pickup_slot_minutes, "slotCapacity": self.settings.pickup_slot_capacity,
        }
        result: dict[str, Any] = self.store.rpc("stjarna_place_order_v2",
                                                {"p_order": payload, "p_now": utc_iso(self.clock())})
        outcome = result["outcome"]
        if outcome in {"created", "replayed", "quoted"}:
            return result
        raise _error(result)

    def session_order(self, restaurant_id: str, code: str, session_token: str) -> dict[str, Any]:
        """The order with this code, only for the session that placed it: 404 for anyone else, and the
        same 404 for a code that does not exist (nothing to enumerate)."""
        normal = normalise_code(code)
        found = None if normal is None else self.store.rpc(
            "stjarna_session_order",
            {"p_restaurant_id": restaurant_id, "p_code": normal, "p_session_hash": session_hash(session_token)})
        if found is None:
            raise OrderNotFound()
        return dict(found)

    # -- staff ---------------------------------------------------------------------------------------
    def staff_order(self, restaurant_id: str | None, ref: str) -> dict[str, Any]:
        """An order by id, or by code within ``restaurant_id``; with its history and who made each change."""
        order_id = ref.strip().lower() if UUID_RE.fullmatch(ref.strip().lower()) else None
        code = None if order_id else normalise_code(ref)
        if order_id is None and (code is None or restaurant_id is None):
            raise OrderNotFound("No such order (give an order id, or a code and the restaurant).")
        found = self.store.rpc("stjarna_staff_order",
                               {"p_restaurant_id": restaurant_id, "p_order_id": order_id, "p_code": code})
        if found is None:
            raise OrderNotFound("No such order.")
        return dict(found)

    def list(self, restaurant_id: str, status: Status | None = None, limit: int = 50) -> list[dict[str, Any]]:
        return list(self.store.rpc("stjarna_list_orders",
                                   {"p_restaurant_id": restaurant_id, "p_status": status, "p_limit": limit}))

    def set_status(self, order_id: str, status: Status, actor: str, *, expected: Status | None = None,
                   restaurant_id: str | None = None, ready_in_minutes: int | None = None,
                   cancel_reason: str | None = None) -> dict[str, Any]:
        """Move an order along the status machine (docs/orders.md). ``expected``: only from that status,
        so of two concurrent changes one wins and the other gets 409 ORDER_STATUS_CONFLICT.
        ``restaurant_id``: only an order of that restaurant (a scoped key's). ``ready_in_minutes`` (when
        accepting) sets the promised ready time; ``cancel_reason`` (when cancelling) is shown to the diner.
        Answers with the staff's view (history, actors, pickup name and phone)."""
        if not UUID_RE.fullmatch(order_id):
            raise OrderNotFound("No such order.")
        result = self.store.rpc("stjarna_kitchen_set_status", {
            "p_order_id": order_id, "p_status": status, "p_actor": actor, "p_expected": expected,
            "p_restaurant_id": restaurant_id, "p_ready_in_minutes": ready_in_minutes,
            "p_cancel_reason": cancel_reason, "p_now": utc_iso(self.clock())})
        outcome = result["outcome"]
        if outcome == "not_found":
            raise OrderNotFound("No such order.")
        if outcome == "conflict":
            raise OrderStatusConflict(result["from"], expected or "")
        if outcome == "invalid_transition":
            raise InvalidTransition(result["from"], status)
        _log.info("order status changed", extra={"orderId": order_id, "from": result["from"], "to": status})
        return dict(result["order"])

    def expire(self, actor: str = "system:expiry") -> int:
        """Expire every open order whose pickup (or placing) time is ORDER_EXPIRE_AFTER_HOURS past."""
        now = self.clock()
        before = now - timedelta(hours=self.settings.order_expire_after_hours)
        count = int(self.store.rpc("stjarna_expire_orders",
                                   {"p_before": utc_iso(before), "p_actor": actor, "p_now": utc_iso(now)}))
        if count:
            _log.info("orders expired", extra={"count": count})
        return count

    def erase_pii(self) -> int:
        """Erase the pickup name and phone of orders finished ORDER_PII_RETENTION_DAYS ago; how many."""
        before = self.clock() - timedelta(days=self.settings.order_pii_retention_days)
        count = int(self.store.rpc("stjarna_erase_order_pii", {"p_before": utc_iso(before)}))
        if count:
            _log.info("pickup names and phones erased", extra={"count": count})
        return count

    def reset_items(self) -> int:
        """Items sold out "until the next opening" whose opening has come: available again; how many."""
        count = int(self.store.rpc("stjarna_reset_item_availability", {"p_now": utc_iso(self.clock())}))
        if count:
            _log.info("items available again", extra={"count": count})
        return count

    # -- the kitchen's board (docs/console.md) ----------------------------------------------------------
    def board_version(self, restaurant_id: str) -> int:
        """The board's version: one primary-key read (the poll's If-None-Match)."""
        return int(self.store.rpc("stjarna_board_version", {"p_restaurant_id": restaurant_id}))

    def board(self, restaurant_id: str) -> dict[str, Any]:
        return dict(self.store.rpc("stjarna_kitchen_board",
                                   {"p_restaurant_id": restaurant_id, "p_now": utc_iso(self.clock())}))

    def pause(self, restaurant_id: str, minutes: int | None, actor: str, *, paused: bool = True) -> dict[str, Any]:
        """Pause ordering for ``minutes`` (None: until resumed), or with ``paused=False`` resume it."""
        result = self.store.rpc("stjarna_kitchen_pause", {
            "p_restaurant_id": restaurant_id, "p_paused": paused, "p_minutes": minutes if paused else None,
            "p_actor": actor, "p_now": utc_iso(self.clock())})
        if result["outcome"] == "not_found":
            raise RestaurantNotFound()
        return {"paused": result["paused"]}

    def items(self, restaurant_id: str, q: str | None = None) -> Rows:
        return list(self.store.rpc("stjarna_kitchen_items",
                                   {"p_restaurant_id": restaurant_id, "p_q": q, "p_now": utc_iso(self.clock())}))

    def set_item(self, restaurant_id: str, item_id: str, *, available: bool, until_next_opening: bool,
                 actor: str) -> dict[str, Any]:
        """Mark an item available or sold out (optionally until the next opening, which resets itself)."""
        if not UUID_RE.fullmatch(item_id):
            raise NotFound("No such item.")
        result = self.store.rpc("stjarna_kitchen_set_item", {
            "p_restaurant_id": restaurant_id, "p_item_id": item_id, "p_available": available,
            "p_until_next_opening": until_next_opening, "p_actor": actor, "p_now": utc_iso(self.clock())})
        if result["outcome"] == "not_found":
            raise NotFound("No such item.")
        if result["outcome"] == "no_next_opening":
            raise ValidationFailed([{"path": "until", "message": "the restaurant has no opening in the coming "
                                                                "week: mark the item unavailable without it"}])
        return dict(result["item"])

    def erase(self, restaurant_id: str, session_token: str | None, actor: str) -> dict[str, int]:
        """GDPR: delete a session's (or with no token, all of a restaurant's) orders; the counts."""
        hashed = None if session_token is None else session_hash(session_token)
        return dict(self.store.rpc("stjarna_erase_diner_data",
                                   {"p_restaurant_id": restaurant_id, "p_session_hash": hashed, "p_actor": actor}))


def _error(result: dict[str, Any]) -> StjarnaError:
    outcome = result["outcome"]
    slot = gate_error(result) if outcome in {"slot_full", "pickup_not_on_slot"} else None
    if slot is not None:
        return slot
    if outcome == "closed":
        when = result.get("nextOpeningAt")
        opens = f" It opens next at {when}." if when else " It has no opening hours in the coming week."
        return RestaurantClosed(when, "The restaurant is closed at that time." + opens)
    if outcome == "unavailable":
        return ItemUnavailable(result["items"])
    if outcome == "ordering_disabled":
        return OrderingDisabled()
    if outcome == "ordering_paused":
        return OrderingPaused(result.get("resumesAt"))
    if outcome == "key_reused":
        return IdempotencyKeyReused()
    if outcome == "restaurant_not_found":
        return RestaurantNotFound()
    if outcome == "too_many_open_orders":
        return TooManyOpenOrders(int(result["openOrders"]), int(result["maxOpenOrders"]))
    if outcome == "total_too_high":
        return OrderTotalTooHigh(int(result["totalCents"]), int(result["maxTotalCents"]), str(result["currency"]))
    if outcome == "pickup_out_of_range":
        return ValidationFailed([{"path": "pickupAt", "message":
                                  f"must be between {result['earliest']} and {result['latest']}"}])
    return StjarnaError(f"unexpected order outcome {outcome!r}")
