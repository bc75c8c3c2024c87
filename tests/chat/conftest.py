"""The demo menu as the public payload (``/api/public/menu``'s shape), built from the seed file
without a database; ``test_demo_payload_matches_the_app`` keeps the two in step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from shared import vocabulary

DEMO = Path(__file__).parents[2] / "infra" / "seed" / "demo.json"
_ITEM_FIELDS = ("name", "description", "priceCents", "allergens", "allergensDeclared", "tags")


def _item(item: dict[str, Any]) -> dict[str, Any]:
    """As the store serves it: allergens and tags in the vocabulary's order (the import normalises)."""
    out = {"id": item["key"], **{k: item.get(k) for k in _ITEM_FIELDS}}
    out["allergens"] = [a for a in vocabulary.EU14_ORDER if a in item["allergens"]]
    out["tags"] = [t for t in vocabulary.tags() if t in item["tags"]]
    return out


def demo_payload() -> dict[str, Any]:
    doc = orjson.loads(DEMO.read_bytes())
    sections = []
    for section in doc["sections"]:
        items = [_item(item) for item in section["items"] if item.get("available", True)]
        if section.get("active", True) and items:
            sections.append({"id": section["key"], "name": section["name"], "description": None, "items": items})
    restaurant = {k: doc["restaurant"][k] for k in ("slug", "name", "currency", "locale", "timezone", "hours")}
    return {"version": 1, "restaurant": restaurant, "sections": sections}


@pytest.fixture(scope="session")
def demo_menu() -> dict[str, Any]:
    return demo_payload()
