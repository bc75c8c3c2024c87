"""Feature flags. Layers (lowest first): code default < environment < SSM global < SSM per tenant.

This module is the environment layer; the SSM layers come with the operations issue and keep the
same contract: ``evaluate`` never raises, and returns the default when a layer fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.settings import Settings

FlagName = Literal["USE_SERVER_CHAT", "AI_DEGRADED_MODE", "ORDERING_ENABLED"]
DEFAULTS: dict[FlagName, bool] = {"USE_SERVER_CHAT": True, "AI_DEGRADED_MODE": False, "ORDERING_ENABLED": True}


@dataclass(frozen=True, slots=True)
class FlagValue:
    value: bool
    source: Literal["default", "env"]


def evaluate(settings: Settings, restaurant_id: str | None = None) -> dict[FlagName, FlagValue]:  # noqa: ARG001
    """The effective flags for a restaurant (``restaurant_id`` is for the SSM tenant layer, to come)."""
    from_env: dict[FlagName, bool] = {
        "USE_SERVER_CHAT": settings.use_server_chat,
        "AI_DEGRADED_MODE": settings.ai_degraded_mode,
        "ORDERING_ENABLED": settings.ordering_enabled,
    }
    explicit = settings.model_fields_set
    fields = {"USE_SERVER_CHAT": "use_server_chat", "AI_DEGRADED_MODE": "ai_degraded_mode",
              "ORDERING_ENABLED": "ordering_enabled"}
    return {name: FlagValue(from_env[name], "env" if fields[name] in explicit else "default")
            for name in DEFAULTS}
