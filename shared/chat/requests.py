"""The chat API's request body (camelCase in the JSON, snake_case in Python)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from shared.camel import CamelModel
from shared.chat.constraints import forget_codes
from shared.identifiers import HEALTH_CHECK_SESSION

# A chat session token only keys the diner's conversation context and rate limit: it guards nothing, so
# a short one is accepted (the runbook's smoke checks send "test"). Tokens that do guard something (an
# order's status, idempotency keys) keep OPAQUE_ID_PATTERN's 8-128 characters (shared/orders/requests.py).
CHAT_SESSION_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"


def _forgettable(value: str) -> str:
    if value not in forget_codes():
        raise ValueError("one of allergen:<EU-14 code>, diet:<code>, course:<code>, maxPrice, cheapest, spicy")
    return value


class ChatRequest(CamelModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    restaurant_id: str = Field(min_length=1, max_length=64)
    session_token: str = Field(pattern=CHAT_SESSION_PATTERN,
                               description="Opaque, 1-128 URL-safe characters (A-Z, a-z, 0-9, '_', '-'); "
                                           "'health-check' with the X-Stjarna-Probe header for monitoring probes")
    message: str = Field(min_length=1, max_length=500, description="1-500 characters after trimming")
    forget: list[Annotated[str, AfterValidator(_forgettable)]] = Field(
        default_factory=list, max_length=32,
        description="Parts of the assistant's reading the diner took back (the removable chips of "
                    "`understood`): `allergen:<code>`, `diet:<code>`, `course:<code>`, `maxPrice`, `cheapest`, "
                    "`spicy`; applied after this message is read")

    @property
    def is_probe(self) -> bool:
        """The token a probe uses; the request is a probe only with X-Stjarna-Probe (``Tenant.probe``)."""
        return self.session_token == HEALTH_CHECK_SESSION
