"""Scoped keys on the admin routes (docs/admin.md, Staff keys): every route of the admin group, read from
the app itself (a new route is covered without touching this file), answers 404 to a key of another
restaurant and changes nothing, through both ways in (the header under /api/admin/, the console session
under /console/api/); the same requests with a key of the restaurant succeed. Then the roles: what a
kitchen key, an owner key and a platform key may do with keys, setup and origins."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from shared.http.app import create_app
from shared.orders.requests import OrderRequest
from tests.orders.conftest import new_key, order_body

OWN = "https://testserver"
ADMIN_ROUTES = sorted({(m, r.path) for r in create_app(("admin",)).routes if isinstance(r, Route)
                       and r.path.startswith("/api/admin/") for m in (r.methods or ()) if m != "HEAD"})
# a body each write route accepts (a new write route needs its line here, else its 422 fails the test)
BODIES = {
    ("PATCH", "/api/admin/orders/{order}"): {"status": "accepted"},
    ("POST", "/api/admin/tenants"): {"slug": "new-place", "name": "New", "allowedOrigins": ["https://new.example"]},
    ("PATCH", "/api/admin/restaurants/{ref}/orders/{order}"): {"status": "accepted"},
    ("PUT", "/api/admin/restaurants/{ref}/pause"): {"minutes": 15},
    ("PATCH", "/api/admin/restaurants/{ref}/items/{item}"): {"available": False},
    ("POST", "/api/admin/restaurants/{ref}/keys"): {"name": "tablet 9", "role": "kitchen"},
    ("PUT", "/api/admin/restaurants/{ref}/origins"): {"allowedOrigins": ["https://other.example"]},
    ("PUT", "/api/admin/restaurants/{ref}/hours"): {"hours": {"mon": [["11:00", "14:00"]]}},
}
PLATFORM_ONLY = {("POST", "/api/admin/tenants")}  # a scoped key: 404 even for its own restaurant


@pytest.fixture
def world(app_for, sql, items):
    plain, container = app_for(("admin",))
    client = TestClient(plain.app, base_url=OWN, raise_server_exceptions=False)
    demo = str(sql("select id from restaurants where slug = 'demo'")[0][0])
    bar = str(sql("select id from restaurants where slug = 'nattbaren'")[0][0])
    request = OrderRequest.model_validate(order_body((items["demo/hummus"], 1)))
    order = container.orders.place(demo, request, new_key(), ordering_enabled=True).order
    made = {}
    for name, role, rid in (("demo-owner", "owner", demo), ("demo-kitchen", "kitchen", demo),
                            ("bar-owner", "owner", bar), ("bar-kitchen", "kitchen", bar)):
        made[name] = container.admin_keys.create(name, "cli:test", role=role, restaurant_id=rid)
    values = {"ref": "demo", "order": order["orderId"], "item": items["demo/hummus"],
              "key": made["demo-kitchen"][1]["id"]}
    return client, container, {n: k for n, (k, _) in made.items()}, values


def fingerprint(sql):
    return (sql("select id, status from orders order by id"),
            sql("select slug, menu_version, allowed_origins from restaurants order by slug"),
            sql("select id, revoked_at is null from admin_keys order by id"),
            sql("select count(*) from audit_log where action not like 'admin_key.create'"))


def call(client, prefix, auth, method, path, values):
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path).replace("/api/admin", prefix, 1)
    headers = {"Origin": OWN, "X-Stjarna-CSRF": auth["csrf"]} if prefix == "/console/api" else auth
    return client.request(method, url, params={"restaurantId": "demo"}, headers=headers,
                          json=BODIES.get((method, path)) if method not in {"GET", "DELETE"} else None)


def way_in(client, prefix, key):
    if prefix == "/api/admin":
        return {"Authorization": f"Bearer {key}"}
    client.cookies.clear()
    r = client.post("/console/api/session", json={"key": key})
    assert r.status_code == 200, r.text
    return {"csrf": r.json()["csrfToken"]}


@pytest.mark.parametrize("prefix", ["/api/admin", "/console/api"])
@pytest.mark.parametrize("stranger", ["bar-owner", "bar-kitchen"])
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_another_restaurants_key_gets_404_and_changes_nothing(world, sql, prefix, stranger, method, path):
    client, _, keys, values = world
    auth = way_in(client, prefix, keys[stranger])
    before = fingerprint(sql)
    r = call(client, prefix, auth, method, path, values)
    assert r.status_code == 404, (r.status_code, r.text)
    assert r.json()["error"]["code"] in {"RESTAURANT_NOT_FOUND", "ORDER_NOT_FOUND", "NOT_FOUND"}
    assert fingerprint(sql) == before


@pytest.mark.parametrize("prefix", ["/api/admin", "/console/api"])
@pytest.mark.parametrize(("method", "path"), [r for r in ADMIN_ROUTES if r not in PLATFORM_ONLY])
def test_the_restaurants_owner_gets_through(world, prefix, method, path):
    """The control: the 404s above come from the scope, not from the requests."""
    client, _, keys, values = world
    r = call(client, prefix, way_in(client, prefix, keys["demo-owner"]), method, path, values)
    assert 200 <= r.status_code < 300, (r.status_code, r.text)


def test_an_order_of_another_restaurant_is_order_not_found(world):
    client, _, keys, values = world
    auth = {"Authorization": f"Bearer {keys['bar-kitchen']}"}
    for r in (client.get(f"/api/admin/orders/{values['order']}", headers=auth),
              client.patch(f"/api/admin/orders/{values['order']}", headers=auth, json={"status": "accepted"})):
        assert r.status_code == 404 and r.json()["error"]["code"] == "ORDER_NOT_FOUND"


def test_kitchen_keys_may_not_manage_keys_setup_or_origins(world, sql):
    client, _, keys, values = world
    auth = {"Authorization": f"Bearer {keys['demo-kitchen']}"}
    before = fingerprint(sql)
    for method, path in [("GET", "/keys"), ("POST", "/keys"), ("DELETE", f"/keys/{values['key']}"),
                         ("GET", "/setup"), ("PUT", "/origins"), ("PUT", "/hours")]:
        r = call(client, "/api/admin", auth, method, f"/api/admin/restaurants/{{ref}}{path}", values)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", (method, path)
    assert fingerprint(sql) == before
    r = client.get("/api/admin/orders", params={"restaurantId": "demo"}, headers=auth)
    assert r.status_code == 200 and len(r.json()["orders"]) == 1  # its orders it sees


def test_an_owner_manages_kitchen_keys_only(world, sql):
    client, container, keys, values = world
    auth = {"Authorization": f"Bearer {keys['demo-owner']}"}
    listed = client.get("/api/admin/restaurants/demo/keys", headers=auth).json()["keys"]
    assert [(k["name"], k["role"]) for k in listed] == [("demo-owner", "owner"), ("demo-kitchen", "kitchen")]
    assert all("hash" not in k and "key" not in k for k in listed)
    r = client.post("/api/admin/restaurants/demo/keys", headers=auth, json={"name": "pass", "expiresInDays": 30})
    assert r.status_code == 201 and r.json()["role"] == "kitchen" and r.json()["key"].startswith("stj_")
    identity = container.admin_keys.verify(r.json()["key"])
    assert identity is not None and (identity.role, identity.restaurant_id) == ("kitchen", listed[0]["restaurantId"])
    r = client.post("/api/admin/restaurants/demo/keys", headers=auth, json={"name": "boss", "role": "owner"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    owner_id = listed[0]["id"]
    assert client.delete(f"/api/admin/restaurants/demo/keys/{owner_id}", headers=auth).status_code == 404
    assert client.delete("/api/admin/restaurants/demo/keys/not-a-uuid", headers=auth).status_code == 404
    r = client.delete(f"/api/admin/restaurants/demo/keys/{values['key']}", headers=auth)
    assert r.status_code == 200 and r.json()["active"] is False
    assert container.admin_keys.verify(keys["demo-kitchen"]) is None
    actors = sql("select actor, restaurant_id::text from audit_log where action = 'admin_key.revoke'")
    assert actors == [(f"admin-key:{listed[0]['id']}", listed[0]["restaurantId"])]


def test_platform_keys_may_make_owner_keys_and_scoped_keys_no_restaurant(world):
    client, container, keys, _ = world
    platform, _ = container.admin_keys.create("support", "cli:test")
    r = client.post("/api/admin/restaurants/demo/keys", headers={"Authorization": f"Bearer {platform}"},
                    json={"name": "boss", "role": "owner"})
    assert r.status_code == 201 and r.json()["role"] == "owner"
    r = client.post("/api/admin/tenants", headers={"Authorization": f"Bearer {keys['demo-owner']}"},
                    json=BODIES[("POST", "/api/admin/tenants")])
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_setup_and_origins(world, sql):
    client, _, keys, _ = world
    auth = {"Authorization": f"Bearer {keys['demo-owner']}"}
    r = client.get("/api/admin/restaurants/demo/setup", headers=auth)
    body = r.json()
    assert r.status_code == 200 and body["restaurant"]["slug"] == "demo" and body["status"] == "live"
    assert body["embedSnippet"] == ('<script src="https://testserver/widget.js" data-restaurant-id="demo" '
                                    'data-endpoint="https://testserver" async></script>')
    assert body["check"][0]["name"] == "tenant" and body["check"][0]["verdict"] == "PASS"
    assert [c["verdict"] for c in body["check"][1:]] == ["PASS"] * len(body["allowedOrigins"])
    version = sql("select menu_version from restaurants where slug = 'demo'")[0][0]
    r = client.put("/api/admin/restaurants/demo/origins", headers=auth,
                   json={"allowedOrigins": ["HTTPS://Bistro.example", "https://*.bistro.example", "https://bistro.example"]})
    assert r.status_code == 200 and r.json() == {"allowedOrigins": ["https://bistro.example", "https://*.bistro.example"]}
    assert sql("select allowed_origins, menu_version > %s from restaurants where slug = 'demo'", version) == [
        (["https://bistro.example", "https://*.bistro.example"], True)]
    assert sql("select action from audit_log order by id desc limit 1") == [("tenant.origins",)]
    for bad in ([], ["not an origin"], ["https://site.example/path"], ["https://*.com"]):
        r = client.put("/api/admin/restaurants/demo/origins", headers=auth, json={"allowedOrigins": bad})
        assert r.status_code == 422, bad
