"""Seed data for the embedded mode: every ``infra/seed/*.json`` menu whose slug is not there yet; and
the ``test`` restaurant every environment keeps live for smoke checks (the runbook's curl commands name
it: docs/operations.md), which ``stjarna tenant create-test`` and ``scripts/deploy`` ensure in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from shared.menus.io import import_menu
from shared.paths import REPO_ROOT
from shared.store import Store
from shared.store.postgres import PostgresStore

SEED_DIR = REPO_ROOT / "infra" / "seed"
TEST_SLUG = "test"
TEST_MENU = SEED_DIR / "test.json"


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


def ensure_test_restaurant(store: Store, actor: str) -> dict[str, Any]:
    """Create the ``test`` restaurant from ``infra/seed/test.json``, or put it back as that file says
    (live, its small menu, always open). Idempotent: when it is already so, nothing is written (same
    menu version) and nothing is audited; else audited as ``tenant.create`` / ``tenant.update``. The
    import result with ``changed``."""
    document = orjson.loads(TEST_MENU.read_bytes())
    before: dict[str, Any] | None = store.rpc("stjarna_restaurant_head", {"p_ref": TEST_SLUG})
    result = import_menu(store, document)
    changed = before is None or before.get("version") != result["version"]
    if changed:
        store.rpc("stjarna_audit", {
            "p_actor": actor, "p_action": "tenant.create" if result["created"] else "tenant.update",
            "p_restaurant_id": result["restaurantId"],
            "p_details": {"slug": TEST_SLUG, "status": "live", "items": result["items"], "version": result["version"],
                          "via": "tenant create-test"}})
    return {**result, "changed": changed}
