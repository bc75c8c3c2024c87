"""Orders cannot bury a kitchen (issue #16): a restaurant's order ceiling (everyone together), open
orders per session, an order's total and its item count, each refused with its own code, by the quote
as by the order, with nothing stored; through the app on real Postgres, and under concurrency."""

from __future__ import annotations

import uuid

import pytest

from shared.errors import TooManyOpenOrders
from shared.orders.service import Ceilings
from tests.orders.conftest import new_key, order_body
from tests.orders.test_exactly_once import N, demo_id, race, request_for

ROOMY_RATES = {"ORDER_RATE_LIMIT": "1000 per minute", "ORDER_IP_RATE_LIMIT": "1000 per minute",
               "QUOTE_RATE_LIMIT": "1000 per minute", "QUOTE_IP_RATE_LIMIT": "1000 per minute"}


def place(client, body, key=None):
    return client.post("/api/orders", json=body, headers={"Idempotency-Key": key or new_key()})


def quote(client, body):
    return client.post("/api/orders/quote", json=body)


def test_the_issue_s_order_of_fifty_lines_of_twenty_is_refused_before_any_io(app_for, clock, items, sql):
    """50 lines x quantity 20 (1,000 items, 5.2 M SEK in the probe): 409 TOO_MANY_ITEMS."""
    client, _ = app_for(clock=clock)
    body = order_body(*[(items["demo/meatballs"], 20)] * 50)
    for r in (quote(client, body), place(client, body)):
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert (error["code"], error["itemCount"], error["maxItems"]) == ("TOO_MANY_ITEMS", 1000, 50)
    assert sql("select count(*) from orders") == [(0,)]
    assert place(client, order_body((items["demo/meatballs"], 20), (items["demo/sorbet"], 5))).status_code == 201


def test_an_order_above_the_total_ceiling_is_refused_with_its_total(app_for, clock, items, sql):
    client, _ = app_for(clock=clock, ORDER_MAX_TOTAL_CENTS="40000")
    body = order_body((items["demo/meatballs"], 2), (items["demo/sorbet"], 1))  # 443.00 SEK
    for r in (quote(client, body), place(client, body)):
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert error["code"] == "ORDER_TOTAL_TOO_HIGH"
        assert (error["totalCents"], error["maxTotalCents"], error["currency"]) == (44300, 40000, "SEK")
        assert "443.00 SEK" in error["message"] and "400.00 SEK" in error["message"]
    assert sql("select count(*) from orders") == [(0,)]
    assert place(client, order_body((items["demo/meatballs"], 2))).status_code == 201  # 378.00 SEK


def test_a_session_has_at_most_so_many_open_orders(app_for, clock, items, sql):
    client, c = app_for(clock=clock, ORDER_MAX_OPEN_PER_SESSION="2", **ROOMY_RATES)
    body = order_body((items["demo/hummus"], 1))
    first_key = new_key()
    first = place(client, body, first_key)
    assert first.status_code == 201
    assert place(client, body).status_code == 201
    for r in (quote(client, body), place(client, body)):
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert (error["code"], error["openOrders"], error["maxOpenOrders"]) == ("TOO_MANY_OPEN_ORDERS", 2, 2)
    assert sql("select count(*) from orders") == [(2,)]
    # a retry of an order already placed is still its replay, not a refusal
    again = place(client, body, first_key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    # another diner is not affected
    assert place(client, order_body((items["demo/hummus"], 1), session="another-session-01")).status_code == 201
    # once the kitchen hands one over (or cancels it), there is room again
    c.orders.set_status(first.json()["orderId"], "cancelled", "staff:test")
    assert place(client, body).status_code == 201


def test_concurrent_orders_of_one_session_cannot_overrun_the_open_ceiling(seeded, database, items, clock, sql):
    """Fifty orders of one session at once, different keys, on fifty connections: exactly three."""
    rid, request = demo_id(sql), request_for(items)
    keys = [new_key() for _ in range(N)]
    three = Ceilings(max_open_orders=3, max_total_cents=10**8, max_items=1000)

    def call(service, i):
        try:
            return service.place(rid, request, keys[i], ordering_enabled=True, ceilings=three)
        except TooManyOpenOrders as exc:
            return exc

    results = race(database, clock, call)
    assert sum(isinstance(r, TooManyOpenOrders) for r in results) == N - 3
    assert sql("select count(*) from orders") == [(3,)]


def test_the_restaurant_ceiling_counts_every_session_and_address_together(app_for, clock, items, sql):
    client, _ = app_for(clock=clock, ORDER_RESTAURANT_RATE_LIMIT="3 per minute", **ROOMY_RATES)
    sessions = [f"diner-session-{i:04d}" for i in range(5)]
    placed = [place(client, order_body((items["demo/hummus"], 1), session=s)) for s in sessions[:3]]
    assert [r.status_code for r in placed] == [201, 201, 201]
    busy = place(client, order_body((items["demo/hummus"], 1), session=sessions[3]))
    assert busy.status_code == 429, busy.text
    assert busy.json()["error"]["code"] == "RESTAURANT_BUSY"
    assert 1 <= int(busy.headers["Retry-After"]) <= 60
    assert sql("select count(*) from orders") == [(3,)]
    # quotes (nothing reaches the kitchen) are not counted; another restaurant has its own ceiling
    assert quote(client, order_body((items["demo/hummus"], 1), session=sessions[4])).status_code == 200


def test_orders_that_never_reach_the_kitchen_do_not_count_against_its_ceiling(app_for, clock, items, sql):
    client, _ = app_for(clock=clock, ORDER_RESTAURANT_RATE_LIMIT="2 per minute", **ROOMY_RATES)
    unknown = order_body((str(uuid.uuid4()), 1))
    for _ in range(5):  # refused: an item that does not exist
        assert place(client, unknown).status_code == 409
    body, key = order_body((items["demo/hummus"], 1)), new_key()
    assert place(client, body, key).status_code == 201
    for _ in range(3):  # replays of one order
        assert place(client, body, key).headers["Idempotent-Replayed"] == "true"
    assert place(client, order_body((items["demo/hummus"], 2))).status_code == 201
    assert place(client, order_body((items["demo/hummus"], 3))).json()["error"]["code"] == "RESTAURANT_BUSY"


@pytest.mark.parametrize(("flag", "value"), [("ORDER_MAX_ITEMS", "0"), ("ORDER_MAX_TOTAL_CENTS", "lots"),
                                             ("ORDER_RESTAURANT_RATE_LIMIT", "many")])
def test_the_ceilings_refuse_nonsense_settings(flag, value):
    from shared.errors import ConfigError
    from tests.conftest import make_settings

    with pytest.raises(ConfigError, match=flag):
        make_settings(**{flag: value})


def test_the_ceilings_are_flags_with_documented_defaults():
    from shared.flags import SPECS, parse_value
    from shared.paths import REPO_ROOT

    doc = (REPO_ROOT / "docs/flags.md").read_text()
    for name in ("ORDER_RESTAURANT_RATE_LIMIT", "ORDER_MAX_OPEN_PER_SESSION", "ORDER_MAX_TOTAL_CENTS",
                 "ORDER_MAX_ITEMS"):
        assert name in SPECS and f"`{name}`" in doc
    assert parse_value("ORDER_MAX_ITEMS", " 12 ") == 12
