"""The deterministic answers that are not a list of dishes: a question about one dish, "which one?",
the restaurant itself, and an allergy outside the EU-14. Facts come only from the menu payload
(declared allergens, tags, the menu text, the hours, the restaurant's contact fields); sentences
from the vocabulary's ``replies``. Each returns the answer body without ``intent``/``facts``, which
``shared/chat/turn.py`` adds.

A yes/no about allergens is answered from declared data only: a dish whose allergens the restaurant
has not declared gets "not declared, ask the staff", never "no". A dish that breaks what the diner
avoids (or is undeclared while allergens are in play) is described but not offered: its card is left
out and up to three alternatives that satisfy every constraint are offered instead. So is any dish
that breaks a stated constraint (a diet, a price): the card is offered only for a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared import vocabulary
from shared.chat.candidates import Item, Selection, mentions
from shared.chat.constraints import Constraints
from shared.chat.fallback import (
    allergen_names,
    chips,
    fit,
    format_price,
    join,
    listing,
    lowered,
    notes,
    suggestion,
    term_names,
    text,
)
from shared.chat.hours import Change, OpenState, day_ranges, open_state, week_groups
from shared.chat.lexicon import lexicon
from shared.chat.limits import MAX_SUGGESTIONS

CONTACT = ("address", "phone", "website")
DASH = "\u2013"  # an en dash between times and between days ("11:30" DASH "14:00")


@dataclass(frozen=True, slots=True)
class Place:
    """The restaurant as the public menu describes it."""
    timezone: str
    hours: dict[str, Any]
    address: str | None
    phone: str | None
    website: str | None

    @classmethod
    def of(cls, menu: dict[str, Any]) -> Place:
        r = menu.get("restaurant") or {}
        return cls(timezone=str(r.get("timezone") or "UTC"), hours=r.get("hours") or {},
                   address=r.get("address") or None, phone=r.get("phone") or None,
                   website=r.get("website") or None)


def _tag_line(item: Item, lang: str) -> str:
    labels = [vocabulary.labels("tags", tag)[lang] for tag in vocabulary.tags() if tag in item.tags]
    return ", ".join(labels) + "." if labels else ""


def _offered(item: Item, selection: Selection) -> bool:
    """The dish may carry an Add button only when it satisfies everything the diner stated (a
    candidate): a dish question never turns into an unsafe suggestion."""
    return item in selection.candidates


def _verdict(item: Item, asks: str, asked: list[str], *, lang: str, names: str) -> tuple[str | None, list[str]]:
    """(the verdict, its sentence) for a yes/no question about ``item``; (None, []) for "about"."""
    t = text(lang)
    if asks == "allergens":
        wanted = frozenset(asked)
        listed = join(lowered(allergen_names(wanted, names), names), t, "or")
        if not item.allergens_declared:
            return "unknown", [t["contains_unknown"].replace("{list}", listed)]
        if wanted & item.allergens:
            found = join(lowered(allergen_names(wanted & item.allergens, names), names), t)
            return "yes", [t["contains_yes"].replace("{list}", found)]
        return "no", [t["contains_no"].replace("{list}", listed)]
    if asks == "diet":
        satisfied = lexicon().diet_satisfied_by
        ok = all(item.tags & satisfied.get(d, frozenset()) for d in asked)
        labels = [vocabulary.chat_section("diets")[d]["label"][lang] for d in asked]
        sentence = t["diet_yes" if ok else "diet_no"].replace("{diet}", join(lowered(labels, lang), t))
        return ("yes" if ok else "no"), [sentence]
    if asks == "spice":
        spicy = "spicy" in item.tags
        return ("yes" if spicy else "no"), [t["spicy_yes" if spicy else "spicy_no"]]
    if asks == "ingredients":
        said = any(mentions(item, k) for k in asked)
        return ("yes" if said else "no"), [t["mentions_yes" if said else "mentions_no"].replace(
            "{list}", term_names(frozenset(asked), lang, t))]
    return None, []


def dish(item: Item, asks: str, asked: list[str], c: Constraints, selection: Selection, *, lang: str,
         names: str, currency: str) -> tuple[dict[str, Any], str | None]:
    """(the answer body, the verdict) for a question about one dish."""
    t = text(lang)
    price = format_price(item.price_cents, currency, lang)
    about = (t["about"].replace("{desc}", item.description) if item.description else t["about_plain"])
    about = about.replace("{name}", item.name).replace("{price}", price)
    if not item.allergens_declared:
        declared = t["not_declared"]
    elif item.allergens:
        declared = t["declared"].replace("{list}", ", ".join(allergen_names(item.allergens, names)))
    else:
        declared = t["declared_none"]
    verdict, said = _verdict(item, asks, asked, lang=lang, names=names)
    if asks == "about":
        head = [about, declared, _tag_line(item, lang)]
    else:  # the answer, then what backs it: the menu text for an ingredient, else the declared allergens
        extra = about if asks == "ingredients" else "" if verdict == "unknown" else declared
        head = [s.replace("{name}", item.name) for s in said] + [extra]
    # a dish that breaks what the diner stated ("contains Y" once Y is avoided, "not vegan" once vegan is
    # asked, undeclared while allergens are in play) is not offered: up to three alternatives are,
    # from its own course first
    alternatives: list[Item] = []
    if not _offered(item, selection):
        same = [i for i in selection.candidates if i.courses & item.courses]
        alternatives = (same + [i for i in selection.candidates if i not in same])[:MAX_SUGGESTIONS]
    if alternatives:
        head.append(t["alternatives"].replace("{list}", listing(alternatives, t, currency, lang)))
    shown = ([item] if _offered(item, selection) else []) + alternatives
    body = {"reply": fit([*head, *notes(selection, c, lang, names)]),
            "suggestions": [suggestion(i, format_price(i.price_cents, currency, lang)) for i in shown],
            "chips": chips(selection, c, lang, currency), "understood": c.to_json()}
    return body, verdict


def which(items: tuple[Item, ...], c: Constraints, selection: Selection, *, lang: str, names: str,
          currency: str) -> dict[str, Any]:
    """A name that fits several dishes: ask which, with the safe ones as cards."""
    t = text(lang)
    shown = [i for i in items if _offered(i, selection)][:MAX_SUGGESTIONS]
    reply = t["which"].replace("{list}", join([i.name for i in items[:MAX_SUGGESTIONS]], t, "or"))
    return {"reply": fit([reply, *notes(selection, c, lang, names)]),
            "suggestions": [suggestion(i, format_price(i.price_cents, currency, lang)) for i in shown],
            "chips": chips(selection, c, lang, currency), "understood": c.to_json()}


def _when(change: Change, t: dict[str, str]) -> str:
    days = t["days"].split("|")
    if change.in_days == 0:
        return t["today_at"].replace("{time}", change.time)
    if change.in_days == 1:
        return t["tomorrow_at"].replace("{time}", change.time)
    return t["day_at"].replace("{day}", days[change.weekday]).replace("{time}", change.time)


def _state(state: OpenState | None, t: dict[str, str]) -> str:
    if state is None:
        return ""
    if state.open:
        return t["open"] if state.change is None else t["open_until"].replace("{when}", _when(state.change, t))
    if state.change is None:
        return t["closed_none"]
    return t["closed_opens"].replace("{when}", _when(state.change, t))


def _ranges(ranges: list[tuple[str, str]], t: dict[str, str]) -> str:
    return join([f"{a}{DASH}{b}" for a, b in ranges], t)


def info(topics: list[str], place: Place, c: Constraints, now: datetime, *,
         lang: str, names: str) -> tuple[dict[str, Any], bool | None]:
    """(the answer body, open now or None when the hours are unusable) for questions about the
    restaurant itself. No dish list."""
    t = text(lang)
    state = open_state(place.hours, place.timezone, now)
    sentences: list[str] = []
    if {"openNow", "hours", "orderAhead"} & set(topics):
        sentences.append(_state(state, t))
    if "hours" in topics and state is not None:
        short = t["days_short"].split("|")
        week = "; ".join(f"{short[a]}{'' if a == b else DASH + short[b]} {_ranges(r, t)}"
                         for a, b, r in week_groups(place.hours))
        today = day_ranges(place.hours, state.weekday)
        sentences.append(t["hours_today"].replace("{ranges}", _ranges(today, t)) if today else t["closed_today"])
        if week:
            sentences.append(t["hours_week"].replace("{week}", week))
    if "delivery" in topics:
        sentences.append(t["delivery"])
    if "orderAhead" in topics:
        sentences.append(t["order_ahead"])
    for field in CONTACT:
        if field in topics:
            value = getattr(place, field)
            sentences.append(t[field].replace("{" + field + "}", value) if value
                             else t["no_contact"].replace("{what}", t[f"contact_{field}"]))
    body = {"reply": fit([*sentences, *notes(Selection((), 0, 0), c, lang, names)]), "suggestions": [],
            "chips": [], "understood": c.to_json()}
    return body, None if state is None else state.open
