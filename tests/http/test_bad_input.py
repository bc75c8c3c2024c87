"""Bad input gets its documented status and JSON error, never a 500, and changes nothing."""

from __future__ import annotations

import pytest

MENU = "/api/public/menu"


def assert_error(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()["error"]
    assert body["code"] == code
    assert body["message"]
    assert body["requestId"] == r.headers["x-request-id"]


@pytest.mark.parametrize("path", [MENU, "/api/public/config"])
def test_missing_restaurant(client, path):
    assert_error(client.get(path), 400, "RESTAURANT_CONTEXT_MISSING")
    assert_error(client.get(path, params={"restaurantId": ""}), 400, "RESTAURANT_CONTEXT_MISSING")
    assert_error(client.get(path, params={"restaurantId": "   "}), 400, "RESTAURANT_CONTEXT_MISSING")


@pytest.mark.parametrize("value", [
    "not a slug", "-demo", "demo-", "a" * 64, "demo;drop table restaurants", "../etc/passwd",
    "%00", "\u00e9", "demo,other", "'or'1'='1",
])
def test_malformed_restaurant_id(client, value):
    assert_error(client.get(MENU, params={"restaurantId": value}), 400, "RESTAURANT_ID_INVALID")


def test_unknown_restaurant(client):
    assert_error(client.get(MENU, params={"restaurantId": "no-such-place"}), 404, "RESTAURANT_NOT_FOUND")
    assert_error(client.get(MENU, params={"restaurantId": "00000000-0000-4000-8000-000000000000"}),
                 404, "RESTAURANT_NOT_FOUND")


def test_repeated_restaurant_id_is_rejected(client):
    assert_error(client.get(f"{MENU}?restaurantId=demo&restaurantId=nattbaren"), 400, "INVALID_REQUEST")


def test_non_utf8_query_string(client):
    assert_error(client.get(f"{MENU}?restaurantId=%ff%fe"), 400, "RESTAURANT_ID_INVALID")
    r = client.get(f"{MENU}?restaurantId=demo&x=%ff%fe%00")
    assert r.status_code == 200


def test_oversized_query_string(client):
    assert_error(client.get(f"{MENU}?restaurantId=demo&pad={'x' * 5000}"), 414, "URI_TOO_LONG")


def test_unknown_route_and_wrong_method(client):
    assert_error(client.get("/api/nope"), 404, "NOT_FOUND")
    r = client.post(MENU, params={"restaurantId": "demo"}, content=b"{}")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in r.headers["allow"]


def test_body_over_limit_is_413(client):
    r = client.post(MENU, params={"restaurantId": "demo"}, content=b"x" * (70 * 1024))
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


def test_request_id_is_echoed_when_sane_and_replaced_when_not(client):
    r = client.get(MENU, params={"restaurantId": "demo"}, headers={"X-Request-ID": "trace-abc.123"})
    assert r.headers["x-request-id"] == "trace-abc.123"
    r = client.get(MENU, params={"restaurantId": "demo"}, headers={"X-Request-ID": "bad id\twith spaces"})
    assert r.headers["x-request-id"] != "bad id\twith spaces" and len(r.headers["x-request-id"]) == 24


def test_bad_requests_change_nothing_in_the_database(client, seeded):
    def snapshot():
        conn = seeded._connection()
        return (conn.execute("select slug, menu_version, updated_at from restaurants order by slug").fetchall(),
                conn.execute("select count(*) from menu_items").fetchone(),
                conn.execute("select count(*) from audit_log").fetchone())

    before = snapshot()
    for value in ("x'; delete from menu_items; --", "no-such", "%ff"):
        client.get(MENU, params={"restaurantId": value}, headers={"Origin": "null", "If-None-Match": "*"})
    client.post(MENU, content=b"x" * 100_000)
    client.options(MENU, params={"restaurantId": "demo"}, headers={"Origin": "https://evil.example.com"})
    assert snapshot() == before


def test_unexpected_errors_are_500_internal_json_and_logged(app_for, capsys):
    from shared.observability.logs import configure_logging

    client, container = app_for()

    class Exploding:
        def rpc(self, function, params):
            raise RuntimeError("boom with a secret detail")

        def ping(self):
            raise RuntimeError("boom")

        def close(self):
            pass

    container._store = Exploding()  # the seam tests use: a store adapter that fails in an unknown way
    container._menus = None
    configure_logging("INFO")
    r = client.get(MENU, params={"restaurantId": "demo"})
    assert_error(r, 500, "INTERNAL")
    assert "secret" not in r.text
    err = capsys.readouterr().err
    assert "unhandled error" in err and "RuntimeError" in err and r.headers["x-request-id"] in err


@pytest.mark.parametrize(("query", "expected"), [
    (b"restaurantId=demo", ["demo"]),
    (b"a=1&restaurantId=de%6Do&b=2", ["demo"]),
    (b"restaurantId=+demo+", [" demo "]),
    (b"restaurantId=%ff", ["\ufffd"]),
    (b"restaurantId=", [""]),
    (b"restaurantId", [""]),
    (b"restaurantIds=demo&xrestaurantId=demo", []),
    (b"restaurantId=a&restaurantId=b", ["a", "b"]),
])
def test_query_values_decodes_like_starlette(query, expected):
    from starlette.datastructures import QueryParams

    from shared.http.inputs import query_values

    assert query_values(query, b"restaurantId") == expected
    assert QueryParams(query).getlist("restaurantId") == expected
