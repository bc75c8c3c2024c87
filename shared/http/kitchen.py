"""The kitchen's routes (docs/console.md): the order board (ETag on the restaurant's orders version, so an
idle poll is one small read and a 304), status changes with the promised ready time and the cancellation
reason, pausing ordering, and sold-out items. Handlers take the admin identity (a platform key, or a key
or console session scoped to one restaurant); ``kitchen_routes(guarded)`` is mounted by
shared/http/admin.py under ``/api/admin`` (and the console's ``/console/api``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.admin.keys import AdminIdentity, Role
from shared.container import Container
from shared.errors import RestaurantNotFound, ValidationFailed
from shared.http.inputs import json_object, query_values
from shared.http.operations import (
    ADMIN,
    ADMIN_OPERATION,
    IF_NONE_MATCH,
    NO_STORE,
    REF_SCHEMA,
    REQUEST_ID,
    ApiRoute,
    Operation,
    Reply,
    param,
    readable,
)
from shared.http.responses import JSONResponse, etag_matches
from shared.tenants.lookup import restaurant_id
from shared.tenants.refs import parse_ref

Handler = Callable[[Request, Container, AdminIdentity], Awaitable[Response]]
Guard = Callable[[Handler], Callable[[Request], Awaitable[Response]]]
ORDERS = "shared.http.schemas.orders"
REQUESTS = "shared.orders.requests"
PREFIX = "/api/admin/restaurants/{ref}"
MAX_QUERY = 80


def _json(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, headers={**(headers or {}), "Cache-Control": caching.NO_STORE})


def resolve(c: Container, identity: AdminIdentity, ref: str, *roles: Role) -> str:
    """The restaurant ``ref`` names, if ``identity`` may act on it with one of ``roles``. A scoped key
    gets one answer for a restaurant that does not exist and for another restaurant's (no enumeration)."""
    try:
        rid = restaurant_id(c.store, ref)
    except RestaurantNotFound:
        if identity.role != "platform":
            raise RestaurantNotFound() from None
        raise
    identity.scope(rid, *roles)
    return rid


def board_etag(version: int) -> str:
    return f'"board-{version}"'


async def board(request: Request, c: Container, identity: AdminIdentity) -> Response:
    """The board; with ``If-None-Match`` equal to its ETag, 304 after one small read (the version)."""
    ref = parse_ref(request.path_params["ref"])
    head = await run_in_threadpool(c.store.rpc, "stjarna_board_head", {"p_ref": ref})
    if head is None:
        raise RestaurantNotFound() if identity.role != "platform" else RestaurantNotFound(f"No restaurant {ref!r}.")
    rid = str(head["restaurantId"])
    identity.scope(rid)
    etag = board_etag(int(head["version"]))
    if etag_matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": caching.NO_STORE})
    body = await run_in_threadpool(c.orders.board, rid)
    return _json(body, {"ETag": board_etag(int(body["version"]))})


async def change_order_status(request: Request, c: Container, identity: AdminIdentity) -> Response:
    """PATCH an order's status (``…/orders/{order}``, or under ``…/restaurants/{ref}``): a scoped identity
    only changes its restaurant's orders (404 for any other)."""
    from shared.orders.requests import StatusChange
    from shared.validation import validate

    change = validate(StatusChange, json_object(await request.body()), root="(body)")
    order_id = request.path_params["order"]
    ref = request.path_params.get("ref")

    def run() -> dict[str, Any]:
        rid = resolve(c, identity, ref) if ref is not None else identity.restaurant_id
        return c.orders.set_status(order_id, change.status, identity.actor, expected=change.expected_status,
                                   restaurant_id=rid, ready_in_minutes=change.ready_in_minutes,
                                   cancel_reason=change.cancel_reason)

    return _json(await run_in_threadpool(run))


async def pause(request: Request, c: Container, identity: AdminIdentity) -> Response:
    from shared.orders.requests import PauseRequest
    from shared.validation import validate

    body = validate(PauseRequest, json_object(await request.body()), root="(body)")
    ref = request.path_params["ref"]

    def run() -> dict[str, Any]:
        return c.orders.pause(resolve(c, identity, ref, "owner"), body.minutes, identity.actor)

    return _json(await run_in_threadpool(run))


async def resume(request: Request, c: Container, identity: AdminIdentity) -> Response:
    ref = request.path_params["ref"]

    def run() -> dict[str, Any]:
        return c.orders.pause(resolve(c, identity, ref, "owner"), None, identity.actor, paused=False)

    return _json(await run_in_threadpool(run))


