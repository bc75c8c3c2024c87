"""The fuzzing harness: the whole deployed app in process on the real (embedded) PostgreSQL with the seed
restaurants, an admin key, a few placed orders to aim at, and the properties every answer must have.

Budget: ``STJARNA_FUZZ_EXAMPLES`` examples per operation and per raw-input test (default 12: the
normal suite; ``scripts/bench --fuzz`` sets a long one). The short run is derandomised (the same
inputs every run, no flakes) and keeps no example database; a long run is random and keeps its
failing examples outside the tree (``$TMPDIR/stjarna-hypothesis/fuzz-examples``) so a rerun replays
them first. Hypothesis' other files go there too, not to ./.hypothesis.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase
from psycopg.conninfo import make_conninfo
from starlette.applications import Starlette

from shared.container import Container
from shared.http.app import DEPLOYED_GROUPS, create_app
from shared.http.openapi import document
from shared.http.schemas import error_codes
from shared.kv.memory import MemoryKV
from shared.menus.io import import_menu
from shared.orders.requests import OrderRequest
from shared.store.postgres import PostgresStore
from tests.conftest import TEMPLATE, make_settings, seed_documents
from tests.openapi.conformance import Document

SHORT_EXAMPLES = 12
EXAMPLES = int(os.environ.get("STJARNA_FUZZ_EXAMPLES", SHORT_EXAMPLES))
LONG = EXAMPLES > SHORT_EXAMPLES
# Hypothesis keeps caches (and example databases) in ./.hypothesis unless told otherwise: outside the tree.
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "stjarna-hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_HOME)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=not LONG, print_blob=True,
    database=DirectoryBasedExampleDatabase(HYPOTHESIS_HOME / "fuzz-examples") if LONG else None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)
# Limits out of the way, so generated requests reach the code behind them (tests/openapi and
# tests/ratelimit prove the limits themselves).
ENV = dict.fromkeys(("CHAT_RATE_LIMIT", "CHAT_IP_RATE_LIMIT", "ORDER_RATE_LIMIT", "ORDER_IP_RATE_LIMIT",
                     "QUOTE_RATE_LIMIT", "QUOTE_IP_RATE_LIMIT"), "100000 per minute")
# Junk keys are part of the fuzz: a short window keeps their failure counter from locking the valid key out.
ENV.update(ADMIN_AUTH_MAX_FAILURES="1000", ADMIN_AUTH_WINDOW_SECONDS="10")
# the seed orders and the accepted fuzz orders of one session stay open: the kitchen ceilings have tests of their own
ENV.update(ORDER_MAX_OPEN_PER_SESSION="100000", ORDER_RESTAURANT_RATE_LIMIT="100000 per minute")
ALLOWED_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000", "https://shop.stjarna.dev")
SESSION = "fuzz-session-0001"
# A fixed admin key (stored hashed, as any key), so generation can use it before the app exists.
ADMIN_KEY = "stj_fuzz-admin-key-000000000000000000000000000"
DOCUMENT = Document(document())
CODES = {status: set(codes) for status, codes in error_codes().items()}
# Counted by design on a rejected request: failed admin authentications (the 429 before the key check).
# Cache bookkeeping may be filled by any read: menu bodies by version (never changed once written),
# and the pointer to the latest confirmed copy.
KV_COUNTERS = ("admin-auth-fail:",)
KV_CACHE = ("menu:",)
# Written by a successful authentication whatever the request then does (at most once a minute).
DB_BOOKKEEPING = {"admin_keys": {"last_used_at"}}


@dataclass
class World:
    """One test's app and what to aim at; ``current`` is the running test's (for schemathesis hooks)."""

    app: Starlette
    container: Container
    kv: MemoryKV
    conn: psycopg.Connection[Any]
    admin_key: str
    restaurants: dict[str, str]  # slug -> id
    items: list[str]  # item ids, demo and nattbaren
    orders: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, list[str]] = field(default_factory=dict)

    def fingerprint(self) -> dict[str, tuple[int, str]]:
        """Every table's row count and the md5 of its ordered rows (bookkeeping columns left out), in
        one round trip."""
        parts = []
        for table, columns in self.tables.items():
            row = f"({', '.join(columns)})"
            parts.append(f"select '{table}', count(*), md5(coalesce(string_agg({row}::text, '|' order by "
                         f"{row}::text), '')) from {table}")
        return {t: (n, d) for t, n, d in self.conn.execute(" union all ".join(parts)).fetchall()}

    def kv_state(self) -> dict[str, str]:
        """The KV's live entries (values only; expiry times move with the clock)."""
        return {key: self.kv.get(key) or "" for key in list(self.kv._data)}  # a test reads the memory KV's state

    def check(self, method: str, status: int, before: tuple[Any, Any], where: str) -> None:
        """The properties of one answer, given the state ``before`` it: nothing changed in the database
        by a rejected request or a read; in the KV, by a rejected request, nothing but failure counters
        and cache fills (a cached menu body is never altered)."""
        db_before, kv_before = before
        rejected = 400 <= status < 500
        if rejected or method in {"GET", "HEAD", "OPTIONS"}:
            after = self.fingerprint()
            changed = sorted(t for t in after if after[t] != db_before.get(t))
            assert not changed, f"{where}: {method} answered {status} but changed tables {changed}"
        if rejected:
            kv_after = self.kv_state()
            for key in set(kv_before) | set(kv_after):
                if key.startswith(KV_COUNTERS) or (key.startswith("menu:latest:")):
                    continue
                if key.startswith(KV_CACHE) and key not in kv_before:
                    continue
                assert kv_before.get(key) == kv_after.get(key), f"{where}: {status} changed KV key {key!r}"

    def snapshot(self) -> tuple[Any, Any]:
        return self.fingerprint(), self.kv_state()


