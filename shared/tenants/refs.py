"""A restaurant reference is its UUID or its slug; anything else is rejected before any I/O."""

from __future__ import annotations

import re

from shared.errors import RestaurantContextMissing, RestaurantIdInvalid

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def parse_ref(raw: str | None) -> str:
    """Normalise a restaurantId (query, body or header) to a lower-case UUID or slug."""
    if raw is None or raw.strip() == "":
        raise RestaurantContextMissing()
    ref = raw.strip().lower()
    if len(ref) > 64 or not (UUID_RE.fullmatch(ref) or SLUG_RE.fullmatch(ref)):
        raise RestaurantIdInvalid()
    return ref
