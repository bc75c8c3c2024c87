"""Support commands against a real database: the seed restaurants plus variants in other states, the
``stjarna`` CLI run in-process (``run``), and a real HTTP server on the same database (``api``)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared import cli
from shared.container import Container
from shared.kv.memory import MemoryKV
from shared.menus.io import import_menu
from shared.store.postgres import PostgresStore
from tests.conftest import make_settings, seed_documents
from tests.support.servers import BackgroundServer


def demo_variant(slug: str, status: str = "live", **restaurant: Any) -> dict[str, Any]:
    """The demo menu under another slug and status (and other restaurant fields)."""
    document = copy.deepcopy(next(d for d in seed_documents() if d["restaurant"]["slug"] == "demo"))  # type: ignore[index]
    document["restaurant"].update(slug=slug, status=status, **restaurant)
    return document


@pytest.fixture
def variants(seeded: PostgresStore) -> dict[str, str]:
    """``draft-place`` and ``suspended-place`` (the demo menu, not public); slug -> id."""
    return {slug: import_menu(seeded, demo_variant(slug, status))["restaurantId"]
            for slug, status in (("draft-place", "draft"), ("suspended-place", "suspended"))}


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``code, out, err = run("tenant", "show", "demo")``: the CLI in this process."""
    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return call


@pytest.fixture
def support(cli_env: str, seeded: PostgresStore) -> PostgresStore:
    """The CLI's environment (DATABASE_URL) on a database holding the seed restaurants."""
    return seeded


@pytest.fixture
def api(database: str) -> Iterator[Callable[..., BackgroundServer]]:
    """``api(**env)``: the whole app over real HTTP on this test's database (stopped afterwards)."""
    from shared.http.app import create_app

    servers: list[tuple[BackgroundServer, Container]] = []

    def start(**env: str) -> BackgroundServer:
        container = Container(make_settings(**env), store=PostgresStore(database, timeout_seconds=5), kv=MemoryKV())
        server = BackgroundServer(create_app(container=container))
        server.start()
        servers.append((server, container))
        return server

    yield start
    for server, container in servers:
        server.stop()
        container.close()
