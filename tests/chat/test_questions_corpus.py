"""The question corpus (tests/chat/questions_corpus.json, issue #14) through ``shared.chat.turn.turn``
over both seed menus: what a diner asks beyond "suggest something" (one dish, ingredients, the
restaurant itself, favourites), labelled with the expected intent and answer facts.

Per intent, at least 90 % of the entries get the expected intent, facts (a subset match, see
``fact_problems``) and suggest/never lists; the misses are printed. The safety invariants hold for
every entry and every earlier turn: no suggestion carries an allergen the session avoids (and none has
undeclared allergens while an allergy is in play), a dish with undeclared allergens never gets the
verdict "no", and ``undeclaredAllergen`` and ``info`` answers suggest nothing.

The menus are the seed files as ``/api/public/menu`` serves them (``seed_payload``; the last test
checks the two agree, ids aside).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from shared import vocabulary
from shared.chat.turn import INTENTS, Turn, prepare, turn

CORPUS_PATH = Path(__file__).parent / "questions_corpus.json"
CORPUS: dict[str, Any] = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
QUESTIONS: list[dict[str, Any]] = CORPUS["questions"]
DEFAULT_NOW = datetime.fromisoformat(CORPUS["defaultNow"])
SEEDS = Path(__file__).parents[2] / "infra" / "seed"
MENUS = {"demo": SEEDS / "demo.json", "nattbaren": SEEDS / "split-hours.json"}
SHARE = 0.9
MINIMUM = {"en": 90, "sv": 90, "de": 20, "fr": 20, "es": 20}
_ITEM_FIELDS = ("name", "description", "priceCents", "allergens", "allergensDeclared", "tags")
_RESTAURANT_FIELDS = ("slug", "name", "currency", "locale", "timezone", "hours", "address", "phone", "website")


def seed_payload(path: Path) -> dict[str, Any]:
    """A seed file as the public menu payload: active sections, available items, the vocabulary's order."""
    doc = orjson.loads(path.read_bytes())
    sections = []
    for section in doc["sections"]:
        items = [{"id": item["key"], **{k: item.get(k) for k in _ITEM_FIELDS},
                  "allergens": [a for a in vocabulary.EU14_ORDER if a in item["allergens"]],
                  "tags": [t for t in vocabulary.tags() if t in item["tags"]]}
                 for item in section["items"] if item.get("available", True)]
        if section.get("active", True) and items:
            sections.append({"id": section["key"], "name": section["name"], "description": None, "items": items})
    restaurant = {k: doc["restaurant"].get(k) for k in _RESTAURANT_FIELDS}
    return {"version": 1, "restaurant": restaurant, "sections": sections}


def payloads() -> dict[str, dict[str, Any]]:
    return {slug: seed_payload(path) for slug, path in MENUS.items()}


def ids_by_name(menu: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["id"] for section in menu["sections"] for item in section["items"]}


def run(entry: dict[str, Any], menu: dict[str, Any]) -> list[Turn]:
    """Every turn of the entry's session (``previous`` first, then the message), as the server runs them."""
    prepared = prepare(menu)
    locale = menu["restaurant"]["locale"]
    now = datetime.fromisoformat(entry["now"]) if "now" in entry else DEFAULT_NOW
    turns: list[Turn] = []
    for message in [*entry.get("previous", []), entry["message"]]:
        previous = turns[-1].constraints if turns else None
        turns.append(turn(prepared, message, previous, locale=locale, now=now))
    return turns


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list):
        return isinstance(actual, list) and set(expected) <= set(actual)
    return bool(expected == actual)


def fact_problems(expected: dict[str, Any], actual: dict[str, Any], ids: dict[str, str]) -> list[str]:
    """``expected`` is a subset of ``actual``: each key it names has the same value, lists as sets (the
    expected one contained: "nuts" also asks about peanuts); a dish name under ``dish`` stands for
    ``itemId``, names under ``dishes`` for ``itemIds`` (which must match exactly)."""
    found = []
    for name, wanted_value in expected.items():
        key, value = ("itemId", ids[wanted_value]) if name == "dish" else (name, wanted_value)
        if name == "dishes":
            wanted = sorted(ids[dish] for dish in value)
            if sorted(actual.get("itemIds") or []) != wanted:
                found.append(f"itemIds {actual.get('itemIds')} != {wanted}")
            continue
        if key not in actual or not _matches(value, actual[key]):
            found.append(f"{key}: {actual.get(key)!r} != {value!r}")
    return found


def problems(entry: dict[str, Any], answer: dict[str, Any], ids: dict[str, str]) -> list[str]:
    """How the answer misses the entry's labels (empty: answered as labelled)."""
    found = []
    if answer["intent"] != entry["intent"]:
        found.append(f"intent {answer['intent']} != {entry['intent']}")
    else:
        found += fact_problems(entry["facts"], answer["facts"], ids)
    names = {s["name"] for s in answer["suggestions"]}
    if missing := [n for n in entry.get("suggest", []) if n not in names]:
        found.append(f"not suggested: {missing}")
    if wrong := sorted(names & set(entry.get("never", []))):
        found.append(f"suggested although never: {wrong}")
    return found


