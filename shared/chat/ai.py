"""The AI port: given candidates that already satisfy every constraint, pick and phrase suggestions.

The model never sees an item that violates a constraint, and cannot add one: the pipeline
(``shared/chat/pipeline.py``) keeps only picks whose ids are among the candidates and takes names and
prices from the menu. Any failure raises ``AiUnavailable`` and the fallback responder answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from shared.chat.constraints import Constraints


class AiUnavailable(Exception):
    """The model could not give a usable answer (no key, timeout, 429, 5xx, malformed or empty).
    ``reason`` is a short outcome code for logs and metrics (never message text)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class AiPick:
    item_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AiAnswer:
    reply: str
    picks: tuple[AiPick, ...]


class AiResponder(Protocol):
    def answer(self, *, message: str, constraints: Constraints, candidates: list[dict[str, Any]],
               history: list[dict[str, str]], language: str, currency: str) -> AiAnswer:
        """``candidates``: public-menu items (id, name, description, priceCents, allergens,
        allergensDeclared, tags, section). ``history``: earlier turns, ``{"role", "content"}``, oldest
        first. Raises ``AiUnavailable``."""
        ...

    def close(self) -> None: ...
