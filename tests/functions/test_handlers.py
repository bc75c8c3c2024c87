"""The Lambda entry points, invoked for real with API Gateway HTTP API v2 and Function URL events.

Handlers under test are ``Mangum(create_app(groups=(g,), container=...), lifespan="off")``, i.e.
what ``functions/<g>.py`` builds, pointed at the seeded test database. The modules themselves are
checked separately: Mangum instances with the lifespan off, and an import path that builds no
client (checked in a fresh interpreter) — plus real invocations of the routes that need none.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from mangum import Mangum

from tests.functions.conftest import load_event

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://localhost:8000"  # on the demo seed's allowlist
MENU_CACHE_CONTROL = "public, s-maxage=60, stale-while-revalidate=300"
HEAVY_MODULES = ("psycopg", "postgrest", "upstash_redis", "shared.settings", "openai", "limits", "sentry_sdk",
                 "boto3")


def body_json(response: dict[str, Any]) -> Any:
    assert response["isBase64Encoded"] is False
    return json.loads(response["body"])


def assert_error(response: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    assert response["statusCode"] == status, response
    assert response["headers"]["content-type"] == "application/json"
    error = body_json(response)["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert error["requestId"] == response["headers"]["x-request-id"]
    return error


@pytest.fixture
def menu(handler_for):
    return handler_for("menu")[0]


# --- menu ------------------------------------------------------------------------------------


def test_v2_get_menu_has_body_cache_and_cors_headers(menu, context):
    r = menu(load_event("v2-menu-get.json"), context)
    assert r["statusCode"] == 200
    headers = r["headers"]
    assert headers["content-type"] == "application/json"
    body = body_json(r)
    assert body["restaurant"]["slug"] == "demo"
    assert [s["name"] for s in body["sections"]] == ["Starters", "Mains", "Desserts", "Drinks"]
    assert headers["etag"] == '"' + hashlib.sha256(r["body"].encode()).hexdigest()[:40] + '"'
    assert headers["cache-control"] == MENU_CACHE_CONTROL
    assert headers["vary"] == "Origin"
    assert headers["access-control-allow-origin"] == ORIGIN
    assert "ETag" in headers["access-control-expose-headers"]
    assert "X-Request-ID" in headers["access-control-expose-headers"]
    assert len(headers["x-request-id"]) >= 16  # generated: the event sent none
    assert "cookies" not in r  # the app sets none; Mangum leaves the key out


def test_v2_if_none_match_gives_304_and_echoes_the_request_id(menu, context):
    etag = menu(load_event("v2-menu-get.json"), context)["headers"]["etag"]
    event = load_event("v2-menu-get-if-none-match.json")
    # API Gateway comma-joins repeated If-None-Match headers; a stale tag comes first
    event["headers"]["If-None-Match"] = event["headers"]["If-None-Match"].replace("{etag}", etag)
    r = menu(event, context)
    assert r["statusCode"] == 304
    assert r["body"] == ""
    assert r["headers"]["etag"] == etag
    assert r["headers"]["cache-control"] == MENU_CACHE_CONTROL
    assert r["headers"]["vary"] == "Origin"
    assert r["headers"]["access-control-allow-origin"] == ORIGIN
    assert r["headers"]["x-request-id"] == "client-req-42"


def test_v2_stale_if_none_match_gives_full_200(menu, context):
    event = load_event("v2-menu-get-if-none-match.json")
    event["headers"]["If-None-Match"] = '"0000stale0000"'
    r = menu(event, context)
    assert r["statusCode"] == 200
    assert body_json(r)["restaurant"]["slug"] == "demo"


def test_v2_head_has_the_get_headers_and_no_body(menu, context):
    get = menu(load_event("v2-menu-get.json"), context)
    r = menu(load_event("v2-menu-head.json"), context)
    assert r["statusCode"] == 200
    assert r["body"] == ""
    assert r["headers"]["etag"] == get["headers"]["etag"]
    assert r["headers"]["content-length"] == str(len(get["body"].encode()))
    assert r["headers"]["cache-control"] == MENU_CACHE_CONTROL
    assert r["headers"]["access-control-allow-origin"] == ORIGIN


def test_v2_preflight_is_answered_by_the_app_per_tenant(menu, context):
    r = menu(load_event("v2-menu-options-preflight.json"), context)
    assert r["statusCode"] == 204
    headers = r["headers"]
    assert headers["access-control-allow-origin"] == ORIGIN
    assert headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert headers["access-control-allow-headers"] == "if-none-match, x-request-id"
    assert int(headers["access-control-max-age"]) > 0
    assert headers["vary"] == "Origin"
    assert headers["x-request-id"]


def test_function_url_get_serves_the_same_menu(menu, context):
    v2 = menu(load_event("v2-menu-get.json"), context)
    r = menu(load_event("function-url-menu-get.json"), context)
    assert r["statusCode"] == 200
    assert r["body"] == v2["body"]
    assert r["headers"]["etag"] == v2["headers"]["etag"]
    assert r["headers"]["cache-control"] == MENU_CACHE_CONTROL
    assert r["headers"]["access-control-allow-origin"] == ORIGIN


def test_config_route_is_served_by_the_menu_handler(menu, context):
    event = load_event("v2-menu-get.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/public/config"
    r = menu(event, context)
    assert r["statusCode"] == 200
    assert body_json(r)["slug"] == "demo"
    assert r["headers"]["cache-control"].startswith("public, max-age=")
    assert r["headers"]["access-control-allow-origin"] == ORIGIN


def test_repeated_restaurant_id_is_rejected(menu, context):
    """rawQueryString keeps both values (queryStringParameters comma-joins them); Mangum uses the raw
    one, so the app sees the key twice."""
    event = load_event("v2-menu-get-repeated-restaurant-id.json")
    assert event["queryStringParameters"] == {"restaurantId": "demo,other"}
    assert_error(menu(event, context), 400, "INVALID_REQUEST")


def test_comma_joined_restaurant_id_is_invalid(menu, context):
    assert_error(menu(load_event("v2-menu-get-comma-restaurant-id.json"), context), 400,
                 "RESTAURANT_ID_INVALID")


def test_missing_and_unknown_restaurants(menu, context):
    event = load_event("v2-menu-get.json")
    event["rawQueryString"] = ""
    del event["queryStringParameters"]
    assert_error(menu(event, context), 400, "RESTAURANT_CONTEXT_MISSING")
    event["rawQueryString"] = "restaurantId=no-such-place"
    assert_error(menu(event, context), 404, "RESTAURANT_NOT_FOUND")


@pytest.mark.parametrize(("event_name", "header"), [("v2-menu-get.json", "Origin"),
                                                    ("v2-menu-options-preflight.json", "origin")])
def test_origin_off_the_allowlist_gets_403_without_acao(menu, context, event_name, header):
    event = load_event(event_name)
    event["headers"][header] = "https://evil.example.com"
    r = menu(event, context)
    assert_error(r, 403, "ORIGIN_NOT_ALLOWED")
    assert "access-control-allow-origin" not in r["headers"]


def test_base64_post_to_a_read_only_route_is_405_json(menu, context):
    event = load_event("v2-post-base64.json")
    # Mangum decodes the body before the app sees it
    handler = menu.infer(event, context)
    assert orjson.loads(handler.body)["restaurantId"] == "demo"
    r = menu(event, context)
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert set(r["headers"]["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_base64_post_to_an_unknown_route_is_404_json(menu, context):
    event = load_event("v2-post-base64.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/chat"  # not deployed yet
    assert_error(menu(event, context), 404, "NOT_FOUND")


def test_event_quirks_reach_the_app_as_asgi(menu, context):
    """sourceIp keeps its /32 (the app must not parse it as an address), cookies become one header,
    header names are lower-cased, and the query string is the raw one."""
    scope = menu.infer(load_event("v2-menu-get.json"), context).scope
    assert scope["client"] == ("192.168.0.1/32", 0)
    headers = dict(scope["headers"])
    assert headers[b"cookie"] == b"cookie1; cookie2"
    assert headers[b"origin"] == ORIGIN.encode()
    assert headers[b"header2"] == b"value1,value2"
    assert scope["query_string"] == b"restaurantId=demo"
    assert scope["path"] == "/api/public/menu"
    assert scope["aws.context"] is context
    furl = menu.infer(load_event("function-url-menu-get.json"), context).scope
    assert furl["client"] == ("123.123.123.123", 0)
    assert furl["scheme"] == "https"


# --- health ----------------------------------------------------------------------------------


def test_health_reports_every_check(handler_for, context):
    health, _ = handler_for("health")
    r = health(load_event("v2-health-get.json"), context)
    assert r["statusCode"] == 200
    assert r["headers"]["cache-control"] == "no-store"
    assert r["headers"]["x-request-id"]
    assert "access-control-allow-origin" not in r["headers"]
    body = body_json(r)
    assert body["status"] == "ok"
    assert isinstance(body["version"], str) and body["version"]
    assert set(body["checks"]) == {"database", "cache", "ai", "flags"}
    for name, check in body["checks"].items():
        assert check["status"] == "ok", name
        assert isinstance(check["latencyMs"], (int, float)) and check["latencyMs"] >= 0


@pytest.mark.parametrize(("path", "expected"), [
    ("/api/health/live", {"status": "ok"}),
    ("/api/health/ready", {"status": "ok"}),
])
def test_liveness_and_readiness(handler_for, context, path, expected):
    health, _ = handler_for("health")
    event = load_event("v2-health-get.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    r = health(event, context)
    assert r["statusCode"] == 200
    assert body_json(r).items() >= expected.items()


@pytest.mark.parametrize(("group", "event_name", "path"), [
    ("menu", "v2-menu-get.json", "/api/public/menu"),
    ("menu", "v2-menu-get.json", "/api/public/config"),
    ("health", "v2-health-get.json", "/api/health"),
    ("health", "v2-health-get.json", "/api/health/live"),
    ("widget", "v2-widget-get.json", "/widget.js"),
])
def test_head_through_mangum_has_no_body(handler_for, context, group, event_name, path):
    handler, _ = handler_for(group)
    event = load_event(event_name)
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    get = handler(event, context)
    event["requestContext"]["http"]["method"] = "HEAD"
    head = handler(event, context)
    assert head["statusCode"] == get["statusCode"] == 200
    assert head["headers"].get("etag") == get["headers"].get("etag")
    assert head["body"] == ""


def test_menu_routes_are_not_served_by_the_health_handler(handler_for, context):
    health, _ = handler_for("health")
    assert_error(health(load_event("v2-menu-get.json"), context), 404, "NOT_FOUND")


# --- widget ----------------------------------------------------------------------------------


def test_widget_bundle_with_etag_and_304(handler_for, context):
    widget, _ = handler_for("widget")
    r = widget(load_event("v2-widget-get.json"), context)
    assert r["statusCode"] == 200
    assert r["isBase64Encoded"] is False
    assert r["body"] == (ROOT / "widget" / "dist" / "widget.js").read_text(encoding="utf-8")
    headers = r["headers"]
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    etag = headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert headers["cache-control"].startswith("public, ")
    assert headers["access-control-allow-origin"] == "*"
    assert headers["x-request-id"]
    event = load_event("v2-widget-get.json")
    event["headers"]["If-None-Match"] = etag
    again = widget(event, context)
    assert again["statusCode"] == 304
    assert again["body"] == ""
    assert again["headers"]["etag"] == etag


@pytest.mark.parametrize(("accept", "encoding", "suffix"),
                         [("gzip, deflate, br", "br", ".br"), ("gzip", "gzip", ".gz")])
def test_widget_compressed_through_mangum_is_base64(handler_for, context, accept, encoding, suffix):
    """A compressed body is binary: Mangum must base64 it, or API Gateway would mangle the bytes."""
    widget, _ = handler_for("widget")
    event = load_event("v2-widget-get.json")
    event["headers"]["Accept-Encoding"] = accept
    r = widget(event, context)
    assert r["statusCode"] == 200
    assert r["headers"]["content-encoding"] == encoding and r["headers"]["vary"] == "Accept-Encoding"
    assert r["isBase64Encoded"] is True
    assert base64.b64decode(r["body"]) == (ROOT / "widget" / "dist" / ("widget.js" + suffix)).read_bytes()
    event["headers"]["If-None-Match"] = r["headers"]["etag"]
    again = widget(event, context)
    assert again["statusCode"] == 304 and again["headers"]["etag"] == r["headers"]["etag"]


# --- the real handler modules ----------------------------------------------------------------

GROUP_MODULES = ("menu", "chat", "orders", "admin", "health", "widget")


@pytest.fixture
def modules(event_loop_for_mangum):
    """The real handler modules (they set up the process's one event loop on import)."""
    import importlib

    return {group: importlib.import_module(f"functions.{group}") for group in GROUP_MODULES}


@pytest.mark.parametrize("group", GROUP_MODULES)
def test_handler_modules_are_mangum_with_the_lifespan_off(modules, group):
    module = modules[group]
    assert isinstance(module.handler, Mangum)
    assert module.handler.lifespan == "off"
    assert module.handler.app is module.app
    from shared.http.app import create_app

    expected = {(r.path, frozenset(r.methods or ())) for r in create_app(groups=(group,)).routes}
    served = {(r.path, frozenset(r.methods or ())) for r in module.app.routes}
    assert served == expected


# What serverless.yml gives the functions (values are fakes: nothing here connects to them).
PRODUCTION_ENV = {
    "STJARNA_ENV": "production", "STJARNA_STAGE": "test",
    "SUPABASE_URL": "https://abcdefghijklmnop.supabase.co",
    "SUPABASE_SERVICE_ROLE_KEY": "sb-service-role-0123456789abcdef0123456789",
    "UPSTASH_REDIS_REST_URL": "https://eu1-test-12345.upstash.io",
    "UPSTASH_REDIS_REST_TOKEN": "upstash-token-0123456789abcdef0123456789",
    "ADMIN_KEY_PEPPER": "pepper-q7Rk2xWm9ZtB4nVc8LsE1yHd5JfG0aP3",  # random-looking: production refuses a run
}

_INVOKE_PROBE = """
import json, sys
from pathlib import Path
import functions.health, functions.widget
from shared.container import default_container

class Context:
    aws_request_id = "probe"

event = json.loads(Path("tests/events/v2-health-get.json").read_text())
event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/health/live"
live = functions.health.handler(event, Context())
widget = functions.widget.handler(json.loads(Path("tests/events/v2-widget-get.json").read_text()), Context())
container = default_container() if default_container.cache_info().currsize else None
print(json.dumps({
    "live": [live["statusCode"], json.loads(live["body"])],
    "widget": [widget["statusCode"], bool(widget["headers"].get("etag"))],
    "clients": None if container is None else [container._store is not None, container._kv is not None],
    "loaded": sorted(m for m in HEAVY if m in sys.modules),
}))
"""


def test_real_modules_answer_routes_that_need_no_client():
    """Liveness and the widget bundle through the real module handlers, configured as in
    production: they answer without building a store or KV client or importing their libraries.
    (The request middleware reads ``max_body_bytes`` from the process container, so settings are
    loaded on the first request of any route; the clients stay unbuilt.)"""
    code = "HEAVY = " + repr(("psycopg", "postgrest", "upstash_redis")) + _INVOKE_PROBE
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True, env={"PATH": "/usr/bin:/bin", **PRODUCTION_ENV})
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["live"] == [200, {"status": "ok"}]
    assert probe["widget"] == [200, True]
    assert probe["clients"] in (None, [False, False])
    assert probe["loaded"] == []


