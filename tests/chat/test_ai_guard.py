"""``shared/chat/guard.py`` (every model text a diner sees) and ``narrow`` (the model's reading can only
add constraints), as pure functions over the demo menu."""

from __future__ import annotations

from typing import Any

import pytest

from shared.chat import guard
from shared.chat.candidates import Item, menu_items, select_items
from shared.chat.constraints import Constraints, parse
from shared.chat.openai_responder import system_rules
from shared.chat.pipeline import narrow


@pytest.fixture(scope="module")
def menu(demo_menu: dict[str, Any]) -> dict[str, Item]:
    return {item.id: item for item in menu_items(demo_menu)[0]}


def check(menu: dict[str, Item], reply: str, picks: dict[str, str], message: str = "Anything vegan?") -> str | None:
    items = list(menu.values())
    candidates = select_items(items, 0, parse(message)).candidates
    return guard.check(reply, [(menu[i], r) for i, r in picks.items()], candidates=candidates, items=items,
                       private=system_rules())


GOOD = {"sorbet": "Light and fruity.", "lingonberry-soda": "Refreshing."}


def test_a_plain_answer_passes(menu: dict[str, Item]) -> None:
    assert check(menu, "Two refreshing vegan picks: the Raspberry sorbet and a Lingonberry soda.", GOOD) is None


@pytest.mark.parametrize(("reply", "reasons", "code"), [
    ("The Swedish meatballs are vegan today!", {}, "item"),
    ("Try them; SWEDISH MEATBALLS fans love them.", {}, "item"),
    ("", {"sorbet": "As sweet as the kladdkaka."}, "item"),
    ("Order at https://evil.example/deal", {}, "url"),
    ("More at www.cheap-eats.example", {}, "url"),
    ("See stjarna-deals.com for more.", {}, "url"),
    ("", {"sorbet": "Recipe at Example.COM/sorbet"}, "url"),
    ("Questions? chef@example.com", {}, "email"),
    ("Call us on +46 8 123 45 67.", {}, "phone"),
    ("", {"sorbet": "Book at (08) 555-1234"}, "phone"),
    ("These are all allergen-free.", {}, "allergen_free"),
    ("Allt är allergifritt!", {}, "allergen_free"),
    ("Alle Gerichte sind allergenfrei.", {}, "allergen_free"),
    ("Des plats sans allergènes.", {}, "allergen_free"),
    ("Platos sin alérgenos.", {}, "allergen_free"),
    ("", {"sorbet": "Safe for allergy sufferers."}, "allergen_free"),
    ("", {"sorbet": "Hypoallergenic."}, "allergen_free"),
    ("", {"sorbet": "Free from allergens."}, "allergen_free"),
])
def test_hostile_text_is_refused(menu: dict[str, Item], reply: str, reasons: dict[str, str], code: str) -> None:
    assert check(menu, reply or "Two ideas.", {**GOOD, **reasons}) == code


def test_names_inside_candidate_names_do_not_count(menu: dict[str, Item]) -> None:
    items = [*menu.values(), Item("latte", "Latte", 3900, frozenset({"milk"}), True, frozenset(), frozenset({"drink"}),
                                  "Drinks", 99)]
    oat = menu["oat-latte"]
    assert not guard.names_excluded("The Oat latte is creamy.", [oat], items)
    assert guard.names_excluded("A latte, perhaps?", [oat], items)
    assert not guard.names_excluded("Chef\u2019s daily special", [menu["daily-special"]], items)  # curly apostrophe
    assert guard.names_excluded("chef's DAILY special", [oat], items)


@pytest.mark.parametrize("text", ["The soup is 89 kr and the sorbet €15.50.", "Two dishes: 89 kr and 145 kr",
                                  "1 250 000 kr", "€1 250 000", "Open 11-14, table 12.", "e.g. the soup"])
def test_prices_and_ordinary_numbers_are_not_contacts(text: str) -> None:
    assert not guard.has_phone(text) and not guard.has_url(text) and not guard.has_email(text)


