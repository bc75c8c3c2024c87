"""JSON responses and the one renderer of the error body."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from shared.errors import StjarnaError
from shared.observability.sentry import FAILED_STATUS_CODES, capture_exception

MAX_IF_NONE_MATCH = 2048


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_body(error: StjarnaError, request_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message, "requestId": request_id}
    if error.details:
        body.update(error.details)
    return {"error": body}


def error_response(error: StjarnaError, request_id: str | None,
                   headers: dict[str, str] | None = None, *, report: bool = True) -> JSONResponse:
    """The one way an error reaches a client; a 500 is also reported to Sentry (when it is on),
    wherever it was caught (``report=False``: the caller reported the original exception)."""
    if report and error.status in FAILED_STATUS_CODES:
        capture_exception(error)
    return JSONResponse(error_body(error, request_id), status_code=error.status, headers=headers)


def etag_matches(request: Request, etag: str) -> bool:
    """RFC 9110 If-None-Match (weak comparison); garbage or over-long values never match."""
    values = request.headers.getlist("if-none-match")
    if not values:
        return False
    joined = ",".join(values)
    if len(joined) > MAX_IF_NONE_MATCH:
        return False
    for candidate in joined.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False
