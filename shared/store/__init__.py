"""The Store port: call one of the project's SQL functions (infra/migrations) and get its JSON back.

All menu and order logic lives in those functions; an adapter is only a transport:
- ``PostgresStore``: psycopg, ``select fn(p_x := ...)`` on one connection per container;
- ``SupabaseStore``: PostgREST RPC (``POST /rest/v1/rpc/fn``) with the supabase-py PostgREST client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from shared.errors import ConfigError, StjarnaError, StoreUnavailable, ValidationFailed

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = ["Store", "build_store", "error_for_sqlstate"]


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
    """Translate a database error into our error tree (both adapters use it). ``sqlstate`` is a
    SQLSTATE, a PostgREST code (``PGRST…``) or, when something other than PostgREST answered (a
    gateway's HTML error page), the HTTP status."""
    state = sqlstate or ""
    if state.isdigit() and len(state) == 3:  # an HTTP status, not a SQLSTATE (those are 5 characters)
        status = int(state)
        return StoreUnavailable() if status >= 500 or status in {408, 429} else StjarnaError(f"database HTTP {status}")
    if state.startswith(("22", "23")):  # data exception, integrity constraint violation
        return ValidationFailed([{"path": "", "message": message}])
    if state.startswith(("08", "53", "57", "58")) or state in {"", "PGRST000", "PGRST001", "PGRST002"}:
        return StoreUnavailable()
    if state in {"PGRST301", "PGRST302", "42501"}:  # bad key or role: the deployment is misconfigured
        return ConfigError("The database refused our credentials; check SUPABASE_SERVICE_ROLE_KEY.")
    return StjarnaError(f"database error {state}")


def build_store(settings: Settings, *, embedded_dsn: str | None = None) -> Store:
    """Supabase, PostgreSQL or the embedded one (``Settings.store_kind``); the driver is imported here.
    The embedded database is started, migrated and seeded by ``shared.db.prepare_embedded``, which
    gives its ``embedded_dsn``."""
    timeout = settings.store_timeout_seconds
    if settings.store_kind == "supabase":
        from shared.store.supabase import SupabaseStore

        assert settings.supabase_url and settings.supabase_service_role_key
        return SupabaseStore(settings.supabase_url, settings.supabase_service_role_key.get_secret_value(),
                             timeout_seconds=timeout)
    from shared.store.postgres import PostgresStore

    if settings.store_kind == "postgres":
        assert settings.database_url is not None
        return PostgresStore(settings.database_url.get_secret_value(), timeout_seconds=timeout)
    if embedded_dsn is None:
        raise ValueError("the embedded store needs the embedded database's DSN (shared.db.prepare_embedded)")
    return PostgresStore(embedded_dsn, timeout_seconds=timeout)
