"""Seed data for the embedded mode: every ``infra/seed/*.json`` menu whose slug is not there yet."""

from __future__ import annotations

from pathlib import Path

import orjson

from shared.menus.io import import_menu
from shared.paths import REPO_ROOT
from shared.store.postgres import PostgresStore

SEED_DIR = REPO_ROOT / "infra" / "seed"


def seed_if_empty(dsn: str, directory: Path = SEED_DIR) -> list[str]:
    """Import each seed menu whose restaurant does not exist; return the slugs created."""
    created: list[str] = []
    store = PostgresStore(dsn, timeout_seconds=10)
    try:
        for path in sorted(directory.glob("*.json")):
            document = orjson.loads(path.read_bytes())
            slug = document["restaurant"]["slug"]
            if store.rpc("stjarna_resolve", {"p_ref": slug}) is None:
                import_menu(store, document)
                created.append(slug)
    finally:
        store.close()
    return created
