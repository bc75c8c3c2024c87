"""Store adapter for any PostgreSQL (and the embedded one), with psycopg.

One connection per container, guarded by a lock (a Lambda instance serves one request at a time; the
development server shares it across threads). A broken connection is replaced on the next call;
a call that fails mid-way is not retried (the caller decides), so nothing runs twice.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import orjson
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb, set_json_loads

from shared.errors import StoreUnavailable
from shared.store import error_for_sqlstate


class PostgresStore:
    def __init__(self, dsn: str, *, timeout_seconds: float) -> None:
        self._dsn = dsn
        self._timeout = timeout_seconds
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self._lock = threading.Lock()

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(
                self._dsn,
                autocommit=True,
                connect_timeout=max(1, round(self._timeout)),
                options=f"-c statement_timeout={int(self._timeout * 1000)}",
                application_name="stjarna",
            )
            set_json_loads(orjson.loads, self._conn)  # ≈ 1.5x faster than json.loads on a large menu
        return self._conn

    def rpc(self, function: str, params: Mapping[str, Any]) -> Any:
        args = sql.SQL(", ").join(
            sql.SQL("{} := {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in params
        )
        query = sql.SQL("select {}({})").format(sql.Identifier(function), args)
        values = {k: Jsonb(v) if isinstance(v, dict | list) else v for k, v in params.items()}
        with self._lock:
            try:
                row = self._connection().execute(query, values).fetchone()
            except psycopg.OperationalError as exc:
                raise StoreUnavailable() from exc
            except psycopg.Error as exc:
                diag = exc.diag
                raise error_for_sqlstate(exc.sqlstate, diag.message_primary or str(exc)) from exc
        return None if row is None else row[0]

    def ping(self) -> None:
        self.rpc("stjarna_ping", {})

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
