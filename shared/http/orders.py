"""Pickup orders for diners (docs/orders.md): ``POST /api/orders`` (Idempotency-Key required),
``POST /api/orders/quote`` (price a cart, store nothing) and ``GET /api/orders/{code}`` (status, for
the session that placed it). Tenant CORS and the order rate limits apply as for chat: every answer past
the CORS check carries the CORS headers, errors included."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.container import Container
from shared.errors import StjarnaError, ValidationFailed
from shared.http.cors import cors_headers
from shared.http.inputs import body_ref, client_ip, json_object
from shared.http.limits import admit
from shared.http.public import flags_for, preflight, query_values, resolve_head, restaurant_ref
from shared.http.responses import JSONResponse, error_response
from shared.orders.models import OPAQUE_ID_PATTERN


async def _submit(container: Callable[[], Container], request: Request, *, quote: bool) -> Response:
    """POST /api/orders and /api/orders/quote: one path, so a quote runs exactly the checks an order does."""
    from shared.orders.models import OrderRequest, idempotency_key
    from shared.validation import validate

    c = container()
    data = json_object(await request.body())
    head = await resolve_head(request, c, body_ref(request, data))
    cors = cors_headers(request, head)
    limits: dict[str, str] = {}
    try:
        errors: list[dict[str, str]] = []
        order: OrderRequest | None = None
        try:
            order = validate(OrderRequest, data, root="(body)")
        except ValidationFailed as exc:
            errors += exc.errors
        # a monitoring probe ("health-check" session) runs every check but stores nothing
        dry_run = quote or (order is not None and order.is_probe)
        key = ""
        if not dry_run:
            try:
                key = idempotency_key(request.headers.get("idempotency-key"))
            except ValidationFailed as exc:
                errors += exc.errors
        if errors or order is None:
            raise ValidationFailed(errors)
        flags = await flags_for(c, head)
        order_limits = None if dry_run else (flags["ORDER_RATE_LIMIT"].value, flags["ORDER_IP_RATE_LIMIT"].value)
        _, limits = await admit(c, "quote" if dry_run else "order", head.id, order.sessionToken,
                                client_ip(request), limits=order_limits)
        ordering = flags["ORDERING_ENABLED"].value
        if dry_run:
            body = await run_in_threadpool(lambda: c.orders.quote(head.id, order, ordering_enabled=ordering))
            request.scope["state"]["outcome"] = "quoted"
            return _answer({**body, "probe": order.is_probe}, request, 200, {**cors, **limits})
        placed = await run_in_threadpool(lambda: c.orders.place(head.id, order, key, ordering_enabled=ordering))
    except StjarnaError as exc:
        return error_response(exc, request.state.requestId, headers={**cors, **limits, **exc.headers()})
    status_url = (f"{str(request.base_url).rstrip('/')}/api/orders/{placed.order['orderCode']}"
                  f"?restaurantId={head.id}")
    headers = {**cors, **limits, "Location": status_url}
    if placed.replayed:
        headers["Idempotent-Replayed"] = "true"
    request.scope["state"]["outcome"] = "replayed" if placed.replayed else "created"
    return _answer({**placed.order, "statusUrl": status_url}, request, 201, headers)


def order_routes(container: Callable[[], Container]) -> list[Route]:
    async def place(request: Request) -> Response:
        return await _submit(container, request, quote=False)

    async def quote(request: Request) -> Response:
        return await _submit(container, request, quote=True)

    async def status(request: Request) -> Response:
        c = container()
        head = await resolve_head(request, c, restaurant_ref(request))
        cors = cors_headers(request, head)
        limits: dict[str, str] = {}
        try:
            token = _session_token(request)
            _, limits = await admit(c, "quote", head.id, token, client_ip(request))
            code = request.path_params["code"]
            order = await run_in_threadpool(lambda: c.orders.session_order(head.id, code, token))
        except StjarnaError as exc:
            return error_response(exc, request.state.requestId, headers={**cors, **limits, **exc.headers()})
        return _answer(order, request, 200, {**cors, **limits})

    return [
        Route("/api/orders", place, methods=["POST"]),
        Route("/api/orders", preflight(container, "POST, OPTIONS"), methods=["OPTIONS"]),
        Route("/api/orders/quote", quote, methods=["POST"]),
        Route("/api/orders/quote", preflight(container, "POST, OPTIONS"), methods=["OPTIONS"]),
        Route("/api/orders/{code}", status, methods=["GET"]),
        Route("/api/orders/{code}", preflight(container, "GET, OPTIONS"), methods=["OPTIONS"]),
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
                        headers={**headers, "Cache-Control": "no-store"})
