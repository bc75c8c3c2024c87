"""GET /api/public/pickup-slots through the app (the orders group, as deployed), on real Postgres, with
the orders' clock frozen: the answer's shape, the tenant rules of the menu (CORS allowlist, unknown
restaurant, preflight), capacity, and a restaurant closed now taking an order for its next opening."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FrozenClock
from tests.orders.conftest import new_key, order_body

SLOTS = "/api/public/pickup-slots"
ALLOWED = "https://shop.stjarna.dev"  # the demo restaurant allows https://*.stjarna.dev
TUESDAY_3PM = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 15:00 in Stockholm: nattbaren is closed


@pytest.fixture
def app(app_for, clock):
    return app_for(groups=("orders",), clock=clock)


def test_the_answer_and_its_headers(app):
    client, _ = app
    r = client.get(SLOTS, params={"restaurantId": "demo"}, headers={"Origin": ALLOWED})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"asap", "slotMinutes", "timezone", "slots"}
    assert body["asap"] is True and body["slotMinutes"] == 15 and body["timezone"] == "Europe/Stockholm"
    assert len(body["slots"]) == 48
    # now is 13:00 local; + 15 minutes lead = 13:15, a slot itself
    assert body["slots"][0] == {"at": "2026-11-24T12:15:00+00:00", "local": "13:15", "date": "2026-11-24",
                                "remaining": None}
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert r.headers["cache-control"] == "public, max-age=0, s-maxage=10"
    assert r.headers["vary"] == "Origin"
    assert client.head(SLOTS, params={"restaurantId": "demo"}).status_code == 200


def test_tenant_rules_as_the_menu(app):
    client, _ = app
    unknown = client.get(SLOTS, params={"restaurantId": "no-such-place"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"
    foreign = client.get(SLOTS, params={"restaurantId": "demo"}, headers={"Origin": "https://evil.example.com"})
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "ORIGIN_NOT_ALLOWED"
    assert "access-control-allow-origin" not in foreign.headers
    # allowlists are per tenant: nattbaren does not list *.stjarna.dev
    assert client.get(SLOTS, params={"restaurantId": "nattbaren"}, headers={"Origin": ALLOWED}).status_code == 403
    assert client.get(SLOTS).status_code == 400  # no restaurant named
    preflight = client.options(SLOTS, params={"restaurantId": "demo"},
                               headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == ALLOWED


def test_a_draft_restaurant_is_not_found(app, sql):
    client, _ = app
    sql("update restaurants set status = 'draft' where slug = 'test'")
    r = client.get(SLOTS, params={"restaurantId": "test"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"


def test_a_restaurant_closed_now_takes_an_order_for_its_next_opening(app_for, items):
    client, _ = app_for(groups=("orders",), clock=FrozenClock(TUESDAY_3PM))
    body = client.get(SLOTS, params={"restaurantId": "nattbaren"}).json()
    assert body["asap"] is False
    first = body["slots"][0]
    assert (first["date"], first["local"]) == ("2026-11-24", "17:00")
    # as soon as possible is refused while closed; the first slot is taken
    order = order_body((items["nattbaren/pommes"], 1), restaurant="nattbaren")
    closed = client.post("/api/orders", json=order, headers={"Idempotency-Key": new_key()})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "RESTAURANT_CLOSED"
    later = client.post("/api/orders", json={**order, "pickupAt": first["at"]}, headers={"Idempotency-Key": new_key()})
    assert later.status_code == 201, later.text
    assert datetime.fromisoformat(later.json()["pickupAt"]) == datetime.fromisoformat(first["at"])


def test_with_a_capacity_remaining_counts_down_and_a_full_slot_disappears(app_for, clock, items):
    client, _ = app_for(groups=("orders",), clock=clock, PICKUP_SLOT_CAPACITY="1", PICKUP_SLOT_MINUTES="30")
    body = client.get(SLOTS, params={"restaurantId": "demo"}).json()
    assert body["slotMinutes"] == 30
    first = body["slots"][0]
    assert (first["local"], first["remaining"]) == ("13:30", 1)
    placed = client.post("/api/orders", json={**order_body((items["demo/meatballs"], 1)), "pickupAt": first["at"]},
                         headers={"Idempotency-Key": new_key()})
    assert placed.status_code == 201, placed.text
    after = client.get(SLOTS, params={"restaurantId": "demo"}).json()
    assert after["slots"][0]["local"] == "14:00" and first["at"] not in [s["at"] for s in after["slots"]]


def test_slot_settings_are_checked(app_for):
    from shared.errors import ConfigError

    for env in ({"PICKUP_SLOT_MINUTES": "0"}, {"PICKUP_SLOT_MINUTES": "241"}, {"PICKUP_SLOT_CAPACITY": "-1"}):
        with pytest.raises(ConfigError):
            app_for(groups=("orders",), **env)


def test_the_order_transaction_rechecks_the_slot(app_for, clock, items):
    """The slot chosen is checked again when the order is placed: a full slot is 409 PICKUP_SLOT_FULL (for
    a quote too, so the cart says so before checkout), a time off the grid is 422 at pickupAt."""
    client, _ = app_for(groups=("orders",), clock=clock, PICKUP_SLOT_CAPACITY="1")
    first = client.get(SLOTS, params={"restaurantId": "demo"}).json()["slots"][0]
    mine = {**order_body((items["demo/meatballs"], 1)), "pickupAt": first["at"]}
    assert client.post("/api/orders", json=mine, headers={"Idempotency-Key": new_key()}).status_code == 201
    theirs = {**mine, "sessionToken": "another-diner-session-0001"}
    for path, headers in (("/api/orders", {"Idempotency-Key": new_key()}), ("/api/orders/quote", {})):
        full = client.post(path, json=theirs, headers=headers)
        assert full.status_code == 409, full.text
        error = full.json()["error"]
        assert error["code"] == "PICKUP_SLOT_FULL" and error["capacity"] == 1
        assert datetime.fromisoformat(error["pickupAt"]) == datetime.fromisoformat(first["at"])
    off_grid = datetime.fromisoformat(first["at"]).replace(minute=7).isoformat()
    wrong = client.post("/api/orders", json={**theirs, "pickupAt": off_grid}, headers={"Idempotency-Key": new_key()})
    assert wrong.status_code == 422 and wrong.json()["error"]["errors"][0]["path"] == "pickupAt"


def test_concurrent_diners_cannot_overbook_the_last_places(database, seeded, clock, items, sql):
    """Eight diners, each on their own connection (as eight Lambda instances are), order the same slot at
    once; with a capacity of 2 exactly two orders exist afterwards and the others are told it is full."""
    import threading

    from shared.errors import PickupSlotFull
    from shared.orders.requests import OrderRequest
    from shared.orders.service import OrderService
    from shared.store.postgres import PostgresStore
    from shared.validation import validate
    from tests.conftest import make_settings

    settings = make_settings(PICKUP_SLOT_CAPACITY="2")
    (rid,), = sql("select id::text from restaurants where slug = 'demo'")
    slot = datetime(2026, 11, 24, 13, 0, tzinfo=UTC).isoformat()  # 14:00 in Stockholm, on the grid
    stores = [PostgresStore(database, timeout_seconds=10) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    outcomes: list[str] = []

    def diner(n: int) -> None:
        request = validate(OrderRequest, {**order_body((items["demo/meatballs"], 1), session=f"diner-session-{n:04d}"),
                                          "pickupAt": slot})
        service = OrderService(stores[n], settings, clock=clock)
        barrier.wait()
        try:
            service.place(rid, request, new_key(), ordering_enabled=True)
            outcomes.append("placed")
        except PickupSlotFull:
            outcomes.append("full")

    threads = [threading.Thread(target=diner, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert sorted(outcomes) == ["full"] * 6 + ["placed"] * 2
    assert sql("select count(*) from orders where pickup_at = %s", slot) == [(2,)]