_databases = itertools.count()


class _Current:
    world: World | None = None


current = _Current()


def _tables(conn: psycopg.Connection[Any]) -> dict[str, list[str]]:
    rows = conn.execute("select table_name, column_name from information_schema.columns "
                        "where table_schema = 'public' order by table_name, ordinal_position").fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if column not in DB_BOOKKEEPING.get(table, set()):
            tables.setdefault(table, []).append(column)
    return tables


@pytest.fixture(scope="module")
def world(pg_uri: str) -> Iterator[World]:
    """One database per fuzz module (what accepted requests change stays: later requests meet it)."""
    name = f"fuzz_{next(_databases)}"
    with psycopg.connect(pg_uri, autocommit=True) as admin:
        admin.execute(f"create database {name} template {TEMPLATE}")
    dsn = make_conninfo(pg_uri, dbname=name)
    store = PostgresStore(dsn, timeout_seconds=5)
    for doc in seed_documents():
        import_menu(store, doc)
    kv = MemoryKV()
    container = Container(make_settings(**ENV), store=store, kv=kv)
    store.rpc("stjarna_admin_key_create", {"p_name": "fuzz", "p_hash": container.admin_keys.digest(ADMIN_KEY),
                                           "p_expires_at": None, "p_actor": "cli:test"})
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            restaurants = dict(conn.execute("select slug, id::text from restaurants").fetchall())
            items = dict(conn.execute("select r.slug || '/' || i.key, i.id::text from menu_items i "
                                      "join restaurants r on r.id = i.restaurant_id").fetchall())
            w = World(create_app(DEPLOYED_GROUPS, container=container), container, kv, conn, ADMIN_KEY, restaurants,
                      sorted(items.values()), tables=_tables(conn))
            for n, key in enumerate(("demo/hummus", "demo/salmon", "demo/sorbet")):
                order = OrderRequest.model_validate({"restaurantId": "demo", "sessionToken": SESSION,
                                                     "items": [{"itemId": items[key], "quantity": 1}]})
                w.orders.append(container.orders.place(restaurants["demo"], order, f"fuzz-seed-{n:04d}",
                                                       ordering_enabled=True).order)
            current.world = w
            yield w
    finally:
        current.world = None
        store.close()
        with psycopg.connect(pg_uri, autocommit=True) as admin:
            admin.execute(f"drop database {name} with (force)")
