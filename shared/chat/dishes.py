"""Which dish a message is about: its name, fuzzy, case- and accent-tolerant, inflected
("kladdkakan", "the meatball"), or a distinctive word of it ("the curry").

A message word matches a word of a dish's name when it is the same, the name word plus an
inflection of up to four letters ("kladdkaka" + "n", "meatball" + "s"), the name word less up to two
letters ("meatball" for "meatballs"), or, from five letters on, one edit away. Words that mean
nothing alone (articles, "with", "and": the vocabulary's hints and connectors) are not part of a
name. A dish is referred to when every word of its name matches, or when a matched word is
*distinctive* (no other dish's name has it). A word the chat vocabulary already gives a meaning
(an ingredient, an allergen, a diet: "chicken", "salmon", "vegan") refers to a dish only with a
definite article or an inflection before or on it ("the salmon", "laxen"): "something with salmon"
is a search, "is the salmon gluten-free?" a question about the dish. The best-scored dish wins
(whole name, then the number and length of the message's words that matched); a tie is a question back ("which
one?"). The matched words are taken out of the message before it is read for constraints, so
"oat latte" does not avoid oats.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from shared.chat.candidates import Item
from shared.chat.lexicon import Lexicon
from shared.chat.text import Token, phrase, within_one_edit

INFLECTION = 4  # letters a message word may add to a name word
TRUNCATION = 2  # letters a message word may lack
FUZZY = 6  # letters both words need for a match one edit away ("plato" is not "plate")
PLURALS = frozenset({"s", "es"})  # suffixes that are no article
# endings on a name word less its final vowel: "burgare" -> "burgarna", "kaka" -> "kakor"
VOWEL_STEM_SUFFIXES = frozenset({"na", "or", "orna", "ar", "arna", "er", "erna"})
MEMO = 4096  # tokens remembered per menu version
_SEARCH = frozenset({"positive", "exclusion", "neg_before", "hint"})  # "with", "no", "something with"
_FILLER = frozenset({"hint", "connector", "closer", "neg_before", "neg_after", "exclusion", "positive",
                     "price_max", "currency"})


@dataclass(frozen=True, slots=True)
class Dish:
    item: Item
    words: tuple[str, ...]  # the name's meaningful words
    glue: frozenset[str]  # the name's other words ("and", "with")
    generic: frozenset[str]  # those the vocabulary gives a meaning of its own


@dataclass(frozen=True, slots=True)
class DishIndex:
    dishes: tuple[Dish, ...]
    counts: dict[str, int]  # name word -> how many dishes' names hold it
    seen: dict[str, dict[str, str]] = field(default_factory=dict)  # token -> {name word: how}, memoised

    def matches(self, token: str) -> dict[str, str]:
        """The name words ``token`` matches, and how (``_match``), over the distinct words once."""
        found = self.seen.get(token)
        if found is None:
            found = {word: how for word in self.counts if (how := _match(token, word)) is not None}
            if len(self.seen) >= MEMO:
                self.seen.clear()
            self.seen[token] = found
        return found


@dataclass(frozen=True, slots=True)
class DishRef:
    items: tuple[Item, ...]  # one: the dish; several: which one?
    span: frozenset[int]  # the message's token positions that named it


def _filler(word: str, lex: Lexicon) -> bool:
    entry = lex.lookup((word,))
    return len(word) < 2 or word in lex.articles or (entry is not None and entry.kinds() <= _FILLER)


def index(items: list[Item], lex: Lexicon) -> DishIndex:
    dishes = []
    for item in items:
        words = tuple(dict.fromkeys(w for w in phrase(item.name) if not _filler(w, lex) and not w.isdigit()))
        generic = frozenset(w for w in words if lex.lookup((w,)) is not None)
        dishes.append(Dish(item, words, glue=frozenset(phrase(item.name)) - frozenset(words), generic=generic))
    counts = Counter(w for d in dishes for w in d.words)
    return DishIndex(tuple(dishes), dict(counts))


def _inflected(stem: str, suffix: str, word: str) -> bool:
    """``stem`` + ``suffix`` is ``word`` with an ending: the word itself, or the word less its final
    vowel with a Swedish-style ending ("burgar" + "na")."""
    return stem == word or (stem == word[:-1] and word[-1] in "aeo" and suffix in VOWEL_STEM_SUFFIXES)


def _match(token: str, word: str) -> str | None:
    """How ``token`` matches ``word``: "same", "plural", "inflected" (an ending that may be a definite
    article: "kladdkakan"), "part" (the head of a compound name: "burgare" in "Nattburgare"), "near",
    or None."""
    if token == word:
        return "same"
    if len(word) >= 4:
        # the name word, or from six letters on a misspelling of it, then an ending ("kladkakan")
        sizes = (len(word), len(word) - 1, len(word) + 1) if len(word) >= FUZZY else (len(word), len(word) - 1)
        for size in sizes:
            stem, suffix = token[:size], token[size:]
            if 0 < len(suffix) <= INFLECTION and (_inflected(stem, suffix, word) or (
                    len(word) >= FUZZY and within_one_edit(stem, word))):
                return "plural" if suffix in PLURALS else "inflected"
    if len(token) >= 5 and word.startswith(token) and len(word) - len(token) <= TRUNCATION:
        return "near"
    for cut in range(INFLECTION + 1):  # the head of a compound name: "burgaren" in "Nattburgare"
        stem, suffix = token[:len(token) - cut], token[len(token) - cut:]
        if len(stem) < 5:
            break
        if len(word) > len(stem) and word.endswith(stem):
            return "part" if not suffix or suffix in PLURALS else "inflected"
        if len(word) - 1 > len(stem) and word[:-1].endswith(stem) and _inflected(stem, suffix, stem + word[-1]):
            return "inflected"
    if len(token) >= FUZZY and len(word) >= FUZZY and within_one_edit(token, word):
        return "near"
    return None


def _beside(tokens: list[Token], glue: frozenset[str], i: int, j: int) -> bool:
    """Positions ``i`` and ``j`` are next to each other, or one word of the name's own glue apart."""
    return abs(i - j) == 1 or (abs(i - j) == 2 and tokens[min(i, j) + 1].text in glue)


