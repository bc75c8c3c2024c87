"""The kitchen's SQL functions through every Store adapter (psycopg, and supabase-py's PostgREST client
through the bridge): the same outcomes and JSON shapes. (That anon and authenticated can execute none of
them: tests/contract/test_grants.py, from the catalog.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import OrderingPaused
from shared.http.schemas.orders import Board, KitchenItem
from shared.menus.io import import_menu
from shared.orders.requests import OrderRequest
from shared.orders.service import OrderService
from shared.store import Store
from tests.conftest import make_settings, seed_documents

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def service(any_store: Store) -> OrderService:
    for document in seed_documents():
        import_menu(any_store, document)
    return OrderService(any_store, make_settings(), clock=lambda: NOW)


def test_board_status_pause_and_items(service: OrderService) -> None:
    rid = str(service.store.rpc("stjarna_resolve", {"p_ref": "demo"}))
    item = service.items(rid, "hummus")[0]
    KitchenItem.model_validate(item)
    request = OrderRequest.model_validate({"restaurantId": "demo", "sessionToken": "contract-session",
                                           "items": [{"itemId": item["itemId"], "quantity": 1}],
                                           "pickupName": "Anna", "pickupPhone": "+46 70 174 06 42"})
    placed = service.place(rid, request, "contract-key-1", ordering_enabled=True, locale="en-SE").order
    head = service.store.rpc("stjarna_board_head", {"p_ref": "demo"})
    assert head == {"restaurantId": rid, "version": service.board_version(rid)} and head["version"] >= 1
    accepted = service.set_status(placed["orderId"], "accepted", "staff:contract", expected="placed",
                                  restaurant_id=rid, ready_in_minutes=15)
    assert datetime.fromisoformat(accepted["readyAt"]) == NOW + timedelta(minutes=15)
    board = Board.model_validate(service.board(rid))
    assert board.version > head["version"] and board.orders[0].pickup_phone == "+46701740642"
    assert service.pause(rid, 15, "staff:contract") == {"paused": {"until": (NOW + timedelta(minutes=15)).isoformat()}}
    with pytest.raises(OrderingPaused):
        service.quote(rid, request, ordering_enabled=True)
    service.pause(rid, None, "staff:contract", paused=False)
    sold = service.set_item(rid, item["itemId"], available=False, until_next_opening=True, actor="staff:contract")
    assert sold["available"] is False and datetime.fromisoformat(sold["unavailableUntil"]) > NOW
    assert service.store.rpc("stjarna_board_head", {"p_ref": "no-such-place"}) is None
