"""A restaurant reference is its UUID or its slug; anything else is rejected before any I/O."""

from __future__ import annotations

import re

from shared.errors import RestaurantContextMissing, RestaurantIdInvalid
from shared.identifiers import SLUG_PATTERN, UUID_PATTERN

SLUG_RE = re.compile(SLUG_PATTERN)
UUID_RE = re.compile(UUID_PATTERN)


def parse_ref(raw: str | None) -> str:
    """Normalise a restaurantId (query, body or header) to a lower-case UUID or slug."""
    if raw is None or raw.strip() == "":
        raise RestaurantContextMissing()
    ref = raw.strip().lower()
    if len(ref) > 64 or not (UUID_RE.fullmatch(ref) or SLUG_RE.fullmatch(ref)):
        raise RestaurantIdInvalid()
    return ref
