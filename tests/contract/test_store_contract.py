"""One contract for every Store adapter (PostgresStore, SupabaseStore through the PostgREST bridge)."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any

import pytest

from shared.errors import ServiceUnavailable, StjarnaError, StoreUnavailable, ValidationFailed
from shared.menus.document import parse_document
from shared.menus.io import export_menu, import_menu
from shared.store import Store
from tests.conftest import seed_documents
from tests.contract.conftest import STORE_TIMEOUT


def demo_document() -> dict[str, Any]:
    return next(d for d in seed_documents() if d["restaurant"]["slug"] == "demo")  # type: ignore[index]


def variant(slug: str, status: str) -> dict[str, Any]:
    document = copy.deepcopy(demo_document())
    document["restaurant"].update(slug=slug, status=status)
    return document


@pytest.fixture
def seeded_store(any_store: Store) -> Store:
    for document in seed_documents():
        import_menu(any_store, document)
    return any_store


def head(store: Store, ref: str) -> dict[str, Any] | None:
    result: dict[str, Any] | None = store.rpc("stjarna_restaurant_head", {"p_ref": ref})
    return result


def public_menu(store: Store, ref: str) -> dict[str, Any]:
    found = head(store, ref)
    assert found is not None
    menu: dict[str, Any] = store.rpc("stjarna_public_menu", {"p_restaurant_id": found["id"]})
    return menu


def test_ping(any_store):
    any_store.ping()
    assert any_store.rpc("stjarna_ping", {}) == 1


def test_import_reports_what_it_wrote(any_store):
    result = import_menu(any_store, demo_document())
    assert result["slug"] == "demo" and result["created"] is True
    assert result["sections"] == 5 and result["items"] == 16
    uuid.UUID(result["restaurantId"])
    again = import_menu(any_store, demo_document())
    assert again["created"] is False and again["restaurantId"] == result["restaurantId"]


def test_restaurant_head_by_slug_and_by_uuid(seeded_store):
    by_slug = head(seeded_store, "demo")
    assert by_slug is not None
    assert by_slug["slug"] == "demo" and by_slug["name"] == "Stjärna Demo Kitchen"
    assert by_slug["currency"] == "SEK" and by_slug["timezone"] == "Europe/Stockholm"
    assert by_slug["allowedOrigins"] == ["http://localhost:8000", "http://127.0.0.1:8000", "https://*.stjarna.dev"]
    assert by_slug["themeColor"] == "#1f6f5c" and isinstance(by_slug["version"], int)
    assert head(seeded_store, by_slug["id"]) == by_slug
    assert head(seeded_store, by_slug["id"].upper()) == by_slug
    assert head(seeded_store, "DEMO") == by_slug


@pytest.mark.parametrize("status", ["draft", "suspended"])
def test_restaurant_head_is_none_unless_live(any_store, status):
    result = import_menu(any_store, variant("hidden", status))
    assert head(any_store, "hidden") is None
    assert head(any_store, result["restaurantId"]) is None
    assert any_store.rpc("stjarna_public_menu", {"p_restaurant_id": result["restaurantId"]}) is None


def test_restaurant_head_is_none_for_unknown_refs(seeded_store):
    assert head(seeded_store, "no-such-place") is None
    assert head(seeded_store, str(uuid.uuid4())) is None


def test_public_menu_shape(any_store):
    document = demo_document()
    document["sections"][0]["items"][1]["available"] = False  # skagen-toast
    import_menu(any_store, document)
    menu = public_menu(any_store, "demo")
    assert set(menu) == {"restaurant", "version", "sections"}
    assert menu["restaurant"]["slug"] == "demo" and menu["restaurant"]["hours"]["sun"] == [["00:00", "24:00"]]
    assert set(menu["restaurant"]) == {"id", "slug", "name", "currency", "locale", "timezone", "hours",
                                       "address", "phone", "website"}
    assert [s["name"] for s in menu["sections"]] == ["Starters", "Mains", "Desserts", "Drinks"]  # not "Seasonal"
    starters = [i["name"] for i in menu["sections"][0]["items"]]
    assert starters == ["Roasted tomato soup", "Hummus with crudités", "Burrata and peaches"]
    soup = menu["sections"][0]["items"][0]
    assert set(soup) == {"id", "name", "description", "priceCents", "allergens", "allergensDeclared", "tags"}
    assert soup["priceCents"] == 8900 and type(soup["priceCents"]) is int
    assert soup["allergens"] == ["gluten", "celery"] and soup["allergensDeclared"] is True
    special = next(i for s in menu["sections"] for i in s["items"] if i["name"] == "Chef's daily special")
    assert special["allergens"] == [] and special["allergensDeclared"] is False
    assert menu["version"] == head(any_store, "demo")["version"]  # type: ignore[index]


def test_public_menu_carries_the_contact_fields_null_when_unset(seeded_store):
    demo = public_menu(seeded_store, "demo")["restaurant"]
    assert (demo["address"], demo["phone"], demo["website"]) == (
        "Exempelgatan 12\n111 22 Stockholm", "+46701740642", "https://demo.stjarna.dev")
    night = public_menu(seeded_store, "nattbaren")["restaurant"]
    assert {k: night[k] for k in ("address", "phone", "website")} == {"address": None, "phone": None,
                                                                       "website": None}  # present, null


def test_a_contact_change_is_a_new_menu_version(seeded_store):
    before = public_menu(seeded_store, "demo")
    document = demo_document()
    document["restaurant"]["phone"] = "+46 70 174 06 99"
    import_menu(seeded_store, document)
    after = public_menu(seeded_store, "demo")
    assert after["restaurant"]["phone"] == "+46701740699" and after["version"] > before["version"]


def test_section_without_available_items_is_not_published(any_store):
    document = demo_document()
    for item in document["sections"][3]["items"]:  # drinks
        item["available"] = False
    import_menu(any_store, document)
    assert [s["name"] for s in public_menu(any_store, "demo")["sections"]] == ["Starters", "Mains", "Desserts"]


def test_menu_version_bumps_on_change_and_not_on_identical_reimport(any_store):
    first = import_menu(any_store, demo_document())["version"]
    assert import_menu(any_store, demo_document())["version"] == first
    assert head(any_store, "demo")["version"] == first  # type: ignore[index]
    changed = demo_document()
    changed["sections"][1]["items"][0]["priceCents"] = 19900
    second = import_menu(any_store, changed)["version"]
    assert second > first
    assert public_menu(any_store, "demo")["version"] == second
    assert public_menu(any_store, "demo")["sections"][1]["items"][0]["priceCents"] == 19900


def test_export_import_round_trip(seeded_store):
    for document in seed_documents():
        slug = document["restaurant"]["slug"]  # type: ignore[index]
        exported = export_menu(seeded_store, slug)
        assert exported == parse_document(document).to_store()
        version = head(seeded_store, slug)["version"]  # type: ignore[index]
        assert import_menu(seeded_store, exported)["version"] == version


def test_export_of_a_draft_restaurant(any_store):
    import_menu(any_store, variant("hidden", "draft"))
    assert export_menu(any_store, "hidden")["restaurant"]["status"] == "draft"


def test_constraint_violation_is_validation_failed_and_writes_nothing(any_store):
    document = parse_document(variant("broken", "live")).to_store()
    document["sections"][1]["items"][2]["priceCents"] = -1  # past the Python validation: the CHECK says no
    with pytest.raises(ValidationFailed):
        any_store.rpc("stjarna_import_menu", {"p_doc": document})
    assert any_store.rpc("stjarna_export_menu", {"p_ref": "broken"}) is None


def test_data_exception_is_validation_failed(any_store):
    with pytest.raises(ValidationFailed):
        any_store.rpc("stjarna_public_menu", {"p_restaurant_id": "not-a-uuid"})


def test_unknown_function_is_an_internal_error(any_store):
    with pytest.raises(StjarnaError) as info:
        any_store.rpc("stjarna_no_such_function", {"p_ref": "demo"})
    assert not isinstance(info.value, ServiceUnavailable | ValidationFailed)


def test_unreachable_backend_is_store_unavailable_quickly(dead_store):
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        dead_store.ping()
    with pytest.raises(StoreUnavailable):
        dead_store.rpc("stjarna_restaurant_head", {"p_ref": "demo"})
    assert time.monotonic() - started < STORE_TIMEOUT
