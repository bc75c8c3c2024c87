"""Pausing ordering (PUT/DELETE …/restaurants/{ref}/pause): owners only; while paused, orders and quotes
get 409 ORDERING_PAUSED with the time it resumes, checked inside the order's transaction; a timed pause
ends by itself; a retry of an order placed before the pause is still answered; the widget's config says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import OrderingPaused
from shared.orders.requests import OrderRequest
from tests.kitchen.conftest import new_key, order_body

PAUSE = "/api/admin/restaurants/demo/pause"


@pytest.fixture
def diners(app_for, clock):
    return app_for(groups=("orders", "menu"), clock=clock)[0]


def test_a_paused_kitchen_refuses_orders_and_quotes_until_the_time_it_named(kitchen, diners, items, clock, sql):
    kitchen.act_as("owner")
    r = kitchen.client.put(PAUSE, json={"minutes": 30})
    resumes = (clock.at + timedelta(minutes=30)).isoformat()
    assert r.status_code == 200 and r.json() == {"paused": {"until": resumes}}
    body = order_body((items["demo/hummus"], 1))
    for path, headers in (("/api/orders", {"Idempotency-Key": new_key()}), ("/api/orders/quote", {})):
        refused = diners.post(path, json=body, headers=headers)
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "ORDERING_PAUSED" and error["resumesAt"] == resumes
        assert resumes in error["message"]
    assert sql("select count(*) from orders") == [(0,)]
    assert kitchen.client.get("/api/admin/restaurants/demo/board").json()["paused"] == {"until": resumes}
    assert sql("select action from audit_log order by id desc limit 1") == [("ordering.pause",)]
    clock.at += timedelta(minutes=30, seconds=1)  # over by itself: no write needed
    assert diners.post("/api/orders", json=body, headers={"Idempotency-Key": new_key()}).status_code == 201
    assert kitchen.client.get("/api/admin/restaurants/demo/board").json()["paused"] is None


def test_until_resumed_then_resumed(kitchen, diners, items):
    kitchen.act_as("owner")
    assert kitchen.client.put(PAUSE, json={"minutes": None}).json() == {"paused": {"until": None}}
    body = order_body((items["demo/hummus"], 1))
    refused = diners.post("/api/orders/quote", json=body)
    assert refused.json()["error"]["resumesAt"] is None
    assert kitchen.client.delete(PAUSE).json() == {"paused": None}
    assert diners.post("/api/orders/quote", json=body).status_code == 200


def test_a_retry_of_an_order_placed_before_the_pause_is_still_its_order(kitchen, diners, items):
    body, key = order_body((items["demo/hummus"], 1)), new_key()
    first = diners.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    kitchen.orders.pause(kitchen.rid, 60, "staff:test")
    again = diners.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["orderId"] == first.json()["orderId"]


def test_the_check_is_in_the_transaction_not_in_a_cache(kitchen, items, sql):
    # the pause written behind the service's back (another instance): the very next order sees it
    sql("update restaurants set ordering_paused = true where slug = 'demo'")
    request = OrderRequest.model_validate(order_body((items["demo/hummus"], 1)))
    with pytest.raises(OrderingPaused):
        kitchen.orders.place(kitchen.rid, request, new_key(), ordering_enabled=True)


@pytest.mark.parametrize("body", [{"minutes": 45}, {"minutes": "15"}, {}, {"minutes": 15, "until": "x"}])
def test_only_the_offered_durations(kitchen, body):
    r = kitchen.client.put(PAUSE, json=body)
    assert r.status_code == 422, r.text


def test_a_kitchen_key_cannot_pause_and_another_restaurant_is_not_found(kitchen):
    kitchen.act_as("kitchen")
    r = kitchen.client.put(PAUSE, json={"minutes": 15})
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    assert kitchen.client.delete(PAUSE).status_code == 403
    kitchen.act_as("owner")
    assert kitchen.client.put("/api/admin/restaurants/nattbaren/pause", json={"minutes": 15}).status_code == 404


def test_the_widgets_config_says_ordering_is_paused(kitchen, app_for, sql):
    client = app_for(groups=("menu",), MENU_LOCAL_CACHE_SECONDS="0")[0]  # no in-process copy: the database's word
    before = client.get("/api/public/config?restaurantId=demo")
    assert before.json()["ordering"] == {"paused": False, "resumesAt": None}
    kitchen.orders.pause(kitchen.rid, None, "staff:test")
    paused = client.get("/api/public/config?restaurantId=demo", headers={"If-None-Match": before.headers["ETag"]})
    assert paused.status_code == 200 and paused.json()["ordering"] == {"paused": True, "resumesAt": None}
    # a timed pause that is over (the config is computed at the request's time): not paused, a new ETag
    until = datetime.now(UTC) - timedelta(seconds=1)
    sql("update restaurants set ordering_paused_until = %s where slug = 'demo'", until)
    over = client.get("/api/public/config?restaurantId=demo")
    assert over.json()["ordering"] == {"paused": False, "resumesAt": None}
