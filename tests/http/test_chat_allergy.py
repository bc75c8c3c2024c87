"""POST /api/chat and allergies, end to end through the app: the messages of the issue that reported
them, the question when no allergen is recognised, ``understood`` and ``forget``, allergens on the
cards."""

from __future__ import annotations

import pytest

from shared import vocabulary
from tests.http.test_chat import CHAT, ask, menu_items

NP = ["peanuts", "nuts"]
# (message, allergens that must be avoided): every message quoted in the issue
REPORTED = [
    ("Allergies: nuts. Dessert?", NP), ("allergy: gluten. mains?", ["gluten"]), ("alergic to nuts", NP),
    ("anaphylactic to nuts", NP), ("sensitive to nuts", NP), ("epipen for nuts", NP), ("nuts make me sick", NP),
    ("milk makes me sick", ["milk"]), ("I react to mustard", ["mustard"]), ("Allergy: soy", ["soybeans"]),
    ("Ich vertrage keine Milch", ["milk"]), ("glutenfrei bitte", ["gluten"]), ("Sojaallergie", ["soybeans"]),
    ("sans gluten s'il vous plaît", ["gluten"]), ("je suis intolérant au lactose", ["milk"]),
]


def assert_safe(client, body, avoid):
    items = menu_items(client)
    assert set(avoid) <= set(body["understood"]["avoid"])
    for s in body["suggestions"]:
        item = items[s["itemId"]]
        assert item["allergensDeclared"] and not set(item["allergens"]) & set(body["understood"]["avoid"]), s
        assert (s["allergens"], s["allergensDeclared"]) == (item["allergens"], True)


@pytest.mark.parametrize(("message", "avoid"), REPORTED, ids=[m for m, _ in REPORTED])
def test_every_reported_phrasing_is_avoided_and_said(client, message, avoid):
    r = ask(client, message)
    assert r.status_code == 200
    body = r.json()
    assert_safe(client, body, avoid)
    assert body["suggestions"], "an answerable message gets a safe suggestion"
    lang = body["understood"]["language"] or "en"
    label = vocabulary.labels("allergens", avoid[0])[lang]
    assert label in body["reply"]  # the "Avoiding: …" line, in the diner's language
    assert any(w in body["reply"] for w in ("staff", "Personal", "personnel", "personal"))


def test_an_allergy_outside_the_eu14_suggests_nothing_and_says_only_the_14_are_declared(client):
    body = ask(client, "I'm allergic to kiwi", token="session-kiwi").json()
    assert body["suggestions"] == [] and body["understood"]["avoidTerms"] == ["kiwi"]
    assert body["intent"] == "undeclaredAllergen" and body["facts"] == {"terms": ["kiwi"]}
    assert "14 EU allergens" in body["reply"] and "staff" in body["reply"]
    later = ask(client, "anything vegan?", token="session-kiwi").json()  # kept for later turns
    assert later["suggestions"] == [] and later["understood"]["avoidTerms"] == ["kiwi"]


def test_an_allergy_without_a_known_allergen_asks_with_every_allergen_as_a_chip(client):
    body = ask(client, "I'm allergic to lychee", token="session-lychee").json()
    assert body["suggestions"] == [] and body["understood"]["askAllergen"]
    assert "Which allergen" in body["reply"] and "staff" in body["reply"]
    labels = [vocabulary.labels("allergens", a)["en"] for a in vocabulary.EU14_ORDER]
    assert body["chips"][:14] == labels and body["chips"][14] == "Start over"
    # a follow-up that names no allergen is asked again; tapping a chip answers the question
    assert ask(client, "desserts?", token="session-lychee").json()["suggestions"] == []
    answered = ask(client, "Sesame", token="session-lychee").json()
    assert answered["understood"]["avoid"] == ["sesame"] and not answered["understood"]["askAllergen"]
    assert_safe(client, answered, ["sesame"])
    assert answered["suggestions"]


def test_a_question_in_german_is_asked_in_german(client):
    body = ask(client, "Ich habe eine Allergie", token="session-de-ask").json()
    assert body["understood"]["askAllergen"] and body["understood"]["language"] == "de"
    assert body["chips"][0] == vocabulary.labels("allergens", "gluten")["de"]
    assert body["reply"].startswith(vocabulary.chat_section("replies")["de"]["ask"])


def test_forget_takes_back_a_chip_and_the_context_keeps_it_taken_back(client):
    first = ask(client, "no nuts please", token="session-forget").json()
    assert first["understood"]["avoid"] == NP
    r = client.post(CHAT, json={"restaurantId": "demo", "sessionToken": "session-forget", "message": "no nuts please",
                                "forget": ["allergen:nuts"]})
    assert r.status_code == 200 and r.json()["understood"]["avoid"] == ["peanuts"]
    later = ask(client, "desserts?", token="session-forget").json()
    assert later["understood"]["avoid"] == ["peanuts"] and later["understood"]["courses"] == ["dessert"]


@pytest.mark.parametrize("forget", [["allergen:kiwi"], ["nuts"], "allergen:nuts", [1], ["spicy"] * 33])
def test_a_bad_forget_is_a_422_and_changes_nothing(client, forget):
    r = client.post(CHAT, json={"restaurantId": "demo", "sessionToken": "session-bad-forget", "message": "hi",
                                "forget": forget})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION_ERROR" and "forget" in r.text
