"""Tokens -> hits: the vocabulary phrases found in a message, longest match first.

Order of attempts for each position: a phrase of up to ``lexicon.longest`` words (never across a
sentence break); for a single unmatched word, a compound of an allergen and a trailing negation
(``glutenfree``, ``nötfri``, ``skaldjursallergi``: the Swedish linking ``s`` is dropped); then a
fuzzy match. Misspellings from the vocabulary's explicit list are corrected before all of that.

Fuzzy matching: Damerau-Levenshtein distance <= 1, only when both the word and the vocabulary word
have at least 5 letters (so "nut" never becomes "but", and "what" never becomes "wheat"), never for
the words on ``fuzzyStopwords`` (real words one edit away from a vocabulary word: "daily", "custard"),
and only to words that carry meaning (diets, allergens, prices, spice, courses). Ties go to the
alphabetically first vocabulary word, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.chat.lexicon import FUZZY_MIN_LENGTH, Entry, Lexicon
from shared.chat.text import Token, within_one_edit


@dataclass(frozen=True, slots=True)
class Hit:
    start: int  # token positions [start, end)
    end: int
    entry: Entry | None  # None: a number
    text: str
    brk: bool  # a sentence break just before this hit


def correct(tokens: list[Token], lex: Lexicon) -> list[Token]:
    """Replace explicitly listed misspellings (one or two words) by their corrections."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for size in (2, 1):
            key = tuple(t.text for t in tokens[i:i + size])
            right = lex.misspellings.get(key) if len(key) == size else None
            if right is not None:
                out.extend(Token(w, tokens[i].brk and n == 0) for n, w in enumerate(right))
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _fuzzy(word: str, lex: Lexicon) -> Entry | None:
    if len(word) < FUZZY_MIN_LENGTH or word in lex.fuzzy_stopwords:
        return None
    for target in lex.fuzzy_targets:
        if abs(len(target) - len(word)) <= 1 and within_one_edit(word, target):
            return lex.lookup((target,))
    return None


def _allergen(word: str, lex: Lexicon) -> Entry | None:
    for candidate in (word, word[:-1] if word.endswith("s") else ""):
        entry = lex.lookup((candidate,)) if len(candidate) >= 2 else None
        if entry is None and candidate:
            entry = _fuzzy(candidate, lex)
        if entry is not None and "allergen" in entry.kinds():
            return entry
    return None


def _compound(word: str, i: int, brk: bool, lex: Lexicon) -> list[Hit]:
    for suffix in lex.suffixes:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            head = _allergen(word[: -len(suffix)], lex)
            tail = lex.lookup((suffix,))
            if head is not None and tail is not None:
                # zero-width allergen hit right before the negation, so the two stay adjacent
                return [Hit(i, i, head, word, brk), Hit(i, i + 1, tail, word, brk)]
    return []


def find(tokens: list[Token], lex: Lexicon) -> list[Hit]:
    tokens = correct(tokens, lex)
    hits: list[Hit] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.is_number:
            hits.append(Hit(i, i + 1, None, tok.text, tok.brk))
            i += 1
            continue
        for size in range(min(lex.longest, len(tokens) - i), 0, -1):
            window = tokens[i:i + size]
            if any(t.brk for t in window[1:]):
                continue
            entry = lex.lookup(tuple(t.text for t in window))
            if entry is not None:
                hits.append(Hit(i, i + size, entry, " ".join(t.text for t in window), tok.brk))
                i += size
                break
        else:
            compound = _compound(tok.text, i, tok.brk, lex)
            if compound:
                hits.extend(compound)
            else:
                entry = _fuzzy(tok.text, lex)
                if entry is not None:
                    hits.append(Hit(i, i + 1, entry, tok.text, tok.brk))
            i += 1
    return hits
