""""Why is my vegan item not showing?": the items question over a real database, against the same
rules the chat and the widget apply (vocabulary diets, declared allergens, what is published)."""

from __future__ import annotations

import pytest

from shared import vocabulary
from shared.container import Container
from shared.errors import ValidationFailed
from shared.helpdesk import tenant as support
from shared.helpdesk.items import question
from shared.kv.memory import MemoryKV
from shared.menus.io import import_menu
from tests.conftest import make_settings
from tests.helpdesk.conftest import demo_variant

VEGAN = ["tomato-soup", "hummus", "green-curry", "sorbet", "lingonberry-soda", "oat-latte"]


@pytest.fixture
def c(seeded):
    return Container(make_settings(), store=seeded, kv=MemoryKV())


def keys(rows):
    return [row["key"] for row in rows]


def reasons(found, key):
    item = next(i for i in found["notShown"] if i["key"] == key)
    return [r["code"] for r in item["reasons"]]


def test_vegan_items_shown_and_the_rest_with_their_reason(c):
    found = support.items(c, "demo", question(["vegan"]))
    assert keys(found["shown"]) == VEGAN
    assert len(found["notShown"]) == 10 and found["unlisted"] == 0
    assert reasons(found, "meatballs") == ["not_tagged"]
    assert reasons(found, "semla") == ["section_inactive", "not_tagged"]
    semla = next(i for i in found["notShown"] if i["key"] == "semla")
    assert [r["text"] for r in semla["reasons"]] == ["section 'seasonal' is inactive", "not tagged vegan"]
    assert found["restaurant"]["slug"] == "demo" and found["description"] == "tagged vegan"


def test_a_vegan_item_that_is_hidden_comes_first_with_why(seeded, c):
    document = demo_variant("demo")
    mains = document["sections"][1]["items"]
    next(i for i in mains if i["key"] == "green-curry")["available"] = False
    document["sections"][4]["items"][0].update(tags=["vegan"], allergens=["gluten"])  # semla, inactive section
    import_menu(seeded, document)
    found = support.items(c, "demo", question(["vegan"]))
    assert "green-curry" not in keys(found["shown"])
    assert keys(found["notShown"])[:2] == ["green-curry", "semla"]  # they answer the question: the culprits
    assert reasons(found, "green-curry") == ["unavailable"]
    assert reasons(found, "semla") == ["section_inactive"]


def test_a_diet_is_satisfied_as_the_vocabulary_says(c):
    vegetarian = support.items(c, "demo", question(["vegetarian"]))
    assert set(VEGAN) <= set(keys(vegetarian["shown"]))  # vegan items are vegetarian too
    assert {"burrata", "mushroom-risotto", "kladdkaka", "cardamom-bun"} <= set(keys(vegetarian["shown"]))
    assert reasons(vegetarian, "meatballs") == ["not_tagged"]
    text = next(i for i in vegetarian["notShown"] if i["key"] == "meatballs")["reasons"][0]["text"]
    assert text == "not tagged vegetarian or vegan"
    spicy = support.items(c, "demo", question(["spicy"]))  # an attribute: only the tag itself
    assert keys(spicy["shown"]) == ["green-curry"]
    both = support.items(c, "demo", question(["vegan", "spicy"]))
    assert keys(both["shown"]) == ["green-curry"]
    assert reasons(both, "hummus") == ["not_tagged"]


def test_allergen_free_never_offers_undeclared_items(c):
    found = support.items(c, "demo", question(free_of=["nuts,peanuts"]))
    assert "daily-special" not in keys(found["shown"])
    assert keys(found["notShown"])[0] == "daily-special"
    assert reasons(found, "daily-special") == ["allergens_undeclared"]
    special = found["notShown"][0]["reasons"][0]["text"]
    assert special == "allergens not declared: never offered as free of anything"
    assert reasons(found, "green-curry") == ["contains_allergen"]
    assert found["notShown"][keys(found["notShown"]).index("burrata")]["reasons"][0]["text"] == "contains nuts"
    assert {"sorbet", "salmon", "tomato-soup"} <= set(keys(found["shown"]))
    assert found["description"] == "free of nuts and peanuts"


def test_undeclared_lists_only_those_items(c):
    found = support.items(c, "demo", question(undeclared=True))
    assert keys(found["shown"]) == ["daily-special"] and found["notShown"] == []
    assert found["unlisted"] == 15


def test_nothing_shows_while_the_restaurant_is_not_live(c, variants):
    found = support.items(c, "draft-place", question(["vegan"]))
    assert found["shown"] == []
    assert reasons(found, "hummus") == ["restaurant_not_live"]
    assert found["notShown"][0]["reasons"][0]["text"] == "restaurant is draft: nothing is public"
    assert keys(found["notShown"])[:6] == VEGAN


def test_name_narrows_the_answer(c):
    found = support.items(c, "demo", question(["vegan"], name="Curry"))
    assert keys(found["shown"]) == ["green-curry"] and found["notShown"] == []
    found = support.items(c, "demo", question(["vegan"], name="meatball"))
    assert found["shown"] == [] and keys(found["notShown"]) == ["meatballs"]


def test_no_question_lists_what_diners_see(c):
    found = support.items(c, "demo", question())
    assert len(found["shown"]) == 15 and keys(found["notShown"]) == ["semla"]
    assert found["description"] == "every item"


@pytest.mark.parametrize(("call", "path", "valid"), [
    (lambda: question(["vegn"]), "tag", vocabulary.tags()),
    (lambda: question(free_of=["shrimp"]), "allergenFree", vocabulary.allergens()),
    (lambda: question(free_of=["nuts,tree-nuts"]), "allergenFree", vocabulary.allergens()),
])
def test_unknown_tags_and_allergens_name_the_valid_ones(call, path, valid):
    with pytest.raises(ValidationFailed) as info:
        call()
    error = info.value.errors[0]
    assert error["path"] == path
    assert error["message"].endswith("valid: " + ", ".join(valid))


def test_case_and_repeats_are_normalised_and_contradictions_refused():
    q = question(["Vegan", "vegan"], ["NUTS", "nuts, peanuts"])
    assert (q.tags, q.free_of) == (("vegan",), ("nuts", "peanuts"))
    with pytest.raises(ValidationFailed, match="cannot be combined"):
        question(free_of=["nuts"], undeclared=True)
