"""``/api/admin/…``: staff routes behind an admin key (docs/admin.md). No CORS (browsers on other
sites cannot call them); a missing or wrong key gets 401 without saying which; every change is audited
(in the SQL functions).

The lockout: each authentication is counted (atomically, in a sliding window) under the client's
address and the presented key's prefix BEFORE the key is checked, and taken back when the key is valid.
So at most ``ADMIN_AUTH_MAX_FAILURES`` wrong keys per window are ever checked for one (address, prefix),
whatever the parallelism; a full window answers 429 without checking; and failures under other
prefixes (someone guessing, sharing the staff's NAT, VPN or CDN edge) never refuse a valid key."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from pydantic import ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.admin.keys import AdminIdentity, Role, lockout_prefix
from shared.camel import CamelModel
from shared.container import Container
from shared.errors import NotFound, Unauthorized, ValidationFailed
from shared.http.inputs import client_ip, json_object, query_values
from shared.http.operations import (
    ADMIN,
    ADMIN_OPERATION,
    DEMO,
    LIMIT_500,
    NO_STORE,
    REF_SCHEMA,
    REQUEST_ID,
    RESTAURANT_QUERY,
    ApiRoute,
    Operation,
    Reply,
    param,
    readable,
)
from shared.http.responses import JSONResponse
from shared.orders.requests import STATUSES
from shared.tenants.lookup import restaurant_id
from shared.validation import validate

_log = logging.getLogger("stjarna.admin")
ORDERS, TENANTS = "shared.http.schemas.orders", "shared.http.schemas.admin"
Handler = Callable[[Request, Container, AdminIdentity], Awaitable[Response]]


async def authenticate(request: Request, c: Container) -> AdminIdentity:
    """The caller's admin key (``Authorization: Bearer``), or ``Unauthorized`` / ``RateLimited``."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return await check_key(request, c, token.strip() if scheme.lower() == "bearer" else "")


async def check_key(request: Request, c: Container, presented: str) -> AdminIdentity:
    """``presented`` (a key from the header, or the console's sign-in) checked under the lockout above."""
    from shared.ratelimit.addresses import limit_address
    from shared.ratelimit.attempts import Attempt

    settings = c.settings
    limiter = await c.built(Container.limiter)
    address = client_ip(request, settings)
    bucket = limiter.pseudonyms.digest(f"{limit_address(address)} {lockout_prefix(presented)}")

    def begin() -> Attempt:
        return limiter.begin_attempt(f"admin-auth:{bucket}", settings.admin_auth_max_failures,
                                     settings.admin_auth_window_seconds,
                                     message="Too many failed admin authentications; try again later.")

    attempt = await run_in_threadpool(begin) if limiter.shared else begin()  # memory: CPU only
    identity = await run_in_threadpool(c.admin_keys.verify, presented) if presented else None
    if identity is None:  # the attempt stays counted
        _log.warning("admin authentication failed", extra={"client": limiter.pseudonyms.address(address)})
        raise Unauthorized()
    if limiter.shared:
        await run_in_threadpool(limiter.end_attempt, attempt)
    else:
        limiter.end_attempt(attempt)
    request.scope["state"]["actor"] = identity.actor
    return identity


