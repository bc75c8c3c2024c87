"""Pickup slots in SQL (infra/migrations/0012_pickup_slots.sql) through every Store adapter (psycopg,
and supabase-py's PostgREST client through the bridge): the grid inside opening hours in the
restaurant's timezone across DST changes, the lead time and horizon, a restaurant closed now, capacity;
and the order transaction's gate under real concurrency (many connections, one slot)."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.types.json import Jsonb

from shared.errors import PickupSlotFull, ValidationFailed
from shared.menus.io import import_menu
from shared.orders.requests import OrderRequest, utc_iso
from shared.orders.service import OrderService
from shared.orders.slots import MAX_SLOTS, gate_error, pickup_slots
from shared.store import Store
from tests.conftest import make_settings, seed_documents
from tests.contract.conftest import any_store, postgrest, postgrest_server  # noqa: F401 (fixtures)

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 24, 12, 0, 7, tzinfo=UTC)  # Tuesday 13:00:07 in Stockholm


def gate_params(settings, restaurant_id, pickup_at):
    """The arguments of ``stjarna_pickup_slot_gate`` as the order transaction passes them (the settings'
    grid and capacity; infra/migrations/0013)."""
    return {"p_restaurant_id": restaurant_id, "p_pickup_at": None if pickup_at is None else utc_iso(pickup_at),
            "p_slot_minutes": settings.pickup_slot_minutes, "p_capacity": settings.pickup_slot_capacity}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STHLM)


@pytest.fixture
def seeded_store(any_store: Store) -> Store:  # noqa: F811
    for document in seed_documents():
        import_menu(any_store, document)
    return any_store


def rid(store: Store, slug: str) -> str:
    return str(store.rpc("stjarna_resolve", {"p_ref": slug}))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def grid(database: str, hours: dict[str, Any], start: datetime, end: datetime, minutes: int,
         tz: str = "Europe/Stockholm") -> list[datetime]:
    """The slot grid as the gate and the list see it (stjarna_pickup_slot_grid), earliest first."""
    with psycopg.connect(database) as conn:
        rows = conn.execute("select at from stjarna_pickup_slot_grid(%s, %s, %s, %s, %s) order by at",
                            (Jsonb(hours), tz, start, end, minutes)).fetchall()
    return [row[0] for row in rows]


def test_an_open_restaurant_gets_the_next_48_slots_from_now_plus_lead_on_the_grid(seeded_store: Store) -> None:
    found = pickup_slots(seeded_store, make_settings(), rid(seeded_store, "demo"), NOW)
    assert found.open is True and found.timezone == "Europe/Stockholm" and found.slot_minutes == 15
    assert len(found.slots) == MAX_SLOTS
    first = found.slots[0]
    # now + 15 min lead = 13:15:07 local: rounded up to the grid, 13:30
    assert first == {"at": "2026-11-24T12:30:00+00:00", "local": "13:30", "date": "2026-11-24", "remaining": None}
    starts = [datetime.fromisoformat(s["at"]) for s in found.slots]
    assert all(b - a == timedelta(minutes=15) for a, b in itertools.pairwise(starts))
    # the demo is open 00:00-24:00 every day: slots run on across midnight, dated locally
    after_midnight = [s for s in found.slots if s["date"] == "2026-11-25"]
    assert after_midnight[0]["local"] == "00:00"


def test_the_horizon_and_the_lead_bound_the_slots(seeded_store: Store) -> None:
    settings = make_settings(ORDER_HORIZON_HOURS="1", ORDER_LEAD_MINUTES="0", PICKUP_SLOT_MINUTES="30")
    found = pickup_slots(seeded_store, settings, rid(seeded_store, "demo"), NOW)
    # 13:00:07 -> 14:00:07 local, every 30 minutes from midnight: 13:30 and 14:00 (13:00 is past)
    assert [s["local"] for s in found.slots] == ["13:30", "14:00"]
    on_the_dot = pickup_slots(seeded_store, settings, rid(seeded_store, "demo"), NOW.replace(second=0))
    assert [s["local"] for s in on_the_dot.slots] == ["13:00", "13:30", "14:00"]  # a slot starting now is bookable


def test_a_restaurant_closed_now_offers_its_next_opening(seeded_store: Store) -> None:
    settings = make_settings(ORDER_HORIZON_HOURS="24")
    at_three = local(2026, 11, 24, 15, 0).astimezone(UTC)  # Tuesday 15:00: between lunch and dinner
    found = pickup_slots(seeded_store, settings, rid(seeded_store, "nattbaren"), at_three)
    assert found.open is False
    labels = [(s["date"], s["local"]) for s in found.slots]
    assert labels[0] == ("2026-11-24", "17:00")
    # a slot must end inside its range: dinner closes at 22:00, so the last slot starts at 21:45
    assert ("2026-11-24", "21:45") in labels and ("2026-11-24", "22:00") not in labels
    assert labels[labels.index(("2026-11-24", "21:45")) + 1] == ("2026-11-25", "11:30")  # Wednesday lunch
    assert ("2026-11-25", "13:45") in labels and ("2026-11-25", "14:00") not in labels


def test_a_restaurant_not_live_is_not_found(seeded_store: Store) -> None:
    from shared.errors import RestaurantNotFound

    with pytest.raises(RestaurantNotFound):
        pickup_slots(seeded_store, make_settings(), "00000000-0000-4000-8000-000000000000", NOW)


def test_the_grid_keeps_wall_clock_openings_across_dst_changes(database: str) -> None:
    day = {"sun": [["09:00", "12:00"]]}
    # spring forward (Sunday 2026-03-29): 09:00 CEST is 07:00 UTC; fall back (2026-10-25): 08:00 UTC
    spring = grid(database, day, utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 23, 0), 60)
    assert spring == [datetime(2026, 3, 29, h, 0, tzinfo=UTC) for h in (7, 8, 9)]
    autumn = grid(database, day, utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 23, 0), 60)
    assert autumn == [datetime(2026, 10, 25, h, 0, tzinfo=UTC) for h in (8, 9, 10)]


def test_a_range_over_the_dst_change_is_cut_in_real_minutes(database: str) -> None:
    night = {"sat": [["23:00", "05:00"]]}
    # the night of 2026-03-28/29 lasts 5 real hours in Stockholm (02:00 -> 03:00): 5 hourly slots,
    # and their local labels skip 02:00
    spring = grid(database, night, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 12, 0), 60)
    assert [s.astimezone(STHLM).strftime("%H:%M") for s in spring] == ["23:00", "00:00", "01:00", "03:00", "04:00"]
    # the night of 2026-10-24/25 lasts 7 real hours (03:00 -> 02:00): 02:00 comes twice
    autumn = grid(database, night, utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 12, 0), 60)
    assert [s.astimezone(STHLM).strftime("%H:%M") for s in autumn] == [
        "23:00", "00:00", "01:00", "02:00", "02:00", "03:00", "04:00"]


def test_the_listed_local_times_follow_the_dst_change(seeded_store: Store, database: str) -> None:
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("update restaurants set hours = '{\"sun\": [[\"09:00\", \"10:00\"]]}' where slug = 'test'")
    settings = make_settings(ORDER_HORIZON_HOURS="24", PICKUP_SLOT_MINUTES="30")
    found = pickup_slots(seeded_store, settings, rid(seeded_store, "test"), datetime(2026, 3, 28, 20, 0, tzinfo=UTC))
    assert [(s["at"], s["local"], s["date"]) for s in found.slots] == [
        ("2026-03-29T07:00:00+00:00", "09:00", "2026-03-29"), ("2026-03-29T07:30:00+00:00", "09:30", "2026-03-29")]


def place_for(store: Store, slug: str, pickup_at: datetime, key: str,
              session: str = "slot-session-1") -> dict[str, Any]:
    menu = store.rpc("stjarna_public_menu", {"p_restaurant_id": rid(store, slug)})
    item = menu["sections"][0]["items"][0]["id"]
    request = OrderRequest.model_validate({"restaurantId": slug, "sessionToken": session,
                                           "items": [{"itemId": item, "quantity": 1}],
                                           "pickupAt": pickup_at.isoformat()})
    return OrderService(store, make_settings(), clock=lambda: NOW).place(
        rid(store, slug), request, key, ordering_enabled=True).order


def test_with_a_capacity_full_slots_are_left_out_and_remaining_is_given(seeded_store: Store, database: str) -> None:
    settings = make_settings(PICKUP_SLOT_CAPACITY="2")
    demo = rid(seeded_store, "demo")
    first = local(2026, 11, 24, 13, 30)
    place_for(seeded_store, "demo", first, "slot-key-0001", "slot-session-1")
    found = pickup_slots(seeded_store, settings, demo, NOW)
    assert [(s["local"], s["remaining"]) for s in found.slots[:2]] == [("13:30", 1), ("13:45", 2)]
    second = place_for(seeded_store, "demo", first, "slot-key-0002", "slot-session-2")
    found = pickup_slots(seeded_store, settings, demo, NOW)
    assert found.slots[0]["local"] == "13:45" and len(found.slots) == MAX_SLOTS  # 13:30 is full: left out
    # a cancelled order makes room again
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("update orders set status = 'cancelled' where id = %s", (second["orderId"],))
    assert pickup_slots(seeded_store, settings, demo, NOW).slots[0] == {
        "at": "2026-11-24T12:30:00+00:00", "local": "13:30", "date": "2026-11-24", "remaining": 1}


def gate(store: Store, slug: str, at: datetime | None, **env: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = store.rpc("stjarna_pickup_slot_gate",
                                             gate_params(make_settings(**env), rid(store, slug), at))
    return found


def test_the_gate_checks_the_grid_and_the_capacity(seeded_store: Store) -> None:
    assert gate(seeded_store, "demo", None, PICKUP_SLOT_CAPACITY="1") is None  # as soon as possible: no slot
    assert gate(seeded_store, "demo", local(2026, 11, 24, 13, 30)) is None
    off = gate(seeded_store, "demo", local(2026, 11, 24, 13, 31))
    assert off is not None and off["outcome"] == "pickup_not_on_slot" and off["slotMinutes"] == 15
    late = gate(seeded_store, "nattbaren", local(2026, 11, 24, 21, 50))  # open then, but the slot would end after 22:00
    assert late is not None and late["outcome"] == "pickup_not_on_slot"
    assert gate(seeded_store, "nattbaren", local(2026, 11, 24, 21, 45)) is None
    closed = gate(seeded_store, "nattbaren", local(2026, 11, 24, 15, 0))
    assert closed is not None and closed["outcome"] == "pickup_not_on_slot"
    place_for(seeded_store, "demo", local(2026, 11, 24, 13, 30), "slot-key-0003")
    full = gate(seeded_store, "demo", local(2026, 11, 24, 13, 30), PICKUP_SLOT_CAPACITY="1")
    assert full is not None and full["outcome"] == "slot_full" and full["capacity"] == 1
    assert datetime.fromisoformat(full["pickupAt"]) == local(2026, 11, 24, 13, 30)
    assert gate(seeded_store, "demo", local(2026, 11, 24, 13, 30), PICKUP_SLOT_CAPACITY="2") is None
    # the outcomes as the API answers them
    error = gate_error(full)
    assert isinstance(error, PickupSlotFull) and error.status == 409 and error.code == "PICKUP_SLOT_FULL"
    assert error.details == {"pickupAt": "2026-11-24T12:30:00+00:00", "capacity": 1}
    invalid = gate_error(off)
    assert isinstance(invalid, ValidationFailed) and invalid.errors[0]["path"] == "pickupAt"
    assert gate_error(None) is None


CAPACITY = 3
CONTENDERS = 16


def test_concurrent_orders_for_one_slot_fill_exactly_its_capacity(seeded: Store, database: str) -> None:
    """Each connection opens a transaction, calls the gate and inserts an order for the slot when the gate
    lets it, as the order transaction does; all start together (a barrier). Exactly CAPACITY get in."""
    demo = rid(seeded, "demo")
    slot = local(2026, 11, 24, 13, 30).astimezone(UTC)
    params = gate_params(make_settings(PICKUP_SLOT_CAPACITY=str(CAPACITY)), demo, slot)
    barrier = threading.Barrier(CONTENDERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def contender(n: int) -> None:
        with psycopg.connect(database) as conn:  # one transaction, committed when the block ends
            barrier.wait()
            found = conn.execute("select stjarna_pickup_slot_gate(%(p_restaurant_id)s, %(p_pickup_at)s, "
                                 "%(p_slot_minutes)s, %(p_capacity)s)", params).fetchone()
            assert found is not None
            if found[0] is None:
                conn.execute(
                    "insert into orders (restaurant_id, code, session_hash, idempotency_key, request_hash, currency,"
                    " total_cents, pickup_at, placed_at, updated_at) values (%s, stjarna_new_order_code(), %s, %s,"
                    " %s, 'SEK', 100, %s, now(), now())",
                    (demo, f"{n:064x}", f"race-key-{n:04d}", f"{n:064x}", slot))
            with lock:
                outcomes.append("placed" if found[0] is None else found[0]["outcome"])

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["placed"] * CAPACITY + ["slot_full"] * (CONTENDERS - CAPACITY)
    with psycopg.connect(database) as conn:
        stored = conn.execute("select count(*) from orders where pickup_at = %s", (slot,)).fetchone()
    assert stored == (CAPACITY,)
