"""Candidate filter and fallback responder beyond the table: undeclared items, ordering, courses
from section names, language, chips, length bounds, currencies."""

from __future__ import annotations

import copy

import pytest

from shared.chat.candidates import section_courses, select
from shared.chat.constraints import Constraints, parse
from shared.chat.fallback import format_price, respond
from shared.chat.limits import MAX_REPLY


def test_undeclared_items_never_offered_when_an_allergen_is_named(demo_menu):
    selection = select(demo_menu, parse("a main without sesame"))
    assert "Chef's daily special" not in [i.name for i in selection.candidates]
    assert selection.undeclared == 1 and selection.excluded == 15 - len(selection.candidates)
    reply = respond(selection, parse("a main without sesame"), currency="SEK", locale="en-SE")["reply"]
    assert "1 dish(es) without declared allergens" in reply and "staff" in reply
    assert select(demo_menu, parse("a main")).undeclared == 0  # no allergen named: offered like any other


def test_ordering_popular_first_or_cheapest(demo_menu):
    names = [i.name for i in select(demo_menu, Constraints()).candidates]
    assert names[:4] == ["Toast Skagen", "Swedish meatballs", "Kladdkaka", "Roasted tomato soup"]
    prices = [i.price_cents for i in select(demo_menu, Constraints(cheapest=True)).candidates]
    assert prices == sorted(prices)


@pytest.mark.parametrize(("name", "key", "courses"), [
    ("Förrätter", None, {"starter"}), ("Small plates", None, {"starter"}), ("Varmrätter", None, {"main"}),
    ("Kalla drycker", None, {"drink"}), ("Öl & vin", None, {"drink"}), ("Pizza", None, {"main"}),
    ("Something", "desserts", {"dessert"}), ("Barbecue", None, {"main"}), ("Sides & extras", None, {"side"}),
])
def test_section_courses(name, key, courses):
    assert section_courses(name, key) == courses


def test_items_without_price_or_inactive_are_skipped(demo_menu):
    menu = copy.deepcopy(demo_menu)
    menu["sections"][0]["items"][0]["priceCents"] = None
    menu["sections"][1]["active"] = False
    selection = select(menu, Constraints())
    assert len(selection.candidates) == 15 - 1 - 6 and selection.excluded == 7


def test_swedish_reply_by_language_or_locale(demo_menu):
    sv = parse("något veganskt")
    assert respond(select(demo_menu, sv), sv, currency="SEK", locale="en-SE")["reply"].startswith("Här är")
    neutral = parse("vegan")
    assert respond(select(demo_menu, neutral), neutral, currency="SEK", locale="sv-SE")["reply"].startswith("Här är")
    assert respond(select(demo_menu, neutral), neutral, currency="SEK", locale="en-SE")["reply"].startswith("Here")


def test_nothing_found_is_honest(demo_menu):
    c = parse("vegan nut-free dessert under 50 kr")
    answer = respond(select(demo_menu, c), c, currency="SEK", locale="en")
    assert answer["suggestions"] == []
    assert answer["reply"].startswith("I couldn't find any vegan desserts without nuts under 50 kr")
    assert "staff" in answer["reply"]


def test_reason_names_the_constraints(demo_menu):
    c = parse("vegan, no nuts")
    first = respond(select(demo_menu, c), c, currency="SEK", locale="en")["suggestions"][0]
    assert first["reason"] == "vegan, no nuts, 89 kr"


def test_chips_are_messages_the_parser_understands(demo_menu):
    for message in ("hi", "vegan", "något billigt", "cheapest spicy vegan mains without nuts, gluten or milk"):
        c = parse(message)
        answer = respond(select(demo_menu, c), c, currency="SEK", locale="en")
        assert 2 <= len(answer["chips"]) <= 4
        for chip in answer["chips"]:
            assert parse(chip, c) != c, chip  # clicking a chip refines (or resets) the conversation


def test_long_names_keep_the_reply_short(demo_menu):
    menu = copy.deepcopy(demo_menu)
    for section in menu["sections"]:
        for item in section["items"]:
            item["name"] = item["name"] + " " + "x" * 110
    c = parse("no nuts")
    answer = respond(select(menu, c), c, currency="SEK", locale="en")
    assert len(answer["reply"]) <= MAX_REPLY and len(answer["suggestions"]) == 3


def test_deterministic(demo_menu):
    c = parse("anything vegan?")
    assert respond(select(demo_menu, c), c, currency="SEK", locale="en") == respond(
        select(demo_menu, c), c, currency="SEK", locale="en")


@pytest.mark.parametrize(("cents", "currency", "lang", "text"), [
    (8900, "SEK", "en", "89 kr"), (8950, "SEK", "sv", "89,50 kr"), (1500, "EUR", "en", "€15"),
    (1550, "EUR", "sv", "15,50 €"), (999, "USD", "en", "$9.99"), (500, "CHF", "en", "5 CHF"),
])
def test_format_price(cents, currency, lang, text):
    assert format_price(cents, currency, lang) == text
