"""Reading a request: the JSON body as an object, one query parameter's values, the client's address."""

from __future__ import annotations

from urllib.parse import unquote_plus

import orjson
from starlette.requests import Request

from shared.errors import ValidationFailed


def json_object(body: bytes) -> dict[str, object]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ValidationFailed([{"path": "(body)", "message": "the body is not valid JSON"}]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([{"path": "(body)", "message": "the body must be a JSON object"}])
    return data


def query_values(query_string: bytes, name: bytes) -> list[str]:
    """Every value of one query parameter, decoded as Starlette's QueryParams does (percent-decoded
    UTF-8, bad bytes replaced), without parsing the whole query string on the hot path."""
    if name not in query_string:
        return []
    return [_unquote(value) for key, _, value in (part.partition(b"=") for part in query_string.split(b"&"))
            if key == name]


def _unquote(value: bytes) -> str:
    if b"%" in value or b"+" in value:
        return unquote_plus(value.decode("latin-1"), errors="replace")
    return value.decode("latin-1")


def client_ip(request: Request) -> str:
    """The peer as the platform saw it (API Gateway's sourceIp via Mangum; uvicorn's peer): never a
    client-sent X-Forwarded-For."""
    host = request.client.host if request.client else "unknown"
    return host.split("/")[0]