def admin_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    """Every admin route under ``/api/admin/…`` (the key in the header) and again under ``/console/api/…``
    (the console's session cookie, a CSRF token on writes): one handler, two ways in. A handler that
    touches a restaurant calls ``identity.scope(rid[, "owner"])``; platform-wide ones ``platform_only``."""
    from shared.http.console_session import console_identity, session_routes
    from shared.http.kitchen import change_order_status, kitchen_routes
    from shared.http.owner import owner_routes

    def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            c = container()
            identity = await authenticate(request, c)
            return await handler(request, c, identity)
        endpoint.handler = handler  # type: ignore[attr-defined]  # the console's twin calls it too
        return endpoint

    def consoled(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            c = container()
            identity = await console_identity(request, c)
            return await handler(request, c, identity)
        return endpoint

    async def list_orders(request: Request, c: Container, identity: AdminIdentity) -> Response:
        query = request.query_params
        status = query.get("status")
        if status is not None and status not in STATUSES:
            raise ValidationFailed([{"path": "status", "message": f"one of {', '.join(STATUSES)}"}])
        limit = query.get("limit", "50")
        if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= 500:  # int("²") raises
            raise ValidationFailed([{"path": "limit", "message": "an integer from 1 to 500"}])
        rid_values = query_values(request.scope["query_string"], b"restaurantId")

        def run() -> list[dict[str, Any]]:
            rid = restaurant_id(c.store, rid_values[0] if len(rid_values) == 1 else None)
            identity.scope(rid)
            return c.orders.list(rid, status, int(limit))

        return _json({"orders": await run_in_threadpool(run)})

    async def show_order(request: Request, c: Container, identity: AdminIdentity) -> Response:
        rid_values = query_values(request.scope["query_string"], b"restaurantId")

        def run() -> dict[str, Any]:
            rid = restaurant_id(c.store, rid_values[0]) if len(rid_values) == 1 else None
            if rid is not None:
                identity.scope(rid)
            # a scoped key sees only its restaurant's orders: another's is ORDER_NOT_FOUND, as a missing one
            return c.orders.staff_order(rid or identity.restaurant_id, request.path_params["order"])

        return _json(await run_in_threadpool(run))

    order_ref = param("order", "path", {"type": "string"}, "An order id, or a code with restaurantId")
    statuses = {"type": "string", "enum": list(STATUSES)}
    api = [
        ApiRoute("/api/admin/orders", guarded(list_orders), methods=["GET"], operations=readable(
            "/api/admin/orders", "AdminOrders", "A restaurant's orders, newest first", "admin",
            (param("restaurantId", "query", REF_SCHEMA, "The restaurant: UUID or slug", required=True, examples=DEMO),
             param("status", "query", statuses, "Only orders in this status"),
             param("limit", "query", LIMIT_500, "At most this many (default 50)"), REQUEST_ID),
            (Reply(200, f"{ORDERS}.OrderList", NO_STORE),), (*ADMIN, 404, 422), **ADMIN_OPERATION)),
        ApiRoute("/api/admin/orders/{order}", guarded(show_order), methods=["GET"], operations=readable(
            "/api/admin/orders/{order}", "AdminOrder", "One order with its history and actors", "admin",
            (order_ref, RESTAURANT_QUERY, REQUEST_ID), (Reply(200, f"{ORDERS}.StaffOrder", NO_STORE),),
            (*ADMIN, 404), **ADMIN_OPERATION)),
        ApiRoute("/api/admin/orders/{order}", guarded(change_order_status), methods=["PATCH"], operations=[Operation(
            "PATCH", "/api/admin/orders/{order}", "patchAdminOrder", "Move an order along the status machine",
            "admin", (param("order", "path", {"type": "string"}, "The order id"), REQUEST_ID),
            body="shared.orders.requests.StatusChange", replies=(Reply(200, f"{ORDERS}.StaffOrder", NO_STORE),),
            errors=(*ADMIN, 404, 409, 422), **ADMIN_OPERATION)]),
        *tenant_routes(guarded),
        *kitchen_routes(guarded),
        *owner_routes(guarded),
    ]
    return [*api, *session_routes(container), *(console_twin(route, consoled) for route in api)]


API_PREFIX, CONSOLE_PREFIX = "/api/admin", "/console/api"


def console_twin(route: ApiRoute, consoled: Callable[[Handler], Callable[[Request], Awaitable[Response]]]) -> ApiRoute:
    """``route`` (under /api/admin/) under /console/api/, its handler behind the console session."""
    assert route.path.startswith(API_PREFIX + "/"), route.path
    path = CONSOLE_PREFIX + route.path.removeprefix(API_PREFIX)
    operations = [replace(op, path=CONSOLE_PREFIX + op.path.removeprefix(API_PREFIX),
                          operation_id="console" + op.operation_id[0].upper() + op.operation_id[1:],
                          tag="console", console=True,
                          errors=tuple(sorted({*op.errors, 403})))
                  for op in route.operations]
    methods = sorted((route.methods or set()) - {"HEAD"})
    return ApiRoute(path, consoled(route.endpoint.handler), methods=methods,  # type: ignore[attr-defined]
                    operations=operations)


async def scoped_ref(c: Container, identity: AdminIdentity, ref: str, *roles: Role) -> str:
    """``ref`` (a slug or id, any status) for a platform key, unchanged; for a scoped key the resolved id,
    after ``identity.scope``: another restaurant is RESTAURANT_NOT_FOUND, as a missing one."""
    if identity.role == "platform":
        return ref
    rid = await run_in_threadpool(restaurant_id, c.store, ref)
    identity.scope(rid, *roles)
    return rid


def platform_only(identity: AdminIdentity) -> None:
    """A platform-wide action (create a restaurant, list every key): a scoped key gets 404, as if the
    route did not exist for it (docs/admin.md, Staff keys)."""
    if identity.role != "platform":
        raise NotFound()


def _json(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers={"Cache-Control": caching.NO_STORE})


# -- support: tenant lookup (shared/helpdesk/tenant.py; the CLI's `stjarna tenant …` and `cache purge`) ----
class TenantCreate(CamelModel):
    """``POST /api/admin/tenants``: what ``stjarna tenant create`` takes (``menu``: a menu document or
    ``{"sections": [...]}``; ``endpoint``: the API URL for the embed snippet, default this API's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str
    name: str | None = None
    allowed_origins: list[str] = []  # noqa: RUF012 - a pydantic field (pydantic copies the default)
    currency: str | None = None
    timezone: str | None = None
    locale: str | None = None
    menu: dict[str, Any] | None = None
    update: bool = False
    endpoint: str | None = None


def _flag(name: str, raw: str | None) -> bool:
    if raw is None or raw.lower() in {"", "false", "0", "no"}:
        return False
    if raw.lower() in {"true", "1", "yes"}:
        return True
    raise ValidationFailed([{"path": name, "message": "true or false"}])


def tenant_routes(guarded: Callable[[Handler], Callable[[Request], Awaitable[Response]]]) -> list[ApiRoute]:
    from shared.helpdesk import tenant as support
    from shared.helpdesk.items import question

    async def show(request: Request, c: Container, identity: AdminIdentity) -> Response:
        limit = request.query_params.get("auditLimit", "10")
        if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= 500:  # int("²") raises
            raise ValidationFailed([{"path": "auditLimit", "message": "an integer from 1 to 500"}])
        ref = await scoped_ref(c, identity, request.path_params["ref"], "owner")
        return _json(await run_in_threadpool(lambda: support.show(c, ref, audit_limit=int(limit))))

    async def items(request: Request, c: Container, identity: AdminIdentity) -> Response:
        query = request.query_params
        q = question(query.getlist("tag"), query.getlist("allergenFree"),
                     undeclared=_flag("undeclared", query.get("undeclared")), name=query.get("name"))
        ref = await scoped_ref(c, identity, request.path_params["ref"])
        return _json(await run_in_threadpool(support.items, c, ref, q))

    async def purge(request: Request, c: Container, identity: AdminIdentity) -> Response:
        ref = await scoped_ref(c, identity, request.path_params["ref"], "owner")
        return _json(await run_in_threadpool(support.purge, c, ref, identity.actor))

    async def create(request: Request, c: Container, identity: AdminIdentity) -> Response:
        from shared.helpdesk.check import endpoint

        platform_only(identity)
        body = validate(TenantCreate, json_object(await request.body()), root="(body)")
        api = endpoint(body.endpoint or str(request.base_url))
        spec = support.TenantSpec(slug=body.slug, name=body.name, origins=tuple(body.allowed_origins),
                                  currency=body.currency, timezone=body.timezone, locale=body.locale, menu=body.menu)
        result = await run_in_threadpool(lambda: support.create(c, spec, identity.actor, api=api, update=body.update))
        response = _json(result)
        response.status_code = 201 if result["created"] else 200
        return response

    tenant_ref = param("ref", "path", {"type": "string"}, "The restaurant's slug or id (any status)")
    listed = {"type": "array", "items": {"type": "string"}}
    undeclared = {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no", ""]}
    return [
        ApiRoute("/api/admin/tenants", guarded(create), methods=["POST"], operations=[Operation(
            "POST", "/api/admin/tenants", "postAdminTenant", "Create (or, with update, change) a restaurant",
            "admin", (REQUEST_ID,), body="shared.http.admin.TenantCreate",
            replies=(Reply(201, f"{TENANTS}.TenantCreated", NO_STORE, "Created"),
                     Reply(200, f"{TENANTS}.TenantCreated", NO_STORE, "Updated")),
            errors=(*ADMIN, 409, 422), **ADMIN_OPERATION)]),
        ApiRoute("/api/admin/tenants/{ref}", guarded(show), methods=["GET"], operations=readable(
            "/api/admin/tenants/{ref}", "AdminTenant", "Everything support asks about first", "admin",
            (tenant_ref, param("auditLimit", "query", LIMIT_500, "Audit rows (default 10)"), REQUEST_ID),
            (Reply(200, f"{TENANTS}.TenantSummary", NO_STORE),), (*ADMIN, 404, 422), **ADMIN_OPERATION)),
        ApiRoute("/api/admin/tenants/{ref}/items", guarded(items), methods=["GET"], operations=readable(
            "/api/admin/tenants/{ref}/items", "AdminTenantItems",
            "The restaurant's items against a question: shown, and not shown with why", "admin",
            (tenant_ref,
             param("tag", "query", listed, "Diet or attribute tags (repeat, or comma-separate)", style="form",
                   explode=True),
             param("allergenFree", "query", listed, "EU-14 allergen codes (repeat, or comma-separate)",
                   style="form", explode=True),
             param("undeclared", "query", undeclared, "Items whose allergens are not declared (not with allergenFree)"),
             param("name", "query", {"type": "string"}, "Only items whose name or key contains this"), REQUEST_ID),
            (Reply(200, f"{TENANTS}.TenantItems", NO_STORE),), (*ADMIN, 404, 422), **ADMIN_OPERATION)),
        ApiRoute("/api/admin/tenants/{ref}/cache-purge", guarded(purge), methods=["POST"], operations=[Operation(
            "POST", "/api/admin/tenants/{ref}/cache-purge", "postAdminCachePurge",
            "Force a new menu version everywhere (and a CDN invalidation when configured)", "admin",
            (tenant_ref, REQUEST_ID), replies=(Reply(200, f"{TENANTS}.CachePurge", NO_STORE),),
            errors=(*ADMIN, 404), **ADMIN_OPERATION)]),
    ]
