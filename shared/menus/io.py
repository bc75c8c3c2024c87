"""Menu import and export: validate in Python, write in one SQL function call (all or nothing)."""

from __future__ import annotations

from typing import Any

from shared.errors import RestaurantNotFound
from shared.menus.document import parse_document
from shared.store import Store


def import_menu(store: Store, data: Any) -> dict[str, Any]:
    """Create or update the document's restaurant and replace its menu. Raises ``ValidationFailed``
    (naming each bad field's path) before anything is written."""
    document = parse_document(data)
    result: dict[str, Any] = store.rpc("stjarna_import_menu", {"p_doc": document.to_store()})
    return result


def export_menu(store: Store, ref: str) -> dict[str, Any]:
    """The restaurant (any status) and its whole menu, in the import format."""
    document: dict[str, Any] | None = store.rpc("stjarna_export_menu", {"p_ref": ref})
    if document is None:
        raise RestaurantNotFound(f"No restaurant {ref!r}.")
    # Through the model: the documented field order, and proof that an export imports again.
    return parse_document(document).to_store()
