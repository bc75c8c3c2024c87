"""Inputs that fuzzing found breaking the product, replayed on every run (each was a 500 INTERNAL)."""

from __future__ import annotations

import pytest

from tests.fuzz.conftest import DOCUMENT as CONFORM

SESSION = "diner-session-0001"


@pytest.fixture
def admin(app_for):
    client, container = app_for()
    key, _ = container.admin_keys.create("regressions", "cli:test")
    return client, {"Authorization": f"Bearer {key}"}


# str.isdigit() accepts superscripts and other scripts' digits; int() refuses some of them ("²")
@pytest.mark.parametrize("url", [
    "/api/admin/orders?restaurantId=demo&limit=%C2%B2", "/api/admin/orders?restaurantId=demo&limit=%D9%A3",
    "/api/admin/tenants/demo?auditLimit=%C2%B2", "/api/admin/tenants/demo?auditLimit=%F0%9D%9F%97",
])
def test_non_ascii_digits_in_a_limit_are_invalid(admin, sql, url):
    client, auth = admin
    before = sql("select count(*) from audit_log")
    r = CONFORM.check(client.get(url, headers=auth))
    assert r.status_code == 422 and r.json()["error"]["errors"][0]["path"] in {"limit", "auditLimit"}
    assert sql("select count(*) from audit_log") == before


# a pickup time whose UTC form falls outside datetime's years 1-9999 (OverflowError while hashing it)
@pytest.mark.parametrize("pickup", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("path", ["/api/orders", "/api/orders/quote"])
def test_a_pickup_time_outside_utc_is_invalid(client, items, sql, path, pickup):
    body = {"restaurantId": "demo", "sessionToken": SESSION, "pickupAt": pickup,
            "items": [{"itemId": items["demo/hummus"], "quantity": 1}]}
    r = CONFORM.check(client.post(path, json=body, headers={"Idempotency-Key": "regression-0001"}))
    assert r.status_code == 422 and r.json()["error"]["errors"] == [
        {"path": "pickupAt", "message": "not a time that exists in UTC"}]
    assert sql("select count(*) from orders") == [(0,)]
