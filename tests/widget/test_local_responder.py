"""The widget's local responder (widget/src/chat, run under node) against the Python core it ports:
both sides run one whole turn (``shared.chat.turn.turn`` and widget/src/chat/turn.ts) for the same
menu, message, previous constraints, locale, instant and ``forget``, and must give the same body
(reply, suggestions, chips, understood with ``termLabels``, intent, facts) and constraints. Compared:
the shared table (tests/chat/cases.json) with its expectations and invariants; a corpus built from the
vocabulary (every section and every language of ``languages.understood``: phrases alone, negated,
allergy intent, positive requests, exclusions of unknown and non-food words, compounds and embedded
allergen words, ingredients, questions about dishes and the restaurant, prices, random combinations,
follow-ups and ``forget``); the question corpus (tests/chat/questions_corpus.json, with its sessions
and instants); questions about the hours at instants where nattbaren is open, closed, opens the next
day, over the weekend's wrap and in the weeks the clocks change; and the safety corpus
(tests/chat/safety_corpus.json, when present), whose expectations must hold for the port, over the
served payloads of both seed menus."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from shared import vocabulary
from shared.chat.constraints import Constraints, forget_codes
from shared.chat.lexicon import languages
from shared.chat.limits import MAX_REPLY
from shared.chat.turn import Menu, prepare, turn
from tests.chat import test_cases as table

CHAT = Path(__file__).resolve().parents[1] / "chat"
SAFETY = CHAT / "safety_corpus.json"
QUESTIONS: dict[str, Any] = json.loads((CHAT / "questions_corpus.json").read_text(encoding="utf-8"))
NOW = QUESTIONS["defaultNow"]  # a Tuesday lunch in Stockholm: nattbaren open
EU14 = vocabulary.EU14_ORDER
STAFF = ("staff", "personal", "Personal", "personnel")
_PREPARED: dict[int, tuple[dict[str, Any], Menu]] = {}


def prepared(menu: dict[str, Any]) -> Menu:
    """The menu prepared once (the payload is kept so its id is not reused)."""
    if id(menu) not in _PREPARED:
        _PREPARED[id(menu)] = (menu, prepare(menu))
    return _PREPARED[id(menu)][1]


def python_turn(menu: dict[str, Any], message: str, previous: dict[str, Any] | None, locale: str,
                forget: list[str] | None = None, now: str = NOW) -> dict[str, Any]:
    done = turn(prepared(menu), message, Constraints.from_json(previous) if previous is not None else None,
                locale=locale, now=datetime.fromisoformat(now), forget=forget or ())
    selection = done.selection
    return {"constraints": done.constraints.to_json(), "candidates": [i.id for i in selection.candidates],
            "undeclared": selection.undeclared, "excluded": selection.excluded, "answer": done.body}


def words(block: Any) -> list[str]:
    """Every phrase in a vocabulary section, however nested."""
    if isinstance(block, str):
        return [block]
    if isinstance(block, list):
        return [w for item in block for w in words(item)]
    if isinstance(block, dict):
        return [w for key, item in block.items() if not key.startswith("$") and key != "codes" for w in words(item)]
    return []


def per_lang(name: str, *path: str) -> dict[str, list[str]]:
    """A section's phrases by understood language (groups and nested blocks merged)."""
    found: dict[str, list[str]] = {lang: [] for lang in languages()}

    def walk(block: Any) -> None:
        if isinstance(block, list):
            for item in block:
                walk(item)
        elif isinstance(block, dict):
            for key, item in block.items():
                if key in found and isinstance(item, list):
                    found[key] += [str(w) for w in item]
                elif not key.startswith("$") and key != "codes":
                    walk(item)

    section = vocabulary.chat_section(name)
    for key in path:
        section = section[key]
    walk(section)
    return {lang: sorted(set(ws)) for lang, ws in found.items()}


