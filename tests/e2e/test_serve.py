"""The runbook's curl checks against a real ``stjarna serve`` on embedded defaults."""

from __future__ import annotations

import httpx


def test_menu_head_shows_etag_and_cache_control(live_server):
    r = httpx.head(f"{live_server}/api/public/menu?restaurantId=demo")
    assert r.status_code == 200
    assert r.headers["etag"].startswith('"')
    assert r.headers["cache-control"] == "public, s-maxage=60, stale-while-revalidate=300"
    get = httpx.get(f"{live_server}/api/public/menu?restaurantId=demo")
    assert get.headers["etag"] == r.headers["etag"]
    assert len(get.content) == int(r.headers["content-length"])
    again = httpx.get(f"{live_server}/api/public/menu?restaurantId=demo", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_health_shows_the_checks(live_server):
    body = httpx.get(f"{live_server}/api/health").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["backend"] == "embedded"
    assert body["checks"]["cache"]["backend"] == "memory"


def test_both_seed_restaurants_are_live(live_server):
    for slug in ("demo", "nattbaren"):
        assert httpx.get(f"{live_server}/api/public/config", params={"restaurantId": slug}).status_code == 200


def test_widget_bundle_and_demo_page(live_server):
    js = httpx.get(f"{live_server}/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert httpx.get(f"{live_server}/widget.js", headers={"If-None-Match": js.headers["etag"]}).status_code == 304
    page = httpx.get(f"{live_server}/demo")
    assert 'data-restaurant-id="demo"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