def find_dish(tokens: list[Token], dishes: DishIndex, lex: Lexicon) -> DishRef | None:
    scored: list[tuple[tuple[int, int, int], Dish, frozenset[int]]] = []
    found = [dishes.matches(tok.text) for tok in tokens]
    hit = {word for f in found for word in f}
    for dish in dishes.dishes:
        if not dish.words:
            continue
        if not hit.intersection(dish.words):
            continue
        matched: dict[str, int] = {}
        definite: set[str] = set()
        searched = False
        for i, tok in enumerate(tokens):
            for word in dish.words:
                how = found[i].get(word) if word not in matched else None
                if how is None:
                    continue
                matched[word] = i
                before = lex.lookup((tokens[i - 1].text,)) if i and not tok.brk else None
                if how == "inflected" or (i and not tok.brk and tokens[i - 1].text in lex.articles):
                    definite.add(word)
                searched = searched or (before is not None and bool(before.kinds() & _SEARCH))
                break
        # a vocabulary word names the dish only with an article, as the whole name, or next to another
        # word of the name: "does the risotto have mushrooms?" asks about the risotto's mushrooms
        matched = {w: i for w, i in matched.items()
                   if w not in dish.generic or w in definite or len(dish.words) == 1
                   or any(_beside(tokens, dish.glue, i, j) for v, j in matched.items() if v != w)}
        if not matched:
            continue
        whole = len(matched) == len(dish.words)
        distinctive = [w for w in matched if dishes.counts[w] == 1 and len(w) >= 4]
        specific = whole or any(w not in dish.generic or w in definite for w in distinctive)
        if set(matched) <= dish.generic and searched and not definite & set(matched):
            specific = False  # "something with salmon", "no mushrooms": a search, not a dish
        if not specific:
            continue
        score = (int(whole), len(matched), sum(len(tokens[i].text) for i in matched.values()))
        scored.append((score, dish, frozenset(matched.values())))
    if not scored:
        return None
    best = max(s for s, _, _ in scored)
    top = [(d, span) for s, d, span in scored if s == best]
    return DishRef(tuple(d.item for d, _ in top), frozenset().union(*(span for _, span in top)))
