"""The diner's pickup name and phone: checked and normalised (E.164, in the restaurant's country), shown to
the kitchen only, never logged, erased by `gdpr erase` and by the scheduled run ORDER_PII_RETENTION_DAYS
after the order finished (an injected clock)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from shared.orders.service import OrderService
from tests.conftest import make_settings
from tests.kitchen.conftest import SESSION, new_key, order_body

NAME, PHONE = "Zebulon Quill", "070-174 06 42"


@pytest.fixture
def diners(app_for, clock):
    return app_for(groups=("orders",), clock=clock)[0]


def place(diners, items, **extra):
    return diners.post("/api/orders", json=order_body((items["demo/hummus"], 1), **extra),
                       headers={"Idempotency-Key": new_key()})


@pytest.mark.parametrize(("phone", "stored"), [
    (PHONE, "+46701740642"),                 # national, read in the restaurant's country (locale en-SE)
    ("+44 20 7946 0958", "+442079460958"),  # international stays itself
    ("(+46) 70-174 06 42", "+46701740642"),
    (None, None),
])
def test_name_and_phone_are_stored_normalised_and_the_diner_does_not_get_them_back(diners, items, sql, phone,
                                                                                   stored):
    r = place(diners, items, pickupName=f"  {NAME} ", pickupPhone=phone)
    assert r.status_code == 201, r.text
    assert "pickupName" not in r.json() and "pickupPhone" not in r.json()
    assert sql("select pickup_name, pickup_phone from orders") == [(NAME, stored)]


@pytest.mark.parametrize(("field", "value"), [
    ("pickupPhone", "12345"), ("pickupPhone", "070-174 06 42 ext. 5"), ("pickupPhone", "+999 123 456 789"),
    ("pickupPhone", "not a phone"), ("pickupPhone", "0" * 33),
    ("pickupName", ""), ("pickupName", "   "), ("pickupName", "x" * 41), ("pickupName", "Anna\u202e"),
    ("pickupName", "Anna\nBo"), ("pickupName", 42),
])
def test_bad_names_and_phones_are_422_on_their_path_without_echoing_them(diners, items, sql, field, value):
    r = place(diners, items, **{"pickupName": NAME, field: value})
    assert r.status_code == 422, r.text
    errors = r.json()["error"]["errors"]
    assert [e["path"] for e in errors] == [field]
    if isinstance(value, str) and len(value.strip()) > 3:
        assert value not in r.text
    assert sql("select count(*) from orders") == [(0,)]


def test_a_quote_checks_the_phone_too(diners, items):
    r = diners.post("/api/orders/quote", json=order_body((items["demo/hummus"], 1), pickupPhone="12345"))
    assert r.status_code == 422 and r.json()["error"]["errors"][0]["path"] == "pickupPhone"


def test_never_logged(diners, items, kitchen, log_lines, caplog):
    caplog.set_level(logging.DEBUG)
    ok = place(diners, items, pickupName=NAME, pickupPhone=PHONE)
    place(diners, items, pickupName=NAME, pickupPhone="070-174 06 4")  # refused: the error path too
    kitchen.client.get("/api/admin/restaurants/demo/board")
    kitchen.client.patch(f"/api/admin/restaurants/demo/orders/{ok.json()['orderId']}", json={"status": "accepted"})
    lines = [str(line) for line in log_lines()] + [
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records]
    assert any("order placed" in line for line in lines)  # the logs were captured
    for secret in (NAME, "Zebulon", "701740642", "174 06", "+46701740642"):
        assert not [line for line in lines if secret in line], secret


def test_the_retention_run_erases_them_30_days_after_the_order_finished(seeded, items, clock, sql, kitchen):
    service = OrderService(seeded, make_settings(), clock=clock)
    picked = kitchen.place(items, ("demo/hummus", 1), pickupName="Picked", pickupPhone=PHONE)
    cancelled = kitchen.place(items, ("demo/hummus", 1), session="diner-two-001", pickupName="Cancelled")
    still_open = kitchen.place(items, ("demo/hummus", 1), session="diner-three-01", pickupName="Open")
    for step in ("accepted", "preparing", "ready", "picked_up"):
        service.set_status(picked["orderId"], step, "staff:test")
    clock.at += timedelta(days=10)
    service.set_status(cancelled["orderId"], "cancelled", "staff:test")
    clock.at += timedelta(days=20, minutes=1)  # 30 days after the pickup, 20 after the cancellation
    assert service.erase_pii() == 1
    kept = dict(sql("select id::text, pickup_name from orders"))
    assert kept == {picked["orderId"]: None, cancelled["orderId"]: "Cancelled", still_open["orderId"]: "Open"}
    assert sql("select pickup_phone from orders where id = %s", picked["orderId"]) == [(None,)]
    clock.at += timedelta(days=10)
    assert service.erase_pii() == 1  # the cancelled one; the open order keeps its name (the kitchen needs it)
    assert service.erase_pii() == 0
    assert service.staff_order(None, picked["orderId"])["status"] == "picked_up"  # the order itself stays


def test_the_retention_is_a_setting(seeded, items, clock, kitchen):
    service = OrderService(seeded, make_settings(ORDER_PII_RETENTION_DAYS="1"), clock=clock)
    order = kitchen.place(items, ("demo/hummus", 1), pickupName="Short")
    service.set_status(order["orderId"], "cancelled", "staff:test")
    clock.at += timedelta(hours=23)
    assert service.erase_pii() == 0
    clock.at += timedelta(hours=2)
    assert service.erase_pii() == 1


def test_gdpr_erase_takes_the_name_and_phone_with_the_order(kitchen, items, sql):
    kitchen.place(items, ("demo/hummus", 1), pickupName=NAME, pickupPhone=PHONE)
    counts = kitchen.orders.erase(kitchen.rid, SESSION, "cli:test")
    assert counts["orders"] == 1
    assert sql("select count(*) from orders where pickup_name is not null or pickup_phone is not null") == [(0,)]
    assert not [row for row in sql("select details::text from audit_log") if NAME in row[0]]
