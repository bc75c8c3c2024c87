"""One JSON access line per request, filterable by restaurant; request ids on every line."""

from __future__ import annotations

import orjson


def test_access_line_fields(client, log_lines):
    r = client.get("/api/public/menu", params={"restaurantId": "demo"})
    client.get("/api/public/menu", params={"restaurantId": "demo"})
    rid = r.json()["restaurant"]["id"]
    access = [line for line in log_lines() if line["logger"] == "stjarna.access"]
    assert len(access) == 2
    first, second = access
    assert first["requestId"] == r.headers["x-request-id"]
    assert first["restaurantId"] == rid
    assert first["route"] == "/api/public/menu" and first["method"] == "GET" and first["status"] == 200
    assert first["cache"] == "miss" and second["cache"] == "hit"
    assert isinstance(first["latencyMs"], float)
    assert first["restaurantSlug"] == "demo"
    assert first["ts"].endswith("Z") and first["level"] == "INFO"  # upper case, as Powertools writes it


def test_errors_are_logged_with_status_and_no_route_for_unknown_paths(client, log_lines):
    client.get("/api/public/menu", params={"restaurantId": "nope-nope"})
    client.get("/no/such/route")
    access = [line for line in log_lines() if line["logger"] == "stjarna.access"]
    assert access[0]["status"] == 404 and access[0]["restaurantId"] == "nope-nope"
    assert access[0]["restaurantSlug"] == "nope-nope"  # a slug named no restaurant: the name support has
    assert access[1]["status"] == 404 and access[1]["route"] is None


def test_logs_are_filterable_by_restaurant(client, log_lines):
    for slug in ("demo", "nattbaren", "demo"):
        client.get("/api/public/config", params={"restaurantId": slug})
    demo_id = client.get("/api/public/config", params={"restaurantId": "demo"}).json()["restaurantId"]
    mine = [line for line in log_lines() if line.get("restaurantId") == demo_id]
    assert len(mine) == 3
    assert [line for line in log_lines() if line.get("restaurantSlug") == "demo"] == mine


def test_every_line_with_a_restaurant_id_names_its_slug_too(client, log_lines):
    """Support knows the slug, not the UUID: `grep <slug>` finds a tenant's lines whichever way the
    request named it (slug, UUID, header, body)."""
    demo_id = client.get("/api/public/config", params={"restaurantId": "demo"}).json()["restaurantId"]
    client.get("/api/public/menu", params={"restaurantId": demo_id})
    client.get("/api/public/config", headers={"X-Restaurant-ID": demo_id})
    client.post("/api/chat", json={"restaurantId": demo_id, "sessionToken": "slug-lines", "message": "vegan?"})
    client.post("/api/chat", json={"sessionToken": "slug-lines", "message": "vegan?"},
                headers={"X-Restaurant-ID": demo_id})
    lines = log_lines()
    tenant_lines = [line for line in lines if line.get("restaurantId") is not None]
    assert {line["logger"] for line in tenant_lines} >= {"stjarna.access", "stjarna.chat"}
    assert len(tenant_lines) >= 7
    for line in tenant_lines:
        assert line["restaurantSlug"] == "demo", line


def test_every_line_of_a_request_carries_its_request_and_restaurant_ids(app_for, log_lines):
    from shared.kv.upstash import UpstashKV

    kv = UpstashKV("http://127.0.0.1:9", "token-for-tests", timeout_seconds=0.5)  # nothing listens
    client, _ = app_for(kv=kv)
    r = client.get("/api/public/menu", params={"restaurantId": "demo"})
    kv.close()
    assert r.status_code == 200
    warnings = [line for line in log_lines() if line["logger"] == "stjarna.menus"]
    assert warnings, "the KV failure is logged"
    for line in warnings:
        assert line["level"] == "WARNING"
        assert line["requestId"] == r.headers["x-request-id"]
        assert line["restaurantId"] == "demo"  # bound from the request before the database answered
        assert line["restaurantSlug"] == "demo"


def test_requests_that_build_no_container_are_logged_too(tmp_path):
    """The liveness probe and the widget bundle never load settings; their lines still go out."""
    import logging
    import subprocess
    import sys

    code = (
        "import functions.health as h, functions.widget as w\n"
        "from starlette.testclient import TestClient\n"
        "assert TestClient(h.app).get('/api/health/live').status_code == 200\n"
        "assert TestClient(w.app).get('/widget.js').status_code == 200\n"
        "import sys; assert 'shared.settings' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = [orjson.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [(line["route"], line["status"]) for line in lines] == [("/api/health/live", 200), ("/widget.js", 200)]
    assert logging.getLogger("stjarna").handlers  # and in this process, create_app set a sink up


def test_default_logs_follow_stderr_when_it_is_swapped(client, monkeypatch):
    """A CLI run under capture (or any redirect) swaps sys.stderr and closes the old one afterwards: the
    logs go to whatever stderr is now, never to the closed stream."""
    import io
    import sys

    from shared.observability.logs import configure_logging

    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("INFO")
    first.close()
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    try:
        assert client.get("/api/public/menu", params={"restaurantId": "demo"}).status_code == 200
        lines = [orjson.loads(line) for line in second.getvalue().splitlines()]
        assert [line["route"] for line in lines if line["logger"] == "stjarna.access"] == ["/api/public/menu"]
    finally:
        monkeypatch.undo()
        configure_logging("INFO")
