"""The chat API's request body (camelCase in the JSON, snake_case in Python)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from shared.camel import CamelModel
from shared.chat.constraints import forget_codes
from shared.identifiers import HEALTH_CHECK_SESSION, OPAQUE_ID_PATTERN


def _forgettable(value: str) -> str:
    if value not in forget_codes():
        raise ValueError("one of allergen:<EU-14 code>, diet:<code>, course:<code>, maxPrice, cheapest, spicy")
    return value


class ChatRequest(CamelModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    restaurant_id: str = Field(min_length=1, max_length=64)
    session_token: str = Field(pattern=OPAQUE_ID_PATTERN,
                               description="Opaque, 8-128 URL-safe characters; 'health-check' for probes")
    message: str = Field(min_length=1, max_length=500, description="1-500 characters after trimming")
    forget: list[Annotated[str, AfterValidator(_forgettable)]] = Field(
        default_factory=list, max_length=32,
        description="Parts of the assistant's reading the diner took back (the removable chips of "
                    "`understood`): `allergen:<code>`, `diet:<code>`, `course:<code>`, `maxPrice`, `cheapest`, "
                    "`spicy`; applied after this message is read")

    @property
    def is_probe(self) -> bool:
        return self.session_token == HEALTH_CHECK_SESSION
