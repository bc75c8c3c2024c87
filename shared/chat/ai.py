"""The AI port: given candidates that already satisfy every constraint, pick and phrase suggestions.

With ``facts`` (a question about a dish or the restaurant, answered in code), the model only phrases
those facts for the diner; the pipeline keeps the code's suggestions and checks that the reply adds
no number the facts do not hold.

An adapter is a transport: it sends the turn to a model and returns what the model said, as an
``AiAnswer``, or raises ``AiUnavailable`` when there is no usable answer (no key, timeout, 429, 5xx,
malformed). Everything the answer may do to a diner is decided once, in the pipeline
(``shared/chat/pipeline.py``): picks are kept only while they name candidates (names, prices and
allergens from the menu), the model's own reading of the conversation (``avoid``, ``diets``: codes
only) is added to the code's, so the model can only narrow what is offered, and every text the model
wrote passes ``shared/chat/guard.py`` before a diner sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from shared.chat.candidates import Item
from shared.chat.constraints import Constraints

if TYPE_CHECKING:
    from shared.settings import Settings


class AiUnavailable(Exception):
    """The model could not give a usable answer (no key, timeout, 429, 5xx, malformed, empty).
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
    """What the model said, as it said it: not yet checked against anything."""
    reply: str
    picks: tuple[AiPick, ...]
    avoid: frozenset[str] = frozenset()  # EU-14 codes the model read in the conversation
    diets: frozenset[str] = frozenset()  # diet codes (keys of the vocabulary's ``diets``)


class AiResponder(Protocol):
    def answer(self, *, message: str, constraints: Constraints, candidates: Sequence[Item],
               history: list[dict[str, str]], language: str, currency: str, facts: str | None = None) -> AiAnswer:
        """``candidates``: the items the model may pick from. ``history``: earlier turns, ``{"role",
        "content"}``, oldest first. ``facts``: the code's answer to phrase. Raises ``AiUnavailable``."""
        ...

    def close(self) -> None: ...

    @property
    def private_text(self) -> str:
        """The fixed instructions the model gets (its system prompt without the turn's data): a reply
        that echoes them is refused (``shared/chat/guard.py``)."""
        ...


def build_ai(settings: Settings) -> AiResponder | None:
    """The OpenAI adapter when a key is configured, else None (the fallback answers); its module,
    and ``openai`` with it, is imported only then."""
    if settings.openai_api_key is None:
        return None
    from shared.chat.openai_responder import OpenAIResponder

    return OpenAIResponder(settings.openai_api_key.get_secret_value(), model=settings.openai_model,
                           timeout_seconds=settings.openai_timeout_seconds, max_retries=settings.openai_max_retries,
                           base_url=settings.openai_base_url)
