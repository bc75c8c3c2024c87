"""Reading a JSON request: the body as an object, the restaurant it names, the client's address."""

from __future__ import annotations

import orjson
from starlette.requests import Request

from shared.errors import InvalidRequest, ValidationFailed
from shared.http.public import bind_restaurant, query_values
from shared.tenants.refs import parse_ref


def json_object(body: bytes) -> dict[str, object]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ValidationFailed([{"path": "(body)", "message": "the body is not valid JSON"}]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([{"path": "(body)", "message": "the body must be a JSON object"}])
    return data


def body_ref(request: Request, data: dict[str, object]) -> str:
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


def client_ip(request: Request) -> str:
    """The peer as the platform saw it (API Gateway's sourceIp via Mangum; uvicorn's peer): never a
    client-sent X-Forwarded-For."""
    host = request.client.host if request.client else "unknown"
    return host.split("/")[0]
