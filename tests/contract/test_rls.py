"""Row level security, for real: as ``anon`` in a psycopg session, and through the PostgREST bridge
with the anon key (what a browser holding Supabase's anon key could do)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from postgrest import APIError, SyncPostgrestClient

from shared.menus.io import import_menu
from shared.store.postgres import PostgresStore
from tests.conftest import seed_documents
from tests.contract.conftest import ANON_KEY, SERVICE_ROLE_KEY


def _variant(slug: str, status: str) -> dict[str, Any]:
    document = copy.deepcopy(next(d for d in seed_documents() if d["restaurant"]["slug"] == "demo"))  # type: ignore[index]
    document["restaurant"].update(slug=slug, status=status)
    return document


@pytest.fixture
def restaurants(database: str) -> dict[str, str]:
    """live ``demo`` (one unavailable item; the inactive ``seasonal`` section), ``draft-place`` and
    ``suspended-place``; returns slug -> id."""
    live = _variant("demo", "live")
    live["sections"][0]["items"][1]["available"] = False  # skagen-toast
    store = PostgresStore(database, timeout_seconds=5)
    try:
        return {d["restaurant"]["slug"]: import_menu(store, d)["restaurantId"]
                for d in (live, _variant("draft-place", "draft"), _variant("suspended-place", "suspended"))}
    finally:
        store.close()


@pytest.fixture
def anon(database: str, restaurants: dict[str, str]) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("set role anon")
        yield conn


def rows(conn: psycopg.Connection[tuple[Any, ...]], query: str) -> list[tuple[Any, ...]]:
    return conn.execute(query).fetchall()


def test_anon_reads_only_live_restaurants(anon, restaurants):
    assert rows(anon, "select slug from restaurants") == [("demo",)]
    assert rows(anon, f"select 1 from restaurants where id = '{restaurants['draft-place']}'") == []


def test_anon_reads_only_active_sections_of_live_restaurants(anon, restaurants):
    sections = rows(anon, "select restaurant_id::text, name from menu_sections order by position")
    assert {r for r, _ in sections} == {restaurants["demo"]}
    assert [n for _, n in sections] == ["Starters", "Mains", "Desserts", "Drinks"]


def test_anon_reads_only_available_items_of_live_restaurants(anon, restaurants):
    items = rows(anon, "select restaurant_id::text, name, available from menu_items")  # not `key`: not granted
    assert {r for r, _, _ in items} == {restaurants["demo"]}
    names = {n for _, n, _ in items}
    assert "Toast Skagen" not in names and "Semla" not in names and "Roasted tomato soup" in names
    assert all(available for _, _, available in items)
    assert len(items) == 14  # 16 in the document, minus one unavailable, minus one in an inactive section


@pytest.mark.parametrize("table", ["admin_keys", "audit_log", "orders", "order_items", "order_events"])
def test_anon_cannot_read_admin_tables(anon, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        anon.execute(f"select * from {table}")


def test_anon_cannot_write(anon, restaurants):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        anon.execute(f"update restaurants set status = 'live' where id = '{restaurants['draft-place']}'")


@pytest.mark.parametrize(("function", "argument"), [
    ("stjarna_import_menu", "'{}'::jsonb"),
    ("stjarna_export_menu", "'demo'"),
    ("stjarna_place_order", "'{}'::jsonb"),
    ("stjarna_session_order", "gen_random_uuid(), 'ABCDEF', repeat('0', 64)"),
    ("stjarna_set_order_status", "gen_random_uuid(), 'accepted', 'anon'"),
    ("stjarna_list_orders", "gen_random_uuid()"),
    ("stjarna_staff_order", "null, gen_random_uuid(), null"),
    ("stjarna_erase_diner_data", "gen_random_uuid(), null, 'anon'"),
    ("stjarna_expire_orders", "now(), 'anon'"),
    ("stjarna_admin_key_find", "repeat('0', 64)"),
    ("stjarna_admin_keys", ""),
    ("stjarna_admin_key_create", "'x', repeat('0', 64), null, 'anon'"),
    ("stjarna_admin_key_revoke", "gen_random_uuid(), 'anon'"),
    ("stjarna_admin_key_used", "gen_random_uuid()"),
])
def test_anon_cannot_execute_admin_functions(anon, function, argument):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function"):
        anon.execute(f"select {function}({argument})")


def test_anon_public_functions_see_only_live(anon, restaurants):
    def resolve(ref: str) -> Any:
        return anon.execute("select stjarna_resolve(%s)::text", (ref,)).fetchone()[0]  # type: ignore[index]

    assert resolve("demo") == restaurants["demo"]
    assert resolve("draft-place") is None and resolve(restaurants["suspended-place"]) is None


# -- through the PostgREST bridge with the anon key ---------------------------------------------
@pytest.fixture
def anon_client(postgrest: str, restaurants: dict[str, str]) -> Iterator[SyncPostgrestClient]:
    headers = {"apikey": ANON_KEY, "Authorization": f"Bearer {ANON_KEY}"}
    with httpx.Client(timeout=5) as http:
        yield SyncPostgrestClient(f"{postgrest}/rest/v1", headers=headers, http_client=http, retry_enabled=False)


def test_bridge_anon_public_menu_of_draft_is_null(anon_client, restaurants):
    for slug in ("draft-place", "suspended-place"):
        response = anon_client.rpc("stjarna_public_menu", {"p_restaurant_id": restaurants[slug]}).execute()
        assert response.data is None
    live = anon_client.rpc("stjarna_public_menu", {"p_restaurant_id": restaurants["demo"]}).execute()
    assert live.data["restaurant"]["slug"] == "demo"
    assert live.data["restaurant"]["phone"] == "+46701740642"  # anon may read the contact columns it shows


def test_bridge_anon_get_rpc(anon_client, restaurants):
    response = anon_client.rpc("stjarna_resolve", {"p_ref": "demo"}, get=True).execute()
    assert response.data == restaurants["demo"]


@pytest.mark.parametrize(("function", "params"), [
    ("stjarna_export_menu", {"p_ref": "draft-place"}),
    ("stjarna_place_order", {"p_order": {}}),
    ("stjarna_admin_key_find", {"p_hash": "0" * 64}),
])
def test_bridge_anon_cannot_call_service_functions(anon_client, function, params):
    with pytest.raises(APIError) as info:
        anon_client.rpc(function, params).execute()
    assert info.value.code == "42501"


def test_bridge_service_role_can_export_a_draft(postgrest, restaurants):
    headers = {"apikey": SERVICE_ROLE_KEY, "Authorization": f"Bearer {SERVICE_ROLE_KEY}"}
    with httpx.Client(timeout=5) as http:
        client = SyncPostgrestClient(f"{postgrest}/rest/v1", headers=headers, http_client=http, retry_enabled=False)
        exported = client.rpc("stjarna_export_menu", {"p_ref": "draft-place"}).execute().data
    assert exported["restaurant"]["status"] == "draft"


def test_bridge_rejects_unknown_keys(postgrest):
    for headers in ({"apikey": "nope", "Authorization": "Bearer nope"},
                    {"apikey": ANON_KEY, "Authorization": "Bearer forged"}):
        r = httpx.post(f"{postgrest}/rest/v1/rpc/stjarna_ping", json={}, headers=headers)
        assert r.status_code == 401 and r.json()["code"] == "PGRST301"


def test_bridge_error_shapes(postgrest):
    headers = {"apikey": SERVICE_ROLE_KEY, "Authorization": f"Bearer {SERVICE_ROLE_KEY}"}
    missing = httpx.post(f"{postgrest}/rest/v1/rpc/stjarna_nope", json={}, headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "PGRST202"
    bad = httpx.post(f"{postgrest}/rest/v1/rpc/stjarna_public_menu", json={"p_restaurant_id": "x"}, headers=headers)
    assert bad.status_code == 400
    assert set(bad.json()) == {"code", "message", "details", "hint"} and bad.json()["code"] == "22P02"
