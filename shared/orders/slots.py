"""Pickup slots: the next times a diner can order for (``GET /api/public/pickup-slots``) and the order
transaction's check of the one chosen. The grid (opening hours in the restaurant's timezone, a slot every
``PICKUP_SLOT_MINUTES`` from each opening, ending inside it), the lead time, the horizon and the count per
slot are SQL (infra/migrations/0012_pickup_slots.sql), one definition for the list and the check; this
module passes the settings in and turns the outcomes into answers or errors (docs/orders.md, "Pickup slots").
Sync, like the other services (handlers use a thread)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.errors import PickupSlotFull, RestaurantNotFound, StjarnaError, ValidationFailed
from shared.orders.requests import utc_iso
from shared.settings import Settings
from shared.store import Store

__all__ = ["MAX_SLOTS", "PickupSlots", "gate_error", "pickup_slots"]

MAX_SLOTS = 48  # slots in one answer: a day of 30-minute slots, half a day of 15-minute ones


@dataclass(frozen=True, slots=True)
class PickupSlots:
    """A restaurant's next pickup slots: ``open`` is whether it is open now by its hours (the pause
    state is not part of it: ``asap`` takes it as an argument)."""

    open: bool
    timezone: str
    slot_minutes: int
    slots: tuple[dict[str, Any], ...]

    def to_json(self, *, paused: bool = False) -> dict[str, Any]:
        """The API's answer: ``asap`` is open now and ordering not paused; while paused no slot is offered
        either (the order transaction refuses every order until the pause ends)."""
        return {"asap": self.open and not paused, "slotMinutes": self.slot_minutes, "timezone": self.timezone,
                "slots": [] if paused else list(self.slots)}


def pickup_slots(store: Store, settings: Settings, restaurant_id: str, now: datetime,
                 limit: int = MAX_SLOTS) -> PickupSlots:
    """The live restaurant's next slots with room, from ``now`` + ``ORDER_LEAD_MINUTES`` (the first one on
    the grid) to ``now`` + ``ORDER_HORIZON_HOURS``, at most ``limit``; ``remaining`` per slot when
    ``PICKUP_SLOT_CAPACITY`` is set, else null. ``RestaurantNotFound`` for a restaurant not live."""
    found = store.rpc("stjarna_pickup_slots", {
        "p_restaurant_id": restaurant_id, "p_now": utc_iso(now), "p_lead_minutes": settings.order_lead_minutes,
        "p_horizon_minutes": settings.order_horizon_hours * 60, "p_slot_minutes": settings.pickup_slot_minutes,
        "p_capacity": settings.pickup_slot_capacity, "p_limit": limit})
    if found["outcome"] != "ok":
        raise RestaurantNotFound()
    slots = tuple({**slot, "at": utc_iso(datetime.fromisoformat(slot["at"]))} for slot in found["slots"])
    return PickupSlots(bool(found["open"]), found["timezone"], settings.pickup_slot_minutes, slots)



def gate_error(outcome: dict[str, Any] | None) -> StjarnaError | None:
    """The error for an outcome of ``stjarna_pickup_slot_gate`` (None: the slot has room): 409
    ``PICKUP_SLOT_FULL`` or 422 ``VALIDATION_ERROR`` at ``pickupAt``."""
    if outcome is None:
        return None
    kind = outcome.get("outcome")
    if kind == "slot_full":
        return PickupSlotFull(utc_iso(datetime.fromisoformat(outcome["pickupAt"])), int(outcome["capacity"]))
    if kind == "pickup_not_on_slot":
        minutes = int(outcome["slotMinutes"])
        return ValidationFailed([{"path": "pickupAt", "message": (
            f"not a pickup slot: slots start every {minutes} minutes from each opening and end by its "
            "closing (GET /api/public/pickup-slots lists them)")}])
    if kind == "restaurant_not_found":
        return RestaurantNotFound()
    raise ValueError(f"unknown pickup slot outcome {kind!r}")
