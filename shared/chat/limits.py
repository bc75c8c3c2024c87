"""The chat's sizes, defined once: what a reply, a reason, the suggestions and the remembered
conversation may hold. The deterministic responder, the model's validation in the pipeline and the
OpenAI adapter's prompt all read them from here."""

from __future__ import annotations

from typing import Final

MAX_REPLY: Final = 450  # characters of a reply, notes included
MAX_REASON: Final = 120  # characters of one suggestion's reason
MAX_PICKS: Final = 4  # suggestions from the model
MAX_SUGGESTIONS: Final = 3  # suggestions from the deterministic responder
HISTORY_TURNS: Final = 6  # messages kept in the session context (3 exchanges)
MAX_TURN_CHARS: Final = 500  # characters of one earlier message shown to the model
MAX_DESCRIPTION: Final = 200  # characters of a dish's description shown to the model
