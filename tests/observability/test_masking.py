"""Log lines mask secrets anywhere they appear: the message, extra fields, tracebacks, and the
access line's path (the one access field that can carry request text)."""

from __future__ import annotations

import logging

import pytest

from shared.observability.masking import MASK, is_secret_name, mask_fields, mask_text

SECRETS = {
    "password=hunter2-secret": "password=***",
    "connecting with token=tok_9f8e7d6c5b4a and more": "connecting with token=*** and more",
    "key=abcdef123456": "key=***",
    "X-Api-Key: k-123456789": "X-Api-Key: ***",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig": "Authorization: ***",
    "sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig upstream": "sent Bearer *** upstream",
    "admin key stj_Q2hhbmdlTWVJbW1lZGlhdGVseQ-xyz0123 used": "admin key stj_*** used",
    "OPENAI_API_KEY is sk-proj-AbCdEfGhIjKlMnOpQrStUv": "OPENAI_API_KEY is sk-***",
    "dsn postgresql://stjarna:s3cr3t-pw@db.internal:5432/app failed":
        "dsn postgresql://stjarna:***@db.internal:5432/app failed",
    "libpq: host=db port=5432 password=pw-123 dbname=x": "libpq: host=db port=5432 password=*** dbname=x",
    '{"sessionToken": "diner-token-77", "restaurantId": "demo"}': '{"sessionToken": "***", "restaurantId": "demo"}',
    "Idempotency-Key: order-key-000123": "Idempotency-Key: ***",
    # a value runs to whitespace, &, a quote or a bracket: masking errs on the side of too much
    "callback https://x.example/cb?restaurantId=demo&token=tok+12/3#f x":
        "callback https://x.example/cb?restaurantId=demo&token=*** x",
    "url=https://h.example/?password=pw1": "url=https://h.example/?password=***",
    "note: stj_abcdefgh12 inside a value": "note: stj_*** inside a value",
}
HARMLESS = [
    "kv unavailable; reading the menu from the database",
    "kvKey=menu:0d3c:12", "monkey=banana", "ratio 3:4", "basic information", "error: something failed",
    "author=Astrid", "GET /api/public/menu?restaurantId=demo", "sessionHash=ab12",
]


@pytest.mark.parametrize(("text", "masked"), SECRETS.items())
def test_secrets_are_masked_anywhere_in_a_text(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_is_left_alone(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(("name", "secret"), [
    ("password", True), ("sessionToken", True), ("apiKey", True), ("api_key", True), ("Idempotency-Key", True),
    ("x-admin-key", True), ("OPENAI_API_KEY", True), ("SUPABASE_SERVICE_ROLE_KEY", True), ("key", True),
    ("cookie", True), ("Authorization", True), ("client_secret", True),
    ("kvKey", False), ("sortKey", False), ("restaurantId", False), ("sessionHash", False), ("author", False),
    ("tokens", False), ("outcome", False),
])
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


def test_fields_are_masked_by_name_and_by_content():
    fields = {"token": "t-1", "nested": {"password": "p", "url": "redis://u:pw@h:6379"}, "lines": 3,
              "seen": ["Bearer abcdefghij", "plain"], "kvKey": "menu:1:2", "missing": None, "token2": None}
    assert mask_fields(fields) == {"token": MASK, "nested": {"password": MASK, "url": "redis://u:***@h:6379"},
                                   "lines": 3, "seen": ["Bearer ***", "plain"], "kvKey": "menu:1:2",
                                   "missing": None, "token2": None}


def test_log_lines_mask_the_message_extra_fields_and_the_traceback(log_lines):
    log = logging.getLogger("stjarna.test")
    log.warning("retrying with password=%s", "hunter2-secret",
                extra={"dsn": "postgres://app:pw-9@db/x", "authorization": "Bearer abcdefghijkl",
                       "detail": {"sessionToken": "tok-1", "keys": ["stj_abcdefghijklmnop"]}, "count": 2})
    try:
        raise RuntimeError("upstream said: token=tok_leaked_123 for sk-abcdefghijklmnopqrstu")
    except RuntimeError:
        log.exception("failed")
    warning, error = log_lines()
    assert warning["msg"] == "retrying with password=***"
    assert warning["dsn"] == MASK  # the name says it is one
    assert warning["authorization"] == MASK
    assert warning["detail"] == {"sessionToken": MASK, "keys": ["stj_***"]}
    assert warning["count"] == 2 and warning["level"] == "WARNING"
    assert "token=***" in error["exc"] and "sk-***" in error["exc"] and "RuntimeError" in error["exc"]
    text = str([warning, error])
    for leaked in ("hunter2", "pw-9", "abcdefghijkl", "tok-1", "stj_abcdefghijklmnop", "tok_leaked", "sk-abcdefgh"):
        assert leaked not in text


def test_the_access_line_masks_a_path_that_is_not_a_route_template(client, log_lines):
    client.get("/api/public/menu", params={"restaurantId": "demo"})
    client.get("/files/x/token=tok-in-a-path")
    client.get("/api/orders/password=pw-in-a-path", params={"restaurantId": "demo", "sessionToken": "s-1"})
    menu, unmatched, order = [line for line in log_lines() if line["logger"] == "stjarna.access"]
    assert menu["path"] == "/api/public/menu"  # the route template itself: written as it is
    assert unmatched["path"] == "/files/x/token=***" and unmatched["route"] is None
    assert order["path"] == "/api/orders/password=***" and order["route"] == "/api/orders/{code}"
