"""Sold out (GET/PATCH …/restaurants/{ref}/items): ordering refuses the item at once, the menu version
moves (the widget sees it within the menu cache bound), and "until the next opening" resets itself, in the
order's own transaction and in the scheduled run (an injected clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.expire_orders import handler
from shared.errors import ItemUnavailable
from shared.orders.requests import OrderRequest
from tests.kitchen.conftest import new_key, order_body

ITEMS = "/api/admin/restaurants/demo/items"
# demo is open every day 00:00-24:00 (Europe/Stockholm): at 13:00 on Tuesday 24 November the next opening
# is Wednesday 00:00 local, 23:00 UTC
NEXT_OPENING = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)


def version(sql):
    return sql("select menu_version from restaurants where slug = 'demo'")[0][0]


def order(kitchen, items, key="demo/salmon"):
    request = OrderRequest.model_validate(order_body((items[key], 1)))
    return kitchen.orders.place(kitchen.rid, request, new_key(), ordering_enabled=True)


def test_search_and_mark_sold_out_in_one_call(kitchen, items, sql):
    found = kitchen.client.get(ITEMS, params={"q": "SALM"}).json()["items"]
    assert [(i["key"], i["available"], i["unavailableUntil"]) for i in found] == [("salmon", True, None)]
    before = version(sql)
    kitchen.act_as("kitchen")  # the kitchen may: it is the one that runs out
    r = kitchen.client.patch(f"{ITEMS}/{items['demo/salmon']}", json={"available": False})
    assert r.status_code == 200 and r.json()["available"] is False and r.json()["unavailableUntil"] is None
    assert version(sql) > before  # the widget's menu changes with its version
    public = kitchen.container.store.rpc("stjarna_public_menu", {"p_restaurant_id": kitchen.rid})
    assert items["demo/salmon"] not in {i["id"] for s in public["sections"] for i in s["items"]}
    with pytest.raises(ItemUnavailable):  # refused at once: the order's transaction reads the row
        order(kitchen, items)
    kitchen.client.patch(f"{ITEMS}/{items['demo/salmon']}", json={"available": True})
    assert order(kitchen, items).order["status"] == "placed"
    assert sql("select count(*) from audit_log where action = 'item.availability'") == [(2,)]


def test_until_the_next_opening_resets_itself_at_the_first_order(kitchen, items, clock):
    r = kitchen.client.patch(f"{ITEMS}/{items['demo/salmon']}", json={"available": False, "until": "next_opening"})
    assert r.json()["unavailableUntil"] == NEXT_OPENING.isoformat()
    with pytest.raises(ItemUnavailable):
        order(kitchen, items)
    clock.at = NEXT_OPENING + timedelta(minutes=1)
    listed = kitchen.client.get(ITEMS, params={"q": "salmon"}).json()["items"][0]
    assert listed["available"] is True and listed["unavailableUntil"] is None
    assert order(kitchen, items).order["status"] == "placed"


def test_the_scheduled_run_resets_what_nobody_ordered(kitchen, items, sql, cli_env):
    kitchen.orders.set_item(kitchen.rid, items["demo/salmon"], available=False, until_next_opening=True,
                            actor="staff:test")
    # the scheduled function, against this database, at a time after the opening
    sql("update menu_items set unavailable_until = now() - interval '1 minute' where unavailable_until is not null")
    before = version(sql)
    assert handler({}, None)["itemsAvailableAgain"] == 1
    assert sql("select available, unavailable_until from menu_items where key = 'salmon' "
               "and restaurant_id = %s", kitchen.rid) == [(True, None)]
    assert version(sql) > before


@pytest.mark.parametrize("body", [{"available": True, "until": "next_opening"}, {"available": "no"},
                                  {"available": False, "until": "tomorrow"}, {}])
def test_bad_bodies_are_422(kitchen, items, body):
    assert kitchen.client.patch(f"{ITEMS}/{items['demo/salmon']}", json=body).status_code == 422


def test_another_restaurants_item_or_no_item_is_404(kitchen, items):
    other = next(v for k, v in items.items() if k.startswith("nattbaren/"))
    for item in (other, "00000000-0000-4000-8000-000000000000", "not-an-id"):
        r = kitchen.client.patch(f"{ITEMS}/{item}", json={"available": False})
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_a_query_is_bounded(kitchen):
    assert kitchen.client.get(ITEMS, params={"q": "x" * 81}).status_code == 422
    assert kitchen.client.get(f"{ITEMS}?q=a&q=b").status_code == 422
