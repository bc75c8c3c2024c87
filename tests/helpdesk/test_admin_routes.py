"""The support routes of the admin API (`/api/admin/tenants…`) behind an admin key: the same answers as
the CLI's --json (one service underneath), audited changes with the key as actor, bad input refused."""

from __future__ import annotations

import pytest

from tests.helpdesk.conftest import demo_variant

TENANTS = "/api/admin/tenants"


@pytest.fixture
def admin(app_for):
    client, container = app_for()
    key, record = container.admin_keys.create("support", "cli:test")
    return client, container, {"Authorization": f"Bearer {key}"}, f"admin-key:{record['id']}"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", f"{TENANTS}/demo"), ("GET", f"{TENANTS}/demo/items?tag=vegan"), ("POST", f"{TENANTS}/demo/cache-purge"),
    ("POST", TENANTS),
])
@pytest.mark.parametrize("header", [None, "Bearer stj_wrong"])
def test_every_route_needs_a_key(admin, sql, method, path, header):
    client, _, _, _ = admin
    before = sql("select menu_version from restaurants order by slug")
    r = client.request(method, path, headers={} if header is None else {"Authorization": header},
                       json={"slug": "x", "name": "X", "allowedOrigins": ["https://x.example"]})
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    assert sql("select menu_version from restaurants order by slug") == before


def test_show(admin):
    client, _, auth, _ = admin
    r = client.get(f"{TENANTS}/demo", headers=auth)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["slug"] == "demo" and body["public"] is True and body["menu"]["vegan"] == 6
    assert body["flags"]["USE_SERVER_CHAT"] == {"value": True, "source": "default"}
    assert client.get(f"{TENANTS}/{body['id']}", headers=auth).json()["slug"] == "demo"
    assert "access-control-allow-origin" not in client.get(
        f"{TENANTS}/demo", headers={**auth, "Origin": "https://shop.stjarna.dev"}).headers


def test_show_any_status(admin, seeded):
    client, _, auth, _ = admin
    from shared.menus.io import import_menu

    import_menu(seeded, demo_variant("hidden-place", "suspended"))
    body = client.get(f"{TENANTS}/hidden-place", headers=auth).json()
    assert body["status"] == "suspended" and body["public"] is False and body["menu"]["published"] == 0


