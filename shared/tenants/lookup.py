"""Staff-side restaurant lookup: any status (draft and suspended too), unlike the public head."""

from __future__ import annotations

from shared.errors import RestaurantNotFound
from shared.store import Store
from shared.tenants.refs import parse_ref


def restaurant_id(store: Store, raw: str | None) -> str:
    """The id of the restaurant named by its UUID or slug; ``RestaurantNotFound`` naming it."""
    ref = parse_ref(raw)
    found = store.rpc("stjarna_resolve", {"p_ref": ref})
    if found is None:
        raise RestaurantNotFound(f"No restaurant {ref!r}.")
    return str(found)
