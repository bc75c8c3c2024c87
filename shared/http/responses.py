"""JSON responses and the one renderer of the error body."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from shared.errors import StjarnaError


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
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(error, request_id), status_code=error.status, headers=headers)
