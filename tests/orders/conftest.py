"""Order bodies and keys (the fixtures `clock`, `items` and `sql` are in tests/conftest.py)."""

from __future__ import annotations

import itertools
from typing import Any

SESSION = "diner-session-0001"
_keys = itertools.count()


def new_key() -> str:
    return f"test-key-{next(_keys):06d}"


def order_body(*lines: tuple[str, int], restaurant: str = "demo", session: str = SESSION,
               **extra: Any) -> dict[str, Any]:
    return {"restaurantId": restaurant, "sessionToken": session,
            "items": [{"itemId": item, "quantity": quantity} for item, quantity in lines], **extra}
