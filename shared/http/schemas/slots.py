"""The pickup slots' answer (shared/http/slots.py)."""

from __future__ import annotations

from pydantic import Field

from shared.http.schemas.base import Out


class PickupSlot(Out):
    at: str = Field(description="The slot's start, ISO 8601 in UTC: send it as the order's pickupAt")
    local: str = Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$", description="The start in the restaurant's "
                       "local time, HH:MM")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="The start's local date, YYYY-MM-DD")
    remaining: int | None = Field(ge=1, description="Orders the slot still takes; null when slots have no "
                                  "capacity (PICKUP_SLOT_CAPACITY 0)")


class PickupSlots(Out):
    asap: bool = Field(description="Open now (and ordering not paused): 'as soon as possible' can be offered")
    slot_minutes: int = Field(ge=1, description="The length of a slot (PICKUP_SLOT_MINUTES)")
    timezone: str = Field(description="IANA time zone of local and date")
    slots: list[PickupSlot] = Field(max_length=48, description="The next slots with room, earliest first, "
                                    "from now + ORDER_LEAD_MINUTES to now + ORDER_HORIZON_HOURS inside opening hours")
