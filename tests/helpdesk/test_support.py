"""The support service (shared/helpdesk/tenant.py) and its SQL (0005_tenant_support.sql) over a real
database: tenant show in every status, today's orders in the restaurant's timezone, opening state,
effective flags, audit entries, cache purge; and the new functions closed to the anonymous role."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from shared.container import Container
from shared.errors import RestaurantIdInvalid, RestaurantNotFound
from shared.helpdesk import tenant as support
from shared.kv.memory import MemoryKV
from shared.orders.requests import OrderRequest
from tests.conftest import FrozenClock, make_settings
from tests.orders.conftest import new_key, order_body

TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 13:00 in Stockholm


@pytest.fixture
def c(seeded):
    return Container(make_settings(), store=seeded, kv=MemoryKV())


def test_show_a_live_restaurant(c):
    t = support.show(c, "demo", now=TUESDAY_NOON)
    assert (t["slug"], t["name"], t["status"], t["public"], t["plan"]) == (
        "demo", "Stjärna Demo Kitchen", "live", True, "starter")
    assert (t["timezone"], t["currency"], t["locale"]) == ("Europe/Stockholm", "SEK", "en-SE")
    assert t["allowedOrigins"] == ["http://localhost:8000", "http://127.0.0.1:8000", "https://*.stjarna.dev"]
    assert t["openNow"] is True and t["nextOpeningAt"] is None  # open around the clock
    menu = t["menu"]
    # 5 sections, 4 active; 16 items, all available; the inactive section's semla is not published;
    # 6 tagged vegan; the daily special's allergens are not declared
    assert {k: menu[k] for k in ("sections", "activeSections", "items", "available", "published", "vegan",
                                 "undeclaredAllergens")} == {
        "sections": 5, "activeSections": 4, "items": 16, "available": 16, "published": 15, "vegan": 6,
        "undeclaredAllergens": 1}
    assert t["flags"]["USE_SERVER_CHAT"] == {"value": True, "source": "default"}
    assert set(t["flags"]) >= {"AI_DEGRADED_MODE", "ORDERING_ENABLED", "CHAT_RATE_LIMIT", "MENU_S_MAXAGE"}
    assert t["ordersToday"]["total"] == 0 and t["ordersToday"]["byStatus"] == {}
    assert t["audit"] == []
    assert support.show(c, t["id"].upper(), now=TUESDAY_NOON)["slug"] == "demo"  # by id, any case


def test_the_menu_version_and_last_change_move_with_a_menu_change(c, sql):
    before = support.show(c, "demo")["menu"]
    sql("update menu_items set available = false where key = 'hummus'")
    after = support.show(c, "demo")["menu"]
    assert after["version"] > before["version"]
    assert after["lastChangeAt"] > before["lastChangeAt"]
    assert (after["available"], after["published"]) == (15, 14)


@pytest.mark.parametrize(("now", "open_now", "next_opening"), [
    (datetime(2026, 11, 24, 10, 0, tzinfo=UTC), False, "2026-11-24T10:30:00+00:00"),  # 11:00 local, opens 11:30
    (datetime(2026, 11, 24, 10, 45, tzinfo=UTC), True, None),
    (datetime(2026, 11, 24, 13, 30, tzinfo=UTC), False, "2026-11-24T16:00:00+00:00"),  # between lunch and dinner
    (datetime(2026, 11, 23, 12, 0, tzinfo=UTC), False, "2026-11-24T10:30:00+00:00"),  # closed on Mondays
])
def test_open_now_and_next_opening_follow_the_hours_in_the_restaurants_timezone(c, now, open_now, next_opening):
    t = support.show(c, "nattbaren", now=now)
    assert (t["openNow"], t["nextOpeningAt"]) == (open_now, next_opening)


def test_orders_today_count_the_local_day(seeded, items):
    clock = FrozenClock(datetime(2026, 11, 23, 22, 59, tzinfo=UTC))  # 23:59 on Monday in Stockholm
    c = Container(make_settings(), store=seeded, kv=MemoryKV(), clock=clock)
    rid = support.show(c, "demo")["id"]

    def place(at: datetime) -> str:
        clock.at = at
        request = OrderRequest.model_validate(order_body((items["demo/hummus"], 1)))
        return str(c.orders.place(rid, request, new_key(), ordering_enabled=True).order["orderId"])

    place(datetime(2026, 11, 23, 22, 59, tzinfo=UTC))  # Monday, local time
    first = place(datetime(2026, 11, 23, 23, 1, tzinfo=UTC))  # 00:01 on Tuesday, local time
    place(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))
    c.orders.set_status(first, "accepted", "staff:test")
    today = support.show(c, "demo", now=TUESDAY_NOON)["ordersToday"]
    assert today["total"] == 2
    assert today["byStatus"] == {"placed": 1, "accepted": 1}
    assert today["since"] == "2026-11-23T23:00:00+00:00" and today["until"] == "2026-11-24T23:00:00+00:00"
    assert support.show(c, "demo", now=TUESDAY_NOON - timedelta(days=1))["ordersToday"]["total"] == 1


@pytest.mark.parametrize("slug", ["draft-place", "suspended-place"])
def test_show_works_for_restaurants_that_are_not_public(c, variants, slug):
    t = support.show(c, slug)
    assert t["status"] == slug.split("-")[0] and t["public"] is False
    assert t["id"] == variants[slug]
    assert t["menu"]["items"] == 16 and t["menu"]["published"] == 0


def test_effective_flags_show_their_source(seeded, tmp_path):
    (tmp_path / "flags.json").write_text(json.dumps({
        "global": {"AI_DEGRADED_MODE": "true"}, "tenants": {"demo": {"USE_SERVER_CHAT": "false"}}}))
    c = Container(make_settings(STJARNA_DATA_DIR=str(tmp_path), ORDERING_ENABLED="false"), store=seeded, kv=MemoryKV())
    flags = support.show(c, "demo")["flags"]
    assert flags["USE_SERVER_CHAT"] == {"value": False, "source": "tenant"}
    assert flags["AI_DEGRADED_MODE"] == {"value": True, "source": "global"}
    assert flags["ORDERING_ENABLED"] == {"value": False, "source": "env"}
    assert flags["MENU_S_MAXAGE"] == {"value": 60, "source": "default"}
    assert support.show(c, "nattbaren")["flags"]["USE_SERVER_CHAT"] == {"value": True, "source": "default"}


def test_unknown_and_malformed_references(c):
    with pytest.raises(RestaurantNotFound, match="No restaurant 'nowhere'"):
        support.show(c, "nowhere")
    with pytest.raises(RestaurantNotFound):
        support.purge(c, "00000000-0000-4000-8000-000000000000", "cli:test")
    with pytest.raises(RestaurantIdInvalid):
        support.show(c, "no such place")


def test_purge_bumps_the_version_once_and_is_audited(c, sql):
    before = support.show(c, "demo")["menu"]["version"]
    result = support.purge(c, "demo", "cli:anna")
    assert (result["previousVersion"], result["version"]) == (before, before + 1)
    assert result["cdn"] is None and result["cdnMaxAgeSeconds"] == 60
    assert sql("select menu_version from restaurants where slug = 'demo'") == [(before + 1,)]
    assert sql("select actor, action, details from audit_log") == [
        ("cli:anna", "cache.purge", {"slug": "demo", "from": before, "to": before + 1})]
    audit = support.show(c, "demo")["audit"]
    assert [(a["actor"], a["action"]) for a in audit] == [("cli:anna", "cache.purge")]
    support.purge(c, "demo", "cli:bo")
    assert [a["actor"] for a in support.show(c, "demo", audit_limit=1)["audit"]] == ["cli:bo"]
    assert sql("select count(*) from audit_log where restaurant_id is not null") == [(2,)]


def test_purge_gives_the_app_a_new_etag_at_once(app_for):
    client, container = app_for()
    first = client.get("/api/public/menu", params={"restaurantId": "demo"})
    result = support.purge(container, "demo", "cli:test")
    again = client.get("/api/public/menu", params={"restaurantId": "demo"},
                       headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200  # not 304: the purge dropped this instance's copy
    assert again.headers["etag"] != first.headers["etag"]
    assert again.json()["version"] == result["version"] and again.headers["x-menu-version"] == str(result["version"])
    assert again.json()["sections"] == first.json()["sections"]


@pytest.mark.parametrize(("function", "argument"), [
    ("stjarna_tenant_summary", "'demo'"),
    ("stjarna_tenant_items", "'demo'"),
    ("stjarna_cache_purge", "'demo', 'anon'"),
])
@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_the_support_functions_are_closed_to_the_api_roles(seeded, database, sql, function, argument, role):
    state = "select menu_version, (select count(*) from audit_log) from restaurants where slug = 'demo'"
    before = sql(state)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"set role {role}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function"):
            conn.execute(f"select {function}({argument})")
    assert sql(state) == before
    with psycopg.connect(database, autocommit=True) as conn:  # the API's own role may
        conn.execute("set role service_role")
        assert conn.execute(f"select {function}({argument}) is not null").fetchone() == (True,)