async def items(request: Request, c: Container, identity: AdminIdentity) -> Response:
    values = query_values(request.scope["query_string"], b"q")
    q = values[0].strip() if values else ""
    if len(values) > 1 or len(q) > MAX_QUERY:
        raise ValidationFailed([{"path": "q", "message": f"once, at most {MAX_QUERY} characters"}])
    ref = request.path_params["ref"]

    def run() -> list[dict[str, Any]]:
        return c.orders.items(resolve(c, identity, ref), q or None)

    return _json({"items": await run_in_threadpool(run)})


async def set_item(request: Request, c: Container, identity: AdminIdentity) -> Response:
    from shared.orders.requests import ItemAvailability
    from shared.validation import validate

    body = validate(ItemAvailability, json_object(await request.body()), root="(body)")
    ref, item_id = request.path_params["ref"], request.path_params["item"].lower()

    def run() -> dict[str, Any]:
        return c.orders.set_item(resolve(c, identity, ref), item_id, available=body.available,
                                 until_next_opening=body.until == "next_opening", actor=identity.actor)

    return _json(await run_in_threadpool(run))


def kitchen_routes(guarded: Guard) -> list[ApiRoute]:
    ref = param("ref", "path", REF_SCHEMA, "The restaurant's slug or id")
    order = param("order", "path", {"type": "string"}, "The order id")
    item = param("item", "path", {"type": "string"}, "The item id")
    q = param("q", "query", {"type": "string", "maxLength": MAX_QUERY}, "Only items whose name or key contains this")
    board_path, order_path = f"{PREFIX}/board", f"{PREFIX}/orders/{{order}}"
    pause_path, items_path, item_path = f"{PREFIX}/pause", f"{PREFIX}/items", f"{PREFIX}/items/{{item}}"
    patch_order = Operation(
        "PATCH", order_path, "patchKitchenOrder", "Move an order along the status machine (ready time, reason)",
        "kitchen", (ref, order, REQUEST_ID), body=f"{REQUESTS}.StatusChange",
        replies=(Reply(200, f"{ORDERS}.StaffOrder", NO_STORE),), errors=(*ADMIN, 404, 409, 422), **ADMIN_OPERATION)
    return [
        ApiRoute(board_path, guarded(board), methods=["GET"], operations=readable(
            board_path, "KitchenBoard", "The order board: open orders, today's finished ones, pause, figures",
            "kitchen", (ref, IF_NONE_MATCH, REQUEST_ID),
            (Reply(200, f"{ORDERS}.Board", ("ETag", *NO_STORE)),
             Reply(304, None, ("ETag", *NO_STORE), "Not modified (one small read)", media="")),
            (*ADMIN, 404), **ADMIN_OPERATION)),
        ApiRoute(order_path, guarded(change_order_status), methods=["PATCH"], operations=[patch_order]),
        ApiRoute(pause_path, guarded(pause), methods=["PUT"], operations=[Operation(
            "PUT", pause_path, "putKitchenPause", "Pause ordering for 15, 30 or 60 minutes, or until resumed "
            "(owner)", "kitchen", (ref, REQUEST_ID), body=f"{REQUESTS}.PauseRequest",
            replies=(Reply(200, f"{ORDERS}.PauseState", NO_STORE),), errors=(*ADMIN, 404, 422), **ADMIN_OPERATION)]),
        ApiRoute(pause_path, guarded(resume), methods=["DELETE"], operations=[Operation(
            "DELETE", pause_path, "deleteKitchenPause", "Resume ordering (owner)", "kitchen", (ref, REQUEST_ID),
            replies=(Reply(200, f"{ORDERS}.PauseState", NO_STORE),), errors=(*ADMIN, 404), **ADMIN_OPERATION)]),
        ApiRoute(items_path, guarded(items), methods=["GET"], operations=readable(
            items_path, "KitchenItems", "The menu's items with their availability now", "kitchen",
            (ref, q, REQUEST_ID), (Reply(200, f"{ORDERS}.KitchenItems", NO_STORE),), (*ADMIN, 404, 422),
            **ADMIN_OPERATION)),
        ApiRoute(item_path, guarded(set_item), methods=["PATCH"], operations=[Operation(
            "PATCH", item_path, "patchKitchenItem", "Mark an item sold out (optionally until the next opening) "
            "or available", "kitchen", (ref, item, REQUEST_ID), body=f"{REQUESTS}.ItemAvailability",
            replies=(Reply(200, f"{ORDERS}.KitchenItem", NO_STORE),), errors=(*ADMIN, 404, 422), **ADMIN_OPERATION)]),
    ]
