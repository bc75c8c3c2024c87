"""``stjarna_set_hours`` (infra/migrations/0014_owner_hours.sql) over both store adapters: PostgreSQL
directly and the Supabase client through the PostgREST bridge (the service role's grant included). It
replaces the hours, bumps the menu version (so every cached head and menu sees them), audits the old and
new hours, answers null for an unknown restaurant, and the staff view carries the hours and their zone."""

from __future__ import annotations

import pytest

from shared.menus.io import import_menu
from shared.store import Store
from tests.conftest import seed_documents

SUMMER = {"mon": [["11:00", "22:00"]], "fri": [["11:00", "14:00"], ["17:00", "02:00"]]}


@pytest.fixture
def store(any_store: Store) -> Store:
    for document in seed_documents():
        import_menu(any_store, document)
    return any_store


def test_set_hours_bumps_the_version_audits_and_answers_the_staff_view(store, sql):
    rid = str(store.rpc("stjarna_resolve", {"p_ref": "demo"}))
    (old_hours, version), = sql("select hours, menu_version from restaurants where id = %s", rid)
    changed = store.rpc("stjarna_set_hours", {"p_restaurant_id": rid, "p_hours": SUMMER, "p_actor": "admin-key:x"})
    assert changed is not None
    assert (changed["id"], changed["slug"], changed["timezone"], changed["hours"]) == (
        rid, "demo", "Europe/Stockholm", SUMMER)
    assert store.rpc("stjarna_staff_restaurant", {"p_id": rid})["hours"] == SUMMER
    assert sql("select hours, menu_version > %s from restaurants where id = %s", version, rid) == [(SUMMER, True)]
    assert store.rpc("stjarna_public_menu", {"p_restaurant_id": rid})["restaurant"]["hours"] == SUMMER
    assert sql("select actor, restaurant_id::text, details from audit_log where action = 'tenant.hours'") == [
        ("admin-key:x", rid, {"before": old_hours, "hours": SUMMER})]
    # another restaurant's hours are untouched
    assert sql("select hours <> %s::jsonb from restaurants where slug = 'nattbaren'", '{}') == [(True,)]


def test_an_unknown_restaurant_is_null_and_audits_nothing(store, sql):
    assert store.rpc("stjarna_set_hours", {"p_restaurant_id": "00000000-0000-4000-8000-000000000000",
                                           "p_hours": {}, "p_actor": "t"}) is None
    assert sql("select count(*) from audit_log where action = 'tenant.hours'") == [(0,)]


def test_only_the_service_role_may_call_it(sql):
    grants = sql("select grantee from information_schema.routine_privileges "
                 "where routine_name = 'stjarna_set_hours' and privilege_type = 'EXECUTE' order by grantee")
    assert [g for (g,) in grants if g in {"anon", "authenticated", "service_role", "PUBLIC"}] == ["service_role"]
    assert sql("select proconfig from pg_proc where proname = 'stjarna_set_hours'") == [
        (["search_path=pg_catalog, public, pg_temp"],)]
