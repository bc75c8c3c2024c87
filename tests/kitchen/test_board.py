"""The board (GET …/restaurants/{ref}/board): what it shows, its version (bumped by every order, status
change, pause and availability change), the 304 of an idle poll after one small read, and who may see it."""

from __future__ import annotations

from datetime import timedelta

from shared.http.schemas.orders import Board

BOARD = "/api/admin/restaurants/demo/board"


def test_the_board_shows_open_orders_oldest_first_with_name_and_phone(kitchen, items, clock):
    first = kitchen.place(items, ("demo/hummus", 2), pickupName="Anna", pickupPhone="070-174 06 42")
    clock.at += timedelta(minutes=1)
    second = kitchen.place(items, ("demo/meatballs", 1), session="another-diner-1", pickupName="Bo")
    r = kitchen.client.get(BOARD)
    assert r.status_code == 200, r.text
    board = Board.model_validate(r.json()).model_dump(by_alias=True)
    assert [o["orderId"] for o in board["orders"]] == [first["orderId"], second["orderId"]]
    assert [(o["pickupName"], o["pickupPhone"]) for o in board["orders"]] == [("Anna", "+46701740642"), ("Bo", None)]
    assert board["restaurant"]["slug"] == "demo" and board["paused"] is None and board["recent"] == []
    assert r.headers["ETag"] == f'"board-{board["version"]}"' and r.headers["Cache-Control"] == "no-store"


def test_every_change_the_kitchen_must_see_bumps_the_version(kitchen, items):
    def version():
        return kitchen.client.get(BOARD).json()["version"]

    seen = [version()]
    order = kitchen.place(items, ("demo/hummus", 1))
    seen.append(version())
    kitchen.orders.set_status(order["orderId"], "accepted", "staff:test", ready_in_minutes=15)
    seen.append(version())
    kitchen.orders.pause(kitchen.rid, 15, "staff:test")
    seen.append(version())
    kitchen.orders.pause(kitchen.rid, None, "staff:test", paused=False)
    seen.append(version())
    kitchen.orders.set_item(kitchen.rid, items["demo/salmon"], available=False, until_next_opening=False,
                            actor="staff:test")
    seen.append(version())
    assert seen == sorted(set(seen)), seen  # strictly increasing: each change moved it


def test_an_idle_poll_is_a_304_after_one_small_read(kitchen, items):
    kitchen.place(items, ("demo/hummus", 1))
    etag = kitchen.client.get(BOARD).headers["ETag"]
    kitchen.store.calls.clear()
    r = kitchen.client.get(BOARD, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["ETag"] == etag
    assert kitchen.store.calls == ["stjarna_board_head"]
    kitchen.place(items, ("demo/hummus", 1), session="another-diner-1")
    changed = kitchen.client.get(BOARD, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and len(changed.json()["orders"]) == 2


def test_today_counts_the_restaurants_local_day(kitchen, items, clock, sql):
    done = kitchen.place(items, ("demo/hummus", 2))
    cancelled = kitchen.place(items, ("demo/meatballs", 1), session="another-diner-1")
    kitchen.orders.set_status(done["orderId"], "accepted", "staff:test")
    clock.at += timedelta(minutes=12)
    for step in ("preparing", "ready"):
        kitchen.orders.set_status(done["orderId"], step, "staff:test")
    kitchen.orders.set_status(done["orderId"], "picked_up", "staff:test")
    clock.at += timedelta(minutes=1)
    kitchen.orders.set_status(cancelled["orderId"], "cancelled", "staff:test", cancel_reason="Out of meatballs")
    # yesterday's order (local time) is not today's
    sql("update orders set placed_at = placed_at - interval '1 day' where id = %s",
        kitchen.place(items, ("demo/hummus", 1), session="yesterday-diner")["orderId"])
    board = kitchen.client.get(BOARD).json()
    assert board["today"] == {"orders": 2, "revenueCents": done["totalCents"], "currency": "SEK",
                              "avgAcceptToReadySeconds": 12 * 60}
    assert [o["orderId"] for o in board["recent"]] == [cancelled["orderId"], done["orderId"]]
    assert board["recent"][0]["cancelReason"] == "Out of meatballs"
    assert [o["status"] for o in board["orders"]] == ["placed"]


def test_a_scoped_key_sees_only_its_restaurant(kitchen, sql):
    kitchen.act_as("kitchen")
    assert kitchen.client.get(BOARD).status_code == 200
    other = kitchen.client.get("/api/admin/restaurants/nattbaren/board")
    missing = kitchen.client.get("/api/admin/restaurants/no-such-place/board")
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["message"] == missing.json()["error"]["message"]  # nothing to enumerate
    kitchen.act_as("platform")
    assert kitchen.client.get("/api/admin/restaurants/nattbaren/board").status_code == 200
