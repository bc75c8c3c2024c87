"""Message -> ``Constraints``: deterministic, data-driven (``shared/vocabulary.json``), in every
language of the vocabulary's ``languages.understood``.

The allergy rules fail safe: wrongly avoiding costs a suggestion, wrongly offering can cost a life.

* Every allergen the message refers to is avoided, whatever the phrasing ("allergic to nuts", "nuts
  make me sick", "Allergies: nuts", "epipen for nuts", "Nussallergie", "sans gluten"), unless the
  message plainly asks *for* it: the allergen follows a ``positive`` marker ("extra", "I love")
  within its scope, is not negated, and the message is not allergy-related. There is no "mentioned
  but not filtered" state. Condition words ("coeliac", "laktosintolerant") always mean avoid.
* Allergy-related messages: an ``allergyIntent`` word or phrase ("allergic", "anaphylaxis", "react
  to", "makes me sick", "hold the", "Unverträglichkeit"), or an ``exclusion`` word ("no", "without",
  "sans", "ohne") or an "after" word ("free", "frei") next to a word the vocabulary does not know
  ("no onions", "kiwi-free"; words on ``notAllergens`` such as "thanks" do not count). When such a
  message names no allergen, or its list of allergens holds a word the vocabulary does not know
  ("allergic to nuts, eggs and mlik"), ``ask_allergen`` is set: the assistant avoids what it did
  recognise and asks which allergen to avoid instead of suggesting anything. It stays set over
  follow-ups until a message names an allergen (or the diner starts over).
* Negation still shapes the rest. A "before" marker (``no``, ``without``, ``utan``, ``inte``...)
  opens a scope of ``scope`` (3) words; each allergen in it extends the scope by another 3 words, so
  "no nuts, eggs, milk or soy" is one list. A diet, course, spice or price word is negated only when
  it is the first word that means something in the scope ("not spicy", "no dessert"); it then
  closes the scope, so "not spicy, vegan please" stays vegan. A negated diet or course is dropped.
  Sentence breaks and "but"/"men" close a scope. An "after" marker (``free``, ``fri``, ``allergy``)
  negates the adjacent allergen words before it ("dairy and gluten free", "glutenfree").
  ``claimed_free`` uses the same negations to read what a text says is absent.
* Price. A number after a price word (``under``, ``max``, ``högst``, ``less than``), or a number
  written with a currency ("100 kr", "€15"), is a maximum in the restaurant's major unit: the value
  times 100, i.e. currencies with two decimals (SEK, EUR, USD...). The last one stated wins.
* Several diets all apply (an item must satisfy each). Several courses are alternatives.
* Language: the one whose words weigh most, a word shared by several languages counting a share for
  each (``_language``); ``None`` on a tie.
* Follow-ups (``previous``): a message that names a diet replaces the diets; the same for courses,
  the price limit, spice and language. Allergens to avoid accumulate over the conversation (they are
  never dropped by a follow-up, nor by a reset: only the diner's explicit ``forget`` removes them);
  ``cheapest`` stays on once asked. A reset phrase ("start over", "börja om", "never mind") discards
  the rest of ``previous``, the pending allergen question included.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from shared import vocabulary
from shared.chat.lexicon import MEANINGFUL, Lexicon, lexicon
from shared.chat.matching import Hit, correct, find
from shared.chat.text import Token, tokenize

_MAX_PRICE_DIGITS = 7
_LISTED: frozenset[str] = frozenset({"allergen", "condition", "ingredient"})  # what a negation's list holds
# What a diner may take back from the assistant's reading ("forget" in the chat request).
FORGET_FIXED = ("maxPrice", "cheapest", "spicy")


@dataclass(frozen=True, slots=True)
class Constraints:
    diets: frozenset[str] = frozenset()
    avoid: frozenset[str] = frozenset()  # EU-14 codes
    max_price_cents: int | None = None
    cheapest: bool = False
    spicy: bool | None = None
    courses: frozenset[str] = frozenset()
    language: str | None = None  # one of lexicon().languages
    ask_allergen: bool = False  # allergy-related, but no allergen named yet: ask which
    with_terms: frozenset[str] = frozenset()  # ingredient keys: dishes whose menu text mentions one
    without_terms: frozenset[str] = frozenset()  # ingredient keys: dishes whose menu text mentions one are out
    avoid_terms: frozenset[str] = frozenset()  # allergies outside the EU-14 (ingredient keys): nothing is safe

    @property
    def allergy(self) -> bool:
        """Allergens are in play: undeclared items are out and the reply tells the diner to check."""
        return bool(self.avoid) or self.ask_allergen or bool(self.avoid_terms)

    def to_json(self) -> dict[str, Any]:
        order = vocabulary.EU14_ORDER
        return {"diets": sorted(self.diets), "avoid": [a for a in order if a in self.avoid],
                "maxPriceCents": self.max_price_cents, "cheapest": self.cheapest, "spicy": self.spicy,
                "courses": sorted(self.courses), "language": self.language, "askAllergen": self.ask_allergen,
                "with": sorted(self.with_terms), "without": sorted(self.without_terms),
                "avoidTerms": sorted(self.avoid_terms)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Constraints:
        """Inverse of ``to_json``; raises ``ValueError`` on anything else (stale or foreign KV data).
        A context written before ``mentioned`` was retired has its mentioned allergens avoided."""
        def codes(key: str, known: frozenset[str]) -> frozenset[str]:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v in known for v in value):
                raise ValueError(f"bad {key!r} in constraints")
            return frozenset(value)

        lex = lexicon()
        price, cheapest, spicy, language, ask = (data.get("maxPriceCents"), data.get("cheapest", False),
                                                 data.get("spicy"), data.get("language"),
                                                 data.get("askAllergen", False))
        if price is not None and (type(price) is not int or price < 0):
            raise ValueError("bad 'maxPriceCents' in constraints")
        if type(cheapest) is not bool or type(ask) is not bool or (spicy is not None and type(spicy) is not bool):
            raise ValueError("bad 'cheapest', 'askAllergen' or 'spicy' in constraints")
        if language is not None and language not in lex.languages:
            raise ValueError("bad 'language' in constraints")
        allergens, terms = frozenset(vocabulary.EU14_ORDER), frozenset(lex.ingredients)
        return cls(diets=codes("diets", frozenset(lex.diet_satisfied_by)),
                   avoid=codes("avoid", allergens) | codes("mentioned", allergens),
                   max_price_cents=price, cheapest=cheapest, spicy=spicy,
                   courses=codes("courses", frozenset(lex.section_words)), language=language, ask_allergen=ask,
                   with_terms=codes("with", terms), without_terms=codes("without", terms),
                   avoid_terms=codes("avoidTerms", terms))

    def forget(self, what: Iterable[str]) -> Constraints:
        """The diner took part of the reading back: ``allergen:nuts``, ``diet:vegan``,
        ``course:dessert``, ``ingredient:onion`` (wherever it is: with, without or avoided), ``maxPrice``,
        ``cheapest``, ``spicy`` (see ``forget_codes``)."""
        gone = set(what)
        if not gone:
            return self

        def strip(kind: str, values: frozenset[str]) -> frozenset[str]:
            return frozenset(v for v in values if f"{kind}:{v}" not in gone)

        return replace(self, avoid=strip("allergen", self.avoid), diets=strip("diet", self.diets),
                       courses=strip("course", self.courses), with_terms=strip("ingredient", self.with_terms),
                       without_terms=strip("ingredient", self.without_terms),
                       avoid_terms=strip("ingredient", self.avoid_terms),
                       max_price_cents=None if "maxPrice" in gone else self.max_price_cents,
                       cheapest=self.cheapest and "cheapest" not in gone,
                       spicy=None if "spicy" in gone else self.spicy)


@functools.cache
def forget_codes() -> frozenset[str]:
    """Every value ``Constraints.forget`` understands."""
    lex = lexicon()
    return frozenset([*(f"allergen:{a}" for a in vocabulary.EU14_ORDER),
                      *(f"diet:{d}" for d in lex.diet_satisfied_by),
                      *(f"course:{c}" for c in lex.section_words),
                      *(f"ingredient:{k}" for k in lex.ingredients), *FORGET_FIXED])


def _kinds(hit: Hit) -> frozenset[str]:
    return frozenset() if hit.entry is None else frozenset(hit.entry.kinds())


def _negated(hits: list[Hit], lex: Lexicon) -> set[int]:
    """Indices of the hits a negation applies to (see the module docstring)."""
    negated: set[int] = set()
    scope_end, listed = -1, False
    for k, hit in enumerate(hits):
        kinds = _kinds(hit)
        if hit.brk:
            scope_end = -1
        if hit.start < scope_end:
            if kinds & _LISTED:
                negated.add(k)
                scope_end, listed = hit.end + lex.scope, True
                continue
            if "closer" in kinds:
                scope_end = -1
                continue
            if kinds & MEANINGFUL:
                if not listed:
                    negated.add(k)
                scope_end = -1
                continue
        if "neg_before" in kinds:
            scope_end, listed = hit.end + lex.scope, False
    return negated | _negated_after(hits)


def _negated_after(hits: list[Hit]) -> set[int]:
    negated: set[int] = set()
    for k, hit in enumerate(hits):
        if "neg_after" not in _kinds(hit):
            continue
        cursor, j = hit.start, k - 1
        while j >= 0 and hits[j].end == cursor and not hits[j + 1].brk:
            before = _kinds(hits[j])
            if before & _LISTED:
                negated.add(j)
            elif "connector" not in before:
                break
            cursor, j = hits[j].start, j - 1
    return negated


def _price(hits: list[Hit]) -> int | None:
    """The last stated maximum price, in cents."""
    found: int | None = None
    for k, hit in enumerate(hits):
        if hit.entry is not None or len(hit.text.split(".")[0]) > _MAX_PRICE_DIGITS:
            continue
        prev, nxt = (hits[k - 1] if k else None), (hits[k + 1] if k + 1 < len(hits) else None)
        marked = any(
            "price_max" in _kinds(p) and hit.start - p.end <= 1 for p in hits[max(0, k - 2):k]
        )
        with_currency = ((nxt is not None and "currency" in _kinds(nxt) and nxt.start == hit.end)
                         or (prev is not None and "currency" in _kinds(prev) and prev.end == hit.start))
        if marked or with_currency:
            found = round(float(hit.text) * 100)
    return found


def _language(hits: list[Hit], lex: Lexicon) -> str | None:
    """The language whose words weigh most: a word counts for each language that lists it, one share
    each ("jeg": half Danish, half Norwegian; "allergi": a third each of Swedish, Danish, Norwegian).
    Shares are whole numbers (of the least common multiple), so ties are exact; a tie is ``None``."""
    counts = dict.fromkeys(lex.languages, 0)
    whole = math.lcm(*range(1, len(lex.languages) + 1))
    for h in hits:
        if h.entry is not None:
            for lang in h.entry.langs:
                counts[lang] += whole // len(h.entry.langs)
    best = max(counts.values())
    winners = [lang for lang, n in counts.items() if n == best]
    return winners[0] if best and len(winners) == 1 else None


def _unknown(tokens: list[Token], i: int, covered: set[int], lex: Lexicon) -> bool:
    """Token ``i`` is a word the vocabulary does not know and that may name a food."""
    if i < 0 or i >= len(tokens) or i in covered:
        return False
    tok = tokens[i]
    return not tok.is_number and tok.text not in lex.not_food and len(tok.text) > 2


def _unknown_in_list(tokens: list[Token], i: int, by_start: dict[int, Hit], covered: set[int],
                     lex: Lexicon) -> bool:
    """The list of allergens that starts at token ``i`` ("to nuts, eggs and mlik") holds a word the
    vocabulary does not know; the list goes on over allergens and connectors only."""
    while i < len(tokens) and not tokens[i].brk:
        hit = by_start.get(i)
        if hit is None:
            return _unknown(tokens, i, covered, lex)
        if not _kinds(hit) & {*_LISTED, "connector"}:
            return False
        i = hit.end
    return False


def _allergy(tokens: list[Token], hits: list[Hit], lex: Lexicon) -> tuple[bool, bool]:
    """(the message is allergy-related, it names something the vocabulary cannot map to an allergen):
    see the module docstring."""
    covered = {i for h in hits for i in range(h.start, max(h.end, h.start + 1))}
    by_start = {h.start: h for h in hits if h.end > h.start}
    intent = unresolved = False
    for hit in hits:
        kinds = _kinds(hit)
        if kinds & {"intent", "exclusion"}:
            # "allergic to X", "no X": the allergens follow; "X allergy": they come before
            after = "neg_after" not in kinds or "exclusion" in kinds
            unknown = after and _unknown_in_list(tokens, hit.end, by_start, covered, lex)
            intent = intent or unknown or "intent" in kinds
            unresolved = unresolved or unknown
        if "condition" in kinds:  # "coeliac", "laktosintolerant": an allergy, whatever the word lists say
            intent = True
        if "neg_after" in kinds and hit.end == hit.start + 1 and not tokens[hit.start].brk \
                and _unknown(tokens, hit.start - 1, covered, lex):
            intent = unresolved = True
    return intent, unresolved


def _positive(hits: list[Hit], negated: set[int]) -> set[int]:
    """Indices of allergen hits the message plainly asks for: right before or after a ``positive``
    marker ("extra nuts", "I love peanut sauce", "formaggio extra"), or continuing such an allergen's
    list through a connector ("extra cheese and nuts"); then every other mention of an allergen asked
    for, unless the message also negates it ("I love peanuts, what do you have with peanuts?"). Any
    other word in between ends it, so "extra careful with nuts" avoids nuts."""
    asked: set[int] = set()
    cursor = -1  # where the next asked-for allergen must start
    for k, hit in enumerate(hits):
        kinds = _kinds(hit)
        if hit.start != cursor or hit.brk:
            cursor = -1
        if "positive" in kinds:
            cursor = hit.end
            if k and hits[k - 1].end == hit.start and not hit.brk and "allergen" in _kinds(hits[k - 1]):
                asked.add(k - 1)
        elif cursor >= 0 and "allergen" in kinds:
            asked.add(k)
            cursor = hit.end
        elif cursor >= 0 and "connector" in kinds and asked:
            cursor = hit.end
        else:
            cursor = -1
    asked -= negated
    codes = _codes(hits, asked) - _codes(hits, negated)
    return {k for k, hit in enumerate(hits) if k not in negated and "allergen" in _kinds(hit)
            and _codes(hits, {k}) <= codes}


def _codes(hits: list[Hit], indices: set[int]) -> frozenset[str]:
    """The allergen codes of the hits at ``indices``."""
    entries = [hits[k].entry for k in indices]
    return frozenset(code for entry in entries if entry is not None for sense in entry.senses
                     if sense.kind in ("allergen", "condition") for code in sense.codes)


def words(message: str) -> list[Token]:
    """The message's tokens, explicit misspellings corrected: what ``read`` and the dish finder read."""
    return correct(tokenize(message), lexicon())


