"""Normalisation, tokens and edit distance: the only text handling the chat parser relies on.

Normalising casefolds, strips accents (``nötfri`` -> ``notfri``) and drops apostrophes
(``don't`` -> ``dont``); every other character that is not a letter, a digit or a currency symbol
separates words, so ``gluten-free`` and ``gluten free`` give the same tokens. ``.``, ``!``, ``?``,
``;``, ``:`` and line breaks also mark a sentence break, which ends a negation's scope.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SYMBOLS = "€$£"
_BREAKS = frozenset(".!?;:\n")
_APOSTROPHES = frozenset("'`\u2019\u00b4")
_DIGITS = frozenset("0123456789")
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    brk: bool = False  # a sentence break comes just before this token

    @property
    def is_number(self) -> bool:
        return self.text[0] in _DIGITS


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _number(s: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(s) and s[j] in _DIGITS:
        j += 1
    if j + 1 < len(s) and s[j] in ".," and s[j + 1] in _DIGITS:
        k = j + 1
        while k < len(s) and s[k] in _DIGITS:
            k += 1
        # one or two digits after the separator are decimals ("149,50"); three are thousands ("1,000")
        return (s[i:j] + "." + s[j + 1:k] if k - j - 1 <= 2 else s[i:j] + s[j + 1:k]), k
    return s[i:j], j


def tokenize(text: str) -> list[Token]:
    s = normalise(text)
    out: list[Token] = []
    brk = False
    i = 0
    while i < len(s):
        ch = s[i]
        if ch in _DIGITS:
            word, i = _number(s, i)
        elif ch.isalpha():
            j = i
            while j < len(s) and (s[j].isalpha() or s[j] in _APOSTROPHES):
                j += 1
            word, i = "".join(c for c in s[i:j] if c not in _APOSTROPHES), j
        elif ch in SYMBOLS:
            word, i = ch, i + 1
        else:
            brk = brk or ch in _BREAKS
            i += 1
            continue
        out.append(Token(word, brk))
        brk = False
    return out


def phrase(text: str) -> tuple[str, ...]:
    """A vocabulary phrase as the tuple of its normalised tokens."""
    return tuple(t.text for t in tokenize(text))


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein (optimal string alignment) distance of ``a`` and ``b`` is at most 1."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True  # one substitution
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]  # transposition
    if la > lb:
        return a[i + 1:] == b[i:]  # one deletion from a
    return a[i:] == b[i + 1:]  # one insertion into a


def cut(text: str, limit: int) -> str:
    """``text`` (whitespace collapsed) in at most ``limit`` characters: whole sentences when a cut at a
    sentence end keeps at least half, else whole words and an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]  # a sentence may end exactly at the limit
    ends = [m.end() for m in _SENTENCE_END.finditer(head + " ") if m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return head[: ends[-1]].rstrip()
    words = text[: limit].rsplit(" ", 1)[0] if " " in text[: limit] else text[: limit - 1]
    words = words[: limit - 1].rstrip(" ,;:-")
    return words if words.endswith((".", "!", "?", "…")) else words + "…"