def corpus() -> list[str]:
    sections = ("diets", "dietWords", "allergenWords", "conditions", "negation", "price", "spice", "courses",
                "languageHints", "reset", "allergyIntent", "positive", "exclusion", "notAllergens", "ingredients",
                "questions")
    phrases = sorted({w for name in sections for w in words(vocabulary.chat_section(name))})
    misspelt = sorted(vocabulary.chat_section("misspellings"))
    allergens = sorted({w for name in ("allergenWords", "conditions") for w in words(vocabulary.chat_section(name))})
    messages = [*phrases, *misspelt]
    messages += [f"no {w}" for w in allergens] + [f"{w} free" for w in allergens] + [f"{w}fri" for w in allergens]
    messages += [f"inte {w}, men vegan" for w in allergens[::3]]
    messages += [f"allergic to {w} and eggs!" for w in allergens[::4]]
    rng = random.Random(20261123)
    fillers = ["please", "and", "or", "but", "I'm", "something", "under", "100", "149,50", "kr", "€15", "1,000",
               "no", "not", "without", ".", "?", "!", "utan", "men", "Crème-brûlée", "don't", "vgean", "nöt-fri",
               "kiwi", "onions", "Erdnussbutter", "Haselnuss", "milkshake", "thanks", "kiwi-free", "x"]
    pool = phrases + misspelt + fillers
    for _ in range(400):
        messages.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 7))))
    return messages + language_corpus() + unicode_corpus()


def unicode_corpus() -> list[str]:
    """Text where JavaScript and Python could part: case folding (ß, ς, ᾳ, Cherokee), compatibility
    forms (ﬁ, fullwidth digits, mathematical letters), combining marks with and without a combining
    class (Devanagari), letters outside the BMP, emoji, other whitespace."""
    pieces = ["STRAßE", "Nüsse", "ΟΔΟΣ", "ᾳ", "\u037a", "ᏣᎳᎩ", "ꮳꮃꭹ", "ᲀ", "ﬁsh", "\uff11\uff12\uff10 kr",
              "€\uff11\uff15", "\U0001d427\U0001d42e\U0001d42d\U0001d42c",
              "\U0001d524\U0001d529\U0001d532\U0001d531\U0001d522\U0001d52b",
              "कुछ नहीं", "no कुछ", "without 𠀀𠀀nuts", "glu𠀀ten", "𠀀gluten-free", "😀 vegan", "nu\u0301ts",
              "gluten\u200bfree", "½", "ǰ", "İstanbul", "ŉ", "Ⅻ", "no\u00a0nuts", "no\u2028nuts", "no\u3000eggs",
              "sans arachides", "ohne Nüsse", "bez orzechów", "uten nøtter", "ilman pähkinöitä", "æg", "œufs", "ﬀ"]
    rng = random.Random(20261207)
    out = list(pieces)
    for _ in range(150):
        out.append(" ".join(rng.choice(pieces) for _ in range(rng.randint(2, 4))))
    return out


def cycle(block: dict[str, list[str]], lang: str) -> Iterator[str]:
    """The language's phrases of a section over and over (English ones where it has none)."""
    return itertools.cycle(block[lang] or block["en"] or [""])


