"""Order fixtures: the seeded items' ids, a frozen clock, order bodies."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from shared.store.postgres import PostgresStore

SESSION = "diner-session-0001"
_keys = itertools.count()


class FrozenClock:
    """The orders' "now": set by the test, never by sleeping."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))  # a Tuesday, 13:00 in Stockholm


@pytest.fixture
def items(seeded: PostgresStore, database: str) -> dict[str, str]:
    """Item key -> id for the seeded restaurants (keys are unique across the two seeds we use)."""
    with psycopg.connect(database) as conn:
        rows = conn.execute("select r.slug || '/' || i.key, i.id::text from menu_items i "
                            "join restaurants r on r.id = i.restaurant_id").fetchall()
    return dict(rows)


@pytest.fixture
def sql(database: str) -> Callable[..., list[tuple[Any, ...]]]:
    """Run SQL against the test database as the superuser (to look, or to inject a fault)."""
    def run(query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(database, autocommit=True) as conn:
            cur = conn.execute(query, params or None)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []
    return run


def new_key() -> str:
    return f"test-key-{next(_keys):06d}"


def order_body(*lines: tuple[str, int], restaurant: str = "demo", session: str = SESSION,
               **extra: Any) -> dict[str, Any]:
    return {"restaurantId": restaurant, "sessionToken": session,
            "items": [{"itemId": item, "quantity": quantity} for item, quantity in lines], **extra}
