"""The menu document: what ``stjarna menu import`` reads and ``stjarna menu export`` writes.

The pydantic models are the one source of the format; docs/menu-format.schema.json is generated
from them (``stjarna menu schema``) and a test keeps the two in sync.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from shared import vocabulary
from shared.camel import CamelModel
from shared.identifiers import SLUG_PATTERN
from shared.menus import contact
from shared.tenants.head import RestaurantStatus
from shared.tenants.origins import parse_pattern
from shared.validation import validate
from shared.week import HHMM_PATTERN, WEEKDAYS, Weekday

_TIME_RE = re.compile(HHMM_PATTERN)
_KEY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")

Text = Annotated[str, Field(min_length=1, max_length=120)]
Description = Annotated[str | None, Field(default=None, max_length=500)]
Key = Annotated[str | None, Field(default=None, pattern=_KEY_RE.pattern,
                                  description="Stable id within the restaurant; defaults to the name, slugified")]


class _Model(CamelModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def _in_vocabulary(value: list[str], known: tuple[str, ...], what: str) -> list[str]:
    """Refuse unknown codes; return the known ones once each, in the vocabulary's order."""
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; use one of {', '.join(known)}")
    return [k for k in known if k in value]


def valid_hours(value: dict[Weekday, list[tuple[str, str]]]) -> dict[Weekday, list[tuple[str, str]]]:
    """A restaurant's weekly hours, checked (HH:MM times, no empty or overlapping ranges) and normalised
    (days in week order, ranges sorted, closed days dropped): the one check of the menu document's
    ``hours`` and of the owner's hours override (shared/http/owner.py)."""
    for day, ranges in value.items():
        spans = []
        for start, end in ranges:
            if not _TIME_RE.fullmatch(start) or start == "24:00" or not _TIME_RE.fullmatch(end):
                raise ValueError(f"{day}: times are HH:MM from 00:00 to 23:59 (24:00 may end a range)")
            if start == end:
                raise ValueError(f"{day}: range {start}-{end} is empty")
            s, e = _minutes(start), _minutes(end)
            spans.append((s, e if e > s else e + 24 * 60))
        spans.sort()
        for (_, prev_end), (next_start, _) in itertools.pairwise(spans):
            if next_start < prev_end:
                raise ValueError(f"{day}: opening ranges overlap")
    return {day: sorted(value[day]) for day in WEEKDAYS if value.get(day)}


HOURS_DESCRIPTION = ("Opening ranges per weekday as [\"HH:MM\", \"HH:MM\"]; an end at or before the start runs "
                     "past midnight; \"24:00\" ends at midnight; a missing day is closed")
Hours = Annotated[dict[Weekday, list[tuple[str, str]]], AfterValidator(valid_hours)]


