"""``GET /api/public/pickup-slots``: the times a diner can order for (docs/orders.md, "Pickup slots"),
behind the tenant like the menu (the restaurant resolved, CORS checked, BLOCKED_CLIENTS; no per-session
limit: a short public cache lets the CDN take repeats), with its preflight. Served by the orders group."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared.caching import public_cache
from shared.container import Container
from shared.http.operations import (
    CORS,
    ORIGIN,
    REQUEST_ID,
    RESTAURANT_HEADER,
    RESTAURANT_QUERY,
    TENANT,
    ApiRoute,
    Reply,
    readable,
)
from shared.http.responses import JSONResponse
from shared.http.tenant import Tenant, preflight_route, tenant_endpoint

PATH = "/api/public/pickup-slots"
SCHEMAS = "shared.http.schemas.slots"
CDN_SECONDS = 10  # a CDN may answer repeats this long; browsers ask again every time


async def _slots(request: Request, tenant: Tenant) -> Response:
    from shared.orders.slots import pickup_slots

    c = tenant.container
    orders = await c.built(Container.orders)  # its clock is the orders' "now" (tests freeze it)
    now = orders.clock()
    found = await run_in_threadpool(pickup_slots, orders.store, c.settings, tenant.head.id, now)
    paused = bool(tenant.head.ordering_pause(now)["paused"])
    return JSONResponse(found.to_json(paused=paused), headers=tenant.headers(
        {"Cache-Control": public_cache(0, CDN_SECONDS), "Vary": "Origin"}))


def slot_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    """``container()`` gives the process's Container (built lazily, once)."""
    doc = readable(PATH, "PickupSlots", "The next pickup slots of a live restaurant (ordering for later)",
                   "orders", (RESTAURANT_QUERY, RESTAURANT_HEADER, ORIGIN, REQUEST_ID),
                   (Reply(200, f"{SCHEMAS}.PickupSlots", ("Cache-Control", "Vary", *CORS)),),
                   TENANT, error_headers=CORS,
                   description="docs/orders.md, \"Pickup slots\", has the grid, the bounds and the capacity.")
    return [
        ApiRoute(PATH, tenant_endpoint(container, _slots), methods=["GET", "HEAD"], operations=doc),
        preflight_route(container, PATH, "PickupSlots", "GET, HEAD, OPTIONS"),
    ]
