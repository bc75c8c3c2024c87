"""The chat API's input (camelCase as in the JSON)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

HEALTH_CHECK_SESSION = "health-check"


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    restaurantId: str = Field(min_length=1, max_length=64)  # noqa: N815
    sessionToken: str = Field(pattern=r"^[A-Za-z0-9_-]{8,128}$",  # noqa: N815
                              description="Opaque, 8-128 URL-safe characters; 'health-check' for probes")
    message: str = Field(min_length=1, max_length=500, description="1-500 characters after trimming")

    @property
    def is_probe(self) -> bool:
        return self.sessionToken == HEALTH_CHECK_SESSION
