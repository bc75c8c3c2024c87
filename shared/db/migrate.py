"""Apply ``infra/migrations/*.sql`` in name order, each once, each in its own transaction.

Concurrent runners are serialised with an advisory lock, so several instances starting at once
apply each migration exactly once.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from shared.paths import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "infra" / "migrations"
_LOCK_KEY = 0x5374_6A61  # "Stja"


def pending(conn: psycopg.Connection[tuple[object, ...]], directory: Path = MIGRATIONS_DIR) -> list[Path]:
    conn.execute("create table if not exists stjarna_migrations "
                 "(name text primary key, applied_at timestamptz not null default now())")
    done = {row[0] for row in conn.execute("select name from stjarna_migrations")}
    return [p for p in sorted(directory.glob("*.sql")) if p.name not in done]


def migrate(dsn: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is pending; return the names applied."""
    applied: list[str] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            for path in pending(conn, directory):
                with conn.transaction():
                    conn.execute(path.read_text(encoding="utf-8").encode())
                    conn.execute("insert into stjarna_migrations (name) values (%s)", (path.name,))
                applied.append(path.name)
        finally:
            conn.execute("select pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied
