"""The order and admin-key SQL functions through every Store adapter (psycopg, and supabase-py's
PostgREST client through the bridge): the same outcomes, JSON shapes and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.admin.keys import AdminKeys
from shared.errors import IdempotencyKeyReused, RestaurantClosed
from shared.menus.io import import_menu
from shared.orders.requests import OrderRequest
from shared.orders.service import OrderService
from shared.store import Store
from tests.conftest import make_settings, seed_documents

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # Tuesday 13:00 in Stockholm


@pytest.fixture
def service(any_store: Store) -> OrderService:
    for document in seed_documents():
        import_menu(any_store, document)
    return OrderService(any_store, make_settings(), clock=lambda: NOW)


def ids(store: Store, slug: str) -> tuple[str, list[str]]:
    menu = store.rpc("stjarna_public_menu", {"p_restaurant_id": store.rpc("stjarna_resolve", {"p_ref": slug})})
    return menu["restaurant"]["id"], [i["id"] for s in menu["sections"] for i in s["items"]]


def request(item: str, restaurant: str = "demo", **extra: object) -> OrderRequest:
    return OrderRequest.model_validate({"restaurantId": restaurant, "sessionToken": "contract-session",
                                        "items": [{"itemId": item, "quantity": 2, "note": "no onions"}], **extra})


def test_place_replay_status_and_staff(service: OrderService) -> None:
    rid, items = ids(service.store, "demo")
    placed = service.place(rid, request(items[0]), "contract-key-1", ordering_enabled=True)
    assert not placed.replayed and placed.order["items"][0]["note"] == "no onions"
    assert datetime.fromisoformat(placed.order["placedAt"]) == NOW
    replay = service.place(rid, request(items[0]), "contract-key-1", ordering_enabled=True)
    assert replay.replayed and replay.order["orderCode"] == placed.order["orderCode"]
    with pytest.raises(IdempotencyKeyReused):
        service.place(rid, request(items[1]), "contract-key-1", ordering_enabled=True)
    seen = service.session_order(rid, placed.order["orderCode"], "contract-session")
    assert seen["history"] == [{"status": "placed", "at": seen["placedAt"]}]
    updated = service.set_status(placed.order["orderId"], "accepted", "staff:contract")
    assert updated["history"][-1]["actor"] == "staff:contract"
    assert [o["orderId"] for o in service.list(rid, "accepted")] == [placed.order["orderId"]]


def test_closed_restaurant(service: OrderService) -> None:
    rid, items = ids(service.store, "nattbaren")
    closed = OrderService(service.store, make_settings(), clock=lambda: NOW + timedelta(hours=3))  # 16:00
    with pytest.raises(RestaurantClosed) as info:
        closed.place(rid, request(items[0], "nattbaren"), "contract-key-2", ordering_enabled=True)
    assert datetime.fromisoformat(info.value.details["nextOpeningAt"]) == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_admin_keys(any_store: Store) -> None:
    keys = AdminKeys(any_store, "pepper")
    key, record = keys.create("contract", "cli:test")
    identity = keys.verify(key)  # also stamps last_used_at (a function returning void)
    assert identity is not None and identity.key_id == record["id"]
    assert keys.list()[0]["lastUsedAt"] is not None
    keys.revoke(record["id"], "cli:test")
    assert keys.verify(key) is None