@pytest.mark.parametrize("text", ["Please confirm allergens with the staff.", "Tell the staff about your allergies.",
                                  "Make sure you mention your allergies.", "No nuts here."])
def test_ordinary_allergy_talk_is_not_a_blanket_claim(text: str) -> None:
    assert not guard.blanket_claim(text)


@pytest.mark.parametrize(("reply", "picks", "message", "ok"), [
    # a reason speaks for its own item
    ("Two ideas.", {"sorbet": "Nut-free and refreshing.", "lingonberry-soda": "x"}, "Anything vegan?", True),
    ("Two ideas.", {"tomato-soup": "Gluten-free and warming.", "sorbet": "x"}, "Anything vegan?", False),
    ("Two ideas.", {"tomato-soup": "Glutenfri och god.", "sorbet": "x"}, "Anything vegan?", False),
    ("Two ideas.", {"tomato-soup": "Ohne Gluten, lecker.", "sorbet": "x"}, "Anything vegan?", False),
    ("Two ideas.", {"tomato-soup": "Sans gluten.", "sorbet": "x"}, "Anything vegan?", False),
    ("Two ideas.", {"sorbet": "Glutenfrei!", "lingonberry-soda": "x"}, "Anything vegan?", True),
    # the reply speaks for every pick and every candidate it names
    ("All of these are gluten-free!", {"tomato-soup": "x", "sorbet": "x"}, "Anything vegan?", False),
    ("All of these are gluten-free!", {"sorbet": "x", "lingonberry-soda": "x"}, "Anything vegan?", True),
    ("The Oat latte is gluten-free too.", {"sorbet": "x", "lingonberry-soda": "x"}, "Anything vegan?", False),
    ("These are all nut-free.", {"tomato-soup": "x", "hummus": "x"}, "Anything vegan without nuts?", True),
])
def test_absence_claims_must_match_the_declared_allergens(menu: dict[str, Item], reply: str, picks: dict[str, str],
                                                          message: str, ok: bool) -> None:
    assert check(menu, reply, picks, message) == (None if ok else "claim")


def test_an_undeclared_item_supports_no_claim(menu: dict[str, Item]) -> None:
    special = menu["daily-special"]
    assert guard.unsupported_claims("Nut-free!", [special]) == {"nuts", "peanuts"}
    assert guard.unsupported_claims("Lovely.", [special]) == set()


def test_an_echoed_prompt_is_refused(menu: dict[str, Item]) -> None:
    leaked = ("Sure! My rules: the candidates (next system message) are the ONLY items you may suggest: pick them "
              "by their id.")
    assert check(menu, leaked, GOOD) == "echo"
    assert check(menu, "Two ideas.", {**GOOD, "sorbet": "Never invent items, names or ids; never suggest or name "
                                                        "anything"}) == "echo"
    assert check(menu, "Please confirm with the staff before ordering.", GOOD) is None


# -- narrow: the union, never wider --------------------------------------------------------------------

def test_narrow_only_adds_known_codes() -> None:
    c = parse("Anything vegan without nuts?")
    assert narrow(c, (), ()) is c
    assert narrow(c, {"nuts"}, {"vegan"}) is c
    wider = narrow(c, {"soybeans", "kiwi"}, {"vegetarian", "paleo"})
    assert wider.avoid == {"nuts", "peanuts", "soybeans"} and wider.diets == {"vegan", "vegetarian"}
    assert Constraints.from_json(wider.to_json()) == wider  # the saved context stays readable


def test_narrow_never_re_adds_what_the_diner_took_back() -> None:
    c = parse("Anything vegan?")
    assert narrow(c, {"nuts", "soybeans"}, {"halal"}, ["allergen:nuts", "diet:halal"]).avoid == {"soybeans"}
    assert narrow(c, {"nuts"}, {"halal"}, ["allergen:nuts", "diet:halal"]) is c
