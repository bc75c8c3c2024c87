"""The order API's request body (camelCase in the JSON, snake_case in Python), validated before any
I/O, and the hashes that identify a diner's session and a request (for idempotency) without storing
either in clear."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import orjson
from pydantic import AwareDatetime, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from shared.camel import CamelModel
from shared.errors import ValidationFailed
from shared.identifiers import (
    OPAQUE_ID_PATTERN,
    ORDER_CODE_PATTERN,
    UUID_ANY_CASE_PATTERN,
)

Status = Literal["placed", "accepted", "preparing", "ready", "picked_up", "cancelled", "expired"]
STATUSES: tuple[Status, ...] = get_args(Status)  # infra/migrations/0003_orders.sql lists the same
IDEMPOTENCY_KEY_RE = re.compile(OPAQUE_ID_PATTERN)
ORDER_CODE_RE = re.compile(ORDER_CODE_PATTERN)
# The client never prices anything: a price in the request is refused, so a client that thinks it
# can set one learns at once (docs/orders.md).
PRICE_FIELDS = frozenset({"price", "priceCents", "unitPriceCents", "lineTotalCents", "totalCents", "total"})
# What a note may not contain, so it cannot spoof the kitchen's screen or a terminal: every C0 control
# (newline and tab included: a note is one line), DEL, every C1 control, the bidirectional controls
# (embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069, marks U+200E, U+200F, U+061C) and the
# line and paragraph separators. Refused, never stripped: the diner sees why and nothing they wrote
# is changed behind their back. Zero-width joiners stay (emoji are made of them).
UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _refuse_prices(data: Any) -> Any:
    if isinstance(data, dict):
        sent = sorted(PRICE_FIELDS & data.keys())
        if sent:
            raise ValueError(f"prices come from the restaurant's menu; do not send {', '.join(sent)}")
    return data


class OrderLine(CamelModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    item_id: str = Field(pattern=UUID_ANY_CASE_PATTERN, description="A menu item's id")
    quantity: StrictInt = Field(ge=1, le=20)
    note: str | None = Field(None, max_length=200, description="For the kitchen, at most 200 characters")

    _no_prices = model_validator(mode="before")(_refuse_prices)

    @field_validator("item_id")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("note")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        found = None if value is None else UNSAFE_TEXT.search(value)
        if found is not None:
            raise ValueError(f"the note must be one line of plain text: U+{ord(found.group()):04X} at "
                             f"position {found.start() + 1} is a control or text-direction character")
        return value or None


class OrderRequest(CamelModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    restaurant_id: str = Field(min_length=1, max_length=64)
    session_token: str = Field(pattern=OPAQUE_ID_PATTERN, description="The diner's session, as for chat")
    items: list[OrderLine] = Field(min_length=1, max_length=50)
    pickup_at: AwareDatetime | None = Field(
        None, description="ISO 8601 with an offset; omitted means as soon as possible")
    pickup_name: str | None = Field(None, min_length=1, max_length=40,
                                    description="The name the kitchen calls out (the widget always sends it)")
    pickup_phone: str | None = Field(None, max_length=32, description=(
        "Optional; with its +country code, or national in the restaurant's country (from its locale); "
        "stored as E.164"))

    _no_prices = model_validator(mode="before")(_refuse_prices)

    @field_validator("pickup_at")
    @classmethod
    def _in_utc_range(cls, value: datetime | None) -> datetime | None:
        """0001-01-01T00:00:00+14:00 parses but has no UTC time (it falls in year 0)."""
        if value is not None:
            try:
                value.astimezone(UTC)
            except OverflowError:
                raise ValueError("not a time that exists in UTC") from None
        return value

    @field_validator("pickup_name")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        return _one_line(value, "the name")

    @field_validator("pickup_phone")
    @classmethod
    def _plain_phone(cls, value: str | None) -> str | None:
        value = _one_line(value, "the phone number")
        return value or None

    @property
    def session_hash(self) -> str:
        return session_hash(self.session_token)

    def pickup_utc(self) -> str | None:
        return None if self.pickup_at is None else self.pickup_at.astimezone(UTC).isoformat()

    def request_hash(self, restaurant_id: str) -> str:
        """What the Idempotency-Key promises: the same key must come with the same order. Computed
        over the normalised request (the resolved restaurant, not how it was named), so a retry that
        spells the same order differently (key order, whitespace, slug or id) is still the same."""
        canonical: dict[str, Any] = {
            "restaurantId": restaurant_id, "session": self.session_hash, "pickupAt": self.pickup_utc(),
            "items": [[line.item_id, line.quantity, line.note] for line in self.items]}
        if self.pickup_name is not None or self.pickup_phone is not None:  # absent: the hash of before #15
            canonical["pickup"] = [self.pickup_name, self.pickup_phone]
        return hashlib.sha256(orjson.dumps(canonical)).hexdigest()


def _one_line(value: str | None, what: str) -> str | None:
    """Refuse control and text-direction characters (UNSAFE_TEXT) without echoing the value: a name
    and a phone are personal data, and an error message may be logged."""
    found = None if value is None else UNSAFE_TEXT.search(value)
    if found is not None:
        raise ValueError(f"{what} must be one line of plain text: U+{ord(found.group()):04X} at position "
                         f"{found.start() + 1} is a control or text-direction character")
    return value


def pickup_phone_e164(value: str | None, locale: str | None) -> str | None:
    """The diner's phone as E.164, read as a national number of the restaurant's country (the region of
    its locale) unless it starts with +; ``ValidationFailed`` on ``pickupPhone`` (never echoing it)."""
    if value is None:
        return None
    import phonenumbers

    from shared.menus.contact import region_of_locale

    region = None if value.lstrip("( ").startswith("+") else region_of_locale(locale)
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        region = None
    try:
        number = phonenumbers.parse(value, region)
        valid = phonenumbers.is_valid_number(number) and not number.extension
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        hint = "" if region is None else f" (a number of {region}, or one with its +country code)"
        raise ValidationFailed([{"path": "pickupPhone", "message": f"not a valid phone number{hint}"}])
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


class StatusChange(CamelModel):
    """``PATCH …/orders/{order}``: the new status; ``expectedStatus`` (only from that status: of two
    tablets, one wins); ``readyInMinutes`` when accepting (the diner sees "Ready at"); ``cancelReason``
    when cancelling (the diner sees it)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    status: Status
    expected_status: Status | None = None
    ready_in_minutes: StrictInt | None = Field(None, ge=5, le=180, description="Only with status accepted")
    cancel_reason: str | None = Field(None, min_length=1, max_length=200, description="Only with status cancelled")

    @field_validator("cancel_reason")
    @classmethod
    def _plain_reason(cls, value: str | None) -> str | None:
        return _one_line(value, "the reason")

    @model_validator(mode="after")
    def _fits_status(self) -> StatusChange:
        if self.ready_in_minutes is not None and self.status != "accepted":
            raise ValueError("readyInMinutes goes only with status accepted")
        if self.cancel_reason is not None and self.status != "cancelled":
            raise ValueError("cancelReason goes only with status cancelled")
        return self


def session_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idempotency_key(value: str | None) -> str:
    if value is None or not IDEMPOTENCY_KEY_RE.fullmatch(value):
        raise ValidationFailed([{"path": "headers.Idempotency-Key",
                                 "message": "required: 8-128 characters of A-Z, a-z, 0-9, '_' and '-'"}])
    return value


def normalise_code(value: str) -> str | None:
    code = value.strip().upper()
    return code if ORDER_CODE_RE.fullmatch(code) else None


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class PauseRequest(CamelModel):
    """``PUT …/restaurants/{ref}/pause``: for 15, 30 or 60 minutes, or (``null``) until resumed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minutes: Literal[15, 30, 60] | None = Field(description="15, 30 or 60; null: until resumed")


class ItemAvailability(CamelModel):
    """``PATCH …/restaurants/{ref}/items/{itemId}``: sold out (``available: false``, optionally ``until:
    "next_opening"``, which resets itself) or available again."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    available: StrictBool
    until: Literal["next_opening"] | None = Field(None, description="Only with available false")

    @model_validator(mode="after")
    def _until_when_sold_out(self) -> ItemAvailability:
        if self.available and self.until is not None:
            raise ValueError("until goes only with available false")
        return self
