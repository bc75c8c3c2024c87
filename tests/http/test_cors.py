"""Tenant CORS on the public routes: allowlists, wildcards on label boundaries, preflights."""

from __future__ import annotations

import pytest

MENU = "/api/public/menu"
CONFIG = "/api/public/config"
# The demo seed allows http://localhost:8000, http://127.0.0.1:8000 and https://*.stjarna.dev


@pytest.mark.parametrize("path", [MENU, CONFIG])
@pytest.mark.parametrize("origin", ["http://localhost:8000", "https://shop.stjarna.dev",
                                    "https://a.b.stjarna.dev", "HTTPS://Shop.Stjarna.DEV"])
def test_allowed_origins_get_acao_echoing_the_origin(client, path, origin):
    r = client.get(path, params={"restaurantId": "demo"}, headers={"Origin": origin})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == origin
    assert "ETag" in r.headers["access-control-expose-headers"]
    assert r.headers["vary"] == "Origin"


@pytest.mark.parametrize("path", [MENU, CONFIG])
@pytest.mark.parametrize("origin", [
    "null", "https://evil.example.com", "https://stjarna.dev", "https://evil.stjarna.dev.attacker.net",
    "https://shop.stjarna.dev.", "http://shop.stjarna.dev", "https://xstjarna.dev", "http://localhost:8001",
    "http://localhost", "https://shop.stjarna.dev/path", "https://user@shop.stjarna.dev", "javascript:alert(1)",
    "https://shop.stjarna.dev:99999", "", "https://*.stjarna.dev",
])
def test_other_origins_get_403_without_acao(client, path, origin):
    r = client.get(path, params={"restaurantId": "demo"}, headers={"Origin": origin})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "ORIGIN_NOT_ALLOWED"
    assert "access-control-allow-origin" not in r.headers


def test_no_origin_is_allowed_without_cors_headers(client):
    r = client.get(MENU, params={"restaurantId": "demo"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers


def test_same_origin_requests_are_allowed(client):
    r = client.get(MENU, params={"restaurantId": "demo"}, headers={"Origin": "http://testserver"})
    assert r.status_code == 200


def test_allowlists_are_per_tenant(client):
    # nattbaren does not list *.stjarna.dev
    r = client.get(MENU, params={"restaurantId": "nattbaren"}, headers={"Origin": "https://shop.stjarna.dev"})
    assert r.status_code == 403


def test_304_keeps_cors_headers(client):
    origin = "https://shop.stjarna.dev"
    etag = client.get(MENU, params={"restaurantId": "demo"}, headers={"Origin": origin}).headers["etag"]
    r = client.get(MENU, params={"restaurantId": "demo"}, headers={"Origin": origin, "If-None-Match": etag})
    assert r.status_code == 304
    assert r.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("path", [MENU, CONFIG])
def test_preflight_for_allowed_origin(client, path):
    r = client.options(path, params={"restaurantId": "demo"}, headers={
        "Origin": "https://shop.stjarna.dev", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match, X-Evil-Header"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "https://shop.stjarna.dev"
    assert "GET" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-headers"] == "if-none-match"
    assert int(r.headers["access-control-max-age"]) > 0


def test_preflight_for_other_origin_is_403(client):
    r = client.options(MENU, params={"restaurantId": "demo"}, headers={
        "Origin": "https://evil.example.com", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers


def test_preflight_must_name_the_restaurant_in_the_query(client):
    r = client.options(MENU, headers={"Origin": "https://shop.stjarna.dev", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "RESTAURANT_CONTEXT_MISSING"


def test_allowlist_change_applies_once_the_local_cache_expires(app_for, seeded):
    client, _ = app_for(MENU_LOCAL_CACHE_SECONDS="0")
    origin = "https://bistro.example"
    assert client.get(MENU, params={"restaurantId": "demo"}, headers={"Origin": origin}).status_code == 403
    seeded._connection().execute(
        "update restaurants set allowed_origins = allowed_origins || %s::text where slug = 'demo'", (origin,))
    assert client.get(MENU, params={"restaurantId": "demo"}, headers={"Origin": origin}).status_code == 200
