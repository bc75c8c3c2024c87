"""Reading a request: the JSON body as an object, one query parameter's values, the client's address,
whether it is an authenticated monitoring probe."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

import orjson
from starlette.requests import Request

from shared.errors import ValidationFailed
from shared.identifiers import HEALTH_CHECK_SESSION, PROBE_HEADER

if TYPE_CHECKING:
    from shared.settings import Settings

VIEWER_ADDRESS = "cloudfront-viewer-address"  # "ip:port"; IPv6 unbracketed ("2001:db8::1:443") or bracketed


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


def client_ip(request: Request, settings: Settings) -> str:
    """The client's address, worked out once per request. Behind the CDN (``CDN_ORIGIN_SECRET`` set and
    the request carrying it in ``CDN_ORIGIN_HEADER``, compared in constant time): CloudFront's
    ``CloudFront-Viewer-Address``. Otherwise, or when that header is missing or malformed, the peer as
    the platform saw it (API Gateway's sourceIp via Mangum; uvicorn's peer). Never a client-sent
    X-Forwarded-For, and never CloudFront-Viewer-Address without the secret (anyone can send it)."""
    state = request.scope.setdefault("state", {})
    found = state.get("clientIp")
    if found is None:
        found = state["clientIp"] = _viewer(request, settings) or _peer(request)
    return str(found)


def _peer(request: Request) -> str:
    host = request.client.host if request.client else "unknown"
    return host.split("/")[0]


def _viewer(request: Request, settings: Settings) -> str | None:
    secret = settings.cdn_origin_secret
    if secret is None:
        return None
    presented = request.headers.get(settings.cdn_origin_header)
    if presented is None or not hmac.compare_digest(presented.encode("latin-1"),
                                                    secret.get_secret_value().encode("utf-8")):
        return None
    values = request.headers.getlist(VIEWER_ADDRESS)
    return viewer_address(values[0]) if len(values) == 1 else None


def viewer_address(value: str) -> str | None:
    """The IP of a ``CloudFront-Viewer-Address`` value (``ip:port``), normalised; None when malformed."""
    import ipaddress  # only behind the CDN: not on a cold start's import path

    host, sep, port = value.strip().rpartition(":")
    if not sep or not (port.isascii() and port.isdigit()):
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def is_probe(request: Request, settings: Settings, session_token: str) -> bool:
    """A monitoring probe: the ``health-check`` session AND ``X-Stjarna-Probe`` equal to
    ``CHAT_PROBE_SECRET`` (constant-time). Without the secret set, or with a wrong or missing header,
    the token is an ordinary session (its limits, its context)."""
    secret = settings.chat_probe_secret
    if session_token != HEALTH_CHECK_SESSION or secret is None:
        return False
    presented = request.headers.get(PROBE_HEADER)
    return presented is not None and hmac.compare_digest(presented.encode("latin-1"),
                                                         secret.get_secret_value().encode("utf-8"))
