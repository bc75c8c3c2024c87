"""Sentry: events leave scrubbed (no chat text, tokens, keys, idempotency keys, cookies or secret query
values anywhere in what is sent), diners still get our 500 INTERNAL body, and without a DSN nothing of
sentry_sdk is imported. No network: a transport that records the envelopes the SDK would send."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from shared.observability.scrub import FILTERED, scrub_breadcrumb, scrub_event
from shared.observability.sentry import close_sentry, init_sentry, integrations
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
DSN = "https://0123456789abcdef@o0.ingest.invalid/1"
SENTRY_ENV = {"SENTRY_DSN": DSN, "SENTRY_ENVIRONMENT": "test-env", "STJARNA_VERSION": "9.9.9-test"}

MESSAGE = "I am allergic to peanuts, this is Greta Lindqvist at table 4"
SESSION = "diner-secret-session-4f9a8b"
IDEMPOTENCY = "idem-secret-7c2d9e1f"
ADMIN_KEY = "stj_" + "Q" * 20 + "adminsecret" + "Z" * 12
BEARER = "bearer-secret-0a1b2c3d4e5f"
COOKIE = "cookie-secret-9a8b7c6d"
OPENAI_KEY = "sk-proj-openaisecret0123456789"
NOTE = "please ring Greta on 0701234567"
QUERY = {"token": "query-token-secret-1", "key": "query-key-secret-2", "password": "query-password-3",
         "sessionToken": "query-session-4", "secret": "query-secret-5"}
SECRETS = [MESSAGE, "Greta", SESSION, IDEMPOTENCY, ADMIN_KEY, "adminsecret", BEARER, COOKIE, OPENAI_KEY,
           "openaisecret", NOTE, "0701234567", *QUERY.values()]


class RecordingTransport(Transport):
    """Keeps every envelope the SDK hands over instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        return [event for e in self.envelopes if (event := e.get_event()) is not None]

    def wire(self) -> str:
        """Everything that would have gone over the network, as text."""
        return b"".join(e.serialize() for e in self.envelopes).decode("utf-8", "replace")


@pytest.fixture
def sentry():
    transport = RecordingTransport()
    assert init_sentry(make_settings(**SENTRY_ENV), transport=transport)
    yield transport
    close_sentry()


def request_headers(**extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {BEARER}", "X-Admin-Key": ADMIN_KEY, "Idempotency-Key": IDEMPOTENCY,
            "Cookie": f"sid={COOKIE}; theme=dark", "X-Debug-Upstream": OPENAI_KEY,
            "Referer": f"https://restaurant.example/menu?token={QUERY['token']}", **extra}


def assert_internal(r: Any) -> None:
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert error["code"] == "INTERNAL" and error["requestId"] == r.headers["x-request-id"]
    assert "Traceback" not in r.text and "JSONDecodeError" not in r.text


def test_an_unhandled_error_is_answered_500_internal_and_reported_scrubbed(app_for, sentry):
    client, container = app_for(**SENTRY_ENV)
    # A real fault: a corrupt menu entry in the KV (not JSON, though its ETag matches, so the cache takes
    # it as intact) breaks the chat pipeline with an exception no layer expects; the catch-all answers
    # and reports it.
    from shared.caching import strong_etag

    head = container.menus.head("demo")
    corrupt = "a corrupt cache entry"
    container.kv.set(f"menu:{head.id}:{head.version}", f"{strong_etag(corrupt.encode())}\n{corrupt}", 60)
    container.menus.forget()
    r = client.post("/api/chat", params=QUERY, headers=request_headers(),
                    json={"restaurantId": "demo", "sessionToken": SESSION, "message": MESSAGE})
    assert_internal(r)

    (event,) = sentry.events()
    assert event["level"] == "error"
    assert event["exception"]["values"][-1]["type"] == "JSONDecodeError"
    assert event["release"] == "9.9.9-test" and event["environment"] == "test-env"
    assert event["tags"]["requestId"] == r.headers["x-request-id"]
    assert event["tags"]["restaurantId"] == head.id
    assert event["transaction"] == "/api/chat"
    request = event["request"]
    assert request["method"] == "POST" and request["url"].endswith("/api/chat")
    # the body kept its identifiers only; the chat text and the session token are gone
    assert request["data"] == {"restaurantId": "demo", "sessionToken": FILTERED, "message": FILTERED}
    headers = {k.lower(): v for k, v in request["headers"].items()}
    for name in ("authorization", "x-admin-key", "idempotency-key", "cookie"):
        assert headers.get(name) in (FILTERED, "", None), name
    assert headers["referer"] == "https://restaurant.example/menu"
    assert headers["content-type"] == "application/json"  # ordinary headers stay
    assert "token=%5BFiltered%5D" in request["query_string"] or "token=[Filtered]" in request["query_string"]
    wire = sentry.wire()
    for secret in SECRETS:
        assert secret not in wire, secret


