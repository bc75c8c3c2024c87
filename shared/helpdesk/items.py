""""Why is my vegan item not showing?": a restaurant's items against a question (a tag, allergens to be
free of, or undeclared allergens), each with whether diners see it for that question and, if not, why.

The rules are the chat's and the widget's (shared/chat/candidates.py, docs/menu-format.md):
- diners see an item only when the restaurant is live, its section active and the item available;
- a diet tag is satisfied by the tags the vocabulary names for it (vegetarian: vegetarian or vegan);
- an item is free of an allergen only when its allergens are declared and do not include it: with
  ``allergensDeclared`` false it is never offered as free of anything.
Allergens are EU-14 codes: a diner's "nut-free" means ``nuts`` and ``peanuts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared import vocabulary
from shared.errors import ValidationFailed

# Stable reason codes (the JSON carries them; the CLI prints the text).
RESTAURANT_NOT_LIVE = "restaurant_not_live"
SECTION_INACTIVE = "section_inactive"
UNAVAILABLE = "unavailable"
NOT_TAGGED = "not_tagged"
CONTAINS = "contains_allergen"
UNDECLARED = "allergens_undeclared"
DECLARED = "allergens_declared"


@dataclass(frozen=True, slots=True)
class Question:
    tags: tuple[str, ...] = ()
    free_of: tuple[str, ...] = ()
    undeclared: bool = False
    name: str | None = None  # only items whose name or key contains this (case-insensitive)

    def describe(self) -> str:
        parts = [f"tagged {t}" for t in self.tags]
        if self.free_of:
            parts.append("free of " + " and ".join(self.free_of))
        if self.undeclared:
            parts.append("with undeclared allergens")
        text = " and ".join(parts) or "every item"
        return text + (f"; name contains {self.name!r}" if self.name else "")

    def as_json(self) -> dict[str, Any]:
        return {"tags": list(self.tags), "allergenFree": list(self.free_of), "undeclared": self.undeclared,
                "name": self.name}


def _codes(values: Iterable[str], known: tuple[str, ...], what: str, path: str) -> tuple[str, ...]:
    """Values (each may be a comma-separated list) checked against the vocabulary, lower-cased, once each."""
    out: list[str] = []
    errors = []
    for raw in values:
        for value in (v.strip().lower() for v in raw.split(",")):
            if value not in known:
                errors.append({"path": path, "message": f"unknown {what} {value!r}; valid: {', '.join(known)}"})
            elif value not in out:
                out.append(value)
    if errors:
        raise ValidationFailed(errors)
    return tuple(out)


def question(tags: Iterable[str] = (), free_of: Iterable[str] = (), *, undeclared: bool = False,
             name: str | None = None) -> Question:
    """A validated question; ``ValidationFailed`` lists the valid tags or allergens for a bad one."""
    q = Question(_codes(tags, vocabulary.tags(), "tag", "tag"),
                 _codes(free_of, vocabulary.allergens(), "allergen", "allergenFree"),
                 undeclared, (name or "").strip().lower() or None)
    if q.undeclared and q.free_of:
        raise ValidationFailed([{"path": "undeclared", "message": "cannot be combined with allergenFree: items "
                                 "with undeclared allergens are never offered as free of anything"}])
    return q


def satisfied_by(tag: str) -> tuple[str, ...]:
    """The item tags that satisfy a tag question: a diet's ``satisfiedBy`` list, else the tag itself."""
    diet = vocabulary.chat_section("diets").get(tag)
    return tuple(diet["satisfiedBy"]) if diet else (tag,)


def _question_reasons(item: dict[str, Any], q: Question) -> list[dict[str, Any]]:
    reasons: list[dict[str, Any]] = []
    tags = set(item["tags"])
    for tag in q.tags:
        accepted = satisfied_by(tag)
        if not tags.intersection(accepted):
            reasons.append({"code": NOT_TAGGED, "text": f"not tagged {' or '.join(accepted)}", "tag": tag})
    if q.free_of:
        if not item["allergensDeclared"]:
            reasons.append({"code": UNDECLARED,
                            "text": "allergens not declared: never offered as free of anything"})
        else:
            found = [a for a in q.free_of if a in item["allergens"]]
            if found:
                reasons.append({"code": CONTAINS, "text": f"contains {', '.join(found)}", "allergens": found})
    if q.undeclared and item["allergensDeclared"]:
        reasons.append({"code": DECLARED, "text": "allergens are declared"})
    return reasons


def _hidden_reasons(item: dict[str, Any], status: str) -> list[dict[str, Any]]:
    reasons: list[dict[str, Any]] = []
    if status != "live":
        reasons.append({"code": RESTAURANT_NOT_LIVE, "text": f"restaurant is {status}: nothing is public"})
    if not item["sectionActive"]:
        reasons.append({"code": SECTION_INACTIVE, "text": f"section {item['section']!r} is inactive"})
    if not item["available"]:
        reasons.append({"code": UNAVAILABLE, "text": "marked unavailable"})
    return reasons


def classify(data: dict[str, Any], q: Question) -> dict[str, Any]:
    """``stjarna_tenant_items`` output against a question: ``shown`` (what diners get for it) and
    ``notShown`` (each with ``reasons``), the likely culprits first: items that answer the question
    but are hidden, then items whose allergens are not declared, then the rest. For ``undeclared``,
    items with declared allergens are not listed (they are fine); ``unlisted`` counts them."""
    restaurant = data["restaurant"]
    shown: list[dict[str, Any]] = []
    hidden: list[tuple[int, dict[str, Any]]] = []
    unlisted = 0
    for item in data["items"]:
        if q.name and q.name not in item["name"].lower() and q.name not in item["key"]:
            continue
        asked = _question_reasons(item, q)
        if q.undeclared and asked:
            unlisted += 1
            continue
        reasons = _hidden_reasons(item, restaurant["status"]) + asked
        if not reasons:
            shown.append(item)
            continue
        rank = 0 if not asked else 1 if any(r["code"] == UNDECLARED for r in asked) else 2
        hidden.append((rank, {**item, "reasons": reasons}))
    return {"restaurant": restaurant, "question": q.as_json(), "description": q.describe(),
            "shown": shown, "notShown": [item for _, item in sorted(hidden, key=lambda pair: pair[0])],
            "unlisted": unlisted}
