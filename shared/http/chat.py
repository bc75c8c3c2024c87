"""``POST /api/chat``: the assistant (shared/chat/pipeline.py), behind the tenant (shared/http/tenant.py:
CORS on every answer past its check), the server-chat flag and the rate limits."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.container import Container
from shared.errors import ServerChatDisabled
from shared.http.operations import (
    BODY_RESTAURANT,
    CORS,
    LIMITS,
    LIMITS_IF_ADMITTED,
    ORIGIN,
    REQUEST_ID,
    RESTAURANT_HEADER,
    TENANT,
    ApiRoute,
    Operation,
    Reply,
)
from shared.http.responses import JSONResponse
from shared.http.tenant import Tenant, preflight_route, tenant_endpoint


def chat_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    async def chat(request: Request, tenant: Tenant) -> Response:
        from shared.chat.requests import ChatRequest
        from shared.validation import validate

        c, menu = tenant.container, tenant.menu
        chat_request = validate(ChatRequest, tenant.body, root="(body)")
        flags = await tenant.flags()
        if not flags["USE_SERVER_CHAT"].value:
            raise ServerChatDisabled()
        limiter = await tenant.admit(request, "chat", chat_request.session_token,
                                     limits=(flags["CHAT_RATE_LIMIT"].value, flags["CHAT_IP_RATE_LIMIT"].value))
        service = await c.built(Container.chat)
        async with limiter.in_flight(menu.head.id, chat_request.session_token, probe=tenant.probe):
            result = await run_in_threadpool(service.answer, menu, chat_request.session_token,
                                             chat_request.message, probe=tenant.probe,
                                             forget=chat_request.forget, degraded=flags["AI_DEGRADED_MODE"].value)
        request.scope["state"]["outcome"] = result.outcome
        body = {**result.body, "requestId": request.state.requestId}
        return JSONResponse(body, headers=tenant.headers({"Cache-Control": caching.NO_STORE}))

    doc = Operation("POST", "/api/chat", "postChat", "Ask the assistant", "chat",
                    (BODY_RESTAURANT, RESTAURANT_HEADER, ORIGIN, REQUEST_ID), body="shared.chat.requests.ChatRequest",
                    replies=(Reply(200, "shared.http.schemas.chat.ChatAnswer", ("Cache-Control", *LIMITS, *CORS)),),
                    errors=(*TENANT, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED))
    return [
        ApiRoute("/api/chat", tenant_endpoint(container, chat, ref="body", menu=True), methods=["POST"],
                 operations=[doc]),
        preflight_route(container, "/api/chat", "Chat", "POST, OPTIONS"),
    ]
