"""``stjarna db migrate|seed|backup|restore``: the database's migrations, seed restaurants and backups
(pg_dump/pg_restore: shared/db/backup.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from shared.cli.output import EXIT_REFUSED, EXIT_USAGE, command, container, group


def _direct_dsn(what: str) -> str | None:
    """``DATABASE_URL``, else the embedded server's DSN (started if need be, not migrated or seeded);
    None (with the reason on stderr) when only Supabase's REST API is configured."""
    settings = container().settings
    if settings.database_url is not None:
        dsn: str = settings.database_url.get_secret_value()
        return dsn
    if settings.store_kind == "supabase":
        print(f"{what} need a direct Postgres connection: set DATABASE_URL to the project's "
              "connection string (Supabase: Project Settings → Database) and run again.", file=sys.stderr)
        return None
    from shared.db.embedded import embedded_dsn

    return embedded_dsn(settings.data_dir)


def cmd_db_migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import migrate

    dsn = _direct_dsn("Migrations")
    if dsn is None:
        return EXIT_USAGE
    applied = migrate(dsn)
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


def _counts(tables: dict[str, int]) -> str:
    shown = [f"{name} {tables[name]}" for name in ("restaurants", "menu_items", "orders", "admin_keys", "audit_log")
             if name in tables]
    return ", ".join(shown) or f"{len(tables)} table(s)"


def cmd_db_backup(args: argparse.Namespace) -> int:
    from shared.db.backup import backup

    file = Path(args.file)
    if file.exists() and not args.force:
        print(f"error: {file} exists; nothing was written (add --force to replace it)", file=sys.stderr)
        return EXIT_REFUSED
    dsn = _direct_dsn("Backups")
    if dsn is None:
        return EXIT_USAGE
    target = backup(dsn, file)
    print(f"backed up {target.description} ({_counts(target.tables)}) to {file} "
          f"({file.stat().st_size} bytes, pg_dump custom format); restore with `stjarna db restore {file}`")
    return 0


def cmd_db_restore(args: argparse.Namespace) -> int:
    from shared.db.backup import describe, inspect, restore

    file = Path(args.file)
    if not file.is_file():
        raise FileNotFoundError(2, "no such file", str(file))
    dsn = _direct_dsn("Restores")
    if dsn is None:
        return EXIT_USAGE
    target = inspect(dsn)
    archive = describe(file, target.major)
    print(f"restoring {file} (database {archive.dbname}, PostgreSQL {archive.server}, taken {archive.created}; "
          f"{len(archive.tables)} tables) into {target.description}")
    if not target.empty and not args.force:
        print(f"error: {target.description} is not empty ({_counts(target.tables)}): nothing was changed. "
              "Restore into an empty database (a new project), or add --force to replace its Stjarna tables, "
              "functions and data with the archive's.", file=sys.stderr)
        return EXIT_REFUSED
    if not target.empty:
        print(f"--force: replacing what is there now ({_counts(target.tables)}) with the archive's content, "
              "in one transaction (all or nothing)")
    restore(dsn, file, archive, force=args.force)
    after = inspect(dsn)
    print(f"restored: {_counts(after.tables)}")
    if not target.empty:
        print("Menu versions may now repeat numbers the KV has cached for other content: flush the KV's "
              "'menu:*' keys (docs/operations.md, Backups and restore).")
    return 0


def register(sub: Any) -> None:
    db = group(sub, "db", "Database: migrations, seed data, backups.")
    command(db, "migrate", cmd_db_migrate, "Apply pending migrations (infra/migrations).")
    command(db, "seed", cmd_db_seed, "Import the seed restaurants (infra/seed) — creates or updates them.")
    bk = command(db, "backup", cmd_db_backup, "Dump Stjarna's tables and data to FILE (pg_dump custom format).")
    bk.add_argument("file", metavar="FILE")
    bk.add_argument("--force", action="store_true", help="replace FILE if it exists")
    rs = command(db, "restore", cmd_db_restore,
                 "Restore FILE (from `db backup`) into the database; refuses a non-empty one without --force.")
    rs.add_argument("file", metavar="FILE")
    rs.add_argument("--force", action="store_true",
                    help="replace the database's Stjarna tables and data with the archive's (one transaction)")