def claimed_free(text: str) -> frozenset[str]:
    """The allergens ``text`` says are absent ("nut-free", "without gluten", "glutenfrei", "no dairy"):
    what a model's reply may claim only where the menu data supports it."""
    lex = lexicon()
    hits = find(words(text), lex)
    return _codes(hits, _negated(hits, lex))


@dataclass(frozen=True, slots=True)
class Reading:
    current: Constraints  # what this message says on its own
    constraints: Constraints  # the conversation's constraints after it (``previous`` followed up)
    hits: list[Hit]

    def topics(self, kind: str) -> list[str]:
        """The codes of this message's hits of one kind (``info`` topics, say), in message order."""
        return list(dict.fromkeys(code for h in self.hits if h.entry is not None for sense in h.entry.senses
                                  if sense.kind == kind for code in (sense.codes or (kind,))))


def _ingredient(codes: tuple[str, ...], *, allergenic: bool, asked: bool, intent: bool, negated: bool,
                into: tuple[set[str], set[str], set[str]]) -> None:
    """Where an ingredient goes: an allergen word (salmon, cheese) keeps its allergen meaning and is
    "with" only when asked for; in an allergy-related message it is an avoid-term; else negated is
    "without", and plain is "with"."""
    with_terms, without_terms, avoid_terms = into
    if allergenic:
        if asked:
            with_terms.update(codes)
    elif intent:
        avoid_terms.update(codes)
    else:
        (without_terms if negated else with_terms).update(codes)


