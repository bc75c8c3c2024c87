"""One deterministic chat turn over a public menu: what the message asks (the intent), the facts that
answer it, and the answer body. The server's fallback responder and the tests call ``turn``; the
widget's local responder is its port (widget/src/chat/turn.ts). The model, when it answers, starts
from the same reading (shared/chat/pipeline.py).

Intents, first that applies:

* ``askAllergen``: allergy-related but no allergen named: ask which (``fallback.respond``).
* ``undeclaredAllergen``: this message names an allergy outside the EU-14 ("allergic to onion"):
  no suggestions; the restaurant declares only the 14 (the term stays avoided for later turns).
* ``dish`` / ``which``: the message names a dish (``shared/chat/dishes.py``); what it asks about it
  comes from the rest of the message: allergens named → contains or not; a diet → yes or no; spice;
  an ingredient → does the menu text mention it; else everything the menu says of it.
* ``info``: the restaurant itself: open now, hours, delivery, ordering ahead, address, phone,
  website (``shared/chat/answers.py``). No dish list.
* ``ingredients``: "with chicken", "no potatoes": dishes found or left out by their menu text.
* ``recommend``: favourites first (``popular``, then ``new``), one per section.
* ``suggest``: a list for the constraints; with none at all, where the list starts moves with the
  message, so different open questions see different dishes.

``facts`` says in codes what the answer states (docs/api.md): the widget does not need it; tests,
the usefulness report (bench/questions_report.py) and API clients do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shared import vocabulary
from shared.chat import answers
from shared.chat.candidates import Item, Selection, menu_items, select_items
from shared.chat.constraints import Constraints, read, words
from shared.chat.dishes import DishIndex, find_dish, index
from shared.chat.fallback import names_language, reply_language, respond, term_label
from shared.chat.lexicon import lexicon
from shared.chat.matching import names_allergen

INTENTS = ("suggest", "recommend", "dish", "which", "ingredients", "info", "undeclaredAllergen", "askAllergen")
LISTS = frozenset({"suggest", "recommend", "ingredients"})  # the intents a model may answer with picks


@dataclass(frozen=True, slots=True)
class Menu:
    """A public menu prepared once per version: its items, its dishes' names, the restaurant."""
    items: list[Item]
    skipped: int
    dishes: DishIndex
    place: answers.Place
    currency: str


def prepare(menu: dict[str, Any]) -> Menu:
    items, skipped = menu_items(menu)
    currency = str((menu.get("restaurant") or {}).get("currency") or "EUR")
    return Menu(items, skipped, index(items, lexicon()), answers.Place.of(menu), currency)


@dataclass(frozen=True, slots=True)
class Turn:
    body: dict[str, Any]  # reply, suggestions, chips, understood, intent, facts
    constraints: Constraints  # the conversation's, to keep for the next turn
    selection: Selection  # the candidates for those constraints
    intent: str


def _plain(c: Constraints) -> bool:
    return not (c.diets or c.avoid or c.courses or c.with_terms or c.without_terms or c.cheapest
                or c.max_price_cents is not None or c.spicy is not None)


def _asks(current: Constraints) -> tuple[str, list[str]]:
    """What a question about a dish asks, from the rest of the message."""
    if current.avoid:
        return "allergens", [a for a in vocabulary.EU14_ORDER if a in current.avoid]
    if current.diets:
        return "diet", sorted(current.diets)
    if current.spicy is not None:
        return "spice", ["spicy"]
    terms = current.with_terms | current.without_terms | current.avoid_terms
    if terms:
        return "ingredients", sorted(terms)
    return "about", []


def turn(menu: Menu | dict[str, Any], message: str, previous: Constraints | None, *, locale: str,
         now: datetime, forget: Iterable[str] = ()) -> Turn:
    m = menu if isinstance(menu, Menu) else prepare(menu)
    lex = lexicon()
    tokens = words(message)
    ref = find_dish(tokens, m.dishes, lex)
    # What the message asks is read without the dish's name ("is the salmon gluten-free?" asks about
    # gluten); the conversation's constraints keep the name's allergen words, whatever the phrasing, as
    # every allergen a message names is avoided ("keep the peanut noodles away from me", "il latte mi fa
    # male"): fail safe, at the cost of "Avoiding: Fish" after a question about the salmon
    span = frozenset() if ref is None else ref.span
    kept = frozenset(i for i in span if names_allergen(tokens[i].text, lex))
    reading = read([tok for i, tok in enumerate(tokens) if i not in span - kept], previous)
    c = reading.constraints
    current = read([tok for i, tok in enumerate(tokens) if i not in span]).current if kept else reading.current
    if ref is not None:  # a question about a dish is not a new search
        c = replace(c, with_terms=previous.with_terms if previous is not None else frozenset())
    c = c.forget(forget)
    selection = select_items(m.items, m.skipped, c)
    lang = reply_language(c, locale)
    names = names_language(c, lang)
    facts: dict[str, Any] = {}
    topics = reading.topics("info")
    new_terms = current.avoid_terms - (previous.avoid_terms if previous is not None else frozenset())
    if c.ask_allergen:
        intent, body = "askAllergen", respond(selection, c, currency=m.currency, locale=locale)
    elif new_terms and c.avoid_terms:
        intent, body = "undeclaredAllergen", respond(selection, c, currency=m.currency, locale=locale)
        facts = {"terms": sorted(c.avoid_terms)}
    elif ref is not None and len(ref.items) == 1:
        item = ref.items[0]
        asks, asked = _asks(current)
        intent = "dish"
        body, verdict = answers.dish(item, asks, asked, c, selection, lang=lang, names=names, currency=m.currency)
        facts = {"itemId": item.id, "asks": asks, "asked": asked, "verdict": verdict}
    elif ref is not None:
        intent = "which"
        body = answers.which(ref.items, c, selection, lang=lang, names=names, currency=m.currency)
        facts = {"itemIds": [i.id for i in ref.items]}
    elif topics:
        intent = "info"
        body, is_open = answers.info(topics, m.place, c, now, lang=lang, names=names)
        facts = {"topics": topics, "open": is_open}
    elif current.with_terms or current.without_terms:
        intent = "ingredients"
        body = respond(selection, c, currency=m.currency, locale=locale)
        facts = {"with": sorted(c.with_terms), "without": sorted(c.without_terms)}
    else:
        favourites = bool(reading.topics("recommend"))
        intent = "recommend" if favourites else "suggest"
        spread = sum(map(ord, " ".join(tok.text for tok in tokens))) if _plain(c) and not favourites else 0
        body = respond(selection, c, currency=m.currency, locale=locale, favourites=favourites, turn=spread)
    terms = sorted(c.with_terms | c.without_terms | c.avoid_terms)
    understood = {**body["understood"], "termLabels": {k: term_label(k, lang) for k in terms}}
    return Turn({**body, "understood": understood, "intent": intent, "facts": facts}, c, selection, intent)
