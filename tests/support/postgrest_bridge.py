"""A PostgREST stand-in for tests: only the RPC endpoint supabase-py's client calls, on a real Postgres.

``POST /rest/v1/rpc/{fn}`` (JSON object of named args) and ``GET`` (query args) run
``select fn(name := value, ...)`` in a transaction as the role the bearer key maps to
(``set local role service_role`` / ``anon`` / ``authenticated``), like PostgREST does with a JWT's
role claim. Like PostgREST, it logs in as ``authenticator`` (tests/support/supabase.py), which can
do nothing but switch to those roles.
Results and errors have PostgREST's shape: a scalar function's JSON value as the body; errors as
``{"code", "message", "details", "hint"}`` with PostgREST's status for the SQLSTATE.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.types.json import Jsonb
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

_FIND_FUNCTION = """
select coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}'), p.pronargs, p.pronargdefaults,
       p.provolatile::text
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = 'public' and p.proname = %s and p.prokind = 'f'
"""


class BridgeError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.hint = status, code, message, details, hint

    def response(self) -> Response:
        body = {"code": self.code, "message": self.message, "details": self.details, "hint": self.hint}
        return JSONResponse(body, status_code=self.status, headers={"Proxy-Status": f"PostgREST; error={self.code}"})


@dataclass(frozen=True)
class _Function:
    inputs: tuple[str, ...]
    required: frozenset[str]
    read_only: bool

    def accepts(self, names: set[str]) -> bool:
        return names <= set(self.inputs) and self.required <= names


def status_for(sqlstate: str, role: str) -> int:
    """PostgREST's HTTP status for a PostgreSQL error (docs: "Errors", SQLSTATE table)."""
    if sqlstate in {"23503", "23505"}:
        return 409
    if sqlstate == "42501":
        return 401 if role == "anon" else 403
    if sqlstate in {"42883", "42P01"}:
        return 404
    if sqlstate == "25006":
        return 405
    if sqlstate.startswith(("08", "53")):
        return 503
    if sqlstate.startswith("54"):
        return 413
    if sqlstate.startswith(("22", "23", "42")) or sqlstate == "P0001":
        return 400
    return 500


class PostgrestBridge:
    def __init__(self, dsn: str, *, service_role_key: str, anon_key: str,
                 authenticated_key: str | None = None, login_role: str = "authenticator") -> None:
        self.dsn = dsn
        self.login_role = login_role
        self._roles = {service_role_key: "service_role", anon_key: "anon"}
        if authenticated_key is not None:  # a signed-in user's JWT, in Supabase Auth's terms
            self._roles[authenticated_key] = "authenticated"
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/rest/v1/rpc/{fn}", self._endpoint, methods=["GET", "POST"])])

    def use(self, dsn: str) -> None:
        """Point the bridge at another database (one bridge serves a whole test session)."""
        self.close()
        self.dsn = dsn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    async def _endpoint(self, request: Request) -> Response:
        try:
            role = self._role(request)
            args = await _arguments(request)
            body = await run_in_threadpool(self._call, role, request.path_params["fn"], args,
                                           request.method == "GET")
        except BridgeError as exc:
            return exc.response()
        return Response(body, media_type="application/json; charset=utf-8")

    def _role(self, request: Request) -> str:
        apikey = request.headers.get("apikey")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" else None
        if apikey not in self._roles:
            raise BridgeError(401, "PGRST301", "Invalid API key", hint="Double check your apikey header.")
        role = self._roles.get(bearer or apikey)
        if role is None:
            raise BridgeError(401, "PGRST301", "JWT could not be decoded")
        return role

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = psycopg.connect(make_conninfo(self.dsn, user=self.login_role),
                                             autocommit=True, connect_timeout=2)
            except psycopg.OperationalError as exc:
                raise BridgeError(503, "PGRST000", "Database connection error", str(exc)) from exc
        return self._conn

    def _call(self, role: str, name: str, args: dict[str, Any], get: bool) -> bytes:
        with self._lock:
            conn = self._connection()
            try:
                function = _find(conn, name, set(args))
                with conn.transaction():
                    if get or function.read_only:
                        conn.execute("set transaction read only")
                    conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
                    call = sql.SQL("select to_jsonb({}.{}({}))::text").format(
                        sql.Identifier("public"), sql.Identifier(name),
                        sql.SQL(", ").join(sql.SQL("{} := {}").format(sql.Identifier(k), sql.Placeholder(k))
                                           for k in args))
                    values = {k: Jsonb(v) if isinstance(v, dict | list) else v for k, v in args.items()}
                    row = conn.execute(call, values).fetchone()
            except psycopg.Error as exc:
                if exc.sqlstate is None:  # the connection broke
                    raise BridgeError(503, "PGRST001", "Database client error", str(exc)) from exc
                diag = exc.diag
                raise BridgeError(status_for(exc.sqlstate, role), exc.sqlstate,
                                  diag.message_primary or str(exc), diag.message_detail,
                                  diag.message_hint) from exc
        text = None if row is None else row[0]
        return b"null" if text is None else str(text).encode()


def _find(conn: psycopg.Connection[tuple[Any, ...]], name: str, given: set[str]) -> _Function:
    for argnames, argmodes, nargs, ndefaults, volatility in conn.execute(_FIND_FUNCTION, (name,)):
        modes = argmodes or ["i"] * nargs
        inputs = tuple(n for n, m in zip(argnames, modes, strict=False) if m in {"i", "b", "v"})[:nargs]
        function = _Function(inputs, frozenset(inputs[: nargs - ndefaults]), volatility in {"s", "i"})
        if function.accepts(given):
            return function
    signature = ", ".join(sorted(given))
    raise BridgeError(404, "PGRST202", f"Could not find the function public.{name}({signature}) in the schema cache",
                      f"Searched for the function public.{name} with parameters {signature}.")


async def _arguments(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query_params)
    raw = await request.body()
    try:
        args = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise BridgeError(400, "PGRST102", "Empty or invalid json") from exc
    if not isinstance(args, dict):
        raise BridgeError(400, "PGRST102", "A function's arguments must be a JSON object")
    return args