class Restaurant(_Model):
    slug: str = Field(pattern=SLUG_PATTERN, description="URL-safe id: a-z, 0-9 and '-', at most 63")
    name: Text
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. SEK, EUR")
    locale: str = Field("en", pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", max_length=35)
    timezone: str = Field(description="IANA time zone, e.g. Europe/Stockholm")
    hours: Hours = Field(default_factory=dict, description=HOURS_DESCRIPTION)
    allowed_origins: list[str] = Field(
        default_factory=list, max_length=50,
        description="Websites that may embed the widget: https://site.example or https://*.example.com")
    status: RestaurantStatus = "draft"
    theme_color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    greeting: str | None = Field(None, max_length=280)
    address: str | None = Field(
        None, max_length=contact.ADDRESS_MAX,
        description="Street address as diners read it: plain text, one line or up to "
                    f"{contact.ADDRESS_MAX_LINES} lines (\\n between them), no control or bidi characters")
    phone: str | None = Field(
        None, max_length=contact.PHONE_MAX,
        description="Phone number, stored as E.164 (+46701740642); without a +country code it is read as a "
                    "national number of the locale's country (sv-SE: Sweden)")
    website: str | None = Field(
        None, max_length=contact.WEBSITE_MAX, json_schema_extra={"format": "uri"},
        description="The restaurant's website: an absolute https:// or http:// URL")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValueError(f"unknown IANA time zone {value!r}")
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _valid_origins(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for entry in value:
            if parse_pattern(entry) is None:
                raise ValueError(f"{entry!r} is not an origin like https://site.example or https://*.example.com")
            normalised = entry.strip().lower()
            if normalised not in out:
                out.append(normalised)
        return out

    @field_validator("theme_color")
    @classmethod
    def _lower_colour(cls, value: str | None) -> str | None:
        return value.lower() if value else value

    @field_validator("address")
    @classmethod
    def _plain_address(cls, value: str | None) -> str | None:
        return contact.plain_address(value)

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None, info: ValidationInfo) -> str | None:
        return contact.e164_phone(value, info.data.get("locale"))

    @field_validator("website")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        return contact.web_address(value)


class Item(_Model):
    key: Key
    name: Text
    description: Description
    price_cents: int = Field(ge=0, le=10_000_000, description="Price in the currency's minor unit")
    allergens: list[str] = Field(default_factory=list, description="EU-14 allergen codes")
    allergens_declared: bool = Field(
        False, description="true only when the allergen list is complete; false means 'ask staff'")
    tags: list[str] = Field(default_factory=list, description="Diet and attribute tags (vocabulary.json)")
    available: bool = True

    @field_validator("allergens")
    @classmethod
    def _eu14(cls, value: list[str]) -> list[str]:
        return _in_vocabulary(value, vocabulary.allergens(), "allergen")

    @field_validator("tags")
    @classmethod
    def _vocabulary(cls, value: list[str]) -> list[str]:
        return _in_vocabulary(value, vocabulary.tags(), "tag")

    @model_validator(mode="after")
    def _declared(self) -> Item:
        if self.allergens and not self.allergens_declared:
            raise ValueError("allergens are listed but allergensDeclared is false; set it to true "
                             "once the list is complete")
        if "vegan" in self.tags and {"eggs", "milk", "fish", "crustaceans", "molluscs"} & set(self.allergens):
            raise ValueError("an item tagged vegan cannot contain eggs, milk, fish, crustaceans or molluscs")
        return self


class Section(_Model):
    key: Key
    name: Text
    description: Description
    active: bool = True
    items: list[Item] = Field(default_factory=list, max_length=1000)


class MenuDocument(_Model):
    """A restaurant and its whole menu."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, title="Stjarna menu document")

    schema_: str | None = Field(None, alias="$schema")
    format_version: Literal[1] = 1
    restaurant: Restaurant
    sections: list[Section] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _unique_keys(self) -> MenuDocument:
        seen_sections: dict[str, int] = {}
        seen_items: dict[str, tuple[int, int]] = {}
        total = 0
        for si, section in enumerate(self.sections):
            section.key = section.key or slugify(section.name)
            if not section.key:
                raise ValueError(f"sections[{si}]: the name has no letters or digits; set a key")
            if section.key in seen_sections:
                first = seen_sections[section.key]
                raise ValueError(f"sections[{si}]: key {section.key!r} is used by sections[{first}]")
            seen_sections[section.key] = si
            for ii, item in enumerate(section.items):
                total += 1
                item.key = item.key or slugify(item.name)
                if not item.key:
                    raise ValueError(f"sections[{si}].items[{ii}]: the name has no letters or digits; set a key")
                if item.key in seen_items:
                    a, b = seen_items[item.key]
                    raise ValueError(f"sections[{si}].items[{ii}]: key {item.key!r} is used by "
                                     f"sections[{a}].items[{b}]; give one of them its own key")
                seen_items[item.key] = (si, ii)
        if total > 2000:
            raise ValueError(f"a menu holds at most 2000 items; this one has {total}")
        return self

    def to_store(self) -> dict[str, Any]:
        """The JSON the SQL import function takes (keys filled in)."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude={"schema_"})
        return data


def parse_document(data: Any) -> MenuDocument:
    """Validate a decoded JSON document; ``ValidationFailed`` names every bad field by its path."""
    return validate(MenuDocument, data)


def json_schema() -> dict[str, Any]:
    schema = MenuDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://stjarna.dev/schemas/menu-document-v1.json"
    return schema
