"""The port: where overrides live (SSM Parameter Store, a local file), as raw text per layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Overrides:
    """Raw override text as stored: global ``{NAME: text}``, per tenant ``{slug: {NAME: text}}``."""

    global_: Mapping[str, str] = field(default_factory=dict)
    tenants: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


class FlagStore(Protocol):
    where: str

    def load(self) -> Overrides: ...

    def put(self, name: str, value: str, slug: str | None) -> None: ...

    def delete(self, name: str, slug: str | None) -> bool:
        """Remove an override; False when there was none."""
        ...
