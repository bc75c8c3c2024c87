"""Menu import/export through the real SQL functions: validation paths, atomicity, round trips."""

from __future__ import annotations

import copy

import orjson
import pytest

from shared.errors import ValidationFailed
from shared.menus.document import json_schema, parse_document
from shared.menus.io import export_menu, import_menu
from shared.paths import REPO_ROOT
from tests.conftest import seed_documents


def demo() -> dict:
    return copy.deepcopy(seed_documents()[0])


def counts(store):
    conn = store._connection()
    return conn.execute("select (select count(*) from restaurants), (select count(*) from menu_sections), "
                        "(select count(*) from menu_items), (select coalesce(sum(menu_version), 0) "
                        "from restaurants)").fetchone()


def test_import_creates_then_updates(store):
    first = import_menu(store, demo())
    assert first["created"] is True and first["slug"] == "demo"
    assert first["sections"] == 5 and first["items"] == 16
    doc = demo()
    doc["sections"][0]["items"][0]["priceCents"] = 9100
    second = import_menu(store, doc)
    assert second["created"] is False
    assert second["restaurantId"] == first["restaurantId"]
    assert second["version"] > first["version"]


def test_identical_reimport_keeps_version_and_item_ids(store):
    first = import_menu(store, demo())
    ids = store._connection().execute("select key, id from menu_items order by key").fetchall()
    again = import_menu(store, demo())
    assert again["version"] == first["version"]
    assert store._connection().execute("select key, id from menu_items order by key").fetchall() == ids


def test_import_replaces_the_menu(store):
    import_menu(store, demo())
    doc = demo()
    doc["sections"] = doc["sections"][:1]
    doc["sections"][0]["items"] = doc["sections"][0]["items"][:2]
    result = import_menu(store, doc)
    assert (result["sections"], result["items"]) == (1, 2)
    assert counts(store)[1:3] == (1, 2)


def test_export_round_trips(seeded):
    exported = export_menu(seeded, "demo")
    original = demo()
    original.pop("$schema")
    assert exported["restaurant"] == original["restaurant"]
    assert [s["key"] for s in exported["sections"]] == [s["key"] for s in original["sections"]]
    assert exported["sections"][4]["active"] is False  # inactive sections are exported
    version = seeded.rpc("stjarna_restaurant_head", {"p_ref": "demo"})["version"]
    import_menu(seeded, exported)
    assert seeded.rpc("stjarna_restaurant_head", {"p_ref": "demo"})["version"] == version


@pytest.mark.parametrize(("mutate", "path", "fragment"), [
    (lambda d: d["restaurant"].update(slug="Not OK"), "restaurant.slug", "pattern"),
    (lambda d: d["restaurant"].update(currency="kr"), "restaurant.currency", "pattern"),
    (lambda d: d["restaurant"].update(timezone="Europe/Atlantis"), "restaurant.timezone", "unknown IANA"),
    (lambda d: d["restaurant"]["hours"].update(mon=[["25:00", "26:00"]]), "restaurant.hours", "HH:MM"),
    (lambda d: d["restaurant"]["hours"].update(mon=[["10:00", "14:00"], ["13:00", "15:00"]]),
     "restaurant.hours", "overlap"),
    (lambda d: d["restaurant"]["hours"].update(funday=[]), "restaurant.hours.funday", ""),
    (lambda d: d["restaurant"].update(allowedOrigins=["https://ok.example", "https://bad.example/path"]),
     "restaurant.allowedOrigins", "not an origin"),
    (lambda d: d["restaurant"].update(allowedOrigins=["https://*.com"]), "restaurant.allowedOrigins", ""),
    (lambda d: d["restaurant"].update(status="open"), "restaurant.status", ""),
    (lambda d: d["restaurant"].update(phone="070-174 06"), "restaurant.phone", "not a valid phone number in SE"),
    (lambda d: d["restaurant"].update(phone="+46 70 174 06 42 ext 3"), "restaurant.phone", "extension"),
    (lambda d: d["restaurant"].update(address="Exempelgatan 12\u202e"), "restaurant.address", "U+202E"),
    (lambda d: d["restaurant"].update(address="x" * 201), "restaurant.address", "at most 200"),
    (lambda d: d["restaurant"].update(website="demo.stjarna.dev"), "restaurant.website", "https:// or http://"),
    (lambda d: d["restaurant"].update(website="javascript:alert(1)"), "restaurant.website", "https://"),
    (lambda d: d["sections"][1]["items"][2].update(priceCents=-5), "sections[1].items[2].priceCents", ""),
    (lambda d: d["sections"][1]["items"][2].update(priceCents=12.5), "sections[1].items[2].priceCents", ""),
    (lambda d: d["sections"][0]["items"][1].update(allergens=["shellfish"]), "sections[0].items[1].allergens",
     "unknown allergen"),
    (lambda d: d["sections"][0]["items"][1].update(tags=["vegn"]), "sections[0].items[1].tags", "unknown tag"),
    (lambda d: d["sections"][0]["items"][1].update(allergensDeclared=False), "sections[0].items[1]",
     "allergensDeclared"),
    (lambda d: d["sections"][0]["items"][1].update(tags=["vegan"]), "sections[0].items[1]", "vegan"),
    (lambda d: d["sections"][0]["items"][1].update(colour="red"), "sections[0].items[1].colour", "Extra"),
    (lambda d: d["sections"][2]["items"].append({"key": "sorbet", "name": "Dup", "priceCents": 1}),
     "(document)", "key 'sorbet' is used by"),
    (lambda d: d.update(formatVersion=2), "formatVersion", ""),
    (lambda d: d.pop("restaurant"), "restaurant", "required"),
])
def test_invalid_documents_name_the_field_and_change_nothing(seeded, mutate, path, fragment):
    before = counts(seeded)
    doc = demo()
    doc["restaurant"]["name"] = "Renamed"  # would be visible if anything were written
    mutate(doc)
    with pytest.raises(ValidationFailed) as info:
        import_menu(seeded, doc)
    paths = [e["path"] for e in info.value.errors]
    assert path in paths, info.value.errors
    assert fragment in " ".join(e["message"] for e in info.value.errors)
    assert counts(seeded) == before
    assert seeded.rpc("stjarna_restaurant_head", {"p_ref": "demo"})["name"] == "Stjärna Demo Kitchen"