def language_corpus() -> list[str]:
    """Per understood language: the allergy phrasings the safety rules read, with compounds and
    embedded allergen words, and random combinations of that language's words."""
    rng = random.Random(20261205)
    allergen = {lang: sorted(set(a) | set(c)) for (lang, a), c in
                zip(per_lang("allergenWords").items(), per_lang("conditions").values(), strict=True)}
    intent, positive, exclusion = per_lang("allergyIntent"), per_lang("positive"), per_lang("exclusion")
    not_food, diet = per_lang("notAllergens"), per_lang("dietWords")
    before, after = per_lang("negation", "before"), per_lang("negation", "after")
    hints, courses = per_lang("languageHints"), per_lang("courses")
    out: list[str] = []
    for lang in languages():
        intents, positives, exclusions, afters, befores = (cycle(block, lang) for block in
                                                           (intent, positive, exclusion, after, before))
        for a in allergen[lang]:
            solid = a.replace(" ", "")
            out += [f"{solid}allergie", f"{solid}frei", f"xx{solid}", f"{solid}xx", f"{solid}{next(afters)}",
                    f"{a}-{next(afters)}", f"{next(intents)} {a}", f"{next(positives)} {a}", f"{next(positives)} {a}, "
                    f"{next(intents)}", f"{next(exclusions)} {a}", f"{next(befores)} {a} {next(positives)} {a}",
                    f"{a.upper()}!", f"{solid[:-1]}{solid[-1] * 2}" if len(solid) > 4 else solid]
        for w in intent[lang]:
            out += [w, f"{w}: kiwi", f"{w} {rng.choice(allergen[lang] or allergen['en'])}"]
        for w in exclusion[lang]:
            out += [f"{w} kiwi", f"{w} {rng.choice(not_food[lang] or not_food['en'])}", f"{w} and the onions",
                    f"{w} {rng.choice(hints[lang] or hints['en'])} mango"]
        for w in not_food[lang]:
            out += [f"no {w}", f"{w} {next(afters)}", f"{w}-free"]
        for w in positive[lang]:
            out += [f"{w} {rng.choice(allergen[lang] or allergen['en'])}", f"{w} kiwi"]
        for w in diet[lang]:
            out += [w, f"{next(exclusions)} {w}", f"{w} {next(exclusions)} {rng.choice(allergen[lang] or ['x'])}"]
        out += [f"kiwi {w}" for w in after[lang]] + [f"kiwi{w}" for w in after[lang]]
        pool = [w for block in (allergen, intent, positive, exclusion, not_food, diet, before, after, hints, courses)
                for w in block[lang]] + ["kiwi", "100", "kr", ".", "!", "mango", "x"]
        for _ in range(60):
            out.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 6))))
    return out


def dish_corpus(menu: dict[str, Any]) -> list[str]:
    """Questions about the menu's dishes (names whole, lower-cased, inflected, cut, misspelt, one word
    of them, with an article) and its ingredients, in the languages the replies are written in."""
    rng = random.Random(20261208)
    names = [item["name"] for section in menu["sections"] for item in section["items"]]
    ingredients = per_lang("ingredients")
    asks = ["Is the {} vegan?", "Does the {} contain nuts or gluten?", "what's in the {}", "is {} spicy?",
            "Innehåller {} mjölk?", "Ist {} glutenfrei?", "{} sans gluten ?", "¿{} lleva huevo?", "{}",
            "does the {} have {}", "Är {} vegansk", "I'd like the {} please", "tell me about {}"]
    out: list[str] = []
    for name in names:
        parts = name.split()
        longest = max(parts, key=len)
        forms = [name, name.lower(), f"{longest}en", f"{longest}s", longest[:-1], longest[:2] + longest[3:],
                 longest[:3] + longest[4] + longest[3] + longest[5:] if len(longest) > 5 else longest, parts[-1]]
        for form in forms:
            template = rng.choice(asks)
            out.append(template.format(form, rng.choice(ingredients["en"])) if template.count("{}") == 2
                       else template.format(form))
    for lang in ("en", "sv", "de", "fr", "es"):
        for word in ingredients[lang][::3]:
            out += [f"with {word}", f"{word}?", f"no {word} please", f"I'm allergic to {word}", f"utan {word}",
                    f"something with {word} and {rng.choice(ingredients[lang])}, no {rng.choice(ingredients[lang])}",
                    f"mit {word}", f"sans {word}", f"{word}allergi", f"the {word}"]
    return out


