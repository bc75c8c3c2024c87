"""Security properties, checked against the real app and database (issue #7 §6, first part): CORS
never reflects an origin the restaurant did not allow (property-based), oversized bodies are refused
before parsing and change nothing, errors never echo secrets back, and the shipped widget files carry
no secrets."""

from __future__ import annotations

import re
from datetime import timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.paths import REPO_ROOT
from shared.tenants.origins import is_allowed, parse_origin
from tests.orders.conftest import new_key, order_body
from tests.support.servers import closed_port

DEMO_ALLOWED = ("http://localhost:8000", "http://127.0.0.1:8000", "https://*.stjarna.dev")

labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.lists(labels, min_size=1, max_size=4).map(".".join)
origins = st.one_of(
    st.builds(lambda scheme, host, port: f"{scheme}://{host}{port}", st.sampled_from(["http", "https"]),
              st.one_of(hosts, hosts.map(lambda h: h + ".stjarna.dev"), st.just("stjarna.dev"),
                        st.just("localhost"), st.just("127.0.0.1")),
              st.sampled_from(["", ":8000", ":443", ":8443", ":80"])),
    st.text(max_size=40),  # anything a client can put in the header
    st.sampled_from(["null", "https://evil.example", "https://stjarna.dev.evil.example", "https://x.stjarna.dev:8443",
                     "HTTPS://SHOP.STJARNA.DEV", "https://shop.stjarna.dev/", "https://shop.stjarna.dev.",
                     "https://-bad-.stjarna.dev", "http://localhost:8000 http://evil.example"]),
)


def _allowed(origin: str) -> bool:
    parsed = parse_origin(origin)
    if parsed is None:
        return False
    from shared.tenants.origins import compile_patterns

    return is_allowed(parsed, compile_patterns(DEMO_ALLOWED))


