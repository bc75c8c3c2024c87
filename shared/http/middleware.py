"""The outermost layer of every request (pure ASGI, cheap on the hot path).

- ``X-Request-ID``: echoed when the client sent a sane one, else generated; on every response;
- every error answer (4xx, 5xx) on a public route (``/api/public/…``, ``/api/chat``, ``/api/orders…``,
  ``/widget…``) carries ``Cache-Control: no-store`` and ``Vary: Origin``, whoever produced it, so a CDN
  never stores one origin's 403 (or a restaurant's 404) and serves it to another;
- a client on the global ``BLOCKED_CLIENTS`` list: 403 ``CLIENT_BLOCKED`` before anything else;
- refuses over-long query strings (414) and bodies over ``max_body_bytes`` (413) before reading them;
- one JSON access log line per request: requestId, restaurantId, method, path, status, latencyMs, cache;
- the catch-all: an unexpected exception is logged with its traceback, reported to Sentry (when
  ``SENTRY_DSN`` is set) and answered with 500 ``INTERNAL`` in the JSON error shape, never a stack trace.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import InvalidRequest, PayloadTooLarge, StjarnaError, UriTooLong
from shared.http.operations import PUBLIC_PREFIXES
from shared.http.responses import error_response
from shared.observability.logs import bind_tenant, log_access, request_id_var
from shared.observability.sentry import capture_exception

_errors = logging.getLogger("stjarna.errors")
_SANE_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
MAX_QUERY_BYTES = 4096


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: Callable[[], int],
                 route_paths: dict[Any, str] | None = None,
                 screen: Callable[[Scope], Awaitable[None]] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.route_paths = route_paths or {}  # endpoint -> path template, for the access log
        self.screen = screen  # raises ClientBlocked for a client on BLOCKED_CLIENTS (shared/http/blocking.py)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["requestId"] = request_id
        id_token = request_id_var.set(request_id)
        rid_header = (b"x-request-id", request_id.encode())
        status = 500
        response_started = False
        is_head = scope["method"] == "HEAD"
        public = scope["path"].startswith(PUBLIC_PREFIXES)

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = [*message.get("headers", ()), rid_header]
                message["headers"] = _uncacheable(headers) if public and status >= 400 else headers
            elif is_head and message.get("body"):
                # Starlette leaves dropping a HEAD body to the server; uvicorn does, Mangum does not.
                message = {**message, "body": b""}
            await send(message)

        try:
            if self.screen is not None:  # before any other work: a blocked client gets 403 CLIENT_BLOCKED
                await self.screen(scope)
            if len(scope["query_string"]) > MAX_QUERY_BYTES:
                raise UriTooLong()
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body_bytes():
                raise PayloadTooLarge(f"The request body is larger than {self.max_body_bytes()} bytes.")
            await self.app(scope, _limited(receive, self.max_body_bytes), send_with_id)
        except StjarnaError as exc:  # raised before routing (limits above) or from a body read
            if not response_started:
                await error_response(exc, request_id)(scope, receive, send_with_id)
        except Exception as exc:  # noqa: BLE001 - the catch-all: log it, report it, answer INTERNAL
            _errors.exception("unhandled error", extra={"path": scope.get("path")})
            capture_exception(exc)  # the original error, so Sentry groups bugs by what went wrong
            if not response_started:
                await error_response(StjarnaError(), request_id, report=False)(scope, receive, send_with_id)
        finally:
            log_access({
                "restaurantId": state.get("restaurantId"), "restaurantSlug": state.get("restaurantSlug"),
                "method": scope["method"],
                "route": self.route_paths.get(scope.get("endpoint")), "path": scope["path"], "status": status,
                "latencyMs": round((time.perf_counter() - started) * 1000, 3), "cache": state.get("cache"),
                "outcome": state.get("outcome"),
            })
            request_id_var.reset(id_token)
            bind_tenant(None, None)


_NO_STORE = (b"cache-control", b"no-store")


def _uncacheable(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Cache-Control: no-store`` (replacing any other) and ``Origin`` in ``Vary``."""
    out = [(n, v) for n, v in headers if n.lower() not in (b"cache-control", b"vary")]
    varies = [v.strip() for n, v in headers if n.lower() == b"vary" for v in v.split(b",") if v.strip()]
    if not any(v.lower() in (b"origin", b"*") for v in varies):
        varies.append(b"Origin")
    return [*out, _NO_STORE, (b"vary", b", ".join(varies))]


# Request ids: unique, not secret. A random per-process prefix and a counter: no syscall per request.
_ID_PREFIX = secrets.token_hex(6)
_id_counter = itertools.count()


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            if _SANE_ID.fullmatch(value):
                return str(value.decode())
            break
    return f"{_ID_PREFIX}{next(_id_counter) & 0xFFFFFFFFFFFF:012x}"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                raise InvalidRequest("Content-Length is not a number.") from None
    return None


def _limited(receive: Receive, limit_of: Callable[[], int]) -> Receive:
    """Count body bytes as they are read; the limit (a setting) is only looked up for a body."""
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request" and message.get("body"):
            seen += len(message["body"])
            limit = limit_of()
            if seen > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        return message

    return receive_limited
