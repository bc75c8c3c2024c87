"""The deterministic responder: the chat's answer without a model, in the API's response shape.

Names, prices and allergens come only from the candidates (the menu). Up to three suggestions, spread
over sections unless the diner asked for the cheapest; an honest sentence and no suggestions when
nothing fits. When the message was allergy-related but named no allergen, a question and the
allergens as chips instead. Every answer carries ``understood`` (the constraints as codes) and, in
its reply, the ``notes``: what is avoided, how many undeclared dishes were left out, and the
staff-confirmation sentence whenever allergens are in play. Sentences come from the vocabulary's
``replies`` (English, Swedish, German, French, Spanish); a diner writing another understood language
gets English sentences with the allergen names of their language.
"""

from __future__ import annotations

import math
from typing import Any, Final

from shared import vocabulary
from shared.chat.candidates import Item, Selection
from shared.chat.constraints import Constraints
from shared.chat.limits import MAX_REPLY, MAX_SUGGESTIONS

_COURSE_ORDER: Final = ("dessert", "drink", "main", "starter", "side")
_CAPITALISED_NOUNS: Final = frozenset({"de"})  # languages whose labels keep their capital inside a sentence
_SYMBOL_BEFORE: Final = {"EUR": "€", "USD": "$", "GBP": "£"}
_KRONOR: Final = frozenset({"SEK", "NOK", "DKK", "ISK"})


def format_price(cents: int, currency: str, lang: str) -> str:
    """Two-decimal currencies; whole amounts without decimals ("89 kr", "€15", "15,50 €"): English
    puts the symbol first with a decimal point, the other languages after with a decimal comma."""
    amount = f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"
    if lang != "en":
        amount = amount.replace(".", ",")
    if currency in _KRONOR:
        return f"{amount} kr"
    symbol = _SYMBOL_BEFORE.get(currency)
    if symbol is None:
        return f"{amount} {currency}"
    return f"{symbol}{amount}" if lang == "en" else f"{amount} {symbol}"


def text(lang: str) -> dict[str, str]:
    texts: dict[str, str] = vocabulary.chat_section("replies")[lang]
    return texts


def _lower(label: str, lang: str) -> str:
    return label if lang in _CAPITALISED_NOUNS else label.lower()


def lowered(labels: list[str], lang: str) -> list[str]:
    """Labels as words inside a sentence (German keeps its capitals)."""
    return [_lower(label, lang) for label in labels]


