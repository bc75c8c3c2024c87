"""The widget's local responder (widget/src/chat, run under node) against the Python core it ports:
the shared table (tests/chat/cases.json) with its expectations and invariants, and the same answer as
shared/chat for every case and for a corpus built from the vocabulary (phrases alone, negated, with
prices, in random combinations and follow-ups), over the served payloads of both seed menus."""

from __future__ import annotations

import random
from typing import Any

import pytest

from shared import vocabulary
from shared.chat.candidates import select
from shared.chat.constraints import Constraints, parse
from shared.chat.fallback import MAX_REPLY, respond
from tests.chat import test_cases as table


def python_turn(menu: dict[str, Any], message: str, previous: dict[str, Any] | None, locale: str) -> dict[str, Any]:
    c = parse(message, Constraints.from_json(previous) if previous is not None else None)
    selection = select(menu, c)
    return {"constraints": c.to_json(), "candidates": [i.id for i in selection.candidates],
            "undeclared": selection.undeclared, "excluded": selection.excluded,
            "answer": respond(selection, c, currency=menu["restaurant"]["currency"], locale=locale)}


def words(block: Any) -> list[str]:
    """Every phrase in a vocabulary section, however nested."""
    if isinstance(block, str):
        return [block]
    if isinstance(block, list):
        return [w for item in block for w in words(item)]
    if isinstance(block, dict):
        return [w for key, item in block.items() if not key.startswith("$") and key != "codes" for w in words(item)]
    return []


def corpus() -> list[str]:
    sections = ("diets", "allergenWords", "conditions", "negation", "price", "spice", "courses", "languageHints",
                "reset")
    phrases = sorted({w for name in sections for w in words(vocabulary.chat_section(name))})
    misspelt = sorted(vocabulary.chat_section("misspellings"))
    allergens = sorted({w for name in ("allergenWords", "conditions") for w in words(vocabulary.chat_section(name))})
    messages = [*phrases, *misspelt]
    messages += [f"no {w}" for w in allergens] + [f"{w} free" for w in allergens] + [f"{w}fri" for w in allergens]
    messages += [f"inte {w}, men vegan" for w in allergens[::3]]
    messages += [f"allergic to {w} and eggs!" for w in allergens[::4]]
    rng = random.Random(20261123)
    fillers = ["please", "and", "or", "but", "I'm", "something", "under", "100", "149,50", "kr", "€15", "1,000",
               "no", "not", "without", ".", "?", "!", "utan", "men", "Crème-brûlée", "don't", "vgean", "nöt-fri"]
    pool = phrases + misspelt + fillers
    for _ in range(400):
        messages.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 7))))
    return messages


@pytest.fixture(scope="module")
def responder(node_entry):
    return node_entry("chat-cases")


def run_ts(responder, menu: dict[str, Any], locale: str, turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = responder({"menu": menu, "currency": menu["restaurant"]["currency"],
                                              "locale": locale, "turns": turns})
    assert len(result) == len(turns)
    return result


def test_the_shared_table_holds_for_the_port(responder, client):
    menu = client.get("/api/public/menu", params={"restaurantId": "demo"}).json()
    turns = [{"message": c["message"], **({"previous": c["previous"]} if "previous" in c else {})} for c in table.CASES]
    items = {item["id"]: (section["name"], item) for section in menu["sections"] for item in section["items"]}
    names = {item_id: item["name"] for item_id, (_, item) in items.items()}
    for case, ts in zip(table.CASES, run_ts(responder, menu, "en-SE", turns), strict=True):
        expect, c = case["expect"], Constraints.from_json(ts["constraints"])
        got = [names[i] for i in ts["candidates"]]
        for key in ("diets", "avoid", "courses"):
            if key in expect:
                assert set(ts["constraints"][key]) == set(expect[key]), (case["message"], key)
        for key in ("maxPriceCents", "cheapest", "spicy", "language"):
            if key in expect:
                assert ts["constraints"][key] == expect[key], (case["message"], key)
        assert set(expect.get("includes", [])) <= set(got), case["message"]
        assert not set(expect.get("excludes", [])) & set(got), case["message"]
        if "count" in expect:
            assert expect["count"]["min"] <= len(got) <= expect["count"]["max"], case["message"]
        if "first" in expect:
            assert got[0] == expect["first"], case["message"]
        # the global invariants: no suggestion (or candidate) breaks a stated constraint
        for item_id in ts["candidates"]:
            assert not table.violates(*items[item_id], c), (case["message"], names[item_id])
        suggestions, reply = ts["answer"]["suggestions"], ts["answer"]["reply"]
        n = len(ts["candidates"])
        assert (2 <= len(suggestions) <= 4) if n >= 2 else len(suggestions) == n, case["message"]
        for s in suggestions:
            section, item = items[s["itemId"]]
            assert not table.violates(section, item, c) and s["reason"], case["message"]
            assert (s["name"], s["priceCents"]) == (item["name"], item["priceCents"])
        assert 0 < len(reply) <= MAX_REPLY
        if c.allergy or ts["undeclared"] or not suggestions:
            assert any(word in reply for word in table.STAFF), case["message"]
        assert 2 <= len(ts["answer"]["chips"]) <= 4


@pytest.mark.parametrize(("restaurant", "locale"), [("demo", "en-SE"), ("nattbaren", "sv-SE")])
def test_the_port_answers_as_the_python_core(responder, client, restaurant, locale):
    menu = client.get("/api/public/menu", params={"restaurantId": restaurant}).json()
    turns: list[dict[str, Any]] = [{"message": c["message"], **({"previous": c["previous"]} if "previous" in c else {})}
                                   for c in table.CASES]
    turns += [{"message": m} for m in corpus()]
    # follow-ups: each message refines the constraints of the one before, as in a conversation
    previous = None
    for message in corpus()[::5]:
        turns.append({"message": message, **({"previous": previous} if previous else {})})
        previous = python_turn(menu, message, previous, locale)["constraints"]
    mismatches = []
    for turn, ts in zip(turns, run_ts(responder, menu, locale, turns), strict=True):
        py = python_turn(menu, turn["message"], turn.get("previous"), locale)
        if ts != py:
            mismatches.append((turn, py, ts))
    assert not mismatches, f"{len(mismatches)} of {len(turns)} differ; first: {mismatches[0]}"
    assert len(turns) > 1000
