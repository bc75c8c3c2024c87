"""`stjarna tenant check` against the real app over HTTP (uvicorn on this test's database): every check
passes for a healthy tenant, and each kind of trouble fails its check with the reason and exit 1."""

from __future__ import annotations

import json
import time

import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from shared.container import Container
from shared.http.app import create_app
from shared.http.site import widget_routes
from shared.kv.memory import MemoryKV
from shared.store.postgres import PostgresStore
from tests.conftest import make_settings
from tests.support.servers import closed_port, serve


def lines(out: str) -> dict[str, str]:
    """check name -> "VERDICT detail" from the report."""
    found = {}
    for line in out.splitlines()[:-1]:
        verdict, name, detail = line.split(None, 2)
        found[name] = f"{verdict} {detail}"
    return found


def test_a_healthy_tenant_passes_every_check(support, api, run):
    server = api()
    code, out, err = run("tenant", "check", "demo", "--origin", "http://127.0.0.1:8000", "--endpoint", server.url)
    assert code == 0, out + err
    checks = lines(out)
    assert list(checks) == ["tenant", "menu", "config", "chat", "cors", "widget"]
    assert all(v.startswith("PASS ") for v in checks.values()), out
    assert "→ 304 on revalidation" in checks["menu"] and "Cache-Control: public, s-maxage=60" in checks["menu"]
    assert checks["config"] == "PASS 200, serverChat on, ordering on"
    assert "source fallback" in checks["chat"]
    assert checks["cors"].startswith("PASS http://127.0.0.1:8000: allowed by 'http://127.0.0.1:8000'")
    assert "of the 35,000 bytes budget" in checks["widget"]
    assert out.splitlines()[-1] == f"6 passed of 6 checks against {server.url}"


def test_json_report(support, api, run, monkeypatch):
    server = api()
    monkeypatch.setenv("STJARNA_API_URL", server.url + "/")  # the default endpoint
    code, out, _ = run("tenant", "check", "nattbaren", "--json")
    data = orjson.loads(out)
    assert code == 0 and data["ok"] is True and data["endpoint"] == server.url and data["origin"] is None
    assert [(c["name"], c["verdict"]) for c in data["checks"]] == [
        ("tenant", "PASS"), ("menu", "PASS"), ("config", "PASS"), ("chat", "PASS"), ("cors", "SKIP"),
        ("widget", "PASS")]
    assert data["checks"][4]["detail"] == "no --origin given; allowed: http://localhost:8000, http://127.0.0.1:8000"


@pytest.mark.parametrize(("site", "verdict", "reason"), [
    ("https://their-site.example", "FAIL", "https://their-site.example refused (403 ORIGIN_NOT_ALLOWED): not matched "
     "by any of http://localhost:8000, http://127.0.0.1:8000, https://*.stjarna.dev. Add the exact origin"),
    ("https://stjarna.dev", "FAIL", "not matched by any of"),  # a wildcard never matches the bare domain
    ("http://127.0.0.1:8001", "FAIL", "not matched by any of"),  # the port must match
    ("https://shop.stjarna.dev", "PASS", "https://shop.stjarna.dev: allowed by 'https://*.stjarna.dev'"),
    ("http://localhost:8000", "PASS", "allowed by 'http://localhost:8000'"),
])
def test_the_cors_verdict_names_the_rule(support, api, run, site, verdict, reason):
    server = api()
    code, out, _ = run("tenant", "check", "demo", "--origin", site, "--endpoint", server.url)
    cors = lines(out)["cors"]
    assert cors.startswith(verdict + " ") and reason in cors, cors
    assert code == (1 if verdict == "FAIL" else 0)
    assert sum(v.startswith("FAIL") for v in lines(out).values()) == (verdict == "FAIL")


def test_the_apis_own_origin_needs_no_entry(support, api, run):
    server = api()
    code, out, _ = run("tenant", "check", "demo", "--origin", server.url, "--endpoint", server.url)
    assert code == 0
    assert lines(out)["cors"].startswith(f"PASS {server.url}: the API's own origin")


def test_server_chat_off_fails_the_chat_check(support, api, run):
    server = api(USE_SERVER_CHAT="false")
    code, out, _ = run("tenant", "check", "demo", "--endpoint", server.url)
    checks = lines(out)
    assert code == 1
    assert checks["config"] == "PASS 200, serverChat OFF, ordering on"
    assert checks["chat"].startswith("FAIL 503 SERVER_CHAT_DISABLED: ")
    assert "USE_SERVER_CHAT is off (the widget answers locally): stjarna flags list --restaurant demo" in checks["chat"]


