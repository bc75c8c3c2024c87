"""The allergen and diet-tag vocabulary, loaded once from ``vocabulary.json``."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Final

import orjson


@functools.cache
def _load() -> dict[str, Any]:
    """The whole file, read once; its shapes are documented in vocabulary.json itself."""
    data: dict[str, Any] = orjson.loads(resources.files("shared").joinpath("vocabulary.json").read_bytes())
    return data


# The EU-14 allergen codes in the regulation's order, as the file lists them (the database's check
# constraint lists the same: tests/chat/test_vocabulary.py). Read at import: the menu path never
# imports this module, the chat path reads the whole file anyway.
EU14_ORDER: Final[tuple[str, ...]] = tuple(_load()["allergens"])


def allergens() -> tuple[str, ...]:
    """The EU-14 allergen codes, in the regulation's order."""
    return EU14_ORDER


def tags() -> tuple[str, ...]:
    """Every diet or attribute tag an item may carry."""
    return tuple(_load()["tags"])


# -- the chat vocabulary (words -> constraints) ----------------------------------------------------
def chat_section(name: str) -> Any:
    """One of the chat vocabulary's top-level sections: ``diets``, ``allergenWords``, ``conditions``,
    ``negation``, ``price``, ``spice``, ``courses``, ``misspellings``, ``fuzzyStopwords``,
    ``languageHints``, ``reset``, ``chips``, ``avoidGroups``."""
    return _load()[name]


def labels(kind: str, code: str) -> dict[str, str]:
    """Display labels per language of an allergen (``kind="allergens"``) or a tag (``"tags"``)."""
    entry: dict[str, str] = _load()[kind][code]
    return {lang: text for lang, text in entry.items() if lang != "kind"}
