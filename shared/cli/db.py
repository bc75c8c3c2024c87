"""``stjarna db migrate|seed``: the database's migrations and seed restaurants."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from shared.cli.output import EXIT_USAGE, command, container, group


def cmd_db_migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import migrate

    settings = container().settings
    if settings.store_kind == "supabase" and settings.database_url is None:
        print("Migrations need a direct Postgres connection: set DATABASE_URL to the project's "
              "connection string (Supabase: Project Settings → Database) and run again.", file=sys.stderr)
        return EXIT_USAGE
    if settings.database_url is not None:
        applied = migrate(settings.database_url.get_secret_value())
    else:
        from shared.db.embedded import embedded_dsn

        applied = migrate(embedded_dsn(settings.data_dir))
    print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    return 0


def cmd_db_seed(args: argparse.Namespace) -> int:
    from shared.db.seed import SEED_DIR
    from shared.menus.io import import_menu

    store = container().store
    for path in sorted(SEED_DIR.glob("*.json")):
        result = import_menu(store, orjson.loads(path.read_bytes()))
        print(f"{result['slug']}: version {result['version']}, {result['items']} items")
    return 0


def register(sub: Any) -> None:
    db = group(sub, "db", "Database: migrations and seed data.")
    command(db, "migrate", cmd_db_migrate, "Apply pending migrations (infra/migrations).")
    command(db, "seed", cmd_db_seed, "Import the seed restaurants (infra/seed) — creates or updates them.")