def test_a_500_from_a_database_error_is_reported_scrubbed(app_for, sentry, sql):
    """A StjarnaError the app's handler answers with 500 (an unknown database error) is reported too,
    with the database's own message (chained) masked."""
    sql("create or replace function stjarna_public_menu(p_restaurant_id uuid) returns json language plpgsql "
        f"as $$ begin raise exception 'assembly failed, token=%', '{QUERY['token']}'; end $$")
    client, _ = app_for(**SENTRY_ENV)
    r = client.get("/api/public/menu", params={"restaurantId": "demo", **QUERY}, headers=request_headers())
    assert r.status_code == 500 and r.json()["error"]["code"] == "INTERNAL"

    (event,) = sentry.events()
    assert event["transaction"] == "/api/public/menu"
    values = event["exception"]["values"]
    assert [v["type"] for v in values] == ["RaiseException", "StjarnaError"]  # the cause, then the error
    assert values[0]["value"].startswith("assembly failed, token=")  # the token cut out (it was in the query)
    query = dict(pair.split("=", 1) for pair in event["request"]["query_string"].split("&"))
    assert query["restaurantId"] == "demo"
    assert all(query[name] in (FILTERED, "%5BFiltered%5D") for name in QUERY)
    wire = sentry.wire()
    for secret in SECRETS:
        assert secret not in wire, secret


def test_a_500_an_endpoint_answers_itself_is_reported_too(app_for, sentry, sql, items):
    """The chat and order endpoints catch StjarnaError to keep their CORS headers on errors; a 500
    they answer (here a fault injected between an order's row and its lines) still reaches Sentry."""
    sql("create function inject_fault() returns trigger language plpgsql as $$ begin "
        "raise exception 'injected fault'; end $$")
    sql("create trigger inject_fault before insert on order_items for each statement execute function inject_fault()")
    client, _ = app_for(**SENTRY_ENV)
    r = client.post("/api/orders", headers={"Idempotency-Key": "sentry-order-1", **request_headers()},
                    json={"restaurantId": "demo", "sessionToken": SESSION,
                          "items": [{"itemId": items["demo/hummus"], "quantity": 1, "note": MESSAGE}]})
    assert r.status_code == 500 and r.json()["error"]["code"] == "INTERNAL"
    (event,) = sentry.events()
    assert [v["type"] for v in event["exception"]["values"]] == ["RaiseException", "StjarnaError"]
    wire = sentry.wire()
    for secret in (*SECRETS, MESSAGE, "sentry-order-1"):
        assert secret not in wire, secret


def test_expected_errors_are_not_events(app_for, sentry):
    """4xx answers and 503s (server chat switched off, a store outage) are states, not bugs."""
    client, _ = app_for(USE_SERVER_CHAT="false", **SENTRY_ENV)
    assert client.get("/api/public/menu", params={"restaurantId": "nope-nope"}).status_code == 404
    chat = client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": SESSION, "message": MESSAGE})
    assert chat.status_code == 503 and chat.json()["error"]["code"] == "SERVER_CHAT_DISABLED"
    assert sentry.events() == []


def test_log_lines_of_the_request_are_breadcrumbs(app_for, sentry, sql):
    """What the request logged before it failed travels with the event (through before_breadcrumb)."""
    from shared.kv.upstash import UpstashKV

    sql("create or replace function stjarna_public_menu(p_restaurant_id uuid) returns json language plpgsql "
        "as $$ begin raise exception 'assembly failed'; end $$")
    kv = UpstashKV("http://127.0.0.1:9", "token-for-tests", timeout_seconds=0.5)  # nothing listens
    client, _ = app_for(kv=kv, **SENTRY_ENV)
    r = client.get("/api/public/menu", params={"restaurantId": "demo"}, headers=request_headers())
    kv.close()
    assert r.status_code == 500
    (event,) = sentry.events()
    crumbs = [c for c in event["breadcrumbs"]["values"] if c.get("category") == "stjarna.menus"]
    assert [c["message"] for c in crumbs] == ["kv unavailable; reading the menu from the database"]
    assert crumbs[0]["level"] == "warning" and crumbs[0]["data"]["kvKey"].startswith("menu:")


