"""POST /api/chat against hostile model answers (the real openai client, a scripted server): the model
can only narrow what the code allows, and none of its bad text reaches the diner."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from shared import vocabulary
from shared.chat.constraints import parse
from shared.kv.memory import MemoryKV
from tests.support.openai_server import Behaviour, scripted_openai

SOY = "Anything vegan? 大豆アレルギーがあります"  # "I have a soy allergy": the parser cannot read it, a model can
SOY_DISH = "Green curry with tofu"  # vegan, contains soybeans (and peanuts)


@pytest.fixture(scope="module")
def openai_fake():
    with scripted_openai() as (fake, url):
        yield fake, url


@pytest.fixture
def ai_app(app_for, openai_fake):
    fake, url = openai_fake
    fake.reset()
    built = []

    def build(**env):
        settings = {"OPENAI_API_KEY": "sk-test-not-a-real-key-000000", "OPENAI_BASE_URL": url,
                    "OPENAI_TIMEOUT_SECONDS": "0.5", "OPENAI_MAX_RETRIES": "0", **env}
        client, container = app_for(**settings)
        built.append(container)
        return client, fake

    yield build
    for container in built:  # the model clients only: the store is the session's
        if container._ai is not None:
            container._ai.close()


def ask(client, message, token="hostile-session-01"):
    r = client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": token, "message": message})
    assert r.status_code == 200
    return r.json()


class Turns:
    """The outcome codes of the chat turns logged since the last call (from the JSON log lines)."""

    def __init__(self, lines) -> None:
        self._lines, self._seen = lines, 0

    def __call__(self) -> list[str]:
        turns = [line["outcome"] for line in self._lines() if line.get("msg") == "chat turn"]
        new, self._seen = turns[self._seen:], len(turns)
        return new

    def text(self) -> str:
        return " ".join(str(line) for line in self._lines())


@pytest.fixture
def turns(log_lines) -> Turns:
    return Turns(log_lines)


def menu_items(client) -> dict[str, dict[str, Any]]:
    body = client.get("/api/public/menu", params={"restaurantId": "demo"}).json()
    return {i["id"]: i for s in body["sections"] for i in s["items"]}


def ids(menu: dict[str, dict[str, Any]], *names: str) -> tuple[str, ...]:
    by_name = {i["name"]: i["id"] for i in menu.values()}
    return tuple(by_name[n] for n in names)


def names(body: dict[str, Any]) -> set[str]:
    return {s["name"] for s in body["suggestions"]}


def assert_safe(body: dict[str, Any], menu: dict[str, dict[str, Any]], *, avoid: set[str],
                diets: frozenset[str] | set[str] = frozenset(), banned: tuple[str, ...] = ()) -> None:
    """No suggestion with an avoided or undeclared allergen or outside the diets; no banned text shown."""
    assert body["suggestions"], body
    for s in body["suggestions"]:
        item = menu[s["itemId"]]
        assert not avoid & set(item["allergens"]), s
        if avoid:
            assert item["allergensDeclared"] is True, s
        assert all(d in item["tags"] for d in diets), s  # vegan here: the tag itself
    shown = " ".join([body["reply"], *(s["reason"] for s in body["suggestions"])]).casefold()
    for text in banned:
        assert text.casefold() not in shown, text


# -- the model's reading narrows -------------------------------------------------------------------------

def test_an_allergen_only_the_model_read_narrows_the_picks_and_is_kept_for_later_turns(ai_app, turns):
    assert "soybeans" not in parse(SOY).avoid and not parse(SOY).ask_allergen  # the premise
    kv = MemoryKV()
    client, fake = ai_app(kv=kv)
    menu = menu_items(client)
    fake.script(Behaviour("good", count=4, reply="Some vegan ideas for you.",
                          understood={"diets": ["vegan"], "avoid": ["soybeans"]}))
    body = ask(client, SOY)
    assert SOY_DISH in str(fake.requests[-1]["messages"][1]["content"])  # the code alone offered it
    assert turns() == ["ai"] and body["source"] == "ai"
    assert SOY_DISH not in names(body) and len(body["suggestions"]) == 3
    assert_safe(body, menu, avoid={"soybeans"}, diets={"vegan"})
    assert body["understood"]["avoid"] == ["soybeans"] and body["understood"]["diets"] == ["vegan"]
    soy = vocabulary.labels("allergens", "soybeans")["en"]
    assert body["reply"].startswith("Some vegan ideas for you. ")
    assert f"Avoiding: {soy}." in body["reply"] and "confirm with the staff" in body["reply"]
    (context,) = [orjson.loads(kv.get(k)) for k in list(kv._data) if k.startswith("chat:ctx:")]
    assert context["constraints"]["avoid"] == ["soybeans"]

    # next turn: the model is gone (degraded), the parser reads nothing new; soy stays avoided
    degraded, _ = ai_app(kv=kv, AI_DEGRADED_MODE="true")
    later = ask(degraded, "Anything else?")
    assert turns() == ["fallback:degraded"]
    assert later["understood"]["avoid"] == ["soybeans"]
    assert_safe(later, menu, avoid={"soybeans"}, diets={"vegan"})


def test_a_narrowing_that_leaves_too_few_picks_falls_back_for_the_narrowed_reading(ai_app, turns):
    client, fake = ai_app()
    menu = menu_items(client)
    fake.script(Behaviour("picks", ids=ids(menu, SOY_DISH, "Roasted tomato soup"),
                          understood={"diets": [], "avoid": ["soybeans"]}))
    body = ask(client, SOY)
    assert turns() == ["fallback:narrowed"] and body["source"] == "fallback"
    assert body["understood"]["avoid"] == ["soybeans"]
    assert_safe(body, menu, avoid={"soybeans"}, diets={"vegan"})


def test_a_model_that_fails_after_reading_still_narrows_the_fallback(ai_app, turns):
    client, fake = ai_app()
    menu = menu_items(client)
    fake.script("status_500")
    plain = ask(client, SOY, token="hostile-session-plain")  # the un-narrowed fallback offers the curry
    assert turns() == ["fallback:server_error"] and SOY_DISH in names(plain)
    fake.script(Behaviour("ids_outside", ids=("meatballs",), understood={"diets": [], "avoid": ["soybeans"]}))
    body = ask(client, SOY)
    assert turns() == ["fallback:no_valid_picks"]
    assert body["understood"]["avoid"] == ["soybeans"]
    assert_safe(body, menu, avoid={"soybeans"}, diets={"vegan"})


def test_unknown_codes_in_the_models_reading_are_malformed(ai_app, turns):
    client, fake = ai_app()
    fake.script(Behaviour("good", understood={"diets": [], "avoid": ["kiwi"]}))
    body = ask(client, "Anything vegan?")
    assert turns() == ["fallback:malformed"] and body["source"] == "fallback"
    assert body["understood"]["avoid"] == []


def test_the_model_cannot_widen_the_reading(ai_app):
    client, fake = ai_app()
    menu = menu_items(client)
    fake.script(Behaviour("good", understood={"diets": [], "avoid": []}))  # reads nothing: nothing is dropped
    body = ask(client, "Anything vegan without nuts?")
    assert body["source"] == "ai" and body["understood"]["avoid"] == ["peanuts", "nuts"]
    assert_safe(body, menu, avoid={"nuts", "peanuts"}, diets={"vegan"})


# -- hostile text ------------------------------------------------------------------------------------------

HOSTILE = [
    pytest.param(Behaviour("ids_outside", ids=("meatballs", "kladdkaka"), include_valid=True), "fallback:too_few_picks",
                 (), id="picks-unknown-ids"),
    pytest.param(Behaviour("good", reply="The Swedish meatballs are vegan today!"), "fallback:guard_item",
                 ("meatballs",), id="reply-names-excluded"),
    pytest.param(Behaviour("good", reasons=("Goes well with the swedish MEATBALLS.",)), "fallback:guard_item",
                 ("meatballs",), id="reason-names-excluded"),
    pytest.param(Behaviour("good", reply="All of these are gluten-free!"), "fallback:guard_claim",
                 ("gluten-free",), id="reply-false-claim-en"),
    pytest.param(Behaviour("good", reasons=("Gluten-free and warming.",)), "fallback:guard_claim",
                 ("gluten-free",), id="reason-false-claim-en"),
    pytest.param(Behaviour("good", reasons=("Glutenfri och god.",)), "fallback:guard_claim",
                 ("glutenfri",), id="reason-false-claim-sv"),
    pytest.param(Behaviour("good", reply="Alle Gerichte sind glutenfrei."), "fallback:guard_claim",
                 ("glutenfrei",), id="reply-false-claim-de"),
    pytest.param(Behaviour("good", reply="Everything here is allergen-free."), "fallback:guard_allergen_free",
                 ("allergen-free",), id="reply-blanket-en"),
    pytest.param(Behaviour("good", reasons=("Helt allergifri!",)), "fallback:guard_allergen_free",
                 ("allergifri",), id="reason-blanket-sv"),
    pytest.param(Behaviour("good", reply="Order at https://evil.example/deal for 50% off."), "fallback:guard_url",
                 ("evil.example",), id="reply-url"),
    pytest.param(Behaviour("good", reasons=("Recipe at cheap-eats.com",)), "fallback:guard_url",
                 ("cheap-eats",), id="reason-bare-domain"),
    pytest.param(Behaviour("good", reply="Write to chef@example.com for a table."), "fallback:guard_email",
                 ("chef@",), id="reply-email"),
    pytest.param(Behaviour("good", reply="Call +46 8 123 45 67 to book."), "fallback:guard_phone",
                 ("123 45 67",), id="reply-phone"),
    pytest.param(Behaviour("good", reasons=("Book on (08) 555-1234.",)), "fallback:guard_phone",
                 ("555-1234",), id="reason-phone"),
    pytest.param(Behaviour("echo"), "fallback:guard_echo", ("ONLY items you may suggest", "menu assistant"),
                 id="system-prompt-echoed"),
]


@pytest.mark.parametrize(("behaviour", "outcome", "banned"), HOSTILE)
def test_hostile_answers_end_in_a_safe_fallback(ai_app, turns, behaviour, outcome, banned):
    client, fake = ai_app()
    menu = menu_items(client)
    fake.script(behaviour)
    body = ask(client, "Anything vegan?")
    assert turns() == [outcome] and body["source"] == "fallback"
    assert_safe(body, menu, avoid=set(), diets={"vegan"}, banned=banned)
    logged = turns.text()
    assert all(text.casefold() not in logged.casefold() for text in banned)  # codes only in the logs


def test_picks_of_excluded_items_are_dropped(ai_app, turns):
    client, fake = ai_app()
    menu = menu_items(client)
    excluded = ids(menu, "Swedish meatballs", "Kladdkaka", "Baked salmon")
    fake.script(Behaviour("ids_outside", ids=excluded, include_valid=True))
    body = ask(client, "Anything vegan?")
    assert turns() == ["fallback:too_few_picks"]
    assert_safe(body, menu, avoid=set(), diets={"vegan"})
    fake.script(Behaviour("ids_outside", ids=excluded, include_valid=True), "good")
    assert not set(excluded) & {s["itemId"] for s in ask(client, "Anything vegan?")["suggestions"]}


def test_hostile_answers_with_allergens_in_play_keep_every_allergen_out(ai_app, turns):
    client, fake = ai_app()
    menu = menu_items(client)
    fake.script(Behaviour("ids_outside", ids=ids(menu, SOY_DISH, "Burrata and peaches", "Chef's daily special"),
                          include_valid=True, reply="The Green curry with tofu is nut-free!"))
    body = ask(client, "Anything without nuts?")
    assert turns() == ["fallback:too_few_picks"]
    assert_safe(body, menu, avoid={"nuts", "peanuts"}, banned=("green curry",))
    fake.script(Behaviour("picks", ids=ids(menu, "Raspberry sorbet", "Hummus with crudités"),
                          reply="The Green curry with tofu is nut-free!"))
    body = ask(client, "Anything without nuts?")
    assert turns() == ["fallback:guard_item"]
    assert_safe(body, menu, avoid={"nuts", "peanuts"}, banned=("green curry",))


def test_claims_the_data_supports_and_prices_pass(ai_app):
    client, fake = ai_app()
    fake.script(Behaviour("picks", ids=ids(menu_items(client), "Raspberry sorbet", "Lingonberry soda"),
                          reasons=("Nut-free and fruity.", "Fizzy."),
                          reply="Both are nut-free; the sorbet is 65 kr."))
    body = ask(client, "Anything vegan without nuts?")
    assert body["source"] == "ai"
    assert [s["reason"] for s in body["suggestions"]] == ["Nut-free and fruity.", "Fizzy."]
    assert body["reply"].startswith("Both are nut-free; the sorbet is 65 kr. Avoiding: ")
    assert "confirm with the staff" in body["reply"]
