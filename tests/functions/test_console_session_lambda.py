"""The console session through the admin Lambda function as deployed (Mangum, API Gateway HTTP API v2
events): the cookie leaves in the v2 answer's ``cookies`` list with its attributes, comes back in the
event's ``cookies`` and opens the session; sign-out clears it. Here, not in tests/console: Mangum
needs its own event loop, which the console package's Playwright browser (package-scoped) would hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functions.conftest import LambdaContext

HOST = "api.stjarna.example"


def event(method: str, path: str, *, body: Any = None, cookies: list[str] | None = None,
          headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": "",
        **({"cookies": cookies} if cookies else {}),
        "headers": {"host": HOST, "x-forwarded-proto": "https", "content-type": "application/json",
                    **(headers or {})},
        "requestContext": {"accountId": "123456789012", "apiId": "api-id", "domainName": HOST,
                           "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                    "sourceIp": "192.0.2.10", "userAgent": "tablet"},
                           "requestId": "console-session", "routeKey": f"{method} {path}", "stage": "$default",
                           "time": "06/Dec/2026:04:00:00 +0000", "timeEpoch": 1796529600000},
        **({"body": json.dumps(body), "isBase64Encoded": False} if body is not None else {"isBase64Encoded": False}),
    }


@pytest.fixture
def admin(handler_for, sql):
    handler, container = handler_for("admin")
    demo = str(sql("select id from restaurants where slug = 'demo'")[0][0])
    key, _ = container.admin_keys.create("tablet", "cli:test", role="kitchen", restaurant_id=demo)
    return handler, key


def test_the_session_cookie_round_trips_through_the_lambda_function(admin):
    handler, key = admin
    context = LambdaContext()
    signed = handler(event("POST", "/console/api/session", body={"key": key},
                           headers={"origin": f"https://{HOST}"}), context)
    assert signed["statusCode"] == 200, signed
    assert "set-cookie" not in signed["headers"]  # v2: cookies travel in their own list
    [cookie] = signed["cookies"]
    assert cookie.startswith("stjarna_console=") and key not in cookie
    for attribute in ("HttpOnly", "Path=/console", "SameSite=strict", "Secure"):
        assert attribute.lower() in cookie.lower(), attribute
    token = cookie.split(";", 1)[0]
    csrf = json.loads(signed["body"])["csrfToken"]

    shown = handler(event("GET", "/console/api/session", cookies=[token]), context)
    assert shown["statusCode"] == 200 and json.loads(shown["body"])["restaurant"]["slug"] == "demo"
    orders = handler(event("GET", "/console/api/orders", cookies=[token]) | {"rawQueryString": "restaurantId=demo"},
                     context)
    assert orders["statusCode"] == 200, orders

    refused = handler(event("DELETE", "/console/api/session", cookies=[token],
                            headers={"origin": "https://evil.example", "x-stjarna-csrf": csrf}), context)
    assert refused["statusCode"] == 403
    out = handler(event("DELETE", "/console/api/session", cookies=[token],
                        headers={"origin": f"https://{HOST}", "x-stjarna-csrf": csrf}), context)
    assert out["statusCode"] == 204 and "Max-Age=0" in out["cookies"][0]
    assert handler(event("GET", "/console/api/session", cookies=[token]), context)["statusCode"] == 401