def unsafe(t: Turn, menu: dict[str, Any]) -> list[str]:
    """The safety invariants of one turn (empty: safe)."""
    body = t.body
    avoid = set(body["understood"]["avoid"])
    allergy = bool(avoid) or body["understood"]["askAllergen"]
    found = []
    for s in body["suggestions"]:
        if bad := set(s["allergens"]) & avoid:
            found.append(f"suggested {s['name']!r} with avoided {sorted(bad)}")
        if allergy and not s["allergensDeclared"]:
            found.append(f"suggested {s['name']!r} with undeclared allergens while avoiding {sorted(avoid)}")
    facts = body["facts"]
    if body["intent"] == "dish" and facts.get("asks") == "allergens":
        declared = {i["id"]: i["allergensDeclared"] for sec in menu["sections"] for i in sec["items"]}
        if not declared[facts["itemId"]] and facts.get("verdict") != "unknown":
            found.append(f"undeclared dish got verdict {facts.get('verdict')!r}")
    if body["intent"] in ("undeclaredAllergen", "info") and body["suggestions"]:
        found.append(f"{body['intent']} answer suggests {[s['name'] for s in body['suggestions']]}")
    return found


def _id(entry: dict[str, Any]) -> str:
    return f"{entry['lang']}:{entry['menu']}:{entry['message']}"


@pytest.fixture(scope="module")
def menus() -> dict[str, dict[str, Any]]:
    return payloads()


@pytest.fixture(scope="module")
def results(menus) -> list[tuple[dict[str, Any], list[Turn]]]:
    return [(entry, run(entry, menus[entry["menu"]])) for entry in QUESTIONS]


def test_the_corpus_is_large_enough_and_well_formed(menus):
    per_lang = defaultdict(int)
    for entry in QUESTIONS:
        per_lang[entry["lang"]] += 1
        assert entry["intent"] in INTENTS, _id(entry)
        assert entry["menu"] in menus, _id(entry)
        ids = ids_by_name(menus[entry["menu"]])
        named = [*entry.get("suggest", []), *entry.get("never", [])]
        named += [entry["facts"]["dish"]] if "dish" in entry["facts"] else []
        named += entry["facts"].get("dishes", [])
        assert all(name in ids for name in named), f"{_id(entry)}: unknown dish in {named}"
    assert per_lang["en"] + per_lang["sv"] >= 220
    assert all(per_lang[lang] >= n for lang, n in MINIMUM.items()), dict(per_lang)
    assert {e["intent"] for e in QUESTIONS} == set(INTENTS)


def test_each_intent_is_answered_as_labelled(results, menus):
    by_intent: dict[str, list[tuple[dict[str, Any], list[str]]]] = defaultdict(list)
    for entry, turns in results:
        by_intent[entry["intent"]].append((entry, problems(entry, turns[-1].body, ids_by_name(menus[entry["menu"]]))))
    report, low = [], []
    for intent, rows in sorted(by_intent.items()):
        misses = [(e, p) for e, p in rows if p]
        share = 1 - len(misses) / len(rows)
        report.append(f"{intent}: {share:.0%} of {len(rows)}")
        report += [f"  MISS {_id(e)}: {'; '.join(p)}" for e, p in misses]
        if share < SHARE:
            low.append(f"{intent} {share:.0%}")
    print("\n".join(report))
    assert not low, f"intents answered as labelled below {SHARE:.0%}: {low}\n" + "\n".join(report)


def test_no_answer_breaks_a_safety_invariant(results, menus):
    found = [f"{_id(entry)} (turn {i + 1}): {p}" for entry, turns in results for i, t in enumerate(turns)
             for p in unsafe(t, menus[entry["menu"]])]
    assert not found, "\n".join(found)


def test_the_invariant_check_catches_an_unsafe_answer(results, menus):
    """The check above can fail: an answer that offers the burrata to a diner avoiding nuts is caught."""
    entry, turns = next((e, t) for e, t in results if e["message"] == "Does the burrata have nuts?")
    t = turns[-1]
    burrata = next(i for s in menus["demo"]["sections"] for i in s["items"] if i["name"] == "Burrata and peaches")
    forged = Turn({**t.body, "suggestions": [burrata]}, t.constraints, t.selection, t.intent)
    assert unsafe(forged, menus["demo"])
    undeclared = Turn({**t.body, "facts": {**t.body["facts"], "itemId": "daily-special", "verdict": "no"}},
                      t.constraints, t.selection, t.intent)
    assert any("verdict" in p for p in unsafe(undeclared, menus["demo"]))


@pytest.mark.parametrize("slug", sorted(MENUS))
def test_the_seed_payload_is_the_served_menu(client, slug):
    """``seed_payload`` has the served payload's restaurant and sections (item ids aside)."""
    served = client.get("/api/public/menu", params={"restaurantId": slug}).json()
    ours = seed_payload(MENUS[slug])

    def strip(menu: dict[str, Any]) -> list[Any]:
        return [(s["name"], [{k: v for k, v in i.items() if k != "id"} for i in s["items"]]) for s in menu["sections"]]

    assert strip(served) == strip(ours)
    assert {k: served["restaurant"].get(k) for k in _RESTAURANT_FIELDS} == ours["restaurant"]
