"""What the response models share: the base (camelCase in the JSON, extra fields refused) and the
value types (ids, money, the vocabulary's closed sets)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema

from shared import vocabulary
from shared.camel import CamelModel
from shared.identifiers import ORDER_CODE_PATTERN, SLUG_PATTERN, UUID_PATTERN
from shared.week import HHMM_PATTERN, Weekday


def member_of(values: tuple[str, ...]) -> AfterValidator:
    """A string from a closed set that is data (the vocabulary, the error tree), not code; with
    ``enum``, which documents the set."""
    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"one of {', '.join(values)}")
        return value

    return AfterValidator(check)


def enum(values: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values)})


Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
Cents = Annotated[int, Field(ge=0, description="Integer cents (the currency's minor unit)")]
HHMM = Annotated[str, Field(pattern=HHMM_PATTERN)]
Hours = Annotated[dict[Weekday, list[tuple[HHMM, HHMM]]], Field(
    description="Weekday -> opening ranges [start, end] in local wall-clock time; an end at or before the "
                "start runs past midnight; a missing day is closed")]
Allergen = Annotated[str, member_of(vocabulary.allergens()), enum(vocabulary.allergens())]
Tag = Annotated[str, member_of(vocabulary.tags()), enum(vocabulary.tags())]
OrderCode = Annotated[str, Field(pattern=ORDER_CODE_PATTERN)]
Count = Annotated[int, Field(ge=0)]


class Out(CamelModel):
    """An answer's body: extra fields are refused, so an undocumented field in an answer fails tests/openapi."""

    model_config = ConfigDict(extra="forbid", frozen=True)
