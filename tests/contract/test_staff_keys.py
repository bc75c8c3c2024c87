"""Staff keys per restaurant (infra/migrations/0010_staff_keys.sql, shared/admin/keys.py) over both store
adapters: PostgreSQL directly and the Supabase client through the PostgREST bridge (the service role's
grants included). Scope and limits are the database's: a key of one restaurant never verifies as
another's, each scope has its own active-key limit, keys go with their restaurant."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.admin.keys import AdminKeys
from shared.errors import NotFound, RestaurantNotFound, TooManyAdminKeys, ValidationFailed
from shared.menus.io import import_menu
from shared.store import Store
from tests.conftest import seed_documents

PEPPER = "contract-pepper-0123456789abcdef"


@pytest.fixture
def keys(any_store: Store) -> AdminKeys:
    for document in seed_documents():
        import_menu(any_store, document)
    return AdminKeys(any_store, PEPPER)


def rid(keys: AdminKeys, slug: str) -> str:
    return str(keys.store.rpc("stjarna_resolve", {"p_ref": slug}))


def test_a_scoped_key_verifies_with_its_role_and_restaurant(keys):
    demo = rid(keys, "demo")
    key, record = keys.create("tablet 1", "cli:test", role="kitchen", restaurant_id=demo)
    assert (record["role"], record["restaurantId"], record["restaurant"]) == ("kitchen", demo, "demo")
    identity = keys.verify(key)
    assert identity is not None
    assert (identity.key_id, identity.role, identity.restaurant_id) == (record["id"], "kitchen", demo)
    platform, _ = keys.create("support", "cli:test")
    found = keys.verify(platform)
    assert found is not None and (found.role, found.restaurant_id) == ("platform", None)
    assert keys.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None


def test_each_scope_has_its_own_limit(keys):
    demo, nattbaren = rid(keys, "demo"), rid(keys, "nattbaren")
    made = [keys.create(f"tablet {i}", "cli:test", role="kitchen", restaurant_id=demo) for i in range(20)]
    with pytest.raises(TooManyAdminKeys, match="20 active kitchen keys"):
        keys.create("tablet 21", "cli:test", role="kitchen", restaurant_id=demo)
    keys.create("tablet 1", "cli:test", role="kitchen", restaurant_id=nattbaren)  # another restaurant: room
    for i in range(2):
        keys.create(f"owner {i}", "cli:test", role="owner", restaurant_id=demo)
    with pytest.raises(TooManyAdminKeys, match="2 active owner keys"):
        keys.create("owner 3", "cli:test", role="owner", restaurant_id=demo)
    for i in range(2):  # 42 scoped keys leave the two platform keys alone
        keys.create(f"support {i}", "cli:test")
    with pytest.raises(TooManyAdminKeys, match="Two admin keys"):
        keys.create("support 3", "cli:test")
    keys.revoke(made[0][1]["id"], "cli:test")
    keys.create("tablet 21", "cli:test", role="kitchen", restaurant_id=demo)  # a revoked key frees its place


@pytest.mark.parametrize(("role", "restaurant"), [("kitchen", None), ("owner", None), ("platform", "demo")])
def test_a_role_and_its_scope_go_together(keys, role, restaurant):
    with pytest.raises(ValidationFailed):
        keys.create("x", "cli:test", role=role, restaurant_id=None if restaurant is None else rid(keys, restaurant))
    assert keys.store.rpc("stjarna_admin_key_create", {  # the database refuses it too
        "p_name": "x", "p_hash": "0" * 64, "p_expires_at": None, "p_actor": "t", "p_role": role,
        "p_restaurant_id": None if restaurant is None else rid(keys, restaurant)}) == {"outcome": "invalid_scope"}


def test_an_unknown_restaurant_is_refused(keys):
    with pytest.raises(RestaurantNotFound):
        keys.create("x", "cli:test", role="kitchen", restaurant_id="00000000-0000-4000-8000-000000000000")


def test_lists_and_revocations_stay_in_their_restaurant(keys):
    demo, nattbaren = rid(keys, "demo"), rid(keys, "nattbaren")
    _, kitchen = keys.create("tablet", "cli:test", role="kitchen", restaurant_id=demo)
    _, owner = keys.create("anna", "cli:test", role="owner", restaurant_id=demo)
    _, other = keys.create("bar tablet", "cli:test", role="kitchen", restaurant_id=nattbaren)
    keys.create("support", "cli:test")
    assert [k["name"] for k in keys.list(demo)] == ["tablet", "anna"]
    assert all("hash" not in k for k in keys.list())
    assert {(k["name"], k["role"], k["restaurant"]) for k in keys.list()} == {
        ("tablet", "kitchen", "demo"), ("anna", "owner", "demo"), ("bar tablet", "kitchen", "nattbaren"),
        ("support", "platform", None)}
    with pytest.raises(NotFound):  # another restaurant's key: as if it did not exist
        keys.revoke(other["id"], "admin-key:x", restaurant_id=demo)
    with pytest.raises(NotFound):  # an owner revokes kitchen keys only
        keys.revoke(owner["id"], "admin-key:x", restaurant_id=demo, role="kitchen")
    revoked = keys.revoke(kitchen["id"], "admin-key:x", restaurant_id=demo, role="kitchen")
    assert revoked["active"] is False and revoked["revokedAt"] is not None
    audit = keys.store.rpc("stjarna_audit_list", {"p_restaurant_id": demo, "p_limit": 10})
    actions = [(a["action"], a["details"].get("role")) for a in audit if a["action"].startswith("admin_key.")]
    assert sorted(actions) == [("admin_key.create", "kitchen"), ("admin_key.create", "owner"),
                               ("admin_key.revoke", "kitchen")]


def test_revoked_and_expired_keys_do_not_verify(keys):
    demo = rid(keys, "demo")
    key, record = keys.create("tablet", "cli:test", role="kitchen", restaurant_id=demo)
    keys.revoke(record["id"], "cli:test")
    assert keys.verify(key) is None
    assert keys.store.rpc("stjarna_admin_key_active", {"p_id": record["id"]}) is None
    short, made = keys.create("temp", "cli:test", timedelta(days=1), role="kitchen", restaurant_id=demo)
    assert keys.store.rpc("stjarna_admin_key_active", {"p_id": made["id"]})["id"] == made["id"]
    later = (keys.store.rpc("stjarna_admin_key_active", {"p_id": made["id"]})["expiresAt"])
    assert keys.store.rpc("stjarna_admin_key_find", {"p_hash": keys.digest(short), "p_now": later}) is None


def test_a_key_found_under_the_previous_pepper_is_rehashed(any_store, keys):
    demo = rid(keys, "demo")
    key, record = keys.create("tablet", "cli:test", role="kitchen", restaurant_id=demo)
    rotated = AdminKeys(any_store, "the-next-pepper-0123456789abcdef", previous=PEPPER)
    identity = rotated.verify(key)
    assert identity is not None and (identity.key_id, identity.role) == (record["id"], "kitchen")
    assert AdminKeys(any_store, "the-next-pepper-0123456789abcdef").verify(key) is not None  # moved
    assert keys.verify(key) is None  # the old hash is gone


def test_keys_go_with_their_restaurant(keys, database):
    import psycopg

    demo = rid(keys, "demo")
    key, _ = keys.create("tablet", "cli:test", role="kitchen", restaurant_id=demo)
    with psycopg.connect(database) as conn:
        conn.execute("delete from orders where restaurant_id = %s", (demo,))
        conn.execute("delete from restaurants where id = %s", (demo,))
    assert keys.verify(key) is None and keys.list() == []
