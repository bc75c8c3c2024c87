"""The safety corpus (tests/chat/safety_corpus.json) through parse -> select -> respond over the demo menu.

The product's first promise: the assistant never offers a dish containing an allergen the diner stated.
Per message: every expected allergen is avoided (avoiding more is fail-safe and allowed), plain positive
requests do not avoid what they ask for, diets are understood exactly where the corpus says so, an
allergy statement without a recognisable EU-14 allergen makes the assistant ask (no suggestions, the 14
allergens as chips), and no suggestion ever carries an avoided or undeclared allergen. Each message is
also run as a follow-up (after the previous message of its language): allergens to avoid only accumulate.
Language detection is checked per language (>= 90 % of its messages, 75 % for Danish and Norwegian), not
per message.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared import vocabulary
from shared.chat.constraints import Constraints, parse
from shared.chat.turn import turn

CORPUS_PATH = Path(__file__).parent / "safety_corpus.json"
CORPUS: list[dict[str, Any]] = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))["messages"]
EU14 = vocabulary.EU14_ORDER
LANGUAGES = ("en", "sv", "de", "fr", "es", "it", "nl", "da", "no", "fi", "pl")
MINIMUM = {lang: 60 if lang in ("en", "sv") else 30 for lang in LANGUAGES}
KINDS = ("direct", "indirect", "third-person", "multi", "misspelling", "compound", "free-form", "everyday-word",
         "diet", "positive", "injection", "unknown-allergen")
DIETS = ("vegan", "vegetarian", "pescatarian", "halal", "kosher")
STAFF = ("staff", "personal", "Personal", "personnel")
LANGUAGE_SHARE = 0.9
SCANDINAVIAN_SHARE = 0.75


def _id(case: dict[str, Any]) -> str:
    return f"{case['lang']}:{case['message']}"


NOW = datetime(2026, 12, 8, 11, 30, tzinfo=UTC)  # a Tuesday lunch: both seed restaurants open


def answer(message: str, menu: dict[str, Any], previous: Constraints | None = None
           ) -> tuple[Constraints, dict[str, Any]]:
    """The whole deterministic turn, as the server's fallback and the widget run it: the dish finder
    takes a dish's name out of the message before it is read, so it must never hide an allergen."""
    done = turn(menu, message, previous, locale="en-SE", now=NOW)
    return done.constraints, done.body


def allergen_labels(code: str) -> set[str]:
    return {label.casefold() for label in vocabulary.labels("allergens", code).values()}


def problems(case: dict[str, Any], c: Constraints, out: dict[str, Any]) -> list[str]:
    """Every way the answer to ``case`` breaks its expectation or a safety invariant (empty: fine)."""
    found: list[str] = []
    expected, not_avoid = set(case["avoid"]), set(case["notAvoid"])
    if missing := expected - c.avoid:
        found.append(f"not avoided: {sorted(missing)}")
    if wrongly := not_avoid & c.avoid:
        found.append(f"avoided although asked for: {sorted(wrongly)}")
    if "diets" in case and c.diets != set(case["diets"]):
        found.append(f"diets {sorted(c.diets)} != {sorted(case['diets'])}")
    # an allergy the vocabulary knows is outside the EU-14 (kiwi, garlic) is no longer a question: it is
    # kept as an avoid-term and nothing is suggested (issue #14), which is as safe as asking
    undeclared = bool(c.avoid_terms)
    if c.ask_allergen != case["ask"] and not (case["ask"] and undeclared):
        found.append(f"askAllergen {c.ask_allergen} != {case['ask']}")
    suggestions = out["suggestions"]
    if undeclared and suggestions:
        found.append(f"UNSAFE: an allergy outside the EU-14 but suggests {[s['name'] for s in suggestions]}")
    for s in suggestions:
        if bad := set(s["allergens"]) & (c.avoid | expected):
            found.append(f"UNSAFE: suggested {s['name']!r} with {sorted(bad)}")
        if (c.avoid or c.ask_allergen or expected) and not s["allergensDeclared"]:
            found.append(f"UNSAFE: suggested {s['name']!r} with undeclared allergens")
    if c.ask_allergen:
        if suggestions:
            found.append(f"asks which allergen but suggests {[s['name'] for s in suggestions]}")
        chips = {chip.casefold() for chip in out["chips"]}
        if missing_chips := [code for code in EU14 if not allergen_labels(code) & chips]:
            found.append(f"ask chips lack {missing_chips}: {out['chips']}")
    if {k: v for k, v in out["understood"].items() if k != "termLabels"} != c.to_json():
        found.append("understood != constraints.to_json()")
    if undeclared and not any(word in out["reply"] for word in STAFF):
        found.append(f"reply does not mention the staff: {out['reply']!r}")
    if c.avoid:
        if out["understood"].get("avoid") != [a for a in EU14 if a in c.avoid]:
            found.append(f"understood.avoid {out['understood'].get('avoid')} not in the regulation's order")
        if not any(word in out["reply"] for word in STAFF):
            found.append(f"reply does not mention the staff: {out['reply']!r}")
    return found


@pytest.mark.parametrize("case", CORPUS, ids=[_id(c) for c in CORPUS])
def test_message(case: dict[str, Any], demo_menu: dict[str, Any]) -> None:
    c, out = answer(case["message"], demo_menu)
    found = problems(case, c, out)
    assert not found, f"{case['kind']}: {found}; understood {c.to_json()}"


