"""The deterministic responder: the chat's answer without a model, in the API's response shape.

Names and prices come only from the candidates (the menu). Up to three suggestions, spread over
sections unless the diner asked for the cheapest; an honest sentence and no suggestions when nothing
fits. Allergen caution whenever an allergen was named or undeclared items were left out.
"""

from __future__ import annotations

import math
from typing import Any, Final

from shared import vocabulary
from shared.chat.candidates import Item, Selection
from shared.chat.constraints import Constraints

MAX_REPLY: Final = 450
MAX_SUGGESTIONS: Final = 3
_COURSE_ORDER: Final = ("dessert", "drink", "main", "starter", "side")
_TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "some": "Here are some {desc}: {list}.", "cheapest": "The cheapest {desc}: {list}.",
        "one": "I found one: {list}.", "none": "I couldn't find any {desc} on the menu; please ask the staff, "
        "they may be able to help.", "short": "Here are some {desc}.", "and": " and ", "or": " or ",
        "dishes": "dishes", "without": "without", "under": "under", "spicy": "spicy", "mild": "mild",
        "no": "no", "not spicy": "not spicy", "popular": "popular",
        "caution": "Allergen details come from the restaurant; please confirm with the staff before ordering.",
        "undeclared": "{n} dish(es) without declared allergens were left out; ask the staff about them.",
    },
    "sv": {
        "some": "Här är några {desc}: {list}.", "cheapest": "Billigast bland {desc}: {list}.",
        "one": "Jag hittade en: {list}.", "none": "Jag hittade inga {desc} på menyn; fråga gärna personalen, "
        "de kan hjälpa dig.", "short": "Här är några {desc}.", "and": " och ", "or": " eller ",
        "dishes": "rätter", "without": "utan", "under": "under", "spicy": "starka", "mild": "milda",
        "no": "utan", "not spicy": "inte stark", "popular": "populär",
        "caution": "Allergeninformationen kommer från restaurangen; dubbelkolla med personalen innan du beställer.",
        "undeclared": "{n} rätt(er) utan angivna allergener är inte med; fråga personalen om dem.",
    },
}
_SYMBOL_BEFORE: Final = {"EUR": "€", "USD": "$", "GBP": "£"}
_KRONOR: Final = frozenset({"SEK", "NOK", "DKK", "ISK"})


def format_price(cents: int, currency: str, lang: str) -> str:
    """Two-decimal currencies; whole amounts without decimals ("89 kr", "€15", "15,50 €")."""
    amount = f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"
    if lang == "sv":
        amount = amount.replace(".", ",")
    if currency in _KRONOR:
        return f"{amount} kr"
    symbol = _SYMBOL_BEFORE.get(currency)
    if symbol is None:
        return f"{amount} {currency}"
    return f"{amount} {symbol}" if lang == "sv" else f"{symbol}{amount}"


def _join(parts: list[str], t: dict[str, str], word: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + t[word] + parts[-1]


def _allergen_words(codes: frozenset[str], lang: str) -> list[str]:
    """Allergen names, grouped where the vocabulary says so (nuts + peanuts -> "nuts")."""
    left = set(codes)
    words: list[str] = []
    for group in vocabulary.chat_section("avoidGroups"):
        if set(group["codes"]) <= left:
            words.append(group[lang])
            left -= set(group["codes"])
    words += [vocabulary.labels("allergens", a)[lang].lower() for a in vocabulary.EU14_ORDER if a in left]
    return words


def _describe(c: Constraints, lang: str, currency: str) -> str:
    t = _TEXT[lang]
    diets = [vocabulary.chat_section("diets")[d]["label"][lang] for d in sorted(c.diets)]
    courses = vocabulary.chat_section("courses")
    nouns = [courses[k]["label"][lang] for k in _COURSE_ORDER if k in c.courses] or [t["dishes"]]
    words = [_join(diets, t)] if diets else []
    if c.spicy is not None:
        words.append(t["spicy" if c.spicy else "mild"])
    words.append(_join(nouns, t, "or"))
    if c.avoid:
        words.append(f"{t['without']} {_join(_allergen_words(c.avoid, lang), t, 'or')}")
    if c.max_price_cents is not None:
        words.append(f"{t['under']} {format_price(c.max_price_cents, currency, lang)}")
    return " ".join(words)


def _reason(item: Item, c: Constraints, lang: str, currency: str) -> str:
    t = _TEXT[lang]
    parts = [vocabulary.labels("tags", d)[lang].lower() for d in sorted(c.diets)]
    if c.avoid:
        parts.append(f"{t['no']} {_join(_allergen_words(c.avoid, lang), t, 'or')}")
    if c.spicy is not None:
        parts.append(vocabulary.labels("tags", "spicy")[lang].lower() if c.spicy else t["not spicy"])
    if not parts and "popular" in item.tags:
        parts.append(t["popular"])
    return ", ".join([*parts, format_price(item.price_cents, currency, lang)])


def _pick(selection: Selection, c: Constraints) -> list[Item]:
    ranked = list(selection.candidates)
    if c.cheapest or c.courses:
        return ranked[:MAX_SUGGESTIONS]
    picked: list[Item] = []
    for item in ranked:  # one per section first, in candidate order
        if len(picked) < MAX_SUGGESTIONS and all(p.section != item.section for p in picked):
            picked.append(item)
    picked += [i for i in ranked if i not in picked][: MAX_SUGGESTIONS - len(picked)]
    return sorted(picked, key=ranked.index)


def _chips(selection: Selection, c: Constraints, lang: str, currency: str) -> list[str]:
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


def _fit(sentences: list[str]) -> str:
    reply = " ".join(s for s in sentences if s)
    return reply if len(reply) <= MAX_REPLY else reply[: MAX_REPLY - 1].rstrip() + "…"


def reply_language(c: Constraints, locale: str) -> str:
    return "sv" if c.language == "sv" or (c.language is None and locale.lower().startswith("sv")) else "en"


def respond(selection: Selection, c: Constraints, *, currency: str, locale: str) -> dict[str, Any]:
    lang = reply_language(c, locale)
    t = _TEXT[lang]
    picked = _pick(selection, c)
    desc = _describe(c, lang, currency)
    caution = t["caution"] if c.names_allergens or selection.undeclared else ""
    undeclared = t["undeclared"].replace("{n}", str(selection.undeclared)) if selection.undeclared else ""
    listing = _join([f"{i.name} ({format_price(i.price_cents, currency, lang)})" for i in picked], t)
    if not picked:
        head = t["none"].replace("{desc}", desc)
    else:
        key = "one" if len(picked) == 1 else "cheapest" if c.cheapest else "some"
        head = t[key].replace("{desc}", desc).replace("{list}", listing)
        if len(" ".join(s for s in (head, undeclared, caution) if s)) > MAX_REPLY:
            head = t["short"].replace("{desc}", desc)  # the names are in the suggestions anyway
    return {
        "reply": _fit([head, undeclared, caution]),
        "suggestions": [{"itemId": i.id, "name": i.name, "priceCents": i.price_cents,
                         "reason": _reason(i, c, lang, currency)} for i in picked],
        "chips": _chips(selection, c, lang, currency),
    }
