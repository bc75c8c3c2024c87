"""The chat vocabulary compiled for matching: normalised phrase -> senses, with the languages that
use it. Built once from ``shared/vocabulary.json`` (see ``vocabulary.chat_section``); only the
languages listed in its ``languages.understood`` are read."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from shared import vocabulary
from shared.chat.text import phrase

Kind = Literal[
    "diet", "allergen", "condition", "neg_before", "neg_after", "connector", "closer", "price_max",
    "cheapest", "currency", "spicy", "mild", "course", "hint", "reset", "intent", "exclusion", "positive",
    "ingredient", "recommend", "info",
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


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: a cache key of the matcher
class Lexicon:
    phrases: dict[tuple[str, ...], Entry]
    longest: int
    misspellings: dict[tuple[str, ...], tuple[str, ...]]
    fuzzy_index: dict[str, tuple[str, ...]]  # a target or a target less one letter -> targets, sorted
    fuzzy_stopwords: frozenset[str]
    suffixes: frozenset[str]  # one-word "after" negations and intent words: "free", "fri", "allergie"...
    not_food: frozenset[str]  # words after "no"/"without" that name no food ("thanks", "rush")
    scope: int
    section_words: dict[str, tuple[tuple[str, ...], ...]]  # canonical course -> phrases
    diet_satisfied_by: dict[str, frozenset[str]]
    languages: tuple[str, ...]
    ingredients: dict[str, tuple[tuple[str, ...], ...]]  # ingredient key -> its phrases, every language
    articles: frozenset[str]  # definite articles and demonstratives ("the", "den", "der")

    def lookup(self, words: tuple[str, ...]) -> Entry | None:
        return self.phrases.get(words)


def languages() -> tuple[str, ...]:
    """The languages the chat understands (ISO 639-1), in the vocabulary's order."""
    return tuple(vocabulary.chat_section("languages")["understood"])


def _per_lang(block: Any, langs: tuple[str, ...]) -> Iterable[tuple[str, list[str]]]:
    """``{"en": [...], "sv": [...]}`` -> (lang, words) pairs of the understood languages."""
    for lang in langs:
        yield lang, [str(w) for w in block.get(lang, ())]


def fuzzy_keys(word: str) -> list[str]:
    """``word`` and every form of it less one letter: two words within one edit share one of these."""
    return [word, *(word[:i] + word[i + 1:] for i in range(len(word)))]


class _Builder:
    def __init__(self, langs: tuple[str, ...]) -> None:
        self.senses: dict[tuple[str, ...], list[Sense]] = {}
        self.langs: dict[tuple[str, ...], set[str]] = {}
        self.understood = langs

    def add(self, block: Any, sense: Sense) -> None:
        for lang, words in _per_lang(block, self.understood):
            for word in words:
                key = phrase(word)
                if not key:
                    continue
                senses = self.senses.setdefault(key, [])
                if sense not in senses:
                    senses.append(sense)
                self.langs.setdefault(key, set()).add(lang)

    def entries(self) -> dict[tuple[str, ...], Entry]:
        """The phrases; one that contains an allergy-intent phrase is one too ("allergic to" holds
        "allergic"), whatever else it means, so a longest match never hides the intent."""
        intent = Sense("intent")
        for key, senses in self.senses.items():
            inner = (key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1) if (i, j) != (0, len(key)))
            if intent not in senses and any(intent in self.senses.get(part, ()) for part in inner):
                senses.append(intent)
        return {k: Entry(tuple(v), frozenset(self.langs[k])) for k, v in self.senses.items()}


def _words(section: Any, langs: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for _, words in _per_lang(section, langs) for word in words for w in phrase(word))


def _build() -> Lexicon:
    langs = languages()
    b = _Builder(langs)
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
    b.add(section("allergyIntent"), Sense("intent"))
    b.add(section("exclusion"), Sense("exclusion"))
    b.add(section("positive"), Sense("positive"))
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
    ingredients: dict[str, tuple[tuple[str, ...], ...]] = {}
    for group in section("ingredients")["groups"]:
        words = {lang: w for lang, w in group.items() if lang != "key"}
        b.add(words, Sense("ingredient", (group["key"],)))
        ingredients[group["key"]] = tuple(dict.fromkeys(
            phrase(w) for _, ws in _per_lang(words, langs) for w in ws if phrase(w)))
    questions = section("questions")
    b.add(questions["recommend"], Sense("recommend"))
    for topic, words in questions["info"].items():
        b.add(words, Sense("info", (topic,)))
    b.add(section("languageHints"), Sense("hint"))
    b.add(section("reset"), Sense("reset"))
    phrases = b.entries()
    suffixes = frozenset(k[0] for k, e in phrases.items() if len(k) == 1 and e.kinds() & {"neg_after", "intent"})
    fuzzy_index: dict[str, list[str]] = {}
    for target in sorted(k[0] for k, e in phrases.items()
                         if len(k) == 1 and len(k[0]) >= FUZZY_MIN_LENGTH and e.kinds() & MEANINGFUL):
        for key in dict.fromkeys(fuzzy_keys(target)):
            fuzzy_index.setdefault(key, []).append(target)
    misspellings = {phrase(wrong): phrase(right) for wrong, right in section("misspellings").items()}
    return Lexicon(phrases=phrases, longest=max(len(k) for k in phrases), misspellings=misspellings,
                   fuzzy_index={k: tuple(v) for k, v in fuzzy_index.items()},
                   fuzzy_stopwords=frozenset(phrase(w)[0] for w in section("fuzzyStopwords")),
                   suffixes=suffixes, not_food=_words(section("notAllergens"), langs),
                   scope=int(negation["scope"]),
                   section_words=section_words, diet_satisfied_by=satisfied, languages=langs,
                   ingredients=ingredients, articles=_words(questions["articles"], langs))


@functools.cache
def lexicon() -> Lexicon:
    return _build()
