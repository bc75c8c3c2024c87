"""Message -> ``Constraints``: deterministic, data-driven (``shared/vocabulary.json``).

Rules the issue left open, chosen here:

* Negation. A "before" marker (``no``, ``without``, ``utan``, ``inte``, ``allergic to``...) negates
  the allergen words among the next ``scope`` (3) words; each negated allergen extends the scope by
  another 3 words, so "no nuts, eggs, milk or soy" is one list. A diet, course, spice or price word
  is negated only when it is the first word that means something in the scope ("not spicy", "no
  dessert"); it then closes the scope, so "not spicy, vegan please" stays vegan. A negated diet or
  course is simply dropped. Sentence breaks and "but"/"men" close a scope. An "after" marker
  (``free``, ``fri``, ``allergy``) negates the adjacent allergen words before it, through "and"/"or"
  ("dairy and gluten free"), also written together ("glutenfree", "nötfri").
* Allergen words that are not negated are recorded in ``mentioned`` (the reply adds allergen
  caution) but do not filter. Condition words ("coeliac", "laktosintolerant") always mean avoid, even
  after "not": wrongly avoiding is safe, wrongly offering is not.
* Price. A number after a price word (``under``, ``max``, ``högst``, ``less than``), or a number
  written with a currency ("100 kr", "€15"), is a maximum in the restaurant's major unit: the value
  times 100, i.e. currencies with two decimals (SEK, EUR, USD...). The last one stated wins.
* Several diets all apply (an item must satisfy each). Several courses are alternatives.
* Language: the one whose vocabulary-only words matched more (words shared by both do not count);
  ``None`` on a tie.
* Follow-ups (``previous``): a message that names a diet replaces the diets; the same for courses,
  the price limit, spice and language. Allergens to avoid accumulate over the conversation (they are
  never dropped by a follow-up); ``cheapest`` stays on once asked. A reset phrase ("start over",
  "börja om") discards ``previous``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from shared import vocabulary
from shared.chat.lexicon import MEANINGFUL, Lexicon, lexicon
from shared.chat.matching import Hit, find
from shared.chat.text import tokenize

Language = Literal["en", "sv"]
_MAX_PRICE_DIGITS = 7


@dataclass(frozen=True, slots=True)
class Constraints:
    diets: frozenset[str] = frozenset()
    avoid: frozenset[str] = frozenset()  # EU-14 codes
    max_price_cents: int | None = None
    cheapest: bool = False
    spicy: bool | None = None
    courses: frozenset[str] = frozenset()
    language: Language | None = None
    mentioned: frozenset[str] = field(default=frozenset())  # allergens named without negation

    @property
    def names_allergens(self) -> bool:
        return bool(self.avoid or self.mentioned)

    def to_json(self) -> dict[str, Any]:
        order = vocabulary.EU14_ORDER
        return {"diets": sorted(self.diets), "avoid": [a for a in order if a in self.avoid],
                "maxPriceCents": self.max_price_cents, "cheapest": self.cheapest, "spicy": self.spicy,
                "courses": sorted(self.courses), "language": self.language,
                "mentioned": [a for a in order if a in self.mentioned]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Constraints:
        """Inverse of ``to_json``; raises ``ValueError`` on anything else (stale or foreign KV data)."""
        def codes(key: str, known: frozenset[str]) -> frozenset[str]:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v in known for v in value):
                raise ValueError(f"bad {key!r} in constraints")
            return frozenset(value)

        lex = lexicon()
        price, cheapest, spicy, language = (data.get("maxPriceCents"), data.get("cheapest", False),
                                            data.get("spicy"), data.get("language"))
        if price is not None and (type(price) is not int or price < 0):
            raise ValueError("bad 'maxPriceCents' in constraints")
        if type(cheapest) is not bool or (spicy is not None and type(spicy) is not bool):
            raise ValueError("bad 'cheapest' or 'spicy' in constraints")
        if language not in (None, "en", "sv"):
            raise ValueError("bad 'language' in constraints")
        allergens = frozenset(vocabulary.EU14_ORDER)
        return cls(diets=codes("diets", frozenset(lex.diet_satisfied_by)), avoid=codes("avoid", allergens),
                   max_price_cents=price, cheapest=cheapest, spicy=spicy,
                   courses=codes("courses", frozenset(lex.section_words)), language=language,
                   mentioned=codes("mentioned", allergens))


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
            if kinds & {"allergen", "condition"}:
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
            if "allergen" in before:
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


def _language(hits: list[Hit]) -> Language | None:
    en = sum(1 for h in hits if h.entry is not None and h.entry.langs == {"en"})
    sv = sum(1 for h in hits if h.entry is not None and h.entry.langs == {"sv"})
    return "en" if en > sv else "sv" if sv > en else None


def parse(message: str, previous: Constraints | None = None) -> Constraints:
    lex = lexicon()
    hits = find(tokenize(message), lex)
    negated = _negated(hits, lex)
    diets: set[str] = set()
    avoid: set[str] = set()
    mentioned: set[str] = set()
    courses: set[str] = set()
    spicy: bool | None = None
    cheapest = reset = False
    for k, hit in enumerate(hits):
        if hit.entry is None:
            continue
        neg, kinds = k in negated, hit.entry.kinds()
        for sense in hit.entry.senses:
            if sense.kind == "allergen" and (neg or "neg_before" not in kinds):
                (avoid if neg else mentioned).update(sense.codes)
            elif sense.kind == "condition":
                avoid.update(sense.codes)
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
                          cheapest=cheapest, spicy=spicy, courses=frozenset(courses), language=_language(hits),
                          mentioned=frozenset(mentioned - avoid))
    if previous is None or reset:
        return current
    return Constraints(
        diets=current.diets or previous.diets,
        avoid=current.avoid | previous.avoid,
        max_price_cents=current.max_price_cents if current.max_price_cents is not None else previous.max_price_cents,
        cheapest=current.cheapest or previous.cheapest,
        spicy=current.spicy if current.spicy is not None else previous.spicy,
        courses=current.courses or previous.courses,
        language=current.language or previous.language,
        mentioned=current.mentioned - previous.avoid,
    )
