"""``POST /api/chat``: the assistant (shared/chat/pipeline.py), behind tenant CORS, the server-chat
flag and the rate limits. Every answer past the CORS check (errors included) carries the CORS
headers, so the widget can read a 429 or a 503 and react; every answer past the rate limiter
carries ``X-RateLimit-*``."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.container import Container
from shared.errors import InvalidRequest, RateLimited, ServerChatDisabled, StjarnaError, ValidationFailed
from shared.http.cors import cors_headers, preflight_headers
from shared.http.public import bind_restaurant, built, fresh_menu, query_values, resolve_head
from shared.http.responses import JSONResponse, error_response
from shared.tenants.refs import parse_ref


def _json_object(body: bytes) -> dict[str, object]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ValidationFailed([{"path": "(body)", "message": "the body is not valid JSON"}]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([{"path": "(body)", "message": "the body must be a JSON object"}])
    return data


def _ref(request: Request, data: dict[str, object]) -> str:
    """The restaurant from the body, or the query string (browsers put it there for the preflight);
    both given and different is refused."""
    in_query = query_values(request.scope["query_string"], b"restaurantId")
    in_body = data.get("restaurantId")
    if len(in_query) > 1 or (in_query and isinstance(in_body, str) and parse_ref(in_body) != parse_ref(in_query[0])):
        raise InvalidRequest("restaurantId differs between the query string and the body.")
    raw = in_body if isinstance(in_body, str) else (in_query[0] if in_query else None)
    ref = parse_ref(raw)
    bind_restaurant(request, ref)
    return ref


def _client_ip(request: Request) -> str:
    """The peer as the platform saw it (API Gateway's sourceIp via Mangum; uvicorn's peer): never a
    client-sent X-Forwarded-For."""
    host = request.client.host if request.client else "unknown"
    return host.split("/")[0]


def chat_routes(container: Callable[[], Container]) -> list[Route]:
    async def chat(request: Request) -> Response:
        from shared.chat.models import ChatRequest
        from shared.flags import evaluate
        from shared.validation import validate

        c = container()
        data = _json_object(await request.body())
        ref = _ref(request, data)
        menu = await fresh_menu(request, c, ref)
        cors = cors_headers(request, menu.head)
        limits: dict[str, str] = {}
        try:
            chat_request = validate(ChatRequest, data, root="(body)")
            if not evaluate(c.settings, menu.head.id)["USE_SERVER_CHAT"].value:
                raise ServerChatDisabled()
            limiter = await built(c.ready_limiter, lambda: c.limiter)
            hit = (menu.head.id, chat_request.sessionToken, _client_ip(request))
            # in memory the check is CPU only (≈ 10 µs): a thread hop would cost ten times that
            decision = await run_in_threadpool(limiter.hit, *hit) if limiter.shared else limiter.hit(*hit)
            limits = decision.headers()
            if not decision.allowed:
                raise decision.error()
            service = await built(c.ready_chat, lambda: c.chat)
            async with limiter.in_flight(menu.head.id, chat_request.sessionToken):
                result = await run_in_threadpool(service.answer, menu, chat_request.sessionToken,
                                                 chat_request.message, probe=chat_request.is_probe)
        except StjarnaError as exc:
            extra = exc.headers() if isinstance(exc, RateLimited) else {}
            return error_response(exc, request.state.requestId, headers={**cors, **limits, **extra})
        request.scope["state"]["outcome"] = result.outcome
        body = {**result.body, "requestId": request.state.requestId}
        return JSONResponse(body, headers={**cors, **limits, "Cache-Control": "no-store"})

    async def preflight(request: Request) -> Response:
        c = container()
        head = await resolve_head(request, c, _ref(request, {}))
        return Response(status_code=204, headers=preflight_headers(request, head, "POST, OPTIONS"))

    return [
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/chat", preflight, methods=["OPTIONS"]),
    ]
