"""The grant matrix (docs/security.md, infra/migrations/0006_grants.sql), read from the catalog so a
new function, table or column is covered without touching this file.

On two databases: one prepared as a Supabase project is (tests/support/supabase.py: default
privileges grant every new object to anon, authenticated and service_role directly) and a vanilla
PostgreSQL (where functions are executable by PUBLIC by default). As ``anon`` and ``authenticated``
(``set role`` over psycopg, and through the PostgREST bridge with their keys) only the public-menu
functions run and only the public menu's columns can be read; ``service_role`` can do everything
the backend does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from shared.db.migrate import migrate
from shared.errors import ValidationFailed
from shared.menus.io import import_menu
from shared.store import error_for_sqlstate
from shared.store.postgres import PostgresStore
from tests.conftest import seed_documents
from tests.contract.conftest import ANON_KEY, AUTHENTICATED_KEY, SERVICE_ROLE_KEY

Conn = psycopg.Connection[tuple[Any, ...]]

API_ROLES = ("anon", "authenticated")
PUBLIC_MENU_FUNCTIONS = frozenset({"stjarna_resolve", "stjarna_public_menu", "stjarna_ping"})
# What stjarna_public_menu, stjarna_resolve and the RLS policies read (the contact fields where the
# schema has them); never plan, allowed_origins, greeting, theme_color, timestamps or the import keys.
PUBLIC_COLUMNS = {
    "restaurants": {"id", "slug", "name", "currency", "locale", "timezone", "hours", "status", "menu_version",
                    "address", "phone", "website"},
    "menu_sections": {"id", "restaurant_id", "name", "description", "active", "position"},
    "menu_items": {"id", "restaurant_id", "section_id", "name", "description", "price_cents", "allergens",
                   "allergens_declared", "tags", "available", "position"},
}
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
COLUMN_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "REFERENCES")
BACKEND_TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")

# Our routines in schema public (an extension's are its own business).
_FUNCTIONS = """
select p.oid::regprocedure::text, p.proname,
       coalesce((select string_agg(format('null::%s', format_type(t, null)), ', ' order by i)
                   from unnest(p.proargtypes) with ordinality a (t, i)), ''),
       coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}'), p.pronargs, p.pronargdefaults,
       coalesce(p.proconfig, '{}')
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = 'public'
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
 order by 1
"""
_RELATIONS = """
select c.relname, c.relkind::text
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
 order by 1
"""
_COLUMNS = """
select a.attname from pg_attribute a
 where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum
