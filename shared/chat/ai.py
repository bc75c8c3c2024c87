"""The AI port: given candidates that already satisfy every constraint, pick and phrase suggestions.

The model never sees an item that violates a constraint, and cannot add one: the pipeline
(``shared/chat/pipeline.py``) keeps only picks whose ids are among the candidates and takes names and
prices from the menu. The model also reports its own reading of the conversation (``avoid``,
``diets``: codes only); the pipeline applies the union of that and the code's reading, so the model
can only narrow what is offered, never widen it. Every text the model writes passes
``shared/chat/guard.py`` before a diner sees it. Any failure raises ``AiUnavailable`` and the
fallback responder answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from shared.chat.constraints import Constraints


class AiUnavailable(Exception):
    """The model could not give a usable answer (no key, timeout, 429, 5xx, malformed or empty).
    ``reason`` is a short outcome code for logs and metrics (never message text). ``avoid`` /
    ``diets``: the model's reading when its answer was parsed but unusable otherwise (no valid picks,
    say): the pipeline still narrows the fallback with it."""

    def __init__(self, reason: str, *, avoid: Iterable[str] = (), diets: Iterable[str] = ()) -> None:
        self.reason = reason
        self.avoid = frozenset(avoid)
        self.diets = frozenset(diets)
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class AiPick:
    item_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AiAnswer:
    reply: str
    picks: tuple[AiPick, ...]
    avoid: frozenset[str] = frozenset()  # EU-14 codes the model read in the conversation
    diets: frozenset[str] = frozenset()  # diet codes (keys of the vocabulary's ``diets``)


class AiResponder(Protocol):
    def answer(self, *, message: str, constraints: Constraints, candidates: list[dict[str, Any]],
               history: list[dict[str, str]], language: str, currency: str) -> AiAnswer:
        """``candidates``: public-menu items (id, name, description, priceCents, allergens,
        allergensDeclared, tags, section). ``history``: earlier turns, ``{"role", "content"}``, oldest
        first. Raises ``AiUnavailable``."""
        ...

    def close(self) -> None: ...

    @property
    def private_text(self) -> str:
        """The fixed instructions the model gets (its system prompt without the turn's data): a reply
        that echoes them is refused (``shared/chat/guard.py``)."""
        ...
