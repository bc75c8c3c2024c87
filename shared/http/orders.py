"""Pickup orders for diners (docs/orders.md): ``POST /api/orders`` (Idempotency-Key required),
``POST /api/orders/quote`` (price a cart, store nothing) and ``GET /api/orders/{code}`` (status, for
the session that placed it), behind the tenant (shared/http/tenant.py) and the order rate limits."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.container import Container
from shared.errors import RateLimited, RestaurantBusy, StjarnaError, ValidationFailed
from shared.http.inputs import query_values
from shared.http.operations import (
    BODY_RESTAURANT,
    CORS,
    IDEMPOTENCY_KEY,
    LIMITS,
    LIMITS_IF_ADMITTED,
    ORIGIN,
    REQUEST_ID,
    RESTAURANT_HEADER,
    RESTAURANT_QUERY,
    SESSION_HEADER,
    SESSION_QUERY,
    TENANT,
    ApiRoute,
    Operation,
    Reply,
    param,
    readable,
)
from shared.http.responses import JSONResponse
from shared.http.tenant import Tenant, preflight_route, tenant_endpoint
from shared.identifiers import OPAQUE_ID_PATTERN

if TYPE_CHECKING:  # importing shared.ratelimit loads `limits`: not on a handler's import path
    from shared.ratelimit import RateLimiter
    from shared.ratelimit.attempts import Attempt

SCHEMAS = "shared.http.schemas.orders"
ORDER_REQUEST = "shared.orders.requests.OrderRequest"


async def _submit(request: Request, tenant: Tenant, *, quote: bool) -> Response:
    """POST /api/orders and /api/orders/quote: one path, so a quote runs exactly the checks an order does."""
    from shared.orders.requests import OrderRequest, idempotency_key
    from shared.orders.service import Ceilings
    from shared.validation import validate

    c, head = tenant.container, tenant.head
    errors: list[dict[str, str]] = []
    order: OrderRequest | None = None
    try:
        order = validate(OrderRequest, tenant.body, root="(body)")
    except ValidationFailed as exc:
        errors += exc.errors
    # a monitoring probe ("health-check" session with the probe secret) runs every check but stores nothing
    probe = order is not None and tenant.is_probe(request, order.session_token)
    dry_run = quote or probe
    key = ""
    if not dry_run:
        try:
            key = idempotency_key(request.headers.get("idempotency-key"))
        except ValidationFailed as exc:
            errors += exc.errors
    if errors or order is None:
        raise ValidationFailed(errors)
    flags = await tenant.flags()
    order_limits = None if dry_run else (flags["ORDER_RATE_LIMIT"].value, flags["ORDER_IP_RATE_LIMIT"].value)
    limiter = await tenant.admit(request, "quote" if dry_run else "order", order.session_token, limits=order_limits)
    ordering = flags["ORDERING_ENABLED"].value
    ceilings = Ceilings(flags["ORDER_MAX_OPEN_PER_SESSION"].value, flags["ORDER_MAX_TOTAL_CENTS"].value,
                        flags["ORDER_MAX_ITEMS"].value)
    if dry_run:
        body = await run_in_threadpool(lambda: c.orders.quote(head.id, order, ordering_enabled=ordering,
                                                              ceilings=ceilings, locale=head.locale))
        request.scope["state"]["outcome"] = "quoted"
        return _answer({**body, "probe": probe}, request, 200, tenant.headers())
    taken = await _kitchen_ceiling(limiter, head.id, flags["ORDER_RESTAURANT_RATE_LIMIT"].value)
    try:
        placed = await run_in_threadpool(lambda: c.orders.place(head.id, order, key, ordering_enabled=ordering,
                                                                ceilings=ceilings, locale=head.locale))
    except StjarnaError:
        await _give_back(limiter, taken)  # refused: no order reached the kitchen
        raise
    if placed.replayed:
        await _give_back(limiter, taken)
    status_url = (f"{str(request.base_url).rstrip('/')}/api/orders/{placed.order['orderCode']}"
                  f"?restaurantId={head.id}")
    headers = tenant.headers({"Location": status_url})
    if placed.replayed:
        headers["Idempotent-Replayed"] = "true"
    request.scope["state"]["outcome"] = "replayed" if placed.replayed else "created"
    return _answer({**placed.order, "statusUrl": status_url}, request, 201, headers)


async def _kitchen_ceiling(limiter: RateLimiter, restaurant_id: str, limit: str) -> Attempt:
    """Count one order against the restaurant's ceiling (ORDER_RESTAURANT_RATE_LIMIT: every session and
    address together, a sliding window shared by the instances), or ``RestaurantBusy``."""
    from shared.ratelimit import parse_limit

    item = parse_limit(limit, "ORDER_RESTAURANT_RATE_LIMIT")
    begin = functools.partial(limiter.begin_attempt, f"order-restaurant:{restaurant_id}", item.amount,
                              item.get_expiry(), message=RestaurantBusy.default_message)
    try:
        return await run_in_threadpool(begin) if limiter.shared else begin()
    except RateLimited as exc:
        raise RestaurantBusy(retry_after=exc.retry_after, limit=exc.limit, reset_at=exc.reset_at) from None


async def _give_back(limiter: RateLimiter, attempt: Attempt) -> None:
    """An order that did not reach the kitchen (refused, or a replay) does not count against its ceiling."""
    if limiter.shared:
        await run_in_threadpool(limiter.end_attempt, attempt)
    else:
        limiter.end_attempt(attempt)


async def _place(request: Request, tenant: Tenant) -> Response:
    return await _submit(request, tenant, quote=False)


async def _quote(request: Request, tenant: Tenant) -> Response:
    return await _submit(request, tenant, quote=True)


async def _status(request: Request, tenant: Tenant) -> Response:
    token = _session_token(request)
    await tenant.admit(request, "quote", token)
    code = request.path_params["code"]
    order = await run_in_threadpool(lambda: tenant.container.orders.session_order(tenant.head.id, code, token))
    return _answer(order, request, 200, tenant.headers())


def order_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    quoted = Reply(200, f"{SCHEMAS}.Quote", ("Cache-Control", *LIMITS, *CORS), "Priced, nothing stored")
    place = Operation(
        "POST", "/api/orders", "postOrder", "Place a pickup order", "orders",
        (BODY_RESTAURANT, RESTAURANT_HEADER, IDEMPOTENCY_KEY, ORIGIN, REQUEST_ID), body=ORDER_REQUEST,
        replies=(Reply(201, f"{SCHEMAS}.PlacedOrder", ("Cache-Control", "Location", "Idempotent-Replayed?", *LIMITS,
                                                       *CORS), "Placed, or replayed for a used Idempotency-Key"),
                 Reply(200, f"{SCHEMAS}.Quote", ("Cache-Control", *LIMITS, *CORS),
                       "A monitoring probe (health-check with X-Stjarna-Probe): checked, priced, not stored")),
        errors=(*TENANT, 409, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED),
        description="docs/orders.md has the checks, in order.")
    quote = Operation("POST", "/api/orders/quote", "postQuote", "Price a cart with every check an order gets",
                      "orders", (BODY_RESTAURANT, RESTAURANT_HEADER, ORIGIN, REQUEST_ID), body=ORDER_REQUEST,
                      replies=(quoted,),
                      errors=(*TENANT, 409, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED))
    status = readable("/api/orders/{code}", "OrderStatus", "An order's status, for the session that placed "
                      "it (404 for anyone else)", "orders",
                      (param("code", "path", {"type": "string"}, "The order code (case-insensitive)"),
                       RESTAURANT_QUERY, RESTAURANT_HEADER, SESSION_QUERY, SESSION_HEADER, ORIGIN, REQUEST_ID),
                      (Reply(200, f"{SCHEMAS}.SessionOrder", ("Cache-Control", *LIMITS, *CORS)),),
                      (*TENANT, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED))
    post = "POST, OPTIONS"
    return [
        ApiRoute("/api/orders", tenant_endpoint(container, _place, ref="body"), methods=["POST"],
                 operations=[place]),
        preflight_route(container, "/api/orders", "Order", post),
        ApiRoute("/api/orders/quote", tenant_endpoint(container, _quote, ref="body"), methods=["POST"],
                 operations=[quote]),
        preflight_route(container, "/api/orders/quote", "Quote", post),
        ApiRoute("/api/orders/{code}", tenant_endpoint(container, _status), methods=["GET"], operations=status),
        preflight_route(container, "/api/orders/{code}", "OrderStatus", "GET, OPTIONS",
                        (param("code", "path", {"type": "string"}, "The order code"),)),
    ]


def _session_token(request: Request) -> str:
    """From ``sessionToken`` in the query or the ``X-Session-Token`` header (which keeps it out of URLs)."""
    values = query_values(request.scope["query_string"], b"sessionToken")
    token = values[0] if len(values) == 1 else request.headers.get("x-session-token")
    if token is None or len(values) > 1 or not re.fullmatch(OPAQUE_ID_PATTERN, token):
        raise ValidationFailed([{"path": "sessionToken",
                                 "message": "required once: 8-128 characters of A-Z, a-z, 0-9, '_' and '-'"}])
    return token


def _answer(body: dict[str, Any], request: Request, status: int, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse({**body, "requestId": request.state.requestId}, status_code=status,
                        headers={**headers, "Cache-Control": caching.NO_STORE})