def join(parts: list[str], t: dict[str, str], word: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + t[word] + parts[-1]


def _allergen_words(codes: frozenset[str], lang: str) -> list[str]:
    """Allergen names, grouped where the vocabulary says so (nuts + peanuts -> "nuts")."""
    left = set(codes)
    words: list[str] = []
    for group in vocabulary.chat_section("avoidGroups"):
        if set(group["codes"]) <= left and lang in group:
            words.append(group[lang])
            left -= set(group["codes"])
    words += [_lower(vocabulary.labels("allergens", a)[lang], lang) for a in vocabulary.EU14_ORDER if a in left]
    return words


def allergen_names(codes: frozenset[str], names: str) -> list[str]:
    """Allergen labels in the regulation's order, in the language ``names``."""
    return [vocabulary.labels("allergens", a)[names] for a in vocabulary.EU14_ORDER if a in codes]


def avoiding(c: Constraints, lang: str, names: str) -> str:
    """The reply's line saying what is avoided ("Avoiding: Tree nuts, Peanuts."), in the reply's
    language ``lang`` with the allergen names of the diner's language ``names``; "" when nothing is."""
    if not c.avoid:
        return ""
    return text(lang)["avoiding"].replace("{list}", ", ".join(allergen_names(c.avoid, names)))


def _describe(c: Constraints, lang: str, currency: str) -> str:
    t = text(lang)
    diets = [vocabulary.chat_section("diets")[d]["label"][lang] for d in sorted(c.diets)]
    courses = vocabulary.chat_section("courses")
    nouns = [courses[k]["label"][lang] for k in _COURSE_ORDER if k in c.courses] or [t["dishes"]]
    adjectives = [join(diets, t)] if diets else []
    if c.spicy is not None:
        adjectives.append(t["spicy" if c.spicy else "mild"])
    noun = join(nouns, t, "or")
    words = [noun, *adjectives] if t["adjectives"] == "after" else [*adjectives, noun]
    if c.avoid:
        words.append(f"{t['without']} {join(_allergen_words(c.avoid, lang), t, 'or')}")
    if c.max_price_cents is not None:
        words.append(f"{t['under']} {format_price(c.max_price_cents, currency, lang)}")
    return " ".join(words)


def _reason(item: Item, c: Constraints, lang: str, currency: str) -> str:
    t = text(lang)
    parts = [_lower(vocabulary.labels("tags", d)[lang], lang) for d in sorted(c.diets)]
    if c.avoid:
        parts.append(f"{t['no']} {join(_allergen_words(c.avoid, lang), t, 'or')}")
    if c.spicy is not None:
        parts.append(_lower(vocabulary.labels("tags", "spicy")[lang], lang) if c.spicy else t["not spicy"])
    if not parts and "popular" in item.tags:
        parts.append(t["popular"])
    return ", ".join([*parts, format_price(item.price_cents, currency, lang)])


def _pick(selection: Selection, c: Constraints, *, favourites: bool, turn: int) -> list[Item]:
    """Up to three: the cheapest or a course's first when asked; else one per section. Favourites
    (``popular``, then ``new``) lead when recommending; a plain open question starts at a place
    that moves with the message (``turn``), so different questions see different dishes."""
    ranked = list(selection.candidates)
    if c.cheapest or c.courses:
        return ranked[:MAX_SUGGESTIONS]
    if favourites:
        ranked.sort(key=lambda i: ("popular" not in i.tags, "new" not in i.tags))
    elif ranked and turn:
        start = turn % len(ranked)
        ranked = ranked[start:] + ranked[:start]
    picked: list[Item] = []
    for item in ranked:  # one per section first, in candidate order
        if len(picked) < MAX_SUGGESTIONS and all(p.section != item.section for p in picked):
            picked.append(item)
    picked += [i for i in ranked if i not in picked][: MAX_SUGGESTIONS - len(picked)]
    return sorted(picked, key=ranked.index)


def chips(selection: Selection, c: Constraints, lang: str, currency: str) -> list[str]:
    chips = vocabulary.chat_section("chips")
    courses = vocabulary.chat_section("courses")
    out: list[str] = []
    if not c.diets:
        out.append(chips["diet"]["vegan"][lang])
    avoid = next((code for code in chips["avoid"] if code not in c.avoid), None)
    if avoid is not None:
        out.append(chips["avoid"][avoid][lang])
    course = next((k for k in _COURSE_ORDER if k not in c.courses), None)
    if course is not None:
        out.append(courses[course]["chip"][lang])
    prices = sorted(i.price_cents for i in selection.candidates)
    if c.max_price_cents is None and len(prices) >= 2:
        major = prices[(len(prices) - 1) // 2] / 100
        step = 50 if major >= 100 else 10 if major >= 20 else 1
        limit = max(step, math.ceil(major / step) * step) * 100
        out.append(chips["under"][lang].replace("{price}", format_price(limit, currency, lang)))
    if not c.cheapest:
        out.append(chips["cheapest"][lang])
    if c.spicy is None:
        out.append(chips["mild"][lang])
    out.append(chips["reset"][lang])
    return out[:4]


def fit(sentences: list[str]) -> str:
    reply = " ".join(s for s in sentences if s)
    return reply if len(reply) <= MAX_REPLY else reply[: MAX_REPLY - 1].rstrip() + "…"


def reply_language(c: Constraints, locale: str) -> str:
    """The diner's language when replies are written in it, else the restaurant's, else English."""
    replies = vocabulary.chat_section("languages")["replies"]
    for lang in (c.language, locale.split("-", 1)[0].lower()):
        if lang in replies:
            return str(lang)
        if lang is not None:
            break  # understood but not written: English, with the diner's allergen names
    return "en"


def names_language(c: Constraints, lang: str) -> str:
    """The language of the allergen names the diner reads: theirs, whenever it is understood."""
    understood = vocabulary.chat_section("languages")["understood"]
    return c.language if c.language is not None and c.language in understood else lang


def listing(items: list[Item], t: dict[str, str], currency: str, lang: str) -> str:
    return join([f"{i.name} ({format_price(i.price_cents, currency, lang)})" for i in items], t)


def notes(selection: Selection, c: Constraints, lang: str, names: str) -> list[str]:
    """What every answer adds after its own words, AI or not: what is avoided, the allergies outside
    the EU-14 that nothing can be called free of, the undeclared dishes left out, what was left out by
    the menu text, and the staff-confirmation sentence whenever allergens are in play."""
    t = text(lang)
    terms = t["terms"].replace("{terms}", term_names(c.avoid_terms, lang, t)) if c.avoid_terms else ""
    undeclared = t["undeclared"].replace("{n}", str(selection.undeclared)) if selection.undeclared else ""
    without = t["excluded"].replace("{terms}", term_names(c.without_terms, lang, t)) if c.without_terms else ""
    caution = t["caution"] if c.allergy or selection.undeclared else ""
    return [s for s in (avoiding(c, lang, names), terms, undeclared, without, caution) if s]


def term_label(key: str, lang: str) -> str:
    """An ingredient key as a word of the reply's language (the vocabulary's first), else English's."""
    for group in vocabulary.chat_section("ingredients")["groups"]:
        if group["key"] == key:
            return str((group.get(lang) or group["en"])[0])
    return key


def term_names(keys: frozenset[str], lang: str, t: dict[str, str]) -> str:
    return join([term_label(k, lang) for k in sorted(keys)], t, "or")


def suggestion(item: Item, reason: str) -> dict[str, Any]:
    """One suggestion card: name, price and allergens from the menu, never from a model."""
    return {"itemId": item.id, "name": item.name, "priceCents": item.price_cents, "reason": reason,
            "allergens": [a for a in vocabulary.EU14_ORDER if a in item.allergens],
            "allergensDeclared": item.allergens_declared}


def _question(c: Constraints, lang: str, names: str) -> dict[str, Any]:
    """Allergy-related, but which allergen? Ask, with every allergen not yet avoided as a chip."""
    chips = [vocabulary.labels("allergens", a)[names] for a in vocabulary.EU14_ORDER if a not in c.avoid]
    return {"reply": fit([text(lang)["ask"], *notes(Selection((), 0, 0), c, lang, names)]), "suggestions": [],
            "chips": [*chips, vocabulary.chat_section("chips")["reset"][lang]], "understood": c.to_json()}


def respond(selection: Selection, c: Constraints, *, currency: str, locale: str, favourites: bool = False,
            turn: int = 0) -> dict[str, Any]:
    """A list of dishes (or the allergen question): ``favourites`` when the diner asked for a
    recommendation; ``turn`` varies where a plain open question starts (see ``_pick``)."""
    lang = reply_language(c, locale)
    names = names_language(c, lang)
    if c.ask_allergen:
        return _question(c, lang, names)
    t = text(lang)
    picked = _pick(selection, c, favourites=favourites, turn=turn)
    desc = _describe(c, lang, currency)
    tail = notes(selection, c, lang, names)
    names_list = listing(picked, t, currency, lang)
    if c.avoid_terms:
        head = ""  # the notes say why nothing is suggested
    elif c.with_terms:
        terms = term_names(c.with_terms, lang, t)
        head = (t["with"].replace("{list}", names_list) if picked else t["with_none"]).replace("{terms}", terms)
    elif not picked:
        head = t["none"].replace("{desc}", desc)
    else:
        key = "recommend" if favourites else "one" if len(picked) == 1 else "cheapest" if c.cheapest else "some"
        head = t[key].replace("{desc}", desc).replace("{list}", names_list)
        if len(" ".join([head, *tail])) > MAX_REPLY:
            head = t["short"].replace("{desc}", desc)  # the names are in the suggestions anyway
    return {
        "reply": fit([head, *tail]),
        "suggestions": [suggestion(i, _reason(i, c, lang, currency)) for i in picked],
        "chips": chips(selection, c, lang, currency),
        "understood": c.to_json(),
    }
