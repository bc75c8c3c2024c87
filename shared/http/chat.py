"""``POST /api/chat``: the assistant (shared/chat/pipeline.py), behind tenant CORS, the server-chat
flag and the rate limits. Every answer past the CORS check (errors included) carries the CORS
headers, so the widget can read a 429 or a 503 and react; every answer past the rate limiter
carries ``X-RateLimit-*``."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.container import Container
from shared.errors import ServerChatDisabled, StjarnaError
from shared.http.cors import cors_headers
from shared.http.inputs import body_ref, client_ip, json_object
from shared.http.limits import admit
from shared.http.public import built, flags_for, fresh_menu, preflight
from shared.http.responses import JSONResponse, error_response


def chat_routes(container: Callable[[], Container]) -> list[Route]:
    async def chat(request: Request) -> Response:
        from shared.chat.models import ChatRequest
        from shared.validation import validate

        c = container()
        data = json_object(await request.body())
        ref = body_ref(request, data)
        menu = await fresh_menu(request, c, ref)
        cors = cors_headers(request, menu.head)
        limits: dict[str, str] = {}
        try:
            chat_request = validate(ChatRequest, data, root="(body)")
            flags = await flags_for(c, menu.head)
            if not flags["USE_SERVER_CHAT"].value:
                raise ServerChatDisabled()
            limiter, limits = await admit(c, "chat", menu.head.id, chat_request.sessionToken, client_ip(request),
                                          limits=(flags["CHAT_RATE_LIMIT"].value, flags["CHAT_IP_RATE_LIMIT"].value))
            service = await built(c.ready_chat, lambda: c.chat)
            async with limiter.in_flight(menu.head.id, chat_request.sessionToken):
                result = await run_in_threadpool(service.answer, menu, chat_request.sessionToken,
                                                 chat_request.message, probe=chat_request.is_probe,
                                                 forget=chat_request.forget)
        except StjarnaError as exc:
            return error_response(exc, request.state.requestId, headers={**cors, **limits, **exc.headers()})
        request.scope["state"]["outcome"] = result.outcome
        body = {**result.body, "requestId": request.state.requestId}
        return JSONResponse(body, headers={**cors, **limits, "Cache-Control": "no-store"})

    return [
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/chat", preflight(container, "POST, OPTIONS"), methods=["OPTIONS"]),
    ]