def test_database_refusal_mid_import_rolls_everything_back(seeded):
    """Even past validation, one SQL call is one transaction: nothing of a failed import stays."""
    before = counts(seeded)
    doc = demo()
    doc["restaurant"]["name"] = "Half written"
    payload = parse_document(doc).to_store()
    payload["sections"][3]["items"][0]["priceCents"] = 99_999_999  # a late section: after many writes
    with pytest.raises(ValidationFailed):
        seeded.rpc("stjarna_import_menu", {"p_doc": payload})
    assert counts(seeded) == before
    assert seeded.rpc("stjarna_restaurant_head", {"p_ref": "demo"})["name"] == "Stjärna Demo Kitchen"


def test_contact_fields_are_stored_normalised_exported_and_cleared(seeded):
    doc = demo()
    doc["restaurant"].update(address=" Exempelgatan 12 \n\n111 22  Stockholm", phone="070-174 06 42",
                             website="HTTPS://Demo.Stjarna.dev/meny")  # national number: en-SE -> Sweden
    version = import_menu(seeded, doc)["version"]
    exported = export_menu(seeded, "demo")["restaurant"]
    assert (exported["address"], exported["phone"], exported["website"]) == (
        "Exempelgatan 12\n111 22 Stockholm", "+46701740642", "https://demo.stjarna.dev/meny")
    assert import_menu(seeded, export_menu(seeded, "demo"))["version"] == version  # the export imports as is
    for field in ("address", "phone", "website"):
        doc["restaurant"].pop(field)
    cleared = import_menu(seeded, doc)["version"]
    assert cleared > version  # the public payload changes, so the version (and the ETag) must
    restaurant = export_menu(seeded, "demo")["restaurant"]
    assert (restaurant["address"], restaurant["phone"], restaurant["website"]) == (None, None, None)
    assert export_menu(seeded, "nattbaren")["restaurant"]["phone"] is None


@pytest.mark.parametrize(("column", "value"), [
    ("phone", "070-174 06 42"), ("phone", "+0701740642"), ("website", "javascript:alert(1)"),
    ("website", "https://" + "a" * 300), ("address", ""), ("address", "x" * 201),
])
def test_the_database_holds_the_stored_form_too(seeded, column, value):
    """Past the Python validation (another client, a hand-written call), the table's checks refuse what the
    document model would never store; nothing is written."""
    before = counts(seeded)
    payload = parse_document(demo()).to_store()
    payload["restaurant"][column] = value
    with pytest.raises(ValidationFailed):
        seeded.rpc("stjarna_import_menu", {"p_doc": payload})
    assert counts(seeded) == before


def test_schema_file_in_docs_is_generated_from_the_model():
    on_disk = orjson.loads((REPO_ROOT / "docs" / "menu-format.schema.json").read_bytes())
    assert on_disk == json_schema(), "run: .venv/bin/stjarna menu schema > docs/menu-format.schema.json"


def test_seed_documents_validate_against_the_json_schema():
    import jsonschema

    schema = json_schema()
    for document in seed_documents():
        jsonschema.validate(document, schema)
