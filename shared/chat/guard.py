"""Checks on every text a model wrote before a diner sees it: the reply and each pick's reason.

Pure functions, no I/O. ``check`` returns the first failed check's code, or ``None``; the pipeline
then answers with the deterministic responder for the same (narrowed) constraints, outcome
``fallback:guard_<code>``. Logs and metrics carry the code only, never the text. The codes:

* ``item``: the text names a menu item that is not among the final candidates (case-insensitive, on
  word boundaries; a name inside a candidate's name, "latte" in "Oat latte", does not count).
* ``url``: a link (``http(s)://``, ``www.``, or a bare domain such as ``example.com``).
* ``email``: an e-mail address.
* ``phone``: a phone number: 7 or more digits with only spaces, dashes, dots, ``+`` or parentheses
  between them (a price next to its currency, "1 250 000 kr", is not one).
* ``claim``: the text says an allergen is absent (``claimed_free``: "nut-free", "without gluten")
  where the data does not support it: a reason speaks for its own item, which must have declared
  allergens without that one; the reply speaks for every picked item and every candidate it names.
  ``claimed_free`` reads the negations of every language of the vocabulary ("ohne Nüsse",
  "glutenfrei", "sans gluten", "sin lactosa").
* ``allergen_free``: a blanket claim ("allergen-free", "safe for allergy sufferers",
  "hypoallergenic", "allergifri", "allergenfrei", "sans allergènes", "sin alérgenos"...): always refused,
  whatever the data says.
* ``echo``: the text repeats a run of ``ECHO_WORDS`` words of the model's instructions.
* ``fact``: phrasing facts looked up in code (a dish, the hours), the reply states a number (a time,
  a price, a count) that the facts do not hold (``invented_numbers``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

from shared.chat.candidates import Item
from shared.chat.constraints import claimed_free

CODES: Final = ("item", "url", "email", "phone", "claim", "allergen_free", "echo", "fact")
_NUMBER: Final = re.compile(r"\d+")
ECHO_WORDS: Final = 8
MIN_PHONE_DIGITS: Final = 7

_TLDS: Final = (
    "com|net|org|info|biz|io|co|ai|app|dev|xyz|online|site|shop|store|link|click|eu|se|nu|de|fr|es|it|nl|"
    "dk|no|fi|pl|uk|us|ca|at|ch|be|ie|pt|me|ly|gl|to|tv|cc|ru|cn|jp|in|au|nz|gg|ws|onion")
_URL: Final = re.compile(
    r"https?://|\bwww\.|(?<![\w@-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + _TLDS + r")(?![\w-])")
_EMAIL: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RUN: Final = re.compile(r"\+?\(?\d[\d\s().\-]*\d")
_CURRENCY_AFTER: Final = re.compile(r"\s?(?:kr|sek|nok|dkk|eur|usd|gbp|euro|euros|:-|€|\$|£)(?!\w)")
_CURRENCY_BEFORE: Final = ("€", "$", "£")
# Blanket "no allergens" claims, on text folded by ``_fold`` (casefolded, accents stripped, dashes as
# spaces): English, Swedish, German, French, Spanish.
_BLANKET: Final = tuple(re.compile(p) for p in (
    r"\bal+erg\w*?\s?(?:free|safe|frei\w*|fri|fria|fritt)\b",      # allergen-free, allergifri, allergenfrei
    r"\b(?:free|frei|fri|fria|fritt|libre|libres|exempt\w*)\s(?:from|of|von|fran|de|d)?\s?"
    r"(?:any\s|all\s|allen\s|alla\s|tout\s|todo\s|los\s|des\s)?al+erg",  # free from allergens, libre de alérgenos
    r"\b(?:no|without|zero|keine|ohne|inga|utan|sans|aucun|aucune|sin|ningun|ninguna)\s"
    r"(?:\w+\s)?al+erg[ei]n",                                         # no allergens, sans allergènes, sin alérgenos
    r"\b(?:safe|safer|sicher|saker|seguro|segura|seguros|seguras|apto|apta|aptos|aptas|sans danger|"
    r"sans risque|adapte|adaptee|adaptes|convient|geeignet)\s(?:for|to|with|fur|para|pour|aux|a)\s"
    r"(?:\w+\s){0,3}al+erg",                                          # safe for allergy sufferers
    r"\bal+erg\w*\s(?:geeignet|sicher|unbedenklich|friendly|safe)\b",   # für Allergiker geeignet
    r"\bal+ergikerfreundlich|\bhyp[oe]\s?al+erg|\bhipo\s?al+erg",     # hypoallergenic, hipoalergénico
))


def _fold(text: str) -> str:
    """Casefolded, accents stripped, apostrophes unified, dashes and whitespace as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[\u2018\u2019\u00b4`]", "'", plain)
    return " ".join(re.sub(r"[\-\u2010-\u2015_]", " ", plain).split())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


@functools.lru_cache(maxsize=8)
def _shingles(private: str) -> frozenset[tuple[str, ...]]:
    """Every run of ``ECHO_WORDS`` words of ``private`` that does not cross a ``{placeholder}``."""
    runs: set[tuple[str, ...]] = set()
    for part in re.split(r"\{[^}]*\}", private):
        words = _words(part)
        runs.update(tuple(words[i:i + ECHO_WORDS]) for i in range(len(words) - ECHO_WORDS + 1))
    return frozenset(runs)


def echoes(text: str, private: str) -> bool:
    """``text`` repeats ``ECHO_WORDS`` consecutive words of ``private``."""
    runs = _shingles(private)
    words = _words(text)
    return any(tuple(words[i:i + ECHO_WORDS]) in runs for i in range(len(words) - ECHO_WORDS + 1))


def _edge(text: str, i: int) -> bool:
    """Position ``i`` is outside ``text`` or not a word character: a word boundary next to it."""
    return i < 0 or i >= len(text) or not (text[i].isalnum() or text[i] == "_")


@functools.lru_cache(maxsize=4096)
def _folded_name(name: str) -> str:
    return _fold(name)


def _spans(folded: str, name: str) -> list[tuple[int, int]]:
    """Where the folded ``name`` occurs in ``folded`` as whole words."""
    needle = _folded_name(name)
    spans: list[tuple[int, int]] = []
    start = folded.find(needle) if needle else -1
    while start != -1:
        end = start + len(needle)
        if _edge(folded, start - 1) and _edge(folded, end):
            spans.append((start, end))
        start = folded.find(needle, start + 1)
    return spans


def named(text: str, items: Iterable[Item]) -> set[str]:
    """Ids of the ``items`` whose name ``text`` contains (case-insensitive, on word boundaries)."""
    folded = _fold(text)
    return {item.id for item in items if _spans(folded, item.name)}


def names_excluded(text: str, candidates: Sequence[Item], items: Iterable[Item]) -> bool:
    """``text`` names an item of ``items`` that is not a candidate, other than inside a candidate's name."""
    folded = _fold(text)
    allowed = {item.id for item in candidates}
    inside = [span for item in candidates for span in _spans(folded, item.name)]
    for item in items:
        if item.id in allowed:
            continue
        for start, end in _spans(folded, item.name):
            if not any(a <= start and end <= b for a, b in inside):  # also: a candidate of the same name
                return True
    return False


def has_url(text: str) -> bool:
    return _URL.search(text.casefold()) is not None


def has_email(text: str) -> bool:
    return _EMAIL.search(text) is not None


def has_phone(text: str) -> bool:
    for m in _PHONE_RUN.finditer(text):
        if sum(ch.isdigit() for ch in m.group()) < MIN_PHONE_DIGITS:
            continue
        before = text[max(0, m.start() - 2):m.start()]
        if any(sym in before for sym in _CURRENCY_BEFORE) or _CURRENCY_AFTER.match(text, m.end()):
            continue  # a price
        return True
    return False


def blanket_claim(text: str) -> bool:
    """A claim that a dish has no allergens at all, or is safe for allergies (any reply language)."""
    folded = _fold(text)
    return any(p.search(folded) for p in _BLANKET)


def unsupported_claims(text: str, items: Iterable[Item]) -> frozenset[str]:
    """The allergens ``text`` says are absent that some of ``items`` is not declared free of."""
    claimed = claimed_free(text)
    if not claimed:
        return frozenset()
    return frozenset(a for a in claimed for item in items if not item.allergens_declared or a in item.allergens)


def _common(text: str, candidates: Sequence[Item], items: Sequence[Item], private: str) -> str | None:
    if names_excluded(text, candidates, items):
        return "item"
    if has_email(text):
        return "email"
    if has_url(text):
        return "url"
    if has_phone(text):
        return "phone"
    if blanket_claim(text):
        return "allergen_free"
    if private and echoes(text, private):
        return "echo"
    return None


def invented_numbers(text: str, facts: str) -> bool:
    """``text`` holds a number (digits; "18:45" is two) that ``facts`` does not."""
    known = set(_NUMBER.findall(facts))
    return any(n not in known for n in _NUMBER.findall(text))


def check(reply: str, picks: Sequence[tuple[Item, str]], *, candidates: Sequence[Item], items: Sequence[Item],
          private: str = "", facts: str | None = None) -> str | None:
    """The first failed check (a code of ``CODES``) over the reply and every ``(item, reason)`` pick,
    or ``None`` when all pass. ``candidates``: the final candidates; ``items``: every menu item;
    ``private``: the model's instructions (see ``echoes``); ``facts``: the code's answer the reply
    phrases (see ``invented_numbers``)."""
    failed = _common(reply, candidates, items, private)
    if failed:
        return failed
    if facts is not None and invented_numbers(reply, facts):
        return "fact"
    speaks_for = {item.id: item for item, _ in picks}
    mentioned = named(reply, candidates)
    speaks_for.update((i.id, i) for i in candidates if i.id in mentioned)
    if unsupported_claims(reply, speaks_for.values()):
        return "claim"
    for item, reason in picks:
        failed = _common(reason, candidates, items, private)
        if failed:
            return failed
        if unsupported_claims(reason, [item]):
            return "claim"
    return None
