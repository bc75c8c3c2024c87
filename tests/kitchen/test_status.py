"""PATCH an order from the kitchen: the promised ready time and the cancellation reason (which the diner's
status answer then shows), their checks, two tablets at once, and a scoped key's reach."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from shared.orders.requests import OrderRequest
from shared.orders.service import OrderService
from shared.store.postgres import PostgresStore
from tests.conftest import make_settings
from tests.kitchen.conftest import SESSION


def patch(kitchen, order, **body):
    return kitchen.client.patch(f"/api/admin/restaurants/demo/orders/{order['orderId']}", json=body)


def test_accepting_with_a_ready_time_shows_it_to_the_diner(kitchen, items, clock):
    order = kitchen.place(items, ("demo/hummus", 1))
    r = patch(kitchen, order, status="accepted", expectedStatus="placed", readyInMinutes=15)
    assert r.status_code == 200, r.text
    ready_at = (clock.at + timedelta(minutes=15)).isoformat()
    assert r.json()["readyAt"] == ready_at and r.json()["status"] == "accepted"
    seen = kitchen.orders.session_order(kitchen.rid, order["orderCode"], SESSION)
    assert seen["readyAt"] == ready_at and seen["cancelReason"] is None
    assert "pickupName" not in seen and "pickupPhone" not in seen  # the diner gets no PII back


def test_cancelling_with_a_reason_shows_it_to_the_diner(kitchen, items):
    order = kitchen.place(items, ("demo/hummus", 1))
    r = patch(kitchen, order, status="cancelled", cancelReason="  Out of hummus, sorry  ")
    assert r.status_code == 200, r.text
    seen = kitchen.orders.session_order(kitchen.rid, order["orderCode"], SESSION)
    assert seen["status"] == "cancelled" and seen["cancelReason"] == "Out of hummus, sorry"


@pytest.mark.parametrize(("body", "path"), [
    ({"status": "accepted", "readyInMinutes": 4}, "readyInMinutes"),
    ({"status": "accepted", "readyInMinutes": 181}, "readyInMinutes"),
    ({"status": "accepted", "readyInMinutes": "15"}, "readyInMinutes"),
    ({"status": "preparing", "readyInMinutes": 15}, "(body)"),
    ({"status": "accepted", "cancelReason": "no"}, "(body)"),
    ({"status": "cancelled", "cancelReason": ""}, "cancelReason"),
    ({"status": "cancelled", "cancelReason": "x" * 201}, "cancelReason"),
    ({"status": "cancelled", "cancelReason": "sold out\u202e"}, "cancelReason"),
    ({"status": "cancelled", "cancelReason": "two\nlines"}, "cancelReason"),
    ({"status": "cancelled", "reason": "typo"}, "reason"),
])
def test_bad_changes_are_422_and_change_nothing(kitchen, items, body, path):
    order = kitchen.place(items, ("demo/hummus", 1))
    r = patch(kitchen, order, **body)
    assert r.status_code == 422, r.text
    assert path in [e["path"] for e in r.json()["error"]["errors"]], r.json()
    assert kitchen.orders.staff_order(None, order["orderId"])["status"] == "placed"


def test_of_two_tablets_one_wins_and_the_other_sees_the_new_state(kitchen, items, database, clock):
    order = kitchen.place(items, ("demo/hummus", 1))
    stores = [PostgresStore(database, timeout_seconds=10) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def tablet(store, change):
        service = OrderService(store, make_settings(), clock=clock)
        barrier.wait()
        try:
            service.set_status(order["orderId"], change["status"], "staff:tablet", expected="placed",
                               ready_in_minutes=change.get("ready"), cancel_reason=change.get("reason"))
            outcomes.append(change["status"])
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=tablet, args=(stores[0], {"status": "accepted", "ready": 20})),
               threading.Thread(target=tablet, args=(stores[1], {"status": "cancelled", "reason": "Closing"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sorted(outcomes) in (["OrderStatusConflict", "accepted"], ["OrderStatusConflict", "cancelled"])
    final = kitchen.orders.staff_order(None, order["orderId"])
    winner = next(o for o in outcomes if o != "OrderStatusConflict")
    assert final["status"] == winner
    # the winner's extra went with it, the loser's did not
    assert (final["readyAt"] is not None, final["cancelReason"] is not None) == (
        (True, False) if winner == "accepted" else (False, True))
    loser = patch(kitchen, order, status="preparing", expectedStatus="placed")
    assert loser.status_code == 409 and loser.json()["error"]["code"] == "ORDER_STATUS_CONFLICT"


def test_a_scoped_key_changes_only_its_restaurants_orders(kitchen, items, seeded, clock):
    theirs = OrderService(seeded, make_settings(), clock=clock)
    nattbaren = str(seeded.rpc("stjarna_resolve", {"p_ref": "nattbaren"}))
    item = next(v for k, v in items.items() if k.startswith("nattbaren/"))
    other = theirs.place(nattbaren, OrderRequest.model_validate(
        {"restaurantId": "nattbaren", "sessionToken": SESSION, "items": [{"itemId": item, "quantity": 1}]}),
        "other-key-001", ordering_enabled=True).order
    kitchen.act_as("kitchen")
    # under its own restaurant's path, another restaurant's order id is no order at all
    r = patch(kitchen, other, status="accepted")
    assert r.status_code == 404 and r.json()["error"]["code"] == "ORDER_NOT_FOUND"
    r = kitchen.client.patch(f"/api/admin/restaurants/nattbaren/orders/{other['orderId']}", json={"status": "accepted"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"
    assert theirs.staff_order(None, other["orderId"])["status"] == "placed"
    mine = kitchen.place(items, ("demo/hummus", 1))
    assert patch(kitchen, mine, status="accepted", readyInMinutes=10).status_code == 200