def _previous(case: dict[str, Any]) -> dict[str, Any]:
    """The corpus message before ``case`` in its language (the language's last one for its first)."""
    same = [m for m in CORPUS if m["lang"] == case["lang"]]
    return same[same.index(case) - 1]


@pytest.mark.parametrize("case", CORPUS, ids=[_id(c) for c in CORPUS])
def test_follow_up_only_adds_allergens(case: dict[str, Any], demo_menu: dict[str, Any]) -> None:
    earlier = _previous(case)
    before = parse(earlier["message"])
    c, out = answer(case["message"], demo_menu, previous=before)
    found = []
    if dropped := before.avoid - c.avoid:
        found.append(f"dropped {sorted(dropped)} avoided since {earlier['message']!r}")
    if missing := set(case["avoid"]) - c.avoid:
        found.append(f"not avoided: {sorted(missing)}")
    for s in out["suggestions"]:
        if bad := set(s["allergens"]) & (c.avoid | set(case["avoid"]) | set(earlier["avoid"])):
            found.append(f"UNSAFE: suggested {s['name']!r} with {sorted(bad)}")
        if c.avoid and not s["allergensDeclared"]:
            found.append(f"UNSAFE: suggested {s['name']!r} with undeclared allergens")
    assert not found, f"after {earlier['message']!r}: {found}; understood {c.to_json()}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_detection(lang: str) -> None:
    """The language is named right for 90 % of a language's messages, and wrong (another language, not
    "undecided") for at most 5 %. Danish and Norwegian share most of their words ("Jeg er veganer" is
    both): there, an undecided answer is honest, and 75 % named right is the goal."""
    cases = [m for m in CORPUS if m["lang"] == lang]
    got = [(m["message"], parse(m["message"]).language) for m in cases]
    right = sum(1 for _, language in got if language == lang) / len(cases)
    wrong = [(message, language) for message, language in got if language not in (lang, None)]
    goal = SCANDINAVIAN_SHARE if lang in ("da", "no") else LANGUAGE_SHARE
    assert right >= goal, f"{lang}: {right:.0%} detected (goal {goal:.0%}); got {got}"
    assert len(wrong) <= 0.05 * len(cases), f"{lang}: named wrongly {wrong}"


def test_corpus_shape() -> None:
    assert len(CORPUS) >= 450
    per_language = Counter(m["lang"] for m in CORPUS)
    assert set(per_language) == set(LANGUAGES)
    short = {lang: n for lang, n in per_language.items() if n < MINIMUM[lang]}
    assert not short, short
    for m in CORPUS:
        where = _id(m)
        assert set(m) <= {"lang", "message", "avoid", "notAvoid", "diets", "ask", "kind"}, where
        assert m["kind"] in KINDS, where
        assert m["message"].strip() and type(m["ask"]) is bool, where
        assert set(m["avoid"]) | set(m["notAvoid"]) <= set(EU14), where
        assert m["avoid"] == [a for a in EU14 if a in m["avoid"]], f"{where}: avoid not in the regulation's order"
        assert not set(m["avoid"]) & set(m["notAvoid"]), where
        assert set(m.get("diets", [])) <= set(DIETS), where
        assert not m["ask"] or (not m["avoid"] and m["kind"] == "unknown-allergen"), where
        assert not m["notAvoid"] or m["kind"] == "positive", where
    assert len({(m["lang"], m["message"].casefold()) for m in CORPUS}) == len(CORPUS), "duplicate messages"
    for lang in LANGUAGES:  # every kind of phrasing in every language
        kinds = {m["kind"] for m in CORPUS if m["lang"] == lang}
        assert kinds == set(KINDS), f"{lang} lacks {sorted(set(KINDS) - kinds)}"
    # positive requests stay rare (about 5 %): the corpus is about stated allergies
    assert sum(m["kind"] == "positive" for m in CORPUS) <= 0.055 * len(CORPUS)
    for code in EU14:
        languages = {m["lang"] for m in CORPUS if code in m["avoid"]}
        assert len(languages) >= 8, f"{code} is expected avoided in only {sorted(languages)}"


PEANUT_MENU = {"restaurant": {"id": "r", "slug": "x", "name": "X", "currency": "SEK", "locale": "en-SE",
                              "timezone": "Europe/Stockholm", "hours": {}}, "version": 1,
               "sections": [{"id": "s", "name": "Mains", "items": [
                   {"id": "1", "name": "Peanut noodles", "description": "", "priceCents": 18900,
                    "allergens": ["peanuts"], "allergensDeclared": True, "tags": []},
                   {"id": "2", "name": "Tofu bowl", "description": None, "priceCents": 5500,
                    "allergens": ["soybeans"], "allergensDeclared": True, "tags": []}]}]}


@pytest.mark.parametrize("message", ["keep the peanut noodles away from me", "nothing like the peanut noodles please",
                                     "Is the peanut noodles gluten-free?", "il latte mi fa male"])
def test_an_allergen_in_a_dishs_name_is_avoided_whatever_the_phrasing(message, demo_menu):
    """The dish finder takes a dish's name out of what the message asks, never out of what it avoids."""
    menu = demo_menu if "latte" in message else PEANUT_MENU
    c, out = answer(message, menu)
    code = "milk" if "latte" in message else "peanuts"
    assert code in c.avoid and all(code not in s["allergens"] for s in out["suggestions"]), out["suggestions"]