def test_items(admin):
    client, _, auth, _ = admin
    r = client.get(f"{TENANTS}/demo/items?tag=vegan", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert len(body["shown"]) == 6 and len(body["notShown"]) == 10
    semla = next(i for i in body["notShown"] if i["key"] == "semla")
    assert [x["code"] for x in semla["reasons"]] == ["section_inactive", "not_tagged"]
    free = client.get(f"{TENANTS}/demo/items?allergenFree=nuts,peanuts&name=special", headers=auth).json()
    assert free["shown"] == [] and [x["code"] for x in free["notShown"][0]["reasons"]] == ["allergens_undeclared"]
    repeated = client.get(f"{TENANTS}/demo/items?allergenFree=nuts&allergenFree=peanuts", headers=auth).json()
    assert repeated["question"]["allergenFree"] == ["nuts", "peanuts"]
    undeclared = client.get(f"{TENANTS}/demo/items?undeclared=true", headers=auth).json()
    assert [i["key"] for i in undeclared["shown"]] == ["daily-special"]


@pytest.mark.parametrize(("query", "path", "needle"), [
    ("tag=vegn", "tag", "unknown tag 'vegn'; valid: vegan"),
    ("allergenFree=shrimp", "allergenFree", "unknown allergen 'shrimp'; valid: gluten"),
    ("undeclared=maybe", "undeclared", "true or false"),
    ("undeclared=true&allergenFree=nuts", "undeclared", "cannot be combined"),
])
def test_items_refuse_bad_questions(admin, query, path, needle):
    client, _, auth, _ = admin
    r = client.get(f"{TENANTS}/demo/items?{query}", headers=auth)
    assert r.status_code == 422
    error = r.json()["error"]["errors"][0]
    assert error["path"] == path and needle in error["message"]


def test_unknown_and_malformed_tenants(admin):
    client, _, auth, _ = admin
    for path in (f"{TENANTS}/nowhere", f"{TENANTS}/nowhere/items"):
        r = client.get(path, headers=auth)
        assert r.status_code == 404 and r.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"
    assert client.post(f"{TENANTS}/nowhere/cache-purge", headers=auth).status_code == 404
    assert client.get(f"{TENANTS}/Not%20a%20slug", headers=auth).json()["error"]["code"] == "RESTAURANT_ID_INVALID"
    assert client.get(f"{TENANTS}/demo?auditLimit=0", headers=auth).status_code == 422


def test_cache_purge_changes_the_etag_and_is_audited_with_the_key(admin, sql):
    client, _, auth, actor = admin
    first = client.get("/api/public/menu?restaurantId=demo")
    r = client.post(f"{TENANTS}/demo/cache-purge", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == body["previousVersion"] + 1 and body["cdn"] is None
    again = client.get("/api/public/menu?restaurantId=demo", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]
    assert again.json()["version"] == body["version"]
    assert sql("select actor, action from audit_log where restaurant_id is not null") == [(actor, "cache.purge")]
    shown = client.get(f"{TENANTS}/demo", headers=auth).json()
    assert [(a["actor"], a["action"]) for a in shown["audit"]] == [(actor, "cache.purge")]


def test_create_and_update(admin, sql):
    client, _, auth, actor = admin
    body = {"slug": "api-place", "name": "API Place", "allowedOrigins": ["https://api-place.example"],
            "menu": {"sections": [{"name": "Fika", "items": [{"name": "Bun", "priceCents": 3500}]}]}}
    r = client.post(TENANTS, json=body, headers=auth)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "live" and created["items"] == 1
    assert created["embed"] == ('<script src="http://testserver/widget.js" data-restaurant-id="api-place" '
                                'data-endpoint="http://testserver" async></script>')
    assert client.get("/api/public/menu?restaurantId=api-place",
                      headers={"Origin": "https://api-place.example"}).headers[
        "access-control-allow-origin"] == "https://api-place.example"
    again = client.post(TENANTS, json=body, headers=auth)
    assert again.status_code == 409 and "exists (live, 1 items)" in again.json()["error"]["message"]
    updated = client.post(TENANTS, json={"slug": "api-place", "update": True, "endpoint": "https://api.stjarna.dev",
                                         "allowedOrigins": ["https://www.api-place.example"]}, headers=auth)
    assert updated.status_code == 200 and updated.json()["created"] is False
    assert updated.json()["embed"].startswith('<script src="https://api.stjarna.dev/widget.js"')
    assert sql("select actor, action from audit_log where restaurant_id is not null order by id") == [
        (actor, "tenant.create"), (actor, "tenant.update")]


@pytest.mark.parametrize(("body", "path"), [
    ({"slug": "x-place", "name": "X", "allowedOrigins": ["not an origin"]}, "restaurant.allowedOrigins"),
    ({"slug": "x-place", "name": "X"}, "allowedOrigins"),
    ({"slug": "x-place", "name": "X", "allowedOrigins": ["https://x.example"], "colour": "red"}, "colour"),
    ({"slug": "x-place", "name": "X", "allowedOrigins": ["https://x.example"], "menu": {"items": []}}, "menu"),
    ({"slug": "x-place", "name": "X", "allowedOrigins": ["https://x.example"], "endpoint": "x"}, "endpoint"),
])
def test_create_refuses_bad_input(admin, sql, body, path):
    client, _, auth, _ = admin
    r = client.post(TENANTS, json=body, headers=auth)
    assert r.status_code == 422
    assert r.json()["error"]["errors"][0]["path"] == path
    assert sql("select count(*) from restaurants where slug = 'x-place'") == [(0,)]
