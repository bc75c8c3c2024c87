"""GET/HEAD /api/public/menu: payload, ETag/304, cache headers, caching layers, version bumps."""

from __future__ import annotations

import hashlib

import pytest

from shared.kv.memory import MemoryKV

MENU = "/api/public/menu"


def test_payload_has_restaurant_hours_sections_and_items(client):
    r = client.get(MENU, params={"restaurantId": "demo"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    restaurant = body["restaurant"]
    assert restaurant["slug"] == "demo" and restaurant["currency"] == "SEK"
    assert restaurant["timezone"] == "Europe/Stockholm"
    assert restaurant["hours"]["mon"] == [["00:00", "24:00"]]
    assert restaurant["address"] == "Exempelgatan 12\n111 22 Stockholm"
    assert restaurant["phone"] == "+46701740642" and restaurant["website"] == "https://demo.stjarna.dev"
    night = client.get(MENU, params={"restaurantId": "nattbaren"}).json()["restaurant"]
    assert (night["address"], night["phone"], night["website"]) == (None, None, None)  # present, null
    names = [s["name"] for s in body["sections"]]
    assert names == ["Starters", "Mains", "Desserts", "Drinks"]  # inactive "Seasonal" is not published
    soup = body["sections"][0]["items"][0]
    assert soup["name"] == "Roasted tomato soup"
    assert soup["priceCents"] == 8900 and isinstance(soup["priceCents"], int)
    assert soup["allergens"] == ["gluten", "celery"] and soup["allergensDeclared"] is True
    assert soup["tags"] == ["vegan"]
    special = next(i for s in body["sections"] for i in s["items"] if i["name"] == "Chef's daily special")
    assert special["allergens"] == [] and special["allergensDeclared"] is False


def test_strong_etag_over_exact_body_and_cache_headers(client):
    r = client.get(MENU, params={"restaurantId": "demo"})
    assert r.headers["etag"] == '"' + hashlib.sha256(r.content).hexdigest()[:40] + '"'
    assert r.headers["cache-control"] == "public, s-maxage=60, stale-while-revalidate=300"
    assert r.headers["vary"] == "Origin"
    assert r.headers["x-request-id"]


def test_cache_numbers_come_from_settings(app_for):
    client, _ = app_for(MENU_S_MAXAGE="120", MENU_STALE_WHILE_REVALIDATE="30")
    r = client.get(MENU, params={"restaurantId": "demo"})
    assert r.headers["cache-control"] == "public, s-maxage=120, stale-while-revalidate=30"


def test_no_cdn_copy_means_no_stale_copy_either(app_for):
    """MENU_S_MAXAGE=0 (the runbook's "menu cache stale" fix) must not leave a CDN serving the old copy
    for stale-while-revalidate seconds more."""
    client, _ = app_for(MENU_S_MAXAGE="0")
    r = client.get(MENU, params={"restaurantId": "demo"})
    assert r.headers["cache-control"] == "public, s-maxage=0"
    assert "stale-while-revalidate" not in client.head(MENU, params={"restaurantId": "demo"}).headers["cache-control"]


def test_if_none_match_gives_304_without_body(client):
    etag = client.get(MENU, params={"restaurantId": "demo"}).headers["etag"]
    for header in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        r = client.get(MENU, params={"restaurantId": "demo"}, headers={"If-None-Match": header})
        assert r.status_code == 304, header
        assert r.content == b""
        assert r.headers["etag"] == etag
        assert r.headers["cache-control"].startswith("public, s-maxage=")


@pytest.mark.parametrize("garbage", ['"abc"', "garbage", ",,,", 'W/"x", "y"', "x" * 5000, "\u00e9t\u00e9"])
def test_garbage_if_none_match_gives_full_200(client, garbage):
    r = client.get(MENU, params={"restaurantId": "demo"}, headers={"If-None-Match": garbage.encode("utf-8")})
    assert r.status_code == 200
    assert r.json()["restaurant"]["slug"] == "demo"


def test_duplicate_if_none_match_headers_are_combined(client):
    etag = client.get(MENU, params={"restaurantId": "demo"}).headers["etag"]
    r = client.get(MENU, params={"restaurantId": "demo"},
                   headers=[("If-None-Match", '"other"'), ("If-None-Match", etag)])
    assert r.status_code == 304


def test_head_has_headers_and_no_body(client):
    get = client.get(MENU, params={"restaurantId": "demo"})
    head = client.head(MENU, params={"restaurantId": "demo"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


def test_uuid_slug_header_and_case_all_name_the_same_restaurant(client):
    by_slug = client.get(MENU, params={"restaurantId": "demo"})
    rid = by_slug.json()["restaurant"]["id"]
    for params, headers in (({"restaurantId": rid}, {}), ({"restaurantId": rid.upper()}, {}),
                            ({"restaurantId": "DEMO"}, {}), ({}, {"X-Restaurant-ID": "demo"})):
        r = client.get(MENU, params=params, headers=headers)
        assert r.status_code == 200
        assert r.headers["etag"] == by_slug.headers["etag"]


def test_menu_change_is_visible_after_local_staleness_bound(app_for, seeded):
    client, container = app_for(MENU_LOCAL_CACHE_SECONDS="0")
    first = client.get(MENU, params={"restaurantId": "demo"})
    with_conn = seeded._connection()
    with_conn.execute("update menu_items set price_cents = 9900 where key = 'tomato-soup'")
    second = client.get(MENU, params={"restaurantId": "demo"})
    assert second.headers["etag"] != first.headers["etag"]
    assert int(second.headers["x-menu-version"]) > int(first.headers["x-menu-version"])
    assert second.json()["sections"][0]["items"][0]["priceCents"] == 9900
    # The old ETag no longer matches: a CDN or browser revalidating gets the new menu.
    r = client.get(MENU, params={"restaurantId": "demo"}, headers={"If-None-Match": first.headers["etag"]})
    assert r.status_code == 200


def test_kv_is_keyed_by_menu_version_and_shared_between_instances(app_for, seeded):
    shared_kv = MemoryKV()
    one, _ = app_for(kv=shared_kv)
    r = one.get(MENU, params={"restaurantId": "demo"})
    rid, version = r.json()["restaurant"]["id"], r.headers["x-menu-version"]
    assert shared_kv.get(f"menu:{rid}:{version}") is not None
    # A second instance (its own in-process cache) serves the bytes from KV: same ETag, cache hit.
    two, _ = app_for(kv=shared_kv)
    r2 = two.get(MENU, params={"restaurantId": "demo"})
    assert r2.headers["etag"] == r.headers["etag"]


def test_unavailable_items_and_inactive_sections_are_not_published(app_for, seeded):
    seeded._connection().execute("update menu_items set available = false where key = 'salmon'")
    client, _ = app_for()
    names = {i["name"] for s in client.get(MENU, params={"restaurantId": "demo"}).json()["sections"]
             for i in s["items"]}
    assert "Baked salmon" not in names and "Semla" not in names and "Swedish meatballs" in names


@pytest.mark.parametrize("status", ["draft", "suspended"])
def test_draft_and_suspended_restaurants_are_404(app_for, seeded, status):
    seeded._connection().execute("update restaurants set status = %s where slug = 'demo'", (status,))
    client, _ = app_for()
    r = client.get(MENU, params={"restaurantId": "demo"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"