_FIRST_MENU_PROBE = """
import json, sys
from pathlib import Path
import functions.menu

class Context:
    aws_request_id = "probe"

response = functions.menu.handler(json.loads(Path("tests/events/v2-menu-get.json").read_text()), Context())
print(json.dumps({"status": response["statusCode"], "pydantic": sorted(m for m in sys.modules if m == "pydantic"
                                                                        or m.startswith(("pydantic.", "pydantic_")))}))
"""


def test_a_fresh_menu_function_serves_its_first_request_without_pydantic(seeded, database):
    """The menu function's cold start (issue #17): import, settings from the environment, one menu
    from the database, and pydantic (half of that first request when Settings were a pydantic
    model, docs/performance.md) is never imported."""
    out = subprocess.run([sys.executable, "-c", _FIRST_MENU_PROBE], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database})
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe == {"status": 200, "pydantic": []}


_IMPORT_PROBE = """
import json, sys
import functions.{group} as module
from shared.container import default_container
print(json.dumps({{
    "loaded": sorted(m for m in {heavy!r} if m in sys.modules),
    "containers": default_container.cache_info().currsize,
    "handler": type(module.handler).__module__ + "." + type(module.handler).__name__,
}}))
"""


def _import_probe(group: str) -> dict[str, Any]:
    code = _IMPORT_PROBE.format(group=group, heavy=HEAVY_MODULES)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True, env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"})
    return json.loads(out.stdout)


@pytest.mark.parametrize("group", GROUP_MODULES)
def test_importing_a_handler_module_builds_no_client(group):
    probe = _import_probe(group)
    assert probe["handler"] == "mangum.adapter.Mangum"
    assert probe["containers"] == 0
    assert probe["loaded"] == []
