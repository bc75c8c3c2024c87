"""Tokens -> hits: the vocabulary phrases found in a message, longest match first.

Misspellings from the vocabulary's explicit list are corrected first (``correct``). Then, for each
position: a phrase of up to ``lexicon.longest`` words (never across a sentence break); for a single
unmatched word of five letters or more, in this order:

1. a compound of an allergen and a trailing "after" negation or allergy word (``glutenfree``,
   ``nötfri``, ``Nussallergie``, ``skaldjursallergi``: a linking ``s`` is dropped from the allergen);
   a word ending in an allergy word whose start is unknown (``matallergi``) is that allergy word;
2. a word that starts or ends with an allergen word of four letters or more (``Erdnussbutter``,
   ``Haselnuss``, ``Weizenmehl``, ``milkshake``): every allergen found at either end counts, so an
   unknown compound errs on the side of avoiding;
3. a fuzzy match.

Fuzzy matching: Damerau-Levenshtein distance <= 1, only when both the word and the vocabulary word
have at least 5 letters (so "nut" never becomes "but", and "what" never becomes "wheat"), never for
the words on ``fuzzyStopwords`` (real words one edit away from a vocabulary word: "daily", "custard"),
and only to words that carry meaning (diets, allergens, prices, spice, courses). Ties go to the
alphabetically first vocabulary word, so the result is deterministic. Candidates come from an index
of every target less one letter (two words within one edit share such a form), so the cost does not
grow with the vocabulary.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from shared.chat.lexicon import FUZZY_MIN_LENGTH, Entry, Lexicon, fuzzy_keys
from shared.chat.text import Token, within_one_edit

EMBEDDED_MIN_LENGTH = 4  # an allergen word inside a compound has at least this many letters
_ALLERGENIC = frozenset({"allergen", "condition"})


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
    found = sorted({t for key in fuzzy_keys(word) for t in lex.fuzzy_index.get(key, ())
                    if within_one_edit(word, t)})
    return lex.lookup((found[0],)) if found else None


def _allergenic(entry: Entry | None) -> bool:
    return entry is not None and bool(entry.kinds() & _ALLERGENIC)


def _allergen(word: str, lex: Lexicon) -> Entry | None:
    """``word`` as an allergen: as written, without a trailing ``s``, one edit away, or embedded."""
    for candidate in (word, word[:-1] if word.endswith("s") else ""):
        entry = lex.lookup((candidate,)) if len(candidate) >= 2 else None
        if entry is None and candidate:
            entry = _fuzzy(candidate, lex)
        if _allergenic(entry):
            return entry
    return _embedded(word, lex)


def _ingredient(word: str, lex: Lexicon) -> Entry | None:
    """``word`` as an ingredient ("tomat" of "tomatallergi"), as written or less a linking ``s``."""
    for candidate in (word, word[:-1] if word.endswith("s") else ""):
        entry = lex.lookup((candidate,)) if candidate else None
        if entry is not None and "ingredient" in entry.kinds():
            return entry
    return None


def names_allergen(word: str, lex: Lexicon) -> bool:
    """``word`` alone refers to an allergen, as ``find`` would read it: as written, a compound, embedded
    or one edit away ("latte", "Erdnussbutter", "nötfri")."""
    entry = lex.lookup((word,))
    if entry is not None:
        return _allergenic(entry)
    head, _ = _single(word, lex)
    return _allergenic(head)


def _embedded(word: str, lex: Lexicon) -> Entry | None:
    """The allergens of a word that starts or ends with an allergen word (longest part first)."""
    parts: list[Entry] = []
    for size in range(len(word) - 1, EMBEDDED_MIN_LENGTH - 1, -1):
        entry = lex.lookup((word[:size],))
        if _allergenic(entry):
            assert entry is not None
            parts.append(entry)
            break
    for size in range(len(word) - 1, EMBEDDED_MIN_LENGTH - 1, -1):
        entry = lex.lookup((word[-size:],))
        if _allergenic(entry):
            assert entry is not None
            parts.append(entry)
            break
    if not parts:
        return None
    senses = tuple(dict.fromkeys(s for e in parts for s in e.senses if s.kind in _ALLERGENIC))
    return Entry(senses, frozenset().union(*(e.langs for e in parts)))


@functools.lru_cache(maxsize=8192)
def _single(word: str, lex: Lexicon) -> tuple[Entry | None, Entry | None]:
    """An unmatched word's reading: (allergen, trailing negation or intent) for a compound, else
    (embedded allergens or a fuzzy match, None). Depends on the word alone, so it is cached."""
    if len(word) < FUZZY_MIN_LENGTH:
        return None, None
    for size in range(2, len(word) - 1):  # the longest suffix first, the allergen at least 2 letters
        tail = word[size:]
        if tail in lex.suffixes:
            head, entry = _allergen(word[:size], lex) or _ingredient(word[:size], lex), lex.lookup((tail,))
            if head is not None or (entry is not None and {"intent", "neg_after"} <= entry.kinds()):
                return head, entry  # an allergy word ends it: "matallergi" is allergy-related
    return (_embedded(word, lex) or _fuzzy(word, lex)), None


def find(tokens: list[Token], lex: Lexicon) -> list[Hit]:
    """The hits in ``tokens`` (already ``correct``-ed), in order."""
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
            head, tail = _single(tok.text, lex)
            if tail is not None:
                # zero-width allergen hit right before the negation, so the two stay adjacent
                hits += [*([Hit(i, i, head, tok.text, tok.brk)] if head is not None else []),
                         Hit(i, i + 1, tail, tok.text, tok.brk)]
            elif head is not None:
                hits.append(Hit(i, i + 1, head, tok.text, tok.brk))
            i += 1
    return hits