def test_a_draft_restaurant_fails_with_the_reason(support, variants, api, run):
    server = api()
    code, out, _ = run("tenant", "check", "draft-place", "--origin", "http://127.0.0.1:8000",
                       "--endpoint", server.url)
    checks = lines(out)
    assert code == 1
    assert checks["tenant"].startswith("FAIL draft-place (") and "is draft: not public" in checks["tenant"]
    for name in ("menu", "config", "chat"):
        assert checks[name] == ("FAIL 404 RESTAURANT_NOT_FOUND: No live restaurant with that id. "
                                "(the database says draft: only live restaurants are public)")
    assert checks["cors"].startswith("FAIL cannot judge: the menu answers 404")
    assert checks["widget"].startswith("PASS")
    assert out.splitlines()[-1] == f"5 failed, 1 passed of 6 checks against {server.url}"


def test_a_restaurant_without_origins_fails_cors(support, run, api, tmp_path, sql):
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps({"sections": [{"name": "Fika", "items": [{"name": "Bun", "priceCents": 3500}]}]}))
    assert run("tenant", "create", "--slug", "no-origins", "--name", "No origins", "--origin", "https://x.example",
               "--menu", str(menu))[0] == 0
    sql("update restaurants set allowed_origins = '{}' where slug = 'no-origins'")  # as a dashboard edit would
    server = api()
    code, out, _ = run("tenant", "check", "no-origins", "--endpoint", server.url)
    assert code == 1
    assert lines(out)["cors"].startswith("FAIL the restaurant has no allowed origins: the widget loads on no website")


def test_an_unreachable_api_fails_every_http_check(support, run):
    url = f"http://127.0.0.1:{closed_port()}"
    code, out, _ = run("tenant", "check", "demo", "--origin", "https://shop.stjarna.dev", "--endpoint", url)
    checks = lines(out)
    assert code == 1 and checks["tenant"].startswith("PASS")
    for name in ("menu", "config", "chat", "cors", "widget"):
        assert checks[name].startswith(f"FAIL no answer from {url}: ConnectError"), checks[name]


def test_a_widget_over_budget_fails(support, database, run, tmp_path):
    (tmp_path / "widget.js").write_bytes(b"/*" + b"x" * 35_000 + b"*/")
    container = Container(make_settings(), store=PostgresStore(database, timeout_seconds=5), kv=MemoryKV())
    app = Starlette(routes=[*widget_routes(tmp_path), Mount("", app=create_app(("menu", "chat"), container=container))])
    try:
        with serve(app) as server:
            code, out, _ = run("tenant", "check", "demo", "--endpoint", server.url)
    finally:
        container.close()
    assert code == 1
    assert lines(out)["widget"].startswith("FAIL over budget: 35,004 of the 35,000 bytes budget")
    assert lines(out)["menu"].startswith("PASS")


@pytest.mark.parametrize(("argv", "needle"), [
    (("--origin", "their-site.example"), "origin: 'their-site.example' is not a website origin"),
    (("--origin", "https://their-site.example/menu"), "is not a website origin"),
    (("--origin", "null"), "is not a website origin"),
    (("--endpoint", "ftp://api.example"), "endpoint: 'ftp://api.example' is not an API base URL"),
])
def test_bad_origins_and_endpoints_are_refused_before_any_request(support, run, argv, needle):
    code, out, err = run("tenant", "check", "demo", *argv)
    assert code == 1 and out == "" and needle in err


def test_an_unknown_tenant_is_refused(support, run):
    code, out, err = run("tenant", "check", "nowhere", "--endpoint", "http://127.0.0.1:9")
    assert code == 1 and out == "" and "RESTAURANT_NOT_FOUND: No restaurant 'nowhere'" in err


