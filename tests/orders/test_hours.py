"""Opening hours (the SQL functions that gate orders) across timezones, DST changes and overnight
ranges, and pickup times, with the orders' clock frozen (never by sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.orders.conftest import new_key, order_body

SPLIT = {"tue": [["11:30", "14:00"], ["17:00", "22:00"]], "fri": [["11:30", "14:00"], ["17:00", "02:00"]],
         "sat": [["17:00", "02:00"]]}


def state(store, hours, tz, at):
    got = store.rpc("stjarna_opening_state", {"p_hours": hours, "p_timezone": tz, "p_at": at.isoformat()})
    nxt = got["nextOpeningAt"]
    return got["open"], None if nxt is None else datetime.fromisoformat(nxt)


def local(tz, *args):
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo(tz))


STHLM = "Europe/Stockholm"


@pytest.mark.parametrize(("at", "open_", "next_"), [
    # Tuesday 2026-11-24: lunch 11:30-14:00, dinner 17:00-22:00
    (local(STHLM, 2026, 11, 24, 11, 29), False, local(STHLM, 2026, 11, 24, 11, 30)),
    (local(STHLM, 2026, 11, 24, 11, 30), True, None),
    (local(STHLM, 2026, 11, 24, 13, 59), True, None),
    (local(STHLM, 2026, 11, 24, 14, 0), False, local(STHLM, 2026, 11, 24, 17, 0)),  # the end is exclusive
    (local(STHLM, 2026, 11, 24, 22, 30), False, local(STHLM, 2026, 11, 27, 11, 30)),  # next: Friday lunch
    # Friday dinner runs past midnight into Saturday; Saturday's own range too, into Sunday
    (local(STHLM, 2026, 11, 28, 1, 30), True, None),
    (local(STHLM, 2026, 11, 28, 2, 0), False, local(STHLM, 2026, 11, 28, 17, 0)),
    (local(STHLM, 2026, 11, 29, 1, 59), True, None),
    (local(STHLM, 2026, 11, 29, 2, 0), False, local(STHLM, 2026, 12, 1, 11, 30)),  # Sunday 02:00 -> Tuesday
])
def test_split_and_overnight_hours(store, at, open_, next_):
    is_open, nxt = state(store, SPLIT, STHLM, at)
    assert is_open is open_
    if next_ is not None:
        assert nxt == next_


def test_hours_are_wall_clock_time_across_dst_changes(store):
    hours = {day: [["09:00", "17:00"]] for day in ("sat", "sun", "mon")}
    # spring forward (Sunday 2026-03-29, 02:00 -> 03:00 in Stockholm): 09:00 local is 07:00 UTC
    assert state(store, hours, STHLM, datetime(2026, 3, 28, 7, 59, tzinfo=UTC))[0] is False  # Sat 08:59 CET
    assert state(store, hours, STHLM, datetime(2026, 3, 28, 8, 0, tzinfo=UTC))[0] is True
    assert state(store, hours, STHLM, datetime(2026, 3, 29, 6, 59, tzinfo=UTC))[0] is False  # Sun 08:59 CEST
    assert state(store, hours, STHLM, datetime(2026, 3, 29, 7, 0, tzinfo=UTC))[0] is True
    assert state(store, hours, STHLM, datetime(2026, 3, 28, 20, 0, tzinfo=UTC))[1] == datetime(
        2026, 3, 29, 7, 0, tzinfo=UTC)
    # fall back (Sunday 2026-10-25): 09:00 local is 08:00 UTC again
    assert state(store, hours, STHLM, datetime(2026, 10, 25, 7, 59, tzinfo=UTC))[0] is False
    assert state(store, hours, STHLM, datetime(2026, 10, 25, 8, 0, tzinfo=UTC))[0] is True


def test_an_overnight_range_across_the_dst_change_keeps_its_wall_clock_end(store):
    hours = {"sat": [["20:00", "04:00"]]}
    # the night of 2026-10-24/25 is 9 hours long in Stockholm (clocks go back at 03:00)
    assert state(store, hours, STHLM, local(STHLM, 2026, 10, 25, 3, 30))[0] is True
    assert state(store, hours, STHLM, datetime(2026, 10, 25, 2, 59, tzinfo=UTC))[0] is True  # 03:59 CET
    assert state(store, hours, STHLM, datetime(2026, 10, 25, 3, 0, tzinfo=UTC))[0] is False  # 04:00 CET


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Tokyo", "Australia/Adelaide", "UTC"])
def test_the_same_hours_in_other_timezones(store, tz):
    hours = {"tue": [["11:30", "14:00"]]}
    assert state(store, hours, tz, local(tz, 2026, 11, 24, 12, 0))[0] is True
    assert state(store, hours, tz, local(tz, 2026, 11, 24, 14, 0)) == (False, local(tz, 2026, 12, 1, 11, 30))


def test_all_day_ranges_and_no_hours(store):
    around_the_clock = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    for hour in (0, 6, 23):
        assert state(store, around_the_clock, STHLM, local(STHLM, 2026, 11, 24, hour, 59))[0] is True
    assert state(store, {}, STHLM, local(STHLM, 2026, 11, 24, 12, 0)) == (False, None)


# -- gating orders (nattbaren: Tue-Thu lunch and dinner, Fri and Sat dinner past midnight) ----------
def nattbaren_order(items, **extra):
    item = next(v for k, v in items.items() if k.startswith("nattbaren/"))
    return order_body((item, 1), restaurant="nattbaren", **extra)


def test_orders_are_gated_by_the_restaurants_hours(app_for, items, clock):
    client, _ = app_for(clock=clock)
    clock.at = local(STHLM, 2026, 11, 24, 15, 0)  # Tuesday between lunch and dinner
    r = client.post("/api/orders", json=nattbaren_order(items), headers={"Idempotency-Key": new_key()})
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "RESTAURANT_CLOSED"
    assert datetime.fromisoformat(error["nextOpeningAt"]) == local(STHLM, 2026, 11, 24, 17, 0)
    assert "opens next at" in error["message"]
    clock.at = local(STHLM, 2026, 11, 29, 1, 0)  # Saturday night, past midnight: still open
    r = client.post("/api/orders", json=nattbaren_order(items), headers={"Idempotency-Key": new_key()})
    assert r.status_code == 201


def test_a_pickup_time_must_be_within_hours_lead_time_and_horizon(app_for, items, clock):
    client, _ = app_for(clock=clock, ORDER_LEAD_MINUTES="20", ORDER_HORIZON_HOURS="48")
    clock.at = local(STHLM, 2026, 11, 24, 15, 0)  # closed now, opens at 17:00

    def order(pickup):
        return client.post("/api/orders", json=nattbaren_order(items, pickupAt=pickup.isoformat()),
                           headers={"Idempotency-Key": new_key()})

    later = order(local(STHLM, 2026, 11, 24, 18, 15))  # a pre-order for tonight: fine while closed now
    assert later.status_code == 201
    assert datetime.fromisoformat(later.json()["pickupAt"]) == local(STHLM, 2026, 11, 24, 18, 15)
    closed = order(local(STHLM, 2026, 11, 24, 16, 0))
    assert closed.json()["error"]["code"] == "RESTAURANT_CLOSED"
    assert datetime.fromisoformat(closed.json()["error"]["nextOpeningAt"]) == local(STHLM, 2026, 11, 24, 17, 0)
    too_soon = order(clock.at + timedelta(minutes=19))
    assert too_soon.status_code == 422 and too_soon.json()["error"]["errors"][0]["path"] == "pickupAt"
    too_far = order(clock.at + timedelta(hours=48, minutes=1))
    assert too_far.status_code == 422
    past = order(clock.at - timedelta(hours=1))
    assert past.status_code == 422


def test_a_pickup_time_in_another_offset_means_the_same_instant(app_for, items, clock):
    client, _ = app_for(clock=clock)
    clock.at = local(STHLM, 2026, 11, 24, 15, 0)
    pickup = local("America/New_York", 2026, 11, 24, 12, 30)  # 18:30 in Stockholm
    r = client.post("/api/orders", json=nattbaren_order(items, pickupAt=pickup.isoformat()),
                    headers={"Idempotency-Key": new_key()})
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["pickupAt"]) == pickup
