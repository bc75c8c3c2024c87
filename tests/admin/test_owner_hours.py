"""The owner's hours override (docs/console.md "Opening hours"): ``PUT …/restaurants/{ref}/hours`` with the
menu format's ``hours`` object, checked by the menu document's own validation, stored by
``stjarna_set_hours`` (audited, bumping the menu version) — and then the public menu, the widget's config
and the order transaction answer by the new hours. The scope (kitchen 403, another restaurant 404) of
every admin route is also in tests/admin/test_staff_routes.py."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.orders.conftest import new_key, order_body

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = {day: [["00:00", "24:00"]] for day in WEEK}
SPLIT = {day: [["00:00", "12:00"], ["12:00", "24:00"]] for day in WEEK}  # open at every instant too


@pytest.fixture
def world(app_for, sql):
    # MENU_LOCAL_CACHE_SECONDS=0: this one process sees the new menu version at once (the bound is 2 s)
    client, container = app_for(MENU_LOCAL_CACHE_SECONDS="0")
    demo = str(sql("select id from restaurants where slug = 'demo'")[0][0])
    bar = str(sql("select id from restaurants where slug = 'nattbaren'")[0][0])
    keys = {name: container.admin_keys.create(name, "cli:test", role=role, restaurant_id=rid)[0]
            for name, role, rid in (("demo-owner", "owner", demo), ("demo-kitchen", "kitchen", demo),
                                    ("bar-owner", "owner", bar))}
    return client, {name: {"Authorization": f"Bearer {key}"} for name, key in keys.items()}


def put_hours(client: TestClient, auth: dict[str, str], hours: object, ref: str = "demo"):
    return client.put(f"/api/admin/restaurants/{ref}/hours", headers=auth, json={"hours": hours})


def test_an_owner_changes_the_hours_and_the_widget_and_orders_follow(world, sql, items):
    client, auth = world
    before = sql("select hours, menu_version from restaurants where slug = 'demo'")[0]
    assert before[0] != SPLIT
    # ranges unsorted: normalised as a menu import would
    r = put_hours(client, auth["demo-owner"], {**SPLIT, "sat": [["12:00", "24:00"], ["00:00", "12:00"]]})
    assert r.status_code == 200, r.text
    assert r.json() == {"timezone": "Europe/Stockholm", "hours": SPLIT}
    assert r.headers["Cache-Control"] == "no-store"
    assert sql("select hours, menu_version > %s from restaurants where slug = 'demo'", before[1]) == [
        (SPLIT, True)]
    assert sql("select actor like 'admin-key:%%', details from audit_log where action = 'tenant.hours'") == [
        (True, {"before": before[0], "hours": SPLIT})]
    menu = client.get("/api/public/menu", params={"restaurantId": "demo"}).json()
    assert menu["restaurant"]["hours"] == SPLIT
    config = client.get("/api/public/config", params={"restaurantId": "demo"}).json()
    assert config["open"]["now"] is True
    setup = client.get("/api/admin/restaurants/demo/setup", headers=auth["demo-owner"]).json()
    assert (setup["timezone"], setup["hours"]) == ("Europe/Stockholm", SPLIT)
    hummus = (items["demo/hummus"], 1)
    r = client.post("/api/orders", json=order_body(hummus), headers={"Idempotency-Key": new_key()})
    assert r.status_code == 201, r.text

    # a holiday: closed all week, at once
    r = put_hours(client, auth["demo-owner"], {})
    assert r.status_code == 200 and r.json()["hours"] == {}
    config = client.get("/api/public/config", params={"restaurantId": "demo"}).json()
    assert config["open"] == {"now": False, "nextChange": None}
    assert client.get("/api/public/menu", params={"restaurantId": "demo"}).json()["restaurant"]["hours"] == {}
    r = client.post("/api/orders", json=order_body(hummus), headers={"Idempotency-Key": new_key()})
    assert r.status_code == 409 and r.json()["error"]["code"] == "RESTAURANT_CLOSED", r.text
    assert [d["hours"] for (d,) in sql("select details from audit_log where action = 'tenant.hours' "
                                        "order by id")] == [SPLIT, {}]


def test_a_platform_key_may_too_and_the_console_session_twin_answers(world, app_for, sql):
    client, _ = world
    platform = {"Authorization": f"Bearer {app_for()[1].admin_keys.create('support', 'cli:test')[0]}"}
    r = put_hours(client, platform, {"fri": [["17:00", "02:00"]]}, ref="nattbaren")
    assert r.status_code == 200 and r.json()["hours"] == {"fri": [["17:00", "02:00"]]}
    assert sql("select hours from restaurants where slug = 'nattbaren'") == [({"fri": [["17:00", "02:00"]]},)]


def test_kitchen_403_and_another_restaurant_404_change_nothing(world, sql):
    client, auth = world
    before = sql("select slug, hours, menu_version from restaurants order by slug")
    r = put_hours(client, auth["demo-kitchen"], ALWAYS)
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    r = put_hours(client, auth["bar-owner"], ALWAYS)
    assert r.status_code == 404 and r.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"
    r = put_hours(client, auth["demo-owner"], ALWAYS, ref="no-such-place")
    assert r.status_code == 404
    assert sql("select slug, hours, menu_version from restaurants order by slug") == before
    assert sql("select count(*) from audit_log where action = 'tenant.hours'") == [(0,)]


@pytest.mark.parametrize(("body", "path", "message"), [
    ({"hours": {"mon": [["25:00", "12:00"]]}}, "hours", "mon: times are HH:MM"),
    ({"hours": {"tue": [["12:00", "12:00"]]}}, "hours", "tue: range 12:00-12:00 is empty"),
    ({"hours": {"wed": [["11:00", "15:00"], ["14:00", "22:00"]]}}, "hours", "wed: opening ranges overlap"),
    ({"hours": {"holiday": []}}, "hours.holiday", "Input should be"),
    ({"hours": {"thu": [["11:00"]]}}, "hours.thu[0][1]", "Field required"),
    ({"hours": {"mon": []}, "timezone": "UTC"}, "timezone", "Extra inputs"),
    ({}, "hours", "Field required"),
])
def test_bad_hours_are_422_at_their_field(world, sql, body, path, message):
    client, auth = world
    before = sql("select hours, menu_version from restaurants where slug = 'demo'")
    r = client.put("/api/admin/restaurants/demo/hours", headers=auth["demo-owner"], json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["errors"][0]["path"] == path and error["errors"][0]["message"].startswith(message), error
    assert sql("select hours, menu_version from restaurants where slug = 'demo'") == before