"""


# -- the two databases ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def vanilla_database(pg_uri: str) -> Iterator[str]:
    """Migrated on a plain PostgreSQL: no Supabase default privileges."""
    name = "stjarna_vanilla_grants"
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute(f"create database {name} template template0")
    dsn = make_conninfo(pg_uri, dbname=name)
    migrate(dsn)
    yield dsn
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute(f"drop database {name} with (force)")


@pytest.fixture(params=["supabase", "vanilla"])
def flavour(request: pytest.FixtureRequest) -> str:
    """The DSN of a migrated database of each kind (supabase: this test's own)."""
    fixture = "database" if request.param == "supabase" else "vanilla_database"
    dsn: str = request.getfixturevalue(fixture)
    return dsn


@pytest.fixture
def catalog(flavour: str) -> Iterator[Conn]:
    with psycopg.connect(flavour, autocommit=True) as conn:
        yield conn


@contextmanager
def as_role(dsn: str, role: str) -> Iterator[Conn]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        yield conn


def functions(conn: Conn) -> list[tuple[Any, ...]]:
    found = conn.execute(_FUNCTIONS).fetchall()
    assert {row[1] for row in found} >= PUBLIC_MENU_FUNCTIONS | {"stjarna_place_order", "stjarna_admin_keys"}
    return found


def relations(conn: Conn) -> list[tuple[str, str]]:
    found = conn.execute(_RELATIONS).fetchall()
    assert {name for name, _ in found} >= {"restaurants", "orders", "admin_keys", "audit_log"}
    return found


def columns(conn: Conn, table: str) -> list[str]:
    return [name for (name,) in conn.execute(_COLUMNS, (table,))]


def check(conn: Conn, query: str, *params: Any) -> bool:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return bool(row[0])


# -- the matrix, from the catalog ----------------------------------------------------------------
@pytest.mark.parametrize("role", API_ROLES)
def test_api_roles_execute_only_the_public_menu_functions(catalog, role):
    executable = {name for signature, name, *_ in functions(catalog)
                  if check(catalog, "select has_function_privilege(%s, %s, 'execute')", role, signature)}
    assert executable == PUBLIC_MENU_FUNCTIONS


@pytest.mark.parametrize("role", API_ROLES)
def test_api_roles_read_only_the_public_menu_columns(catalog, role):
    granted: dict[str, set[str]] = {}
    for table, kind in relations(catalog):
        if kind == "S":
            for privilege in ("USAGE", "SELECT", "UPDATE"):
                assert not check(catalog, "select has_sequence_privilege(%s, %s, %s)", role, table, privilege), \
                    f"{role} has {privilege} on sequence {table}"
            continue
        for privilege in TABLE_PRIVILEGES:
            assert not check(catalog, "select has_table_privilege(%s, %s, %s)", role, table, privilege), \
                f"{role} has {privilege} on all of {table}"
        for column in columns(catalog, table):
            for privilege in COLUMN_PRIVILEGES:
                if check(catalog, "select has_column_privilege(%s, %s, %s, %s)", role, table, column, privilege):
                    assert privilege == "SELECT", f"{role} has {privilege} on {table}.{column}"
                    granted.setdefault(table, set()).add(column)
    assert granted == {table: allowed & set(columns(catalog, table)) for table, allowed in PUBLIC_COLUMNS.items()}


def test_service_role_can_do_what_the_backend_does(catalog):
    for signature, *_ in functions(catalog):
        assert check(catalog, "select has_function_privilege('service_role', %s, 'execute')", signature), signature
    for table, kind in relations(catalog):
        if kind == "S":
            assert check(catalog, "select has_sequence_privilege('service_role', %s, 'usage')", table), table
            continue
        for privilege in BACKEND_TABLE_PRIVILEGES:
            assert check(catalog, "select has_table_privilege('service_role', %s, %s)", table, privilege), \
                f"service_role lacks {privilege} on {table}"
    assert check(catalog, "select rolbypassrls from pg_roles where rolname = 'service_role'")


def test_every_function_has_a_fixed_search_path(catalog):
    """Supabase's linter (function_search_path_mutable) flags a function without one."""
    unpinned = [signature for signature, _, _, _, _, _, _, config in functions(catalog)
                if not any(setting.startswith("search_path=") for setting in config)]
    assert unpinned == []


def test_objects_created_later_are_not_granted_to_the_api_roles(catalog):
    """Default privileges of the role that runs migrations (on Supabase they grant ALL to anon)."""
    with catalog.transaction(force_rollback=True):
        catalog.execute("create table stjarna_grants_probe (x integer generated always as identity)")
        catalog.execute("create function stjarna_grants_probe_fn() returns integer language sql "
                        "set search_path = pg_catalog as $$ select 1 $$")
        for role in API_ROLES:
            assert not check(catalog, "select has_table_privilege(%s, 'stjarna_grants_probe', 'select')", role)
            assert not check(catalog, "select has_column_privilege(%s, 'stjarna_grants_probe', 'x', 'select')",
                             role)
            assert not check(catalog, "select has_sequence_privilege(%s, 'stjarna_grants_probe_x_seq', 'usage')",
                             role)
            assert not check(catalog, "select has_function_privilege(%s, 'stjarna_grants_probe_fn()', 'execute')",
                             role)
        assert check(catalog, "select has_table_privilege('service_role', 'stjarna_grants_probe', 'insert')")
        assert check(catalog, "select has_function_privilege('service_role', 'stjarna_grants_probe_fn()', 'execute')")


# -- and in practice, as the role (set role over psycopg) -----------------------------------------
def _refused(conn: Conn, statement: sql.Composable | str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction(force_rollback=True):
        conn.execute(statement)


@pytest.mark.parametrize("role", API_ROLES)
def test_api_roles_cannot_call_any_other_function(flavour, catalog, role):
    with as_role(flavour, role) as conn:
        for _, name, arguments, *_ in functions(catalog):
            call = sql.SQL("select public.{}({})").format(sql.Identifier(name), sql.SQL(arguments))
            if name in PUBLIC_MENU_FUNCTIONS:
                with conn.transaction(force_rollback=True):
                    conn.execute(call)
            else:
                _refused(conn, call)


@pytest.mark.parametrize("role", API_ROLES)
def test_api_roles_cannot_write_or_read_beyond_the_public_columns(flavour, catalog, role):
    with as_role(flavour, role) as conn:
        for table, kind in relations(catalog):
            name = sql.Identifier(table)
            if kind == "S":
                _refused(conn, sql.SQL("select nextval({})").format(sql.Literal(table)))
                continue
            for column in columns(catalog, table):
                query = sql.SQL("select {} from {} limit 0").format(sql.Identifier(column), name)
                if column in PUBLIC_COLUMNS.get(table, set()):
                    conn.execute(query)
                else:
                    _refused(conn, query)
            _refused(conn, sql.SQL("insert into {} default values").format(name))
            first = sql.Identifier(columns(catalog, table)[0])
            _refused(conn, sql.SQL("update {} set {} = default").format(name, first))
            _refused(conn, sql.SQL("delete from {}").format(name))
            _refused(conn, sql.SQL("truncate {}").format(name))


# -- the public menu still works for them, within RLS ---------------------------------------------
@pytest.fixture
def live_and_draft(database: str) -> dict[str, str]:
    store = PostgresStore(database, timeout_seconds=5)
    try:
        ids = {}
        for document in seed_documents():
            if document["restaurant"]["slug"] == "demo":  # type: ignore[index]
                ids["live"] = import_menu(store, document)["restaurantId"]
                document["restaurant"].update(slug="draft-copy", status="draft")  # type: ignore[index]
                ids["draft"] = import_menu(store, document)["restaurantId"]
        return ids
    finally:
        store.close()


@pytest.mark.parametrize("role", API_ROLES)
def test_api_roles_read_the_public_menu_of_live_restaurants_only(database, live_and_draft, role):
    with as_role(database, role) as conn:
        def one(query: str, *params: Any) -> Any:
            row = conn.execute(query, params).fetchone()
            assert row is not None
            return row[0]

        assert one("select stjarna_resolve('demo')::text") == live_and_draft["live"]
        assert one("select stjarna_resolve('draft-copy')") is None
        assert one("select stjarna_public_menu(%s)", live_and_draft["live"])["restaurant"]["slug"] == "demo"
        assert one("select stjarna_public_menu(%s)", live_and_draft["draft"]) is None
        assert one("select stjarna_ping()") == 1
        assert one("select count(distinct id) from restaurants") == 1


# -- through the PostgREST bridge, with each key ---------------------------------------------------
def _named_nulls(row: tuple[Any, ...]) -> dict[str, None]:
    """Every required input argument of the function, as JSON null (what a caller could send)."""
    _, _, _, names, modes, nargs, ndefaults, _ = row
    inputs = [n for n, m in zip(names, modes or ["i"] * nargs, strict=False) if m in {"i", "b", "v"}][:nargs]
    return dict.fromkeys(inputs[: nargs - ndefaults])


@pytest.mark.parametrize(("key", "role", "status"), [(ANON_KEY, "anon", 401),
                                                     (AUTHENTICATED_KEY, "authenticated", 403)])
def test_bridge_api_keys_call_only_the_public_menu_functions(postgrest, database, live_and_draft, key, role,
                                                             status):
    headers = {"apikey": ANON_KEY, "Authorization": f"Bearer {key}"}
    with psycopg.connect(database) as conn:
        found = functions(conn)
    called = set()
    with httpx.Client(base_url=f"{postgrest}/rest/v1/rpc", headers=headers, timeout=10) as http:
        for row in found:
            name = row[1]
            response = http.post(f"/{name}", json=_named_nulls(row))
            if name in PUBLIC_MENU_FUNCTIONS:
                assert response.status_code == 200, (name, response.text)
                called.add(name)
            else:
                assert response.status_code == status, (name, response.text)
                assert response.json()["code"] == "42501", (name, response.text)
        assert http.post("/stjarna_resolve", json={"p_ref": "demo"}).json() == live_and_draft["live"]
        assert http.post("/stjarna_public_menu", json={"p_restaurant_id": live_and_draft["draft"]}).json() is None
    assert called == PUBLIC_MENU_FUNCTIONS, f"as {role}"


def test_bridge_service_role_reaches_the_backend_functions(postgrest, live_and_draft):
    headers = {"apikey": SERVICE_ROLE_KEY, "Authorization": f"Bearer {SERVICE_ROLE_KEY}"}
    with httpx.Client(base_url=f"{postgrest}/rest/v1/rpc", headers=headers, timeout=10) as http:
        assert http.post("/stjarna_restaurant_head", json={"p_ref": "demo"}).json()["plan"] == "starter"
        assert http.post("/stjarna_export_menu", json={"p_ref": "draft-copy"}).json()["restaurant"]["status"] == "draft"
        assert http.post("/stjarna_admin_keys", json={}).json() == []
        assert http.post("/stjarna_list_orders", json={"p_restaurant_id": live_and_draft["live"]}).json() == []


def test_the_bridge_logs_in_as_authenticator_which_can_only_switch_roles(database):
    """What PostgREST holds: a login that reads nothing until it becomes one of the API roles."""
    with psycopg.connect(make_conninfo(database, user="authenticator"), autocommit=True) as conn:
        _refused(conn, "select 1 from restaurants")
        _refused(conn, "select stjarna_admin_keys()")
        for role in (*API_ROLES, "service_role"):
            conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
            conn.execute("reset role")


# -- bounded work --------------------------------------------------------------------------------
def test_opening_ranges_refuses_more_than_a_year_of_days(database):
    hours = '{"mon": [["10:00", "22:00"]]}'
    with psycopg.connect(database, autocommit=True) as conn:
        year = conn.execute("select count(*) from stjarna_opening_ranges(%s, 'Europe/Stockholm', "
                            "'2026-11-24T12:00:00Z', 366)", (hours,)).fetchone()
        assert year is not None and year[0] == 53
        for days in (367, 2_000_000, -1, None):
            with pytest.raises(psycopg.errors.InvalidParameterValue) as info:
                conn.execute("select count(*) from stjarna_opening_ranges(%s, 'Europe/Stockholm', now(), %s)",
                             (hours, days))
            assert isinstance(error_for_sqlstate(info.value.sqlstate, str(info.value)), ValidationFailed)
