"""The chat route's answer (shared/http/chat.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from shared import vocabulary
from shared.chat.turn import INTENTS
from shared.http.schemas.base import Allergen, Cents, Out, Uuid, enum, member_of


class Suggestion(Out):
    item_id: Uuid
    name: str
    price_cents: Cents
    reason: str
    allergens: list[Allergen] = Field(description="Declared allergens, in the regulation's order")
    allergens_declared: bool = Field(
        description="false: the restaurant has not declared this dish's allergens (never offered while "
                    "allergens are in play)")


_INGREDIENTS = tuple(g["key"] for g in vocabulary.chat_section("ingredients")["groups"])
Ingredient = Annotated[str, member_of(_INGREDIENTS), enum(_INGREDIENTS)]

Language = Annotated[str, member_of(tuple(vocabulary.chat_section("languages")["understood"])),
                     enum(tuple(vocabulary.chat_section("languages")["understood"]))]


class Understood(Out):
    """What the assistant read from the conversation so far, as codes; the widget shows it as
    removable chips (``forget`` in the request takes a part back)."""
    diets: list[Annotated[str, member_of(tuple(vocabulary.chat_section("diets"))),
                          enum(tuple(vocabulary.chat_section("diets")))]]
    avoid: list[Allergen] = Field(description="Allergens avoided, in the regulation's order")
    max_price_cents: Cents | None
    cheapest: bool
    spicy: bool | None
    courses: list[Annotated[str, member_of(tuple(vocabulary.chat_section("courses"))),
                            enum(tuple(vocabulary.chat_section("courses")))]]
    language: Language | None
    ask_allergen: bool = Field(
        description="Allergy-related but no allergen recognised: the reply asks which, with no suggestions")
    with_: list[Ingredient] = Field(alias="with", description="Dishes whose menu text mentions one of these")
    without: list[Ingredient] = Field(description="Dishes whose menu text mentions one of these are left out "
                                      "(menu text, not declared data)")
    avoid_terms: list[Ingredient] = Field(
        description="Allergies outside the EU-14: the restaurant does not declare them, so no dish is suggested")
    term_labels: dict[str, str] = Field(
        description="with, without and avoidTerms as words of the reply's language, for chips")


Intent = Annotated[str, member_of(INTENTS), enum(INTENTS)]


class ChatAnswer(Out):
    reply: str = Field(min_length=1)
    source: Literal["ai", "fallback"]
    suggestions: list[Suggestion] = Field(max_length=4)
    chips: list[str] = Field(max_length=15, description="Follow-ups; sent back as a message when tapped. "
                             "When askAllergen, one per allergen not yet avoided, then 'start over'")
    understood: Understood
    intent: Intent = Field(description="What the message asked (docs/api.md, 'Intents')")
    facts: dict[str, Any] = Field(description="What the answer states, as codes; its keys depend on the intent "
                                  "(docs/api.md)")
    request_id: str
