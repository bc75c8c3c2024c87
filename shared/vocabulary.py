"""The allergen and diet-tag vocabulary, loaded once from ``vocabulary.json``."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Final

import orjson

EU14_ORDER: Final = (
    "gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk",
    "nuts", "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs",
)


@functools.cache
def _load() -> dict[str, dict[str, dict[str, str]]]:
    raw = resources.files("shared").joinpath("vocabulary.json").read_bytes()
    data: dict[str, dict[str, dict[str, str]]] = orjson.loads(raw)
    return data


def allergens() -> tuple[str, ...]:
    """The EU-14 allergen codes, in the regulation's order."""
    codes = tuple(_load()["allergens"])
    assert set(codes) == set(EU14_ORDER), "vocabulary.json must list exactly the EU-14 allergens"
    return EU14_ORDER


def tags() -> tuple[str, ...]:
    """Every diet or attribute tag an item may carry."""
    return tuple(_load()["tags"])


# -- the chat vocabulary (words -> constraints); shapes are documented in vocabulary.json ---------
@functools.cache
def _raw() -> dict[str, Any]:
    raw = resources.files("shared").joinpath("vocabulary.json").read_bytes()
    data: dict[str, Any] = orjson.loads(raw)
    return data


def chat_section(name: str) -> Any:
    """One of the chat vocabulary's top-level sections: ``diets``, ``allergenWords``, ``conditions``,
    ``negation``, ``price``, ``spice``, ``courses``, ``misspellings``, ``fuzzyStopwords``,
    ``languageHints``, ``reset``, ``chips``, ``avoidGroups``."""
    return _raw()[name]


def labels(kind: str, code: str) -> dict[str, str]:
    """Display labels per language of an allergen (``kind="allergens"``) or a tag (``"tags"``)."""
    entry: dict[str, str] = _raw()[kind][code]
    return {lang: text for lang, text in entry.items() if lang != "kind"}
