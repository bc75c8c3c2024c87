"""The console session (docs/console.md, Sessions): sign-in with a key, the cookie's attributes, CSRF on
writes, the idle and absolute expiry (injected clocks, no sleeping), sign-out, a revoked key, the
lockout. Over the real app, PostgreSQL and the memory KV; the client talks https (Secure cookies)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from shared.kv.memory import MemoryKV
from shared.orders.requests import OrderRequest
from tests.conftest import Ticks
from tests.orders.conftest import new_key, order_body

SESSION = "/console/api/session"
OWN = "https://testserver"


@pytest.fixture
def ticks():
    return Ticks()


@pytest.fixture
def console(app_for, ticks, clock, sql):
    """``(client, container, keys)``: an https client, and a kitchen, an owner and a platform key."""
    plain, container = app_for(("admin",), kv=MemoryKV(clock=ticks), clock=clock)
    client = TestClient(plain.app, base_url=OWN, raise_server_exceptions=False)
    demo = str(sql("select id from restaurants where slug = 'demo'")[0][0])
    keys = {
        "kitchen": container.admin_keys.create("tablet", "cli:test", role="kitchen", restaurant_id=demo)[0],
        "owner": container.admin_keys.create("anna", "cli:test", role="owner", restaurant_id=demo)[0],
        "platform": container.admin_keys.create("support", "cli:test")[0],
    }
    return client, container, keys


def sign_in(client, key, **extra):
    return client.post(SESSION, json={"key": key, **extra})


def place_order(container, items):
    request = OrderRequest.model_validate(order_body((items["demo/hummus"], 1)))
    rid = str(container.store.rpc("stjarna_resolve", {"p_ref": "demo"}))
    return container.orders.place(rid, request, new_key(), ordering_enabled=True).order


def test_sign_in_sets_a_strict_cookie_that_is_not_the_key(console):
    client, container, keys = console
    r = sign_in(client, keys["kitchen"])
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["role"] == "kitchen" and body["restaurant"]["slug"] == "demo" and body["keyName"] == "tablet"
    assert body["idleTimeoutSeconds"] == 1800 and len(body["csrfToken"]) >= 43
    cookie = r.headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    token = rest.split(";", 1)[0]
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert name == "stjarna_console" and len(token) >= 43 and token != keys["kitchen"]
    assert attributes["path"] == "Path=/console" and attributes["samesite"].lower() == "samesite=strict"
    assert {"httponly", "secure"} <= attributes.keys()
    assert attributes["max-age"] == f"Max-Age={12 * 3600}"
    # the KV holds the token's hash only, never the token or the key
    stored = container.kv._data
    assert f"console:session:{hashlib.sha256(token.encode()).hexdigest()}" in stored
    assert not any(token in k or token in v or keys["kitchen"] in v for k, (v, _) in stored.items())


def test_the_session_answers_and_opens_the_admin_routes(console, items):
    client, container, keys = console
    order = place_order(container, items)
    assert client.get(SESSION).status_code == 401
    body = sign_in(client, keys["kitchen"]).json()
    again = client.get(SESSION)
    assert again.status_code == 200 and again.json() == body
    r = client.get("/console/api/orders", params={"restaurantId": "demo"})
    assert r.status_code == 200 and [o["orderId"] for o in r.json()["orders"]] == [order["orderId"]]
    # the cookie is no admin key: the header path still wants one
    assert client.get("/api/admin/orders", params={"restaurantId": "demo"}).status_code == 401


@pytest.mark.parametrize(("headers", "why"), [
    ({}, "no token"),
    ({"X-Stjarna-CSRF": "wrong"}, "a wrong token"),
    ({"X-Stjarna-CSRF": None, "Origin": "https://evil.example"}, "another origin"),
])
def test_writes_need_the_csrf_token_and_the_own_origin(console, items, sql, headers, why):
    client, container, keys = console
    order = place_order(container, items)
    csrf = sign_in(client, keys["kitchen"]).json()["csrfToken"]
    sent = {k: csrf if v is None else v for k, v in headers.items()}
    r = client.patch(f"/console/api/orders/{order['orderId']}", json={"status": "accepted"}, headers=sent)
    assert r.status_code == 403 and r.json()["error"]["code"] == "CSRF_FAILED", why
    assert sql("select status from orders where id = %s", order["orderId"]) == [("placed",)]
    ok = client.patch(f"/console/api/orders/{order['orderId']}", json={"status": "accepted"},
                      headers={"X-Stjarna-CSRF": csrf, "Origin": OWN})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    assert sql("select actor from audit_log where action = 'order.status' order by id desc limit 1")[0][0].startswith(
        "admin-key:")


def test_signing_in_from_another_site_is_refused(console):
    client, _, keys = console
    r = client.post(SESSION, json={"key": keys["kitchen"]}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "CSRF_FAILED" and "set-cookie" not in r.headers


def test_idle_timeout_slides_with_use(console, ticks, clock):
    client, _, keys = console

    def later(seconds):  # the KV's clock and the wall clock move together
        ticks.now += seconds
        clock.at += timedelta(seconds=seconds)

    sign_in(client, keys["kitchen"])
    for _ in range(3):  # used every 29 minutes: never idle for 30
        later(29 * 60)
        assert client.get(SESSION).status_code == 200
    later(30 * 60 + 1)
    r = client.get(SESSION)
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"


def test_the_absolute_expiry_ends_a_busy_session(console, clock):
    client, _, keys = console
    expires = sign_in(client, keys["kitchen"]).json()["expiresAt"]
    assert expires.startswith((clock.at + timedelta(hours=12)).isoformat()[:19])
    clock.at += timedelta(hours=11, minutes=59)
    r = client.get(SESSION)
    assert r.status_code == 200, r.text
    clock.at += timedelta(minutes=1)
    assert client.get(SESSION).status_code == 401


def test_console_use_shows_as_the_keys_last_use(console, sql):
    client, container, keys = console
    sign_in(client, keys["kitchen"])
    key_id = container.admin_keys.verify(keys["kitchen"]).key_id
    sql("update admin_keys set last_used_at = now() - interval '1 hour' where id = %s", key_id)
    assert client.get(SESSION).status_code == 200
    assert sql("select last_used_at > now() - interval '1 minute' from admin_keys where id = %s", key_id) == [
        (True,)]


def test_sign_out_ends_the_session_server_side(console):
    client, _, keys = console
    csrf = sign_in(client, keys["owner"]).json()["csrfToken"]
    token = client.cookies["stjarna_console"]
    assert client.delete(SESSION).status_code == 403  # a write: the token is needed
    r = client.delete(SESSION, headers={"X-Stjarna-CSRF": csrf})
    assert r.status_code == 204 and 'stjarna_console=""' in r.headers["set-cookie"]
    assert "Max-Age=0" in r.headers["set-cookie"] and "Path=/console" in r.headers["set-cookie"]
    client.cookies.set("stjarna_console", token)  # a copy of the cookie kept elsewhere: dead too
    assert client.get(SESSION).status_code == 401
    assert client.delete(SESSION).status_code == 204  # signing out twice is fine


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_key_ends_its_sessions(console, sql, how):
    client, container, keys = console
    sign_in(client, keys["kitchen"])
    assert client.get("/console/api/orders", params={"restaurantId": "demo"}).status_code == 200
    key_id = container.admin_keys.verify(keys["kitchen"]).key_id
    if how == "revoked":
        container.admin_keys.revoke(key_id, "cli:test")
    else:
        sql("update admin_keys set expires_at = now() - interval '1 second' where id = %s", key_id)
    r = client.get("/console/api/orders", params={"restaurantId": "demo"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    assert client.get(SESSION).status_code == 401  # and the session is gone


def test_wrong_keys_count_against_the_same_lockout_as_the_header(app_for, ticks):
    plain, container = app_for(("admin",), kv=MemoryKV(clock=ticks), ADMIN_AUTH_MAX_FAILURES="2")
    client = TestClient(plain.app, base_url=OWN, raise_server_exceptions=False)
    key, _ = container.admin_keys.create("support", "cli:test")
    wrong = key[:12] + ("A" if key[12] != "A" else "B") + key[13:]  # the same prefix: the same bucket
    assert [sign_in(client, wrong, restaurant="demo").status_code for _ in range(2)] == [401, 401]
    assert sign_in(client, wrong, restaurant="demo").status_code == 429
    r = plain.get("/api/admin/orders", params={"restaurantId": "demo"}, headers={"Authorization": f"Bearer {wrong}"})
    assert r.status_code == 429  # one lockout for both ways in


def test_a_platform_key_names_its_restaurant_and_a_scoped_key_only_its_own(console):
    client, _, keys = console
    r = sign_in(client, keys["platform"])
    assert r.status_code == 422 and r.json()["error"]["errors"][0]["path"] == "restaurant"
    r = sign_in(client, keys["platform"], restaurant="nattbaren")
    assert r.status_code == 200 and r.json()["role"] == "platform" and r.json()["restaurant"]["slug"] == "nattbaren"
    r = sign_in(client, keys["kitchen"], restaurant="nattbaren")
    assert r.status_code == 404 and r.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"
    assert sign_in(client, keys["kitchen"], restaurant="demo").status_code == 200


def test_behind_a_cdn_writes_from_the_stages_public_url_are_accepted(app_for, ticks, clock, items, sql):
    """A CDN that does not forward Host: the function sees its origin's host (testserver here) while the
    browser's Origin is the CDN's domain. STJARNA_API_URL names that domain; any other origin stays refused."""
    public = "https://console.example-restaurants.com"
    plain, container = app_for(("admin",), kv=MemoryKV(clock=ticks), clock=clock, STJARNA_API_URL=public + "/")
    client = TestClient(plain.app, base_url=OWN, raise_server_exceptions=False)
    demo = str(sql("select id from restaurants where slug = 'demo'")[0][0])
    key = container.admin_keys.create("tablet", "cli:test", role="kitchen", restaurant_id=demo)[0]
    order = place_order(container, items)
    csrf = client.post(SESSION, json={"key": key}, headers={"Origin": public}).json()["csrfToken"]
    evil = client.patch(f"/console/api/orders/{order['orderId']}", json={"status": "accepted"},
                        headers={"X-Stjarna-CSRF": csrf, "Origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.json()["error"]["code"] == "CSRF_FAILED"
    ok = client.patch(f"/console/api/orders/{order['orderId']}", json={"status": "accepted"},
                      headers={"X-Stjarna-CSRF": csrf, "Origin": public})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
