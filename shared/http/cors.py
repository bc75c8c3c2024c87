"""Tenant CORS: each restaurant's allowlist decides which websites may call its public routes.

- no ``Origin`` (curl, monitors, server-to-server): allowed, no CORS headers;
- ``Origin`` equal to this API's own origin (the demo page, same-origin calls): allowed;
- an origin on the restaurant's allowlist: allowed, ``Access-Control-Allow-Origin`` echoes it;
- anything else (including ``null`` and malformed values): 403 ``ORIGIN_NOT_ALLOWED``, no CORS headers.

Preflights are answered per tenant too, so browsers must name the restaurant in the query string
(preflights carry no header values or bodies); the widget always does.
"""

from __future__ import annotations

from starlette.requests import Request

from shared.errors import OriginNotAllowed
from shared.tenants.head import RestaurantHead
from shared.tenants.origins import Origin, is_allowed, parse_origin

ALLOWED_REQUEST_HEADERS = ("content-type", "if-none-match", "x-request-id", "x-restaurant-id", "idempotency-key",
                          "x-session-token")
EXPOSED_HEADERS = ("ETag, X-Request-ID, Location, Idempotent-Replayed, Retry-After, X-RateLimit-Limit, "
                   "X-RateLimit-Remaining, X-RateLimit-Reset, X-Menu-Stale")
PREFLIGHT_MAX_AGE = "600"


def cors_headers(request: Request, head: RestaurantHead) -> dict[str, str]:
    """Headers to add for an allowed request; raises ``OriginNotAllowed`` for any other origin."""
    header = request.headers.get("origin")
    if header is None:
        return {}
    origin = parse_origin(header)
    if origin is None:
        raise OriginNotAllowed()
    if is_allowed(origin, head.origin_patterns):
        return {"Access-Control-Allow-Origin": header, "Access-Control-Expose-Headers": EXPOSED_HEADERS}
    if _same_origin(request, origin):
        return {}
    raise OriginNotAllowed()


def preflight_headers(request: Request, head: RestaurantHead, methods: str) -> dict[str, str]:
    headers = cors_headers(request, head)
    asked = request.headers.get("access-control-request-headers", "")
    granted = [h.strip() for h in asked.lower().split(",") if h.strip() in ALLOWED_REQUEST_HEADERS]
    headers.update({"Access-Control-Allow-Methods": methods, "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
                    "Vary": "Origin"})
    if granted:
        headers["Access-Control-Allow-Headers"] = ", ".join(granted)
    return headers


def _same_origin(request: Request, origin: Origin) -> bool:
    host = request.headers.get("host")
    return host is not None and parse_origin(f"{request.scope['scheme']}://{host}") == origin