@pytest.fixture
def client(app_for):
    return app_for()[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(origin=origins)
def test_cors_never_reflects_an_origin_that_is_not_allowed(client, origin):
    if not origin.isascii() or "\n" in origin or "\r" in origin:
        return  # not sendable as an HTTP header value
    requests = [
        ("GET", "/api/public/menu?restaurantId=demo", None),
        ("GET", "/api/public/config?restaurantId=demo", None),
        ("POST", "/api/chat", {"restaurantId": "demo", "sessionToken": "cors-property-1", "message": "hi"}),
        ("OPTIONS", "/api/orders?restaurantId=demo", None),
    ]
    for method, url, body in requests:
        headers = {"Origin": origin}
        if method == "OPTIONS":
            headers["Access-Control-Request-Method"] = "POST"
        r = client.request(method, url, json=body, headers=headers)
        reflected = r.headers.get("Access-Control-Allow-Origin")
        if reflected is not None:
            assert reflected == origin and _allowed(origin), (method, url, origin)
            assert r.status_code < 400 or r.status_code == 429
        elif r.status_code == 403:
            assert r.json()["error"]["code"] == "ORIGIN_NOT_ALLOWED"


@pytest.mark.parametrize("path", ["/api/orders", "/api/orders/quote", "/api/chat", "/api/admin/tenants"])
def test_bodies_over_the_limit_are_refused_before_parsing(app_for, sql, path):
    client, _ = app_for(MAX_BODY_BYTES="2048")
    huge = b'{"restaurantId": "demo", "junk": "' + b"x" * 4096 + b'"}'
    r = client.post(path, content=huge, headers={"Content-Type": "application/json",
                                                 "Idempotency-Key": new_key(), "Authorization": "Bearer stj_x"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert sql("select count(*) from orders") == [(0,)]
    assert sql("select count(*) from audit_log") == [(0,)]


SECRETS = ["sk-proj-abcdef0123456789abcdef", "stj_SecretAdminKey0123456789abcdefghijklmnopq", "password=hunter2"]


@pytest.mark.parametrize("secret", SECRETS)
def test_error_bodies_do_not_echo_what_was_sent(app_for, items, secret):
    client, _ = app_for()
    answers = [
        client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": secret, "message": secret}),
        client.post("/api/orders", headers={"Idempotency-Key": secret},
                    json=order_body((items["demo/hummus"], 1), session=secret, note=secret)),
        client.post("/api/orders", headers={"Idempotency-Key": new_key()},
                    json={**order_body((items["demo/hummus"], 1)), "items": [{"itemId": secret, "quantity": 1}]}),
        client.get(f"/api/orders/ABCDEF?restaurantId=demo&sessionToken={secret}"),
        client.get("/api/admin/orders?restaurantId=demo", headers={"Authorization": f"Bearer {secret}"}),
        client.get(f"/api/public/menu?restaurantId={secret}"),
    ]
    errors = [r for r in answers if r.status_code >= 400]  # a token-shaped secret may be a valid input
    assert len(errors) >= 4
    for r in errors:
        assert secret not in r.text and "hunter2" not in r.text, r.text


def test_the_widget_files_carry_no_secrets():
    patterns = [r"sk-[A-Za-z0-9_-]{16,}", r"stj_[A-Za-z0-9_-]{20,}", r"eyJ[A-Za-z0-9_-]{20,}\.",  # JWT (Supabase keys)
                r"(?i)service[_-]?role", r"(?i)SUPABASE_|UPSTASH_|OPENAI_API_KEY|ADMIN_KEY_PEPPER",
                r"(?i)password\s*[=:]", r"postgres(ql)?://"]
    files = sorted((REPO_ROOT / "widget" / "dist").glob("*.js"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            assert not re.search(pattern, text), (path.name, pattern)


# -- admin routes: every one refuses a missing, wrong, expired or revoked key alike -------------------
def _admin_requests(app) -> list[tuple[str, str]]:
    """Every admin route of the app, as (method, concrete path), so a new admin route is covered."""
    from starlette.routing import Route

    fill = {"{order}": "ABCDEF", "{ref}": "demo", "{item}": "00000000-0000-4000-8000-000000000000",
            "{key}": "00000000-0000-4000-8000-000000000000"}
    found = []
    for route in app.routes:  # and their console twins, which want a session instead (not a key)
        if isinstance(route, Route) and (route.path.startswith("/api/admin/") or (
                route.path.startswith("/console/api/") and route.path != "/console/api/session")):
            path = route.path
            for name, value in fill.items():
                path = path.replace(name, value)
            assert "{" not in path, f"no sample value for a parameter of {route.path}"
            found += [(method, path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def test_every_admin_route_refuses_missing_wrong_expired_and_revoked_keys(app_for, sql):
    client, container = app_for(ADMIN_AUTH_MAX_FAILURES="1000")
    requests = _admin_requests(client.app)
    assert len(requests) >= 7
    expired, _ = container.admin_keys.create("expired", "cli:test", expires_in=timedelta(days=1))
    revoked, record = container.admin_keys.create("revoked", "cli:test")
    sql("update admin_keys set expires_at = now() - interval '1 second' where name = 'expired'")
    container.admin_keys.revoke(record["id"], "cli:test")
    before = sql("select count(*) from audit_log")
    refusals = [None, "Bearer stj_" + "A" * 43, f"Bearer {expired}", f"Bearer {revoked}", f"Bearer {expired}x",
                f"Basic {revoked}"]
    for method, path in requests:
        for header in refusals:
            headers = {} if header is None else {"Authorization": header}
            r = client.request(method, f"{path}?restaurantId=demo", headers=headers, json={})
            assert r.status_code == 401, (method, path, header, r.status_code)
            assert r.json()["error"]["code"] == "UNAUTHORIZED"
            assert r.headers["WWW-Authenticate"] == 'Bearer realm="stjarna-admin"'
    assert sql("select count(*) from audit_log") == before  # nothing was done on a refused key


# -- configured and presented secrets never reach a log line ------------------------------------------
CONFIGURED = {"OPENAI_API_KEY": "sk-proj-configured0123456789abcdef", "ADMIN_KEY_PEPPER": "pepper-configured-7a6b5c",
              "DATABASE_URL": "postgresql://stjarna:db-password-secret-9z8y@127.0.0.1:1/stjarna"}


def test_no_secret_reaches_the_logs(app_for, items, log_lines):
    client, container = app_for(ADMIN_AUTH_MAX_FAILURES="1000", OPENAI_BASE_URL=f"http://127.0.0.1:{closed_port()}/v1",
                                **CONFIGURED)  # the AI call fails fast (nothing listens) and is logged
    key, _ = container.admin_keys.create("logs", "cli:test")
    session = "diner-session-secret-5e4d3c"
    idempotency = "idem-secret-6f5e4d3c2b1a"
    sent = [
        client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": session, "message": "vegan? " + key}),
        client.post("/api/orders", headers={"Idempotency-Key": idempotency},
                    json=order_body((items["demo/hummus"], 1), session=session, note="call me " + key)),
        client.get(f"/api/orders/ABCDEF?restaurantId=demo&sessionToken={session}"),
        client.get(f"/api/orders/ABCDEF?restaurantId=demo&token={session}&key={key}"),
        client.get("/api/admin/orders?restaurantId=demo", headers={"Authorization": f"Bearer {key}"}),
        client.get("/api/admin/orders?restaurantId=demo", headers={"Authorization": f"Bearer {key}x"}),
        client.get(f"/api/admin/orders/{key}?restaurantId=demo", headers={"Authorization": f"Bearer {key}"}),
    ]
    assert [r.status_code for r in sent] == [200, 201, 404, 422, 200, 401, 404]
    lines = log_lines()
    assert len(lines) >= len(sent)  # one access line per request at least
    text = "\n".join(orjson.dumps(line).decode() for line in lines)
    for secret in ["sk-proj-configured", "pepper-configured", "db-password-secret", key, key[4:], session, idempotency]:
        assert secret not in text, secret
