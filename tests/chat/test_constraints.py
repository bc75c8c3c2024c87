"""The parser's rules: normalisation, misspellings and fuzzy bounds, negation scope, price, follow-ups,
JSON round trip."""

from __future__ import annotations

import pytest

from shared.chat.constraints import Constraints, parse
from shared.chat.text import phrase, tokenize, within_one_edit

NP = {"nuts", "peanuts"}


@pytest.mark.parametrize("text", ["glutenfree", "gluten-free", "gluten free", "Gluten—Free!", "GLUTENFRITT",
                                  "glutenfri", "gluten fri"])
def test_compound_forms_are_one_constraint(text):
    assert parse(text).avoid == {"gluten"}


def test_normalise_casefolds_strips_accents_and_apostrophes():
    assert phrase("NÖTFRI Crème-brûlée don't") == ("notfri", "creme", "brulee", "dont")
    assert [t.text for t in tokenize("149,50kr €15 1,000")] == ["149.50", "kr", "€", "15", "1000"]
    assert [t.brk for t in tokenize("no nuts. vegan")] == [False, False, True]


@pytest.mark.parametrize(("a", "b", "close"), [
    ("vegan", "vegna", True), ("vegan", "vegn", True), ("dairy", "diary", True), ("gluten", "gluten", True),
    ("vegan", "vgeann", False), ("spicy", "spciey", False), ("abc", "abcde", False),
])
def test_within_one_edit(a, b, close):
    assert within_one_edit(a, b) is close and within_one_edit(b, a) is close


@pytest.mark.parametrize(("text", "diets"), [("vegn", {"vegan"}), ("vegetarain", {"vegetarian"}),
                                             ("vegatarian", {"vegetarian"}), ("vgean", {"vegan"}),
                                             ("vegetarisk", {"vegetarian"}), ("halaal", {"halal"})])
def test_misspellings_listed_and_fuzzy(text, diets):
    assert parse(text).diets == diets


@pytest.mark.parametrize("text", ["anything but soup", "what", "dusted", "the daily special",
                                  "I started with the starters", "better", "a batter"])
def test_short_and_stop_words_never_fuzzy_match(text):
    c = parse(text)
    assert not c.avoid and not c.diets and not c.ask_allergen


def test_stop_words_are_still_matched_exactly_when_they_are_vocabulary():
    assert parse("I started with the starters").courses == {"starter"}
    assert parse("no butter").avoid == {"milk"}


@pytest.mark.parametrize(("text", "avoid"), [
    ("no cheese", {"milk"}), ("without egg", {"eggs"}), ("utan nötter", NP), ("nut-free", NP),
    ("no nuts, eggs, milk or soy", NP | {"eggs", "milk", "soybeans"}),
    ("I don't want any nuts", NP), ("jag vill inte ha ägg", {"eggs"}),
    ("dairy and gluten free", {"milk", "gluten"}), ("allergisk mot nöt", NP),
    ("skaldjursallergi", {"crustaceans", "molluscs"}),
])
def test_negation_scope(text, avoid):
    assert parse(text).avoid == avoid


@pytest.mark.parametrize(("text", "avoid"), [
    ("which dishes have cheese?", {"milk"}), ("I don't want anything with nuts", NP),
("no nuts. fish please", NP | {"fish"}),
    ("no nuts but cheese is fine", NP | {"milk"}), ("Allergies: nuts. Dessert?", NP), ("nuts make me sick", NP),
    ("epipen for nuts", NP), ("nuts = hospital", NP), ("I react to mustard", {"mustard"}),
    ("Allergy: soy", {"soybeans"}),
])
def test_every_allergen_named_is_avoided_whatever_the_phrasing(text, avoid):
    """Fail safe: there is no "mentioned but not filtered"; even a question about cheese avoids milk."""
    c = parse(text)
    assert c.avoid == avoid and c.allergy and not c.ask_allergen


@pytest.mark.parametrize(("text", "avoid"), [
    ("with extra nuts please", set()), ("I love peanut sauce", set()), ("extra cheese", set()),
    ("extra cheese, no nuts", NP), ("I love cheese but I'm allergic to nuts", NP | {"milk"}),
    ("I love peanuts, my son is allergic", {"peanuts"}), ("extra vegan, no cheese", {"milk"}),
    ("extra careful with nuts please", NP), ("I love spicy peanut sauce", {"peanuts"}),
    ("extra cheese and nuts", set()), ("with extra nuts. no milk", {"milk"}),
])
def test_only_a_plain_request_for_an_allergen_is_not_avoided(text, avoid):
    assert parse(text).avoid == avoid


@pytest.mark.parametrize("text", ["I'm allergic to lychee", "I have allergies", "allergisk mot lychee",
                                  "no quinces please", "hold the gherkinses", "lychee-free please", "anaphylaxis",
                                  "my daughter has an epipen", "jag har en matallergi"])
def test_allergy_intent_without_a_known_allergen_asks(text):
    c = parse(text)
    assert c.ask_allergen and c.allergy and not c.avoid


@pytest.mark.parametrize(("text", "terms"), [("I'm allergic to kiwi", {"kiwi"}), ("allergisk mot kiwi", {"kiwi"}),
                                             ("garlic allergy", {"garlic"}), ("hold the pickles", {"cucumber"}),
                                             ("I react to onions and garlic", {"onion", "garlic"})])
