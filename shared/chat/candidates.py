"""Constraints + public menu payload -> the only items a reply may name.

Runs before any model sees anything. Rules: every stated constraint must hold; when allergens are
to be avoided, an item whose allergens are not declared is never a candidate (``undeclared`` counts
those that pass every other constraint, so the reply can say "ask staff"); diets are satisfied only
by explicit tags (``diets.*.satisfiedBy`` in the vocabulary: vegan needs the ``vegan`` tag). Courses
come from the section's name (and key, when the payload has one) matched against the vocabulary's
``sectionWords``; a section that matches no course counts as mains. Ingredients ("with chicken",
"no potatoes") are read from the menu text (``mentions``): with, a dish's name or description must
mention one; without, it must mention none. An allergy outside the EU-14 (``avoid_terms``: onion,
garlic) leaves no candidate at all: the restaurant declares only the 14, so nothing can be called
free of it. ``excluded`` counts every item that is not a candidate, undeclared ones included.
Order: cheapest first when asked (menu order breaks ties), else ``popular`` first, then menu order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shared.chat.constraints import Constraints
from shared.chat.lexicon import Lexicon, lexicon
from shared.chat.text import phrase


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    name: str
    price_cents: int
    allergens: frozenset[str]
    allergens_declared: bool
    tags: frozenset[str]
    courses: frozenset[str]
    section: str
    position: int
    description: str = ""
    words: tuple[str, ...] = ()  # the name's and the description's normalised words (``mentions``)


@dataclass(frozen=True, slots=True)
class Selection:
    candidates: tuple[Item, ...]
    undeclared: int
    excluded: int


def section_courses(name: str, key: str | None = None, lex: Lexicon | None = None) -> frozenset[str]:
    lex = lex or lexicon()
    words = phrase(f"{name} {key or ''}")
    found = set()
    for course, patterns in lex.section_words.items():
        for pattern in patterns:
            size = len(pattern)
            for i in range(len(words) - size + 1):
                window = words[i:i + size]
                head, last = window[:-1], window[-1]
                if head == pattern[:-1] and (last == pattern[-1] or (len(pattern[-1]) >= 4
                                                                     and last.startswith(pattern[-1]))):
                    found.add(course)
    return frozenset(found) or frozenset({"main"})


def menu_items(menu: dict[str, Any]) -> tuple[list[Item], int]:
    """The payload's usable items in menu order, and how many entries were unusable (skipped)."""
    lex = lexicon()
    items: list[Item] = []
    skipped = 0
    for section in menu.get("sections") or []:
        raw_items = section.get("items") or []
        if section.get("active", True) is False:
            skipped += len(raw_items)
            continue
        courses = section_courses(str(section.get("name") or ""), section.get("key"), lex)
        for raw in raw_items:
            price = raw.get("priceCents")
            if (raw.get("available", True) is False or raw.get("id") is None or not raw.get("name")
                    or type(price) is not int):
                skipped += 1
                continue
            items.append(Item(id=str(raw["id"]), name=str(raw["name"]), price_cents=price,
                              allergens=frozenset(raw.get("allergens") or ()),
                              allergens_declared=raw.get("allergensDeclared") is True,
                              tags=frozenset(raw.get("tags") or ()), courses=courses,
                              section=str(section.get("name") or ""), position=len(items),
                              description=str(raw.get("description") or ""),
                              words=phrase(f"{raw['name']} {raw.get('description') or ''}")))
    return items, skipped


def _compound(t: str, w: str, lex: Lexicon) -> bool:
    """``t`` is a compound of ``w``: it starts with it ("kycklingfilé", not "köttfri": a trailing
    negation is the opposite) or ends with it after at least three letters ("gravlax" needs the word to
    have four: "ananas" is not in "bananas")."""
    if len(w) < 4 or len(t) <= len(w):
        return False
    if t.startswith(w):
        rest = t[len(w):]
        return rest not in lex.suffixes and rest[1:] not in lex.suffixes
    return t.endswith(w) and len(t) - len(w) >= 3


def _mentions_phrase(words: tuple[str, ...], p: tuple[str, ...], lex: Lexicon) -> bool:
    if len(p) == 1:
        return any(t == p[0] or _compound(t, p[0], lex) for t in words)
    return any(words[i:i + len(p)] == p for i in range(len(words) - len(p) + 1))


@functools.lru_cache(maxsize=65536)
def _mentions(words: tuple[str, ...], key: str, lex: Lexicon) -> bool:
    return any(_mentions_phrase(words, p, lex) for p in lex.ingredients.get(key, ()))


def mentions(item: Item, key: str, lex: Lexicon | None = None) -> bool:
    """The dish's name or description mentions the ingredient ``key`` in any language (menu text, not
    declared data: a dish may hold what its text does not say). Memoised: a menu's texts repeat."""
    return _mentions(item.words, key, lex or lexicon())


def _broken(item: Item, c: Constraints, lex: Lexicon) -> Iterator[str]:
    """The constraints ``item`` breaks, lazily (a passing check stops at the first broken one)."""
    for diet in sorted(c.diets):
        if not item.tags & lex.diet_satisfied_by.get(diet, frozenset()):
            yield f"diet:{diet}"
    for allergen in sorted(c.avoid & item.allergens):
        yield f"allergen:{allergen}"
    if c.max_price_cents is not None and item.price_cents > c.max_price_cents:
        yield "price"
    if c.spicy is not None and ("spicy" in item.tags) != c.spicy:
        yield "spice"
    if c.courses and not c.courses & item.courses:
        yield "course"
    for key in sorted(c.without_terms):
        if mentions(item, key, lex):
            yield f"without:{key}"
    if c.with_terms and not any(mentions(item, key, lex) for key in c.with_terms):
        yield "with"


def select(menu: dict[str, Any], c: Constraints) -> Selection:
    items, skipped = menu_items(menu)
    return select_items(items, skipped, c)


def select_items(items: list[Item], skipped: int, c: Constraints) -> Selection:
    """``select`` over items already built by ``menu_items`` (the chat caches them per menu version)."""
    lex = lexicon()
    if c.avoid_terms:
        return Selection(candidates=(), undeclared=0, excluded=len(items) + skipped)
    passing = [item for item in items if next(_broken(item, c, lex), None) is None]
    undeclared = 0
    if c.avoid:
        undeclared = sum(1 for item in passing if not item.allergens_declared)
        passing = [item for item in passing if item.allergens_declared]
    if c.cheapest:
        passing.sort(key=lambda i: (i.price_cents, i.position))
    else:
        passing.sort(key=lambda i: ("popular" not in i.tags, i.position))
    return Selection(candidates=tuple(passing), undeclared=undeclared,
                     excluded=len(items) + skipped - len(passing))