def test_scrub_event_handles_the_lambda_shape_and_every_string():
    """The AWS Lambda integration's request (a query dict) and values outside the request."""
    event = {
        "request": {"url": "https://api.example/api/orders/K7XQ2M", "method": "GET",
                    "query_string": {"restaurantId": "demo", "sessionToken": SESSION},
                    "headers": {"X-Forwarded-For": "203.0.113.9", "Accept": "application/json"},
                    "data": "raw body with " + MESSAGE, "cookies": {"sid": COOKIE}},
        "exception": {"values": [{"type": "ValueError", "value": f"bad session {SESSION} and {ADMIN_KEY}"}]},
        "extra": {"note": f"postgres://app:{QUERY['password']}@db/x", "apiKey": OPENAI_KEY, "count": 3},
        "sdk": {"name": "sentry.python"},
    }
    scrubbed = scrub_event(json.loads(json.dumps(event)))
    assert scrubbed["request"]["query_string"] == {"restaurantId": "demo", "sessionToken": FILTERED}
    assert scrubbed["request"]["headers"] == {"X-Forwarded-For": FILTERED, "Accept": "application/json"}
    assert scrubbed["request"]["data"] == FILTERED and scrubbed["request"]["cookies"] == FILTERED
    assert scrubbed["exception"]["values"][0]["value"] == f"bad session {FILTERED} and stj_***"
    assert scrubbed["extra"] == {"note": "postgres://app:***@db/x", "apiKey": FILTERED, "count": 3}
    assert scrubbed["sdk"] == {"name": "sentry.python"}
    crumb = {"category": "stjarna.admin", "message": f"Authorization: Bearer {BEARER}",
             "data": {"url": "/x?key=abc123", "client": "203.0.113.9", "failures": 3, "password": "pw"}}
    assert scrub_breadcrumb(crumb) == {"category": "stjarna.admin", "message": "Authorization: ***",
                                       "data": {"url": "/x?key=***", "client": FILTERED, "failures": 3,
                                                "password": FILTERED}}


def test_integrations_are_listed_explicitly():
    outside = {type(i).__name__ for i in integrations(in_lambda=False)}
    assert outside == {"StarletteIntegration", "LoggingIntegration", "DedupeIntegration", "AtexitIntegration"}
    inside = {type(i).__name__ for i in integrations(in_lambda=True)}
    assert inside == outside | {"AwsLambdaIntegration"}


_PROBE = """
import json, sys
import functions.menu as module
import sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({
    "active": client.is_active(),
    "release": client.options["release"], "environment": client.options["environment"],
    "pii": client.should_send_default_pii(), "sessions": client.options["auto_session_tracking"],
    "locals": client.options["include_local_variables"],
    "integrations": sorted(client.integrations),
    "beforeSend": [client.options[k].__module__ for k in ("before_send", "before_send_transaction",
                                                            "before_breadcrumb")],
    "settingsLoaded": "shared.settings" in sys.modules,
}))
"""


def test_a_handler_module_starts_sentry_at_import_when_a_dsn_is_set():
    """The Lambda init phase: SENTRY_DSN set, so the handler module loads settings and starts Sentry
    before its routes exist. (Without a DSN the import probe in tests/functions shows sentry_sdk is
    never imported.)"""
    env = {"PATH": "/usr/bin:/bin", "SENTRY_DSN": "http://public@127.0.0.1:9/1", "STJARNA_STAGE": "prod",
           "STJARNA_VERSION": "1.2.3"}
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True, env=env)
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe == {"active": True, "release": "1.2.3", "environment": "prod", "pii": False, "sessions": False,
                     "locals": False, "settingsLoaded": True,
                     "integrations": ["atexit", "dedupe", "logging", "starlette"],
                     "beforeSend": ["shared.observability.sentry", "shared.observability.sentry",
                                    "shared.observability.scrub"]}