def parse(message: str, previous: Constraints | None = None) -> Constraints:
    return read(words(message), previous).constraints


def read(tokens: list[Token], previous: Constraints | None = None) -> Reading:
    """Tokens (``words``; the dish finder may have taken a dish's name out) -> the reading."""
    lex = lexicon()
    hits = find(tokens, lex)
    negated = _negated(hits, lex)
    intent, unresolved = _allergy(tokens, hits, lex)
    asked = set() if intent else _positive(hits, negated)
    diets: set[str] = set()
    avoid: set[str] = set()
    courses: set[str] = set()
    with_terms: set[str] = set()
    without_terms: set[str] = set()
    avoid_terms: set[str] = set()
    spicy: bool | None = None
    cheapest = reset = False
    for k, hit in enumerate(hits):
        if hit.entry is None:
            continue
        neg = k in negated
        allergenic = bool(hit.entry.kinds() & {"allergen", "condition"})
        for sense in hit.entry.senses:
            if (sense.kind == "allergen" and k not in asked) or sense.kind == "condition":
                avoid.update(sense.codes)
            elif sense.kind == "ingredient":
                _ingredient(sense.codes, allergenic=allergenic, asked=k in asked, intent=intent, negated=neg,
                            into=(with_terms, without_terms, avoid_terms))
            elif sense.kind == "diet" and not neg:
                diets.update(sense.codes)
            elif sense.kind == "course" and not neg:
                courses.update(sense.codes)
            elif sense.kind in ("spicy", "mild") and not (neg and sense.kind == "mild"):
                spicy = sense.kind == "spicy" and not neg
            elif sense.kind == "cheapest" and not neg:
                cheapest = True
            elif sense.kind == "reset":
                reset = True
    current = Constraints(diets=frozenset(diets), avoid=frozenset(avoid), max_price_cents=_price(hits),
                          cheapest=cheapest, spicy=spicy, courses=frozenset(courses),
                          language=_language(hits, lex),
                          ask_allergen=intent and (unresolved or not (avoid or avoid_terms)),
                          with_terms=frozenset(with_terms), without_terms=frozenset(without_terms),
                          avoid_terms=frozenset(avoid_terms))
    return Reading(current, _follow_up(current, previous, reset=reset), hits)


def _follow_up(current: Constraints, previous: Constraints | None, *, reset: bool) -> Constraints:
    if previous is None:
        return current
    if reset:
        return replace(current, avoid=current.avoid | previous.avoid,
                       avoid_terms=current.avoid_terms | previous.avoid_terms)
    return Constraints(
        diets=current.diets or previous.diets,
        avoid=current.avoid | previous.avoid,
        max_price_cents=current.max_price_cents if current.max_price_cents is not None else previous.max_price_cents,
        cheapest=current.cheapest or previous.cheapest,
        spicy=current.spicy if current.spicy is not None else previous.spicy,
        courses=current.courses or previous.courses,
        language=current.language or previous.language,
        ask_allergen=current.ask_allergen or (previous.ask_allergen and not (current.avoid or current.avoid_terms)),
        with_terms=(current.with_terms or previous.with_terms) - current.without_terms,
        without_terms=(current.without_terms | previous.without_terms) - current.with_terms,
        avoid_terms=current.avoid_terms | previous.avoid_terms,
    )
