"""GET /api/public/config (widget bootstrap) and the health routes."""

from __future__ import annotations

from shared.kv.upstash import UpstashKV
from shared.store.postgres import PostgresStore

# Real adapters pointed at endpoints where nothing listens: the failures are the real ones.
DEAD_DSN = "postgresql://postgres@/postgres?host=/nonexistent-socket-dir"
DEAD_UPSTASH = "http://127.0.0.1:9"  # discard port: nothing listens here


def test_config_has_bootstrap_fields_and_a_short_cache(client):
    r = client.get("/api/public/config", params={"restaurantId": "demo"})
    assert r.status_code == 200
    body = r.json()
    assert body["slug"] == "demo" and body["name"] == "Stjärna Demo Kitchen"
    assert body["theme"] == {"color": "#1f6f5c"}
    assert body["greeting"].startswith("Hi!")
    assert body["features"] == {"serverChat": True, "ordering": True}
    assert body["currency"] == "SEK" and body["locale"] == "en-SE"
    max_age = int(r.headers["cache-control"].split("max-age=")[1].split(",")[0])
    assert 0 < max_age <= 30
    assert r.headers["etag"]
    again = client.get("/api/public/config", params={"restaurantId": "demo"},
                       headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_config_reflects_kill_switches_from_the_environment(app_for):
    client, _ = app_for(USE_SERVER_CHAT="false", ORDERING_ENABLED="0")
    body = client.get("/api/public/config", params={"restaurantId": "demo"}).json()
    assert body["features"] == {"serverChat": False, "ordering": False}


def test_health_reports_every_check(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["version"]
    assert set(body["checks"]) == {"database", "cache", "ai", "flags"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["latencyMs"], float | int)
    assert body["checks"]["ai"]["mode"] == "fallback"
    assert r.headers["cache-control"] == "no-store"


def test_health_is_degraded_when_the_kv_fails_and_menus_still_serve(app_for):
    client, _ = app_for(kv=UpstashKV(DEAD_UPSTASH, "token-for-tests", timeout_seconds=0.5))
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "degraded"
    assert r.json()["checks"]["cache"] == {"status": "degraded", "error": "KV_UNAVAILABLE",
                                           "latencyMs": r.json()["checks"]["cache"]["latencyMs"]}
    menu = client.get("/api/public/menu", params={"restaurantId": "demo"})
    assert menu.status_code == 200  # cache bypassed, never a 5xx to the diner


def test_health_is_down_and_ready_503_when_the_database_fails(app_for):
    client, container = app_for()
    container._store = PostgresStore(DEAD_DSN, timeout_seconds=1)
    container._menus = None
    r = client.get("/api/health")
    assert r.status_code == 503
    assert r.json()["status"] == "down"
    assert r.json()["checks"]["database"]["error"] == "STORE_UNAVAILABLE"
    ready = client.get("/api/health/ready")
    assert ready.status_code == 503
    assert client.get("/api/health/live").status_code == 200
    menu = client.get("/api/public/menu", params={"restaurantId": "demo"})
    assert menu.status_code == 503
    assert menu.json()["error"]["code"] == "STORE_UNAVAILABLE"


def test_ready_and_live(client):
    assert client.get("/api/health/ready").json()["status"] == "ok"
    assert client.get("/api/health/live").json() == {"status": "ok"}
