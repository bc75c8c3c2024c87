"""CloudWatch metrics as EMF lines on stdout, through the real app: the access line carries the
request metrics; chat, AI, orders and the menu cache add lines of their own."""

from __future__ import annotations

import pytest

from shared.observability.metrics import configure_metrics
from tests.observability.emf import metrics, parse, values
from tests.orders.conftest import new_key, order_body
from tests.support.openai_server import scripted_openai

NS = "Stjarna/dev"  # STJARNA_STAGE defaults to dev


@pytest.fixture(autouse=True)
def metrics_off_afterwards():
    yield
    configure_metrics(False)


def test_requests_rate_limits_fallbacks_orders_and_the_menu_cache(app_for, items, clock, capsys):
    client, _ = app_for(clock=clock, METRICS_EMF="true", CHAT_RATE_LIMIT="1 per minute",
                        MENU_LOCAL_CACHE_SECONDS="0")
    capsys.readouterr()
    menu = client.get("/api/public/menu", params={"restaurantId": "demo"})
    client.get("/api/public/menu", params={"restaurantId": "demo"})
    client.get("/no/such/route")
    chat = {"restaurantId": "demo", "sessionToken": "metrics-session-1", "message": "Anything vegan?"}
    assert client.post("/api/chat", json=chat).status_code == 200
    assert client.post("/api/chat", json=chat).status_code == 429
    body, key = order_body((items["demo/hummus"], 1)), new_key()
    assert client.post("/api/orders", json=body, headers={"Idempotency-Key": key}).status_code == 201
    replay = client.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    assert replay.status_code == 201 and replay.json()["orderCode"]
    out = capsys.readouterr()
    lines = parse(out.out)
    found = metrics(lines)  # every line with _aws is valid EMF
    assert {m["namespace"] for m in found} == {NS}
    restaurant = menu.json()["restaurant"]["id"]

    access = [line for line in lines if line.get("logger") == "stjarna.access"]
    assert len(access) == 7 and all("_aws" in line for line in access)  # the access line is the document
    assert '"logger":"stjarna.access"' not in out.err  # ... and it moved to stdout
    assert access[0]["requestId"] == menu.headers["x-request-id"] and access[0]["restaurantId"] == restaurant
    assert access[0]["path"] == "/api/public/menu" and access[0]["latencyMs"] == access[0]["Latency"]

    menu_route = "GET /api/public/menu"
    assert values(found, "Requests", Route=menu_route, StatusClass="2xx") == [1, 1]
    assert len(values(found, "Latency", Route=menu_route)) == 2
    assert values(found, "Requests", Route="unmatched", StatusClass="4xx") == [1]
    assert values(found, "Requests", Route="POST /api/chat", StatusClass="2xx") == [1]
    assert values(found, "Requests", Route="POST /api/chat", StatusClass="4xx") == [1]
    assert values(found, "RateLimited", Route="POST /api/chat") == [1]
    assert [m for m in found if m["name"] == "RateLimited"] == [m for m in found if m["name"] == "RateLimited"
                                                                 and m["dimensions"]["Route"] == "POST /api/chat"]
    assert values(found, "Requests", Route="POST /api/orders", StatusClass="2xx") == [1, 1]
    # menu lookups (menu and chat routes): the first a miss, then hits; with MENU_LOCAL_CACHE_SECONDS=0
    # every later request (menu, chat, orders) found the in-process copy stale and revalidated it
    assert values(found, "MenuCache", CacheResult="miss") == [1]
    assert values(found, "MenuCache", CacheResult="hit") == [1, 1, 1]
    assert len(values(found, "MenuCacheStale")) == 5
    # the diner's answer came from the fallback responder (no OPENAI_API_KEY); the 429 asked nothing
    assert values(found, "FallbackAnswers", Reason="no_key") == [1]
    # one order placed (the replay is not counted), per restaurant and in total
    assert values(found, "OrdersPlaced", RestaurantId=restaurant) == [1]
    assert values(found, "OrdersPlaced") == [1]
    placed = next(line for line in lines if line.get("msg") == "OrdersPlaced")
    assert placed["restaurantId"] == restaurant and placed["requestId"]  # for Logs Insights


def test_ai_latency_by_outcome(app_for, capsys):
    with scripted_openai() as (fake, url):
        client, _ = app_for(METRICS_EMF="true", OPENAI_API_KEY="sk-test-not-a-real-key-000000", OPENAI_BASE_URL=url,
                            OPENAI_TIMEOUT_SECONDS="2", OPENAI_MAX_RETRIES="0")
        fake.script("good", "status_500")
        for session in ("ai-metrics-1", "ai-metrics-2"):
            r = client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": session,
                                               "message": "Anything vegan?"})
            assert r.status_code == 200
    found = metrics(parse(capsys.readouterr().out))
    ok, failed = values(found, "AiLatency", Outcome="ok"), values(found, "AiLatency", Outcome="server_error")
    assert len(ok) == 1 and len(failed) == 1 and all(v >= 0 for v in ok + failed)
    assert {m["unit"] for m in found if m["name"] == "AiLatency"} == {"Milliseconds"}
    assert values(found, "FallbackAnswers", Reason="server_error") == [1]


def test_no_metric_lines_unless_enabled(client, capsys):
    """Development default: METRICS_EMF unset, env development: nothing on stdout."""
    client.get("/api/public/menu", params={"restaurantId": "demo"})
    client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": "quiet-1", "message": "vegan?"})
    assert capsys.readouterr().out == ""


def test_methods_outside_http_and_unknown_paths_do_not_widen_the_route_dimension(app_for, capsys):
    client, _ = app_for(METRICS_EMF="true")
    client.request("BREW", "/api/public/menu", params={"restaurantId": "demo"})
    client.get("/wp-admin/setup.php")
    client.get("/.env")
    found = metrics(parse(capsys.readouterr().out))
    assert {m["dimensions"]["Route"] for m in found if m["name"] == "Requests"} == {
        "OTHER /api/public/menu", "unmatched"}


_HANDLER_PROBE = """
import sys
from starlette.testclient import TestClient
import functions.health as module
client = TestClient(module.app)
assert client.get("/api/health/live").status_code == 200  # loads no settings: no metrics yet
assert client.post("/api/health/live", content=b"{}").status_code == 405  # a body: settings loaded
assert client.get("/api/health/live").status_code == 200
assert "sentry_sdk" not in sys.modules
"""


def test_a_handler_module_turns_metrics_on_from_its_settings_on_the_first_request_that_loads_them(tmp_path):
    """The Lambda path: the handler module's app is built at import without settings; the first request
    that needs them starts the metrics (METRICS_EMF), and every request after that is counted."""
    import subprocess
    import sys
    from pathlib import Path

    env = {"PATH": "/usr/bin:/bin", "METRICS_EMF": "true", "STJARNA_STAGE": "probe",
           "STJARNA_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _HANDLER_PROBE], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    found = metrics(parse(done.stdout))
    assert [(m["dimensions"]["Route"], m["dimensions"]["StatusClass"]) for m in found if m["name"] == "Requests"] == [
        ("POST /api/health/live", "4xx"), ("GET /api/health/live", "2xx")]
    assert {m["namespace"] for m in found} == {"Stjarna/probe"}
    assert '"logger":"stjarna.access"' in done.stderr  # the first request, before settings: a plain line
