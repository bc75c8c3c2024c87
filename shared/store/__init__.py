"""The Store port: call one of the project's SQL functions (infra/migrations) and get its JSON back.

All menu (and later order) logic lives in those functions; an adapter is only a transport:
- ``PostgresStore``: psycopg, ``select fn(p_x := ...)`` on one connection per container;
- ``SupabaseStore``: PostgREST RPC (``POST /rest/v1/rpc/fn``) with the supabase-py PostgREST client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from shared.errors import StjarnaError, StoreUnavailable, ValidationFailed


class Store(Protocol):
    def rpc(self, function: str, params: Mapping[str, Any]) -> Any:
        """Call ``function`` with named ``params``; return its (JSON) result, ``None`` for SQL NULL.

        Raises ``StoreUnavailable`` when the database cannot be reached or times out, and
        ``ValidationFailed`` when the database rejects the data (constraint or data errors)."""
        ...

    def ping(self) -> None:
        """One round trip; raises ``StoreUnavailable`` when it fails."""
        ...

    def close(self) -> None: ...


def error_for_sqlstate(sqlstate: str | None, message: str) -> StjarnaError:
    """Translate a database error by its SQLSTATE class into our error tree (both adapters use it)."""
    state = sqlstate or ""
    if state.startswith(("22", "23")):  # data exception, integrity constraint violation
        return ValidationFailed([{"path": "", "message": message}])
    if state.startswith(("08", "53", "57", "58")) or state in {"", "PGRST000", "PGRST001", "PGRST002"}:
        return StoreUnavailable()
    return StjarnaError(f"database error {state}")