def conversations() -> list[list[str]]:
    """Follow-up chains: an allergy question stays asked until an allergen is named (or a reset)."""
    intent, allergen = per_lang("allergyIntent"), per_lang("allergenWords")
    reset = per_lang("reset")
    chains = [["I have an allergy", "what do you have?", "something vegan", "nuts", "and gluten", "start over"],
              ["something with chicken", "no onion", "is the curry spicy?", "with tofu instead",
               "what do you recommend?"],
              ["I'm allergic to garlic", "what's good?", "start over", "are you open?", "the meatballs?"],
              ["no onions please", "anything cheap?", "I can't have milk"],
              ["extra nuts please", "I'm allergic", "sesame"], ["allergic to kiwi", "no rush", "börja om", "vegan"]]
    for lang in languages():
        if intent[lang] and allergen[lang]:
            chains.append([intent[lang][0], "x", allergen[lang][0], *reset[lang][:1], intent[lang][-1],
                           allergen[lang][-1]])
    return chains


@pytest.fixture(scope="module")
def responder(node_entry):
    return node_entry("chat-cases")


def run_ts(responder, menu: dict[str, Any], locale: str, turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = responder({"menu": menu, "locale": locale, "now": NOW, "turns": turns})
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
        if ts["answer"]["intent"] in ("suggest", "recommend", "ingredients"):  # a list of dishes
            assert (2 <= len(suggestions) <= 4) if n >= 2 else len(suggestions) == n, case["message"]
        for s in suggestions:
            section, item = items[s["itemId"]]
            assert not table.violates(section, item, c) and s["reason"], case["message"]
            assert (s["name"], s["priceCents"]) == (item["name"], item["priceCents"])
        assert 0 < len(reply) <= MAX_REPLY
        if c.allergy or ts["undeclared"] or (not suggestions and ts["answer"]["intent"] != "info"):
            assert any(word in reply for word in table.STAFF), case["message"]
        assert 2 <= len(ts["answer"]["chips"]) <= 4 or ts["answer"]["intent"] == "info"


def compare(responder, menu: dict[str, Any], locale: str, turns: list[dict[str, Any]]) -> None:
    """Every turn gives the same answer in the port as in the Python core (the turn's own ``now``, else
    ``NOW``)."""
    mismatches, crashes = [], []
    for one, ts in zip(turns, run_ts(responder, menu, locale, turns), strict=True):
        try:
            py = python_turn(menu, one["message"], one.get("previous"), locale, one.get("forget"), one.get("now", NOW))
        except KeyError as exc:  # a language listed as understood or replied in, without its words
            crashes.append((one["message"], f"KeyError: {exc}"))
            continue
        if ts != py:
            mismatches.append((one, py, ts))
    assert not mismatches, f"{len(mismatches)} of {len(turns)} differ; first: {differences(*mismatches[0])}"
    assert not crashes, (f"the Python core raises on {len(crashes)} of {len(turns)} (shared/vocabulary.json "
                         f"incomplete?); the port answered them all; first: {crashes[:3]}")


def differences(one: dict[str, Any], py: dict[str, Any], ts: dict[str, Any]) -> str:
    """Where the two answers to one turn part: the turn, then each differing field, Python's first."""
    lines = [f"turn {one!r}"]
    for key, value in py.items():
        if key == "answer":
            lines += [f"  answer.{k}:\n    python: {value.get(k)!r}\n    port:   {ts[key].get(k)!r}"
                      for k in sorted(set(value) | set(ts[key])) if value.get(k) != ts[key].get(k)]
        elif value != ts.get(key):
            lines.append(f"  {key}:\n    python: {value!r}\n    port:   {ts.get(key)!r}")
    return "\n".join(lines)


def follow_ups(menu: dict[str, Any], locale: str, messages: list[str], now: str | None = None) -> list[dict[str, Any]]:
    """Each message as a follow-up of the one before, with the Python core's constraints as previous."""
    turns: list[dict[str, Any]] = []
    previous = None
    for message in messages:
        turns.append({"message": message, **({"previous": previous} if previous else {}),
                      **({"now": now} if now else {})})
        previous = python_turn(menu, message, previous, locale, now=now or NOW)["constraints"]
    return turns


BASE = {("demo", "en-SE"), ("nattbaren", "sv-SE")}
MENUS = [("demo", "en-SE", None), ("nattbaren", "sv-SE", None), ("demo", "de-DE", "EUR"), ("demo", "fr-FR", "EUR"),
         ("demo", "fi-FI", "USD"), ("nattbaren", "es", "GBP")]


@pytest.fixture(params=MENUS, ids=[f"{r}-{loc}-{cur or 'own'}" for r, loc, cur in MENUS])
def served(request, client) -> tuple[dict[str, Any], str]:
    restaurant, locale, currency = request.param
    menu = client.get("/api/public/menu", params={"restaurantId": restaurant}).json()
    if currency:
        menu = {**menu, "restaurant": {**menu["restaurant"], "currency": currency}}
    return menu, locale


def test_the_port_answers_as_the_python_core(responder, served):
    menu, locale = served
    turns: list[dict[str, Any]] = [{"message": c["message"], **({"previous": c["previous"]} if "previous" in c else {})}
                                   for c in table.CASES]
    # the whole corpus on the seed menus as served; on the others (locales and currencies that change
    # only the wording and the prices) every fourth message, which keeps the suite's time in bounds
    messages = corpus() if (menu["restaurant"]["slug"], locale) in BASE else corpus()[::4]
    messages += dish_corpus(menu)
    turns += [{"message": m} for m in messages]
    # follow-ups: each message refines the constraints of the one before, as in a conversation
    turns += follow_ups(menu, locale, messages[::5])
    for chain in conversations():
        turns += follow_ups(menu, locale, chain)
    # forget: the diner takes part of the reading back (after the message is read)
    rng = random.Random(20261206)
    codes = sorted(forget_codes())
    for one in turns[::7]:
        turns.append({**one, "forget": rng.sample(codes, rng.randint(1, 4))})
    turns += [{"message": "no nuts, vegan starters under 100 kr, not spicy, cheapest",
               "forget": ["allergen:nuts", "allergen:peanuts", "diet:vegan", "course:starter", "maxPrice", "cheapest",
                          "spicy"]},
              {"message": "gluten", "previous": {"avoid": ["milk"], "askAllergen": True},
               "forget": ["allergen:gluten"]}]
    compare(responder, menu, locale, turns)
    assert len(turns) > 3000


def question_turns(menu: dict[str, Any], locale: str) -> list[dict[str, Any]]:
    """The question corpus, every entry on this menu: its earlier turns first, at its instant."""
    turns: list[dict[str, Any]] = []
    for entry in QUESTIONS["questions"]:
        turns += follow_ups(menu, locale, [*entry.get("previous", []), entry["message"]], entry.get("now"))
    return turns


@pytest.mark.parametrize(("restaurant", "locale"), sorted(BASE))
def test_the_question_corpus_gets_the_python_answers(responder, client, restaurant, locale):
    menu = client.get("/api/public/menu", params={"restaurantId": restaurant}).json()
    turns = question_turns(menu, locale)
    rng = random.Random(20261209)
    codes = sorted(forget_codes())
    turns += [{**one, "forget": rng.sample(codes, rng.randint(1, 3))} for one in turns[::9]]
    compare(responder, menu, locale, turns)


# Instants (Stockholm: CET +01:00, CEST +02:00 from 29 March to 25 October 2026) where nattbaren (lunch
# Tue-Fri 11:30-14:00, evenings Tue-Sat from 17:00, Friday and Saturday past midnight to 02:00) is open,
# closed, about to open the next day, open over the night into Sunday, closed from Sunday to Tuesday,
# and around the changes of the clocks (the night of the change and the week after).
INSTANTS = ["2026-12-08T12:30:00+01:00", "2026-12-08T14:00:00+01:00", "2026-12-08T16:59:00+01:00",
            "2026-12-08T22:30:00+01:00", "2026-12-07T23:45:00+01:00", "2026-12-07T00:10:00+01:00",
            "2026-12-11T23:30:00+01:00", "2026-12-12T01:59:00+01:00", "2026-12-12T02:00:00+01:00",
            "2026-12-13T01:30:00+01:00", "2026-12-13T03:00:00+01:00", "2026-12-13T23:59:00+01:00",
            "2026-12-10T22:59:00+01:00", "2026-12-10T23:00:00+01:00",
            "2026-03-28T23:30:00+01:00", "2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z",
            "2026-03-30T10:00:00Z", "2026-03-31T09:29:00Z", "2026-03-31T09:30:00Z", "2026-03-27T23:59:00Z",
            "2026-10-24T23:59:00Z", "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z",
            "2026-10-26T16:00:00Z", "2026-10-27T10:30:00Z", "2026-10-23T22:59:00Z"]
# Weekly hours beside the seed's: a Sunday night into Monday's early hours and a Monday lunch (the
# wrap merges), touching ranges, round the clock, one day only, none, and unusable ones.
HOURS: list[tuple[str, Any]] = [
    ("Europe/Stockholm", {"sun": [["20:00", "24:00"]], "mon": [["00:00", "02:00"], ["11:00", "14:00"]]}),
    ("Europe/Stockholm", {"sat": [["23:00", "24:00"]], "sun": [["00:00", "02:00"], ["02:00", "05:00"]]}),
    ("Europe/Stockholm", {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}),
    ("America/New_York", {"wed": [["09:00", "17:00"]]}),
    ("Europe/Stockholm", {}),
    ("Mars/Olympus_Mons", {"mon": [["09:00", "17:00"]]}),
    ("Europe/Stockholm", {"mon": [["9", "17:00"]]}),
]
HOUR_QUESTIONS = ["Are you open now?", "What are your opening hours?", "Har ni öppet nu?", "När öppnar ni?",
                  "Wann habt ihr geöffnet?", "¿Estáis abiertos?", "Êtes-vous ouverts ?", "can I order ahead?",
                  "do you deliver? what's your address and phone number?", "öppettider och telefon"]


def test_the_hours_answer_as_in_python(responder, client):
    base = client.get("/api/public/menu", params={"restaurantId": "nattbaren"}).json()
    questions = HOUR_QUESTIONS + [e["message"] for e in QUESTIONS["questions"] if e.get("intent") == "info"][::3]
    for timezone, hours in [(base["restaurant"]["timezone"], base["restaurant"]["hours"]), *HOURS]:
        menu = {**base, "restaurant": {**base["restaurant"], "timezone": timezone, "hours": hours}}
        compare(responder, menu, "sv-SE", [{"message": q, "now": now} for now in INSTANTS for q in questions])


def safety_corpus() -> list[dict[str, Any]]:
    if not SAFETY.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(SAFETY.read_text(encoding="utf-8"))["messages"]
    return cases


def allergen_labels(code: str) -> set[str]:
    return {label.casefold() for label in vocabulary.labels("allergens", code).values()}


def problems(case: dict[str, Any], ts: dict[str, Any], earlier: frozenset[str] | None = None) -> list[str]:
    """How an answer to a safety-corpus message breaks its expectations (tests/chat/test_safety_corpus);
    as a follow-up, the allergens avoided ``earlier`` must stay avoided."""
    c, out = Constraints.from_json(ts["constraints"]), ts["answer"]
    expected = set(case["avoid"]) | (earlier or set())
    found: list[str] = []
    if missing := expected - c.avoid:
        found.append(f"not avoided: {sorted(missing)}")
    if wrongly := set(case["notAvoid"]) & c.avoid:
        found.append(f"avoided although asked for: {sorted(wrongly)}")
    if earlier is None:
        if "diets" in case and c.diets != set(case["diets"]):
            found.append(f"diets {sorted(c.diets)} != {sorted(case['diets'])}")
        # an allergy the vocabulary knows is outside the EU-14 (kiwi, garlic) is kept as an avoid-term and
        # nothing is suggested, which is as safe as asking (tests/chat/test_safety_corpus.py)
        if c.ask_allergen != case["ask"] and not (case["ask"] and c.avoid_terms):
            found.append(f"askAllergen {c.ask_allergen} != {case['ask']}")
    if c.avoid_terms and out["suggestions"]:
        found.append("UNSAFE: an allergy outside the EU-14 but suggests")
    for s in out["suggestions"]:
        if bad := set(s["allergens"]) & (c.avoid | expected):
            found.append(f"UNSAFE: suggested {s['name']!r} with {sorted(bad)}")
        if (c.avoid or c.ask_allergen or expected) and not s["allergensDeclared"]:
            found.append(f"UNSAFE: suggested {s['name']!r} with undeclared allergens")
    if c.ask_allergen:
        if out["suggestions"]:
            found.append("asks which allergen but suggests")
        chips = {chip.casefold() for chip in out["chips"]}
        if missing_chips := [code for code in EU14 if code not in c.avoid and not allergen_labels(code) & chips]:
            found.append(f"ask chips lack {missing_chips}")
    if {k: v for k, v in out["understood"].items() if k != "termLabels"} != ts["constraints"]:
        found.append("understood != constraints")
    if (c.avoid or c.avoid_terms) and not any(word in out["reply"] for word in STAFF):
        found.append("reply does not mention the staff")
    return found


def safety_turns(cases: list[dict[str, Any]], menu: dict[str, Any], locale: str) -> list[dict[str, Any]]:
    """Each message alone, then as a follow-up of the message before it in its language."""
    turns: list[dict[str, Any]] = [{"message": case["message"]} for case in cases]
    for k, case in enumerate(cases):
        same = [m for m in cases if m["lang"] == case["lang"]]
        earlier = same[same.index(case) - 1]
        turns.append({"message": case["message"], "previous": python_turn(menu, earlier["message"], None, locale)[
            "constraints"], "case": k})
    return turns


@pytest.mark.skipif(not SAFETY.exists(), reason="tests/chat/safety_corpus.json is not there yet")
def test_the_safety_corpus_gets_the_python_answers(responder, served):
    menu, locale = served
    cases = safety_corpus()
    turns = [{k: v for k, v in t.items() if k != "case"} for t in safety_turns(cases, menu, locale)]
    compare(responder, menu, locale, turns)


@pytest.mark.skipif(not SAFETY.exists(), reason="tests/chat/safety_corpus.json is not there yet")
def test_the_safety_expectations_hold_for_the_port(responder, client):
    menu = client.get("/api/public/menu", params={"restaurantId": "demo"}).json()
    cases = safety_corpus()
    turns = safety_turns(cases, menu, "en-SE")
    results = run_ts(responder, menu, "en-SE", [{k: v for k, v in t.items() if k != "case"} for t in turns])
    failures = []
    for one, ts in zip(turns, results, strict=True):
        if "case" in one:
            case, earlier = cases[one["case"]], Constraints.from_json(one["previous"]).avoid
        else:
            case, earlier = next(c for c in cases if c["message"] == one["message"]), None
        found = problems(case, ts, earlier)
        if found:
            try:
                py = python_turn(menu, one["message"], one.get("previous"), "en-SE")
                python = "python too" if problems(case, py, earlier) else "PORT ONLY"
            except KeyError as exc:
                python = f"python raises KeyError {exc}"
            failures.append((case["lang"], case["message"], "follow-up" if "case" in one else "alone", found,
                             python))
    failures.sort(key=lambda f: f[-1] != "PORT ONLY")
    # where the Python turn misses too, the port answers as it does (the comparison tests hold the port to
    # that): tests/chat are the place for the Python core's own expectations. Such a miss, when this was
    # written: the dish finder reads "latte" in "il latte mi fa male" (milk) as the demo menu's "Oat
    # latte" and takes the word out of the reading, so milk is not avoided.
    port_only = [f for f in failures if f[-1] != "python too"]
    assert not port_only, f"{len(port_only)} of {len(turns)}: {port_only[:20]}"
