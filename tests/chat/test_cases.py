"""tests/chat/cases.json through parse -> select -> respond, with the global safety invariants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.chat.candidates import select
from shared.chat.constraints import Constraints, parse
from shared.chat.fallback import respond
from shared.chat.limits import MAX_REPLY
from tests.chat.conftest import demo_payload

CASES = json.loads((Path(__file__).parent / "cases.json").read_text(encoding="utf-8"))["cases"]
# Independent of the implementation: what each demo section is, and what each diet accepts.
SECTION_COURSE = {"Starters": "starter", "Mains": "main", "Desserts": "dessert", "Drinks": "drink"}
DIET_TAGS = {"vegan": {"vegan"}, "vegetarian": {"vegetarian", "vegan"},
             "pescatarian": {"pescatarian", "vegetarian", "vegan"}, "halal": {"halal"}, "kosher": {"kosher"}}
STAFF = ("staff", "personal")


def _items(menu):
    return {item["id"]: (section["name"], item) for section in menu["sections"] for item in section["items"]}


def violates(section: str, item: dict, c: Constraints) -> list[str]:
    tags, allergens = set(item["tags"]), set(item["allergens"])
    problems = [d for d in c.diets if not tags & DIET_TAGS[d]]
    if c.avoid and (not item["allergensDeclared"] or allergens & c.avoid):
        problems.append("allergen")
    if c.max_price_cents is not None and item["priceCents"] > c.max_price_cents:
        problems.append("price")
    if c.spicy is not None and ("spicy" in tags) != c.spicy:
        problems.append("spice")
    if c.courses and SECTION_COURSE[section] not in c.courses:
        problems.append("course")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c["message"] for c in CASES])
def test_case(case, demo_menu):
    previous = Constraints.from_json(case["previous"]) if "previous" in case else None
    c = parse(case["message"], previous)
    selection = select(demo_menu, c)
    answer = respond(selection, c, currency="SEK", locale="en-SE")
    expect = case["expect"]
    names = [i.name for i in selection.candidates]

    for key, actual in (("diets", c.diets), ("avoid", c.avoid), ("courses", c.courses)):
        if key in expect:
            assert actual == set(expect[key]), key
    for key, actual in (("maxPriceCents", c.max_price_cents), ("cheapest", c.cheapest), ("spicy", c.spicy),
                        ("language", c.language)):
        if key in expect:
            assert actual == expect[key], key
    assert set(expect.get("includes", [])) <= set(names)
    assert not set(expect.get("excludes", [])) & set(names)
    if "count" in expect:
        assert expect["count"]["min"] <= len(names) <= expect["count"]["max"]
    if "first" in expect:
        assert names[0] == expect["first"]

    # -- global invariants ---------------------------------------------------------------------
    items = _items(demo_menu)
    for candidate in selection.candidates:
        assert not violates(*items[candidate.id], c), candidate.name
    suggestions = answer["suggestions"]
    n = len(selection.candidates)
    assert (2 <= len(suggestions) <= 4) if n >= 2 else len(suggestions) == n
    for s in suggestions:
        section, item = items[s["itemId"]]
        assert not violates(section, item, c), s["name"]
        assert (s["name"], s["priceCents"]) == (item["name"], item["priceCents"])
        assert s["reason"]
    if c.avoid:
        assert "Chef's daily special" not in [s["name"] for s in suggestions]
    assert 0 < len(answer["reply"]) <= MAX_REPLY
    if c.allergy or selection.undeclared or not suggestions:
        assert any(word in answer["reply"] for word in STAFF)
    assert 2 <= len(answer["chips"]) <= 4


def test_table_covers_every_allergen_and_enough_cases():
    avoided = set().union(*(parse(c["message"]).avoid for c in CASES))
    assert avoided == {"gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk", "nuts", "celery",
                       "mustard", "sesame", "sulphites", "lupin", "molluscs"}
    assert len(CASES) >= 40


def test_demo_payload_matches_the_app(client):
    """The payload built from the seed file has the served payload's shape and content (ids aside)."""
    served = client.get("/api/public/menu", params={"restaurantId": "demo"}).json()

    def strip(menu):
        return [(s["name"], [{k: v for k, v in i.items() if k != "id"} for i in s["items"]])
                for s in menu["sections"]]

    assert strip(served) == strip(demo_payload())
    assert set(served["sections"][0]["items"][0]) == set(demo_payload()["sections"][0]["items"][0])
