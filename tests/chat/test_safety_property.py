"""Property: whatever the menu, a diner who names an allergen word of the vocabulary (any language in
``allergenWords``) in an allergy or "free" phrasing is never offered a dish containing an allergen of
that word's group, nor a dish whose allergens are undeclared.

Menus are random (sections Starters/Mains/Desserts/Drinks, items with random allergen sets, declared or
not, random tags); messages come from templates per language filled with the word. The run is
derandomised (the same examples every time) and keeps no example database.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from shared import vocabulary
from shared.chat.candidates import select
from shared.chat.constraints import parse
from shared.chat.fallback import respond

# Hypothesis keeps its files outside the tree (as tests/fuzz does).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "stjarna-hypothesis")

EU14 = vocabulary.EU14_ORDER
SECTIONS = ("Starters", "Mains", "Desserts", "Drinks")
COURSE = {  # a course word per language for the "{a}-free {course}" template
    "en": "starters", "sv": "förrätter", "de": "Vorspeisen", "fr": "entrées", "es": "entrantes",
    "it": "antipasti", "nl": "voorgerechten", "da": "forretter", "no": "forretter", "fi": "alkuruoat",
    "pl": "przystawki",
}
# {a}: the allergen word as the vocabulary spells it; {course}: the language's course word.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": ("I'm allergic to {a}", "{a} makes me sick", "no {a} please", "{a}-free {course}",
           "Allergy: {a}. Any {course}?"),
    "sv": ("jag är allergisk mot {a}", "jag blir sjuk av {a}", "ingen {a} tack", "utan {a}, tack",
           "{a}-fri {course}?"),
    "de": ("Ich bin allergisch gegen {a}", "ohne {a} bitte", "{a}-frei bitte", "Allergie: {a}"),
    "fr": ("je suis allergique à {a}", "sans {a} s'il vous plaît", "Allergie : {a}. Des {course} ?"),
    "es": ("soy alérgico a {a}", "sin {a} por favor", "Alergia: {a}. ¿{course}?"),
    "it": ("sono allergico a {a}", "senza {a} per favore", "Allergia: {a}. {course}?"),
    "nl": ("ik ben allergisch voor {a}", "zonder {a} graag", "{a}-vrij graag", "Allergie: {a}"),
    "da": ("jeg er allergisk over for {a}", "uden {a} tak", "{a}-fri {course}?", "Allergi: {a}"),
    "no": ("jeg er allergisk mot {a}", "uten {a}, takk", "{a}-fri {course}?", "Allergi: {a}"),
    "fi": ("Allergia: {a}", "olen allerginen: {a}", "ilman {a}, kiitos"),
    "pl": ("mam alergię na {a}", "Alergia: {a}", "bez {a} proszę"),
}


def _words() -> list[tuple[str, str, frozenset[str]]]:
    """(language, word, the group's codes) for every allergen word of the vocabulary."""
    out = []
    for group in vocabulary.chat_section("allergenWords"):
        codes = frozenset(group["codes"])
        for lang, words in group.items():
            if lang == "codes" or lang.startswith("$"):
                continue
            out.extend((lang, word, codes) for word in words)
    return out


WORDS = _words()
words = st.sampled_from(WORDS)
items = st.fixed_dictionaries({
    "allergens": st.sets(st.sampled_from(EU14), max_size=5),
    "allergensDeclared": st.booleans(),
    "tags": st.sets(st.sampled_from(vocabulary.tags()), max_size=3),
    "priceCents": st.integers(1000, 30000),
})
menus = st.lists(st.lists(items, min_size=1, max_size=5), min_size=1, max_size=4)


def payload(sections: list[list[dict[str, Any]]]) -> dict[str, Any]:
    out, n = [], 0
    for s, raw_items in enumerate(sections):
        section_items = []
        for raw in raw_items:
            allergens = [a for a in EU14 if a in raw["allergens"]] if raw["allergensDeclared"] else []
            section_items.append({"id": f"item-{n}", "name": f"Dish {n}", "description": None,
                                  "priceCents": raw["priceCents"], "allergens": allergens,
                                  "allergensDeclared": raw["allergensDeclared"],
                                  "tags": [t for t in vocabulary.tags() if t in raw["tags"]]})
            n += 1
        out.append({"id": f"section-{s}", "name": SECTIONS[s % len(SECTIONS)], "description": None,
                    "items": section_items})
    return {"version": 1, "restaurant": {"slug": "prop", "name": "Prop", "currency": "SEK", "locale": "en-SE",
                                         "timezone": "Europe/Stockholm", "hours": {}},
            "sections": out}


@settings(max_examples=150, deadline=None, derandomize=True, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(menu=menus, word=words, choice=st.integers(0, 99))
def test_named_allergen_is_never_suggested(menu: list[list[dict[str, Any]]],
                                           word: tuple[str, str, frozenset[str]], choice: int) -> None:
    lang, text, codes = word
    templates = TEMPLATES.get(lang, TEMPLATES["en"])
    template = templates[choice % len(templates)]
    message = template.format(a=text, course=COURSE.get(lang, COURSE["en"]))
    c = parse(message)
    out = respond(select(payload(menu), c), c, currency="SEK", locale="en-SE")
    for s in out["suggestions"]:
        assert not set(s["allergens"]) & codes, f"{message!r}: suggested {s['name']} with {s['allergens']}"
        assert s["allergensDeclared"], f"{message!r}: suggested {s['name']} with undeclared allergens"