def test_from_nothing_to_a_live_widget_in_under_two_minutes(support, api, run, tmp_path):
    started = time.monotonic()
    server = api()
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps({"restaurant": {"hours": {d: [["00:00", "24:00"]] for d in (
        "mon", "tue", "wed", "thu", "fri", "sat", "sun")}}, "sections": [{"name": "Mains", "items": [
            {"name": "Vegan burger", "priceCents": 17500, "allergensDeclared": True, "tags": ["vegan"]}]}]}))
    code, out, err = run("tenant", "create", "--slug", "bistro-nord", "--name", "Bistro Nord", "--origin",
                         "https://bistronord.se", "--menu", str(menu), "--endpoint", server.url)
    assert code == 0, err
    assert (f'<script src="{server.url}/widget.js" data-restaurant-id="bistro-nord" '
            f'data-endpoint="{server.url}" async></script>') in out.splitlines()
    code, out, _ = run("tenant", "check", "bistro-nord", "--origin", "https://bistronord.se", "--endpoint", server.url)
    assert code == 0, out
    assert "1 suggestion(s)" in lines(out)["chat"]  # the assistant already knows the new menu
    assert time.monotonic() - started < 120


class Impostor:
    """What a misconfigured proxy or CDN in front of the API might answer (the checks must say so)."""

    def __init__(self, *, etag: str | None = None, echo: bool = False, preflight_echo: bool = False) -> None:
        from starlette.requests import Request
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Route

        def menu(request: Request) -> Response:
            headers = {"ETag": etag} if etag else {}
            if echo and "origin" in request.headers:
                headers["Access-Control-Allow-Origin"] = request.headers["origin"]
            return JSONResponse({"version": 1, "sections": []}, headers=headers)

        def preflight(request: Request) -> Response:
            allow = {"Access-Control-Allow-Origin": request.headers["origin"]} if preflight_echo else {}
            return Response(status_code=204, headers=allow)

        self.app = Starlette(routes=[
            Route("/api/public/menu", menu),
            Route("/api/public/config", lambda request: Response("<html>maintenance</html>", media_type="text/html")),
            Route("/api/chat", lambda request: JSONResponse(
                {"error": {"code": "RATE_LIMITED", "message": "Too many requests."}}, status_code=429,
                headers={"Retry-After": "7"}), methods=["POST"]),
            Route("/api/chat", preflight, methods=["OPTIONS"]),
        ])


@pytest.fixture
def demo_tenant(seeded):
    from shared.helpdesk.tenant import show

    return show(Container(make_settings(), store=seeded, kv=MemoryKV()), "demo")


def verdicts(checks):
    return {c.name: f"{c.verdict} {c.detail}" for c in checks}


def test_a_proxy_that_drops_headers_fails_the_checks_that_need_them(demo_tenant):
    from shared.helpdesk.check import run_checks

    with serve(Impostor().app) as server:
        found = verdicts(run_checks(server.url, "demo", demo_tenant, site="https://shop.stjarna.dev",
                                    probe_secret="probe-secret-for-tests"))
    assert found["menu"].startswith("FAIL 200, version 1, 0 item(s)")
    assert found["menu"].endswith("; no ETag: browsers and the CDN cannot revalidate")
    assert found["config"].startswith(f"FAIL {server.url} answered with a body that is not Stjarna's JSON")
    assert found["chat"] == ("FAIL 429 RATE_LIMITED: Too many requests.; retry after 7 s (HEALTH_CHECK_RATE_LIMIT)")
    assert found["cors"] == ("FAIL 200 but Access-Control-Allow-Origin is None, not 'https://shop.stjarna.dev': "
                             "the browser discards the answer")
    assert found["widget"] == "FAIL GET /widget.js answered 404"


def test_an_etag_that_never_revalidates_and_a_preflight_that_refuses(demo_tenant):
    from shared.helpdesk.check import run_checks

    with serve(Impostor(etag='"v1"', echo=True).app) as server:
        found = verdicts(run_checks(server.url, "demo", demo_tenant, site="https://shop.stjarna.dev"))
    assert found["menu"].endswith('; If-None-Match: "v1" answered 200, not 304')
    assert found["cors"] == ("FAIL the menu allows https://shop.stjarna.dev but the chat preflight answered 204 "
                             "with Access-Control-Allow-Origin None")
    with serve(Impostor(etag='"v1"', echo=True, preflight_echo=True).app) as server:
        assert verdicts(run_checks(server.url, "demo", demo_tenant, site="https://shop.stjarna.dev"))[
            "cors"].startswith("PASS https://shop.stjarna.dev: allowed by 'https://*.stjarna.dev'")