def test_an_allergy_outside_the_eu14_is_an_avoid_term_nothing_is_safe_from(text, terms):
    c = parse(text)
    assert c.avoid_terms == terms and c.allergy and not c.ask_allergen and not c.without_terms


@pytest.mark.parametrize(("text", "without"), [("no onions please", {"onion"}), ("kiwi-free please", {"kiwi"}),
                                               ("I don't eat beef", {"beef"}), ("without potatoes", {"potato"}),
                                               ("utan lök tack", {"onion"})])
def test_no_ingredient_without_an_allergy_word_is_a_menu_text_exclusion(text, without):
    c = parse(text)
    assert c.without_terms == without and not c.allergy and not c.with_terms


@pytest.mark.parametrize(("text", "avoid"), [("allergic to nuts, eggs and lychee", NP | {"eggs"}),
                                             ("no sauce on the side with the fish", {"fish"}),
                                             ("no nuts and no lychee", NP)])
def test_an_unknown_word_in_an_allergy_list_asks_and_keeps_what_was_recognised(text, avoid):
    c = parse(text)
    assert c.ask_allergen and c.avoid == avoid


@pytest.mark.parametrize("text", ["no thanks", "vegan, no rush", "no alcohol", "without a reservation?",
                                  "Anything vegan?", "not spicy", "no dessert"])
def test_words_that_name_no_food_do_not_ask(text):
    assert not parse(text).ask_allergen


def test_the_question_stays_until_an_allergen_is_named_or_the_diner_starts_over():
    asked = parse("I have a food allergy")
    assert parse("desserts?", asked).ask_allergen
    answered = parse("Sesame", asked)
    assert not answered.ask_allergen and answered.avoid == {"sesame"}
    assert not parse("start over", asked).ask_allergen


def test_forget_takes_back_only_what_is_named():
    c = parse("vegan desserts under 100 kr, no nuts")
    left = c.forget(["allergen:nuts", "diet:vegan", "maxPrice"])
    assert left.avoid == {"peanuts"} and not left.diets and left.max_price_cents is None and left.courses == {"dessert"}
    assert c.forget([]) == c


def test_a_condition_makes_the_message_allergy_related_so_nothing_is_asked_for():
    """Even with a condition word that is in no intent list, "extra cheese" is no longer a plain request."""
    assert parse("extra cheese, my daughter is coeliac").avoid == {"gluten", "milk"}
    assert parse("extra cheese, we have a celiacs table").avoid == {"gluten", "milk"}


def test_conditions_always_avoid():
    assert parse("celiac").avoid == {"gluten"}
    assert parse("I'm lactose intolerant").avoid == {"milk"}
    assert parse("nötallergiker").avoid == NP


def test_negated_diet_course_and_spice():
    assert parse("not vegan, no dessert").diets == set()
    assert parse("not vegan, no dessert").courses == set()
    assert parse("not spicy, vegan please") == Constraints(diets=frozenset({"vegan"}), spicy=False, language="en")
    assert parse("no spicy food").spicy is False and parse("kryddig").spicy is True


@pytest.mark.parametrize(("text", "cents"), [("under 150", 15000), ("under 150 kr", 15000), ("max 15 €", 1500),
                                             ("€12.50", 1250), ("högst 99,50 kr", 9950), ("less than 80", 8000),
                                             ("for 2 people", None), ("under the bridge", None),
                                             ("under 100, actually under 80", 8000)])
def test_price(text, cents):
    assert parse(text).max_price_cents == cents


def test_language_is_the_vocabulary_that_matched_most():
    assert parse("Har ni något veganskt?").language == "sv"
    assert parse("Do you have anything vegan?").language == "en"
    assert parse("vegan").language is None


def test_follow_up_refines_and_replaces():
    first = parse("vegan desserts under 100 kr, no gluten")
    second = parse("and without nuts?", first)
    assert second.diets == {"vegan"} and second.courses == {"dessert"} and second.max_price_cents == 10000
    assert second.avoid == NP | {"gluten"}
    third = parse("actually vegetarian drinks", second)
    assert third.diets == {"vegetarian"} and third.courses == {"drink"} and third.avoid == second.avoid
    assert parse("börja om", third) == Constraints(language="sv", avoid=second.avoid)  # allergens stay


def test_json_round_trip():
    c = parse("cheapest spicy vegan mains without nuts under 200 kr")
    assert Constraints.from_json(c.to_json()) == c
    assert c.to_json()["avoid"] == ["peanuts", "nuts"]  # EU-14 order
    assert Constraints.from_json({}) == Constraints()
    asked = parse("I'm allergic to kiwi")
    assert Constraints.from_json(asked.to_json()) == asked


def test_a_context_from_before_mentioned_was_retired_avoids_what_it_mentioned():
    assert Constraints.from_json({"avoid": ["gluten"], "mentioned": ["milk"]}).avoid == {"gluten", "milk"}


@pytest.mark.parametrize("bad", [{"avoid": ["plutonium"]}, {"diets": "vegan"}, {"maxPriceCents": "100"},
                                 {"spicy": "yes"}, {"language": "xx"}, {"cheapest": 1},
                                 {"askAllergen": "yes"}])
def test_from_json_refuses_foreign_data(bad):
    with pytest.raises(ValueError):
        Constraints.from_json(bad)
