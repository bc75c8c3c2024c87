"""The chat vocabulary compiled for matching: normalised phrase -> senses, with the languages that
use it. Built once from ``shared/vocabulary.json`` (see ``vocabulary.chat_section``)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from shared import vocabulary
from shared.chat.text import phrase

Kind = Literal[
    "diet", "allergen", "condition", "neg_before", "neg_after", "connector", "closer", "price_max",
    "cheapest", "currency", "spicy", "mild", "course", "hint", "reset",
]
# Kinds that carry meaning: only these are targets of fuzzy matching and close a negation scope.
MEANINGFUL: frozenset[Kind] = frozenset({"diet", "allergen", "condition", "price_max", "cheapest", "spicy",
                                         "mild", "course"})
FUZZY_MIN_LENGTH = 5


@dataclass(frozen=True, slots=True)
class Sense:
    kind: Kind
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    senses: tuple[Sense, ...]
    langs: frozenset[str]

    def kinds(self) -> frozenset[Kind]:
        return frozenset(s.kind for s in self.senses)


@dataclass(frozen=True, slots=True)
class Lexicon:
    phrases: dict[tuple[str, ...], Entry]
    longest: int
    misspellings: dict[tuple[str, ...], tuple[str, ...]]
    fuzzy_targets: tuple[str, ...]
    fuzzy_stopwords: frozenset[str]
    suffixes: tuple[str, ...]  # one-word "after" negations, longest first: "free", "fritt", "allergi"...
    scope: int
    section_words: dict[str, tuple[tuple[str, ...], ...]]  # canonical course -> phrases
    diet_satisfied_by: dict[str, frozenset[str]]

    def lookup(self, words: tuple[str, ...]) -> Entry | None:
        return self.phrases.get(words)


def _per_lang(block: Any) -> Iterable[tuple[str, list[str]]]:
    """``{"en": [...], "sv": [...]}`` -> (lang, words) pairs, ignoring ``$comment`` keys."""
    for lang, words in block.items():
        if not lang.startswith("$"):
            yield lang, [str(w) for w in words]


class _Builder:
    def __init__(self) -> None:
        self.senses: dict[tuple[str, ...], list[Sense]] = {}
        self.langs: dict[tuple[str, ...], set[str]] = {}

    def add(self, block: Any, sense: Sense) -> None:
        for lang, words in _per_lang(block):
            for word in words:
                key = phrase(word)
                if not key:
                    continue
                senses = self.senses.setdefault(key, [])
                if sense not in senses:
                    senses.append(sense)
                self.langs.setdefault(key, set()).add(lang)

    def entries(self) -> dict[tuple[str, ...], Entry]:
        return {k: Entry(tuple(v), frozenset(self.langs[k])) for k, v in self.senses.items()}


def _build() -> Lexicon:
    b = _Builder()
    section = vocabulary.chat_section
    satisfied: dict[str, frozenset[str]] = {}
    for code, diet in section("diets").items():
        b.add(section("dietWords")[code], Sense("diet", (code,)))
        satisfied[code] = frozenset(diet["satisfiedBy"])
    pairs: tuple[tuple[Kind, str], ...] = (("allergen", "allergenWords"), ("condition", "conditions"))
    for kind, key in pairs:
        for group in section(key):
            codes = tuple(group["codes"])
            b.add({lang: words for lang, words in group.items() if lang != "codes"}, Sense(kind, codes))
    negation = section("negation")
    pairs = (("neg_before", "before"), ("neg_after", "after"), ("connector", "connectors"), ("closer", "closers"))
    for kind, key in pairs:
        b.add(negation[key], Sense(kind))
    price = section("price")
    b.add(price["max"], Sense("price_max"))
    b.add(price["cheapest"], Sense("cheapest"))
    b.add(price["currency"], Sense("currency"))
    spice = section("spice")
    b.add(spice["spicy"], Sense("spicy"))
    b.add(spice["mild"], Sense("mild"))
    section_words: dict[str, tuple[tuple[str, ...], ...]] = {}
    for code, course in section("courses").items():
        b.add(course["words"], Sense("course", (code,)))
        section_words[code] = tuple(phrase(w) for w in course["sectionWords"])
    b.add(section("languageHints"), Sense("hint"))
    b.add(section("reset"), Sense("reset"))
    phrases = b.entries()
    suffixes = sorted((k[0] for k, e in phrases.items() if len(k) == 1 and "neg_after" in e.kinds()),
                      key=lambda s: (-len(s), s))
    fuzzy = sorted(k[0] for k, e in phrases.items()
                   if len(k) == 1 and len(k[0]) >= FUZZY_MIN_LENGTH and e.kinds() & MEANINGFUL)
    misspellings = {phrase(wrong): phrase(right) for wrong, right in section("misspellings").items()}
    return Lexicon(phrases=phrases, longest=max(len(k) for k in phrases), misspellings=misspellings,
                   fuzzy_targets=tuple(fuzzy),
                   fuzzy_stopwords=frozenset(phrase(w)[0] for w in section("fuzzyStopwords")),
                   suffixes=tuple(suffixes), scope=int(negation["scope"]), section_words=section_words,
                   diet_satisfied_by=satisfied)


@functools.cache
def lexicon() -> Lexicon:
    return _build()
