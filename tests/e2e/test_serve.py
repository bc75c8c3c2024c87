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


def test_stopping_serve_stops_its_embedded_database():
    """SIGTERM (what a process manager sends) must not orphan the embedded PostgreSQL."""
    import os
    import shutil
    import time

    from tests.conftest import server_data_dir
    from tests.support.serve_process import stjarna_serve
    from tests.support.servers import closed_port

    root = server_data_dir("stjarna-test-stop-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_"))}
    env["STJARNA_DATA_DIR"] = str(root / "data")
    try:
        with stjarna_serve(closed_port(), env, root / "serve.log"):
            postgres_pid = int((root / "data" / "pg" / "postmaster.pid").read_text().split()[0])
            os.kill(postgres_pid, 0)  # running
        deadline = time.monotonic() + 20
        while True:
            try:
                os.kill(postgres_pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "the embedded PostgreSQL outlived stjarna serve"
            time.sleep(0.1)
    finally:
        shutil.rmtree(root, ignore_errors=True)
