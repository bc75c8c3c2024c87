"""The config's ``open`` (issue #18, defect 7): the server's word on open or closed and the next
change, computed from the menu's hours at the request's time, which the widget shows instead of what
the diner's clock says."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.http.menu import open_now

HOURS = {"mon": [["11:00", "14:00"], ["17:00", "02:00"]], "sat": [["12:00", "24:00"]]}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_open_gives_the_next_closing_and_closed_the_next_opening_in_utc():
    # Monday 12:00 in Stockholm (CET, +01:00): open until 14:00 local
    assert open_now(HOURS, "Europe/Stockholm", at("2026-12-07T12:00+01:00")) == {
        "now": True, "nextChange": "2026-12-07T13:00:00Z"}
    # Monday 15:00: closed until 17:00
    assert open_now(HOURS, "Europe/Stockholm", at("2026-12-07T15:00+01:00")) == {
        "now": False, "nextChange": "2026-12-07T16:00:00Z"}
    # Monday 23:30: open past midnight, until Tuesday 02:00
    assert open_now(HOURS, "Europe/Stockholm", at("2026-12-07T23:30+01:00")) == {
        "now": True, "nextChange": "2026-12-08T01:00:00Z"}
    # Tuesday 03:00: closed until Saturday 12:00
    assert open_now(HOURS, "Europe/Stockholm", at("2026-12-08T03:00+01:00")) == {
        "now": False, "nextChange": "2026-12-12T11:00:00Z"}
    # Saturday 20:00: open until "24:00", that is Sunday 00:00
    assert open_now(HOURS, "Europe/Stockholm", at("2026-12-12T20:00+01:00")) == {
        "now": True, "nextChange": "2026-12-12T23:00:00Z"}


def test_summer_time_is_the_restaurants():
    # Monday 10:00 CEST (+02:00) in June: opens at 11:00 local, 09:00 UTC
    assert open_now(HOURS, "Europe/Stockholm", at("2026-06-08T10:00+02:00")) == {
        "now": False, "nextChange": "2026-06-08T09:00:00Z"}


def test_round_the_clock_no_hours_and_a_bad_zone():
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert open_now(always, "UTC", at("2026-12-07T12:00Z")) == {"now": True, "nextChange": None}
    assert open_now({}, "UTC", at("2026-12-07T12:00Z")) == {"now": False, "nextChange": None}
    assert open_now(HOURS, "Mars/Olympus", at("2026-12-07T12:00Z")) == {"now": False, "nextChange": None}


def test_the_config_carries_it_for_the_demo_restaurant(client):
    before = datetime.now(UTC)
    body = client.get("/api/public/config", params={"restaurantId": "demo"}).json()
    menu = client.get("/api/public/menu", params={"restaurantId": "demo"}).json()
    expected = open_now(menu["restaurant"]["hours"], menu["restaurant"]["timezone"], before)
    after = open_now(menu["restaurant"]["hours"], menu["restaurant"]["timezone"], datetime.now(UTC))
    assert body["open"] in (expected, after)  # an opening or closing may fall between the two instants
    assert set(body["open"]) == {"now", "nextChange"}
