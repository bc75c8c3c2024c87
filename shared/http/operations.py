"""How a route describes itself for the OpenAPI document: ``ApiRoute`` is a Starlette ``Route`` that
carries its ``Operation`` records, declared beside the endpoint; shared/http/openapi.py assembles the
document from the routes the app serves.

Models are named by import path (``"shared.http.schemas.menu.PublicMenu"``) and imported only when the
document is built: declaring a route costs no pydantic import on a cold start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.routing import Route

from shared.identifiers import OPAQUE_ID_PATTERN, RESTAURANT_REF_PATTERN

Method = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
JS = "text/javascript; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int
    model: str | None = None  # import path of the body's model; None: no body, or ``raw``
    headers: tuple[str, ...] = ()  # names from openapi.HEADERS; a trailing ``?``: not always sent
    description: str = ""
    media: str = "application/json"
    raw: dict[str, Any] | None = None  # a body schema that is no model (the document, the widget)


@dataclass(frozen=True)
class Operation:
    method: Method
    path: str
    operation_id: str
    summary: str
    tag: str
    params: tuple[dict[str, Any], ...] = ()
    body: str | None = None  # import path of the request body's model
    replies: tuple[Reply, ...] = ()
    errors: tuple[int, ...] = ()
    error_headers: tuple[str, ...] = ()
    admin: bool = False
    description: str = ""
    console: bool = False  # under /console/api/: the console session cookie instead of the admin key


class ApiRoute(Route):
    """A route and its operations (a GET's include the HEAD Starlette adds to it)."""

    def __init__(self, path: str, endpoint: Callable[[Request], Any], *, methods: Sequence[str],
                 operations: Sequence[Operation]) -> None:
        super().__init__(path, endpoint, methods=list(methods))
        self.operations = tuple(operations)



# -- headers ------------------------------------------------------------------------------------------
CORS = ("Access-Control-Allow-Origin?", "Access-Control-Expose-Headers?")
LIMITS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
LIMITS_IF_ADMITTED = tuple(f"{name}?" for name in LIMITS)
NO_STORE = ("Cache-Control",)

# the public routes: every error answer on them carries Cache-Control: no-store and Vary: Origin (middleware)
PUBLIC_PREFIXES = ("/api/public/", "/api/chat", "/api/orders", "/widget")
PUBLIC_ERROR_HEADERS = ("Cache-Control", "Vary")

# -- error statuses -----------------------------------------------------------------------------------
# a bad Content-Length, a client on BLOCKED_CLIENTS, a body over the limit, a query over 4096 bytes, a bug
ALWAYS = (400, 403, 413, 414, 500)
TENANT = (*ALWAYS, 404, 503)  # a tenant route: the restaurant and origin checks, the database
ADMIN = (*ALWAYS, 401, 429, 503)  # 429: repeated failed authentications from one address
# every admin operation's keyword arguments: behind the key or the console session (a 401 names the
# scheme; a 429 from failed authentications)
ADMIN_OPERATION: dict[str, Any] = {"admin": True,
                                   "error_headers": ("WWW-Authenticate?", "Retry-After?", *LIMITS_IF_ADMITTED)}


# -- parameters -----------------------------------------------------------------------------------
def param(name: str, where: str, schema: dict[str, Any], description: str, *, required: bool = False,
          **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema, **extra}


REF_SCHEMA = {"type": "string", "pattern": RESTAURANT_REF_PATTERN, "maxLength": 64}
DEMO = {"demo": {"summary": "the seeded demo restaurant", "value": "demo"}}
LIMIT_500 = {"type": "string", "pattern": r"^[0-9]+$", "description": "an integer from 1 to 500"}
PARAMETERS: dict[str, dict[str, Any]] = {
    "restaurantId": param("restaurantId", "query", REF_SCHEMA, "The restaurant: UUID or slug, case-insensitive. "
                          "Browsers use this (preflights carry no header values).", examples=DEMO),
    "restaurantIdForBody": param("restaurantId", "query", REF_SCHEMA, "As in the body, for the preflight; both "
                                 "given must name the same restaurant", examples=DEMO),
    "X-Restaurant-ID": param("X-Restaurant-ID", "header", REF_SCHEMA,
                             "The restaurant, instead of restaurantId (query string or body); any two given must "
                             "name the same restaurant (else 400 RESTAURANT_ID_CONFLICT)", examples=DEMO),
    "Origin": param("Origin", "header", {"type": "string"},
                    "The calling website. None: served without CORS headers; this API's own origin or one on the "
                    "restaurant's allowlist: served; any other: 403 ORIGIN_NOT_ALLOWED."),
    "If-None-Match": param("If-None-Match", "header", {"type": "string"},
                           "An ETag from an earlier answer (W/ form and * too): 304 without a body when it matches"),
    "X-Request-ID": param("X-Request-ID", "header", {"type": "string"},
                          "Your id for the request, echoed when sane (1-128 of A-Za-z0-9._:-), else replaced"),
    "Access-Control-Request-Method": param("Access-Control-Request-Method", "header", {"type": "string"},
                                           "The method the browser wants to use"),
    "Access-Control-Request-Headers": param("Access-Control-Request-Headers", "header", {"type": "string"},
                                            "The headers it wants to send"),
    "sessionToken": param("sessionToken", "query", {"type": "string", "pattern": OPAQUE_ID_PATTERN},
                          "The session that placed the order (or X-Session-Token, which keeps it out of URLs)"),
    "X-Session-Token": param("X-Session-Token", "header", {"type": "string", "pattern": OPAQUE_ID_PATTERN},
                             "The session that placed the order"),
    "Idempotency-Key": param("Idempotency-Key", "header", {"type": "string", "pattern": OPAQUE_ID_PATTERN},
                             "One per checkout attempt, reused on every retry of it (not needed by a probe)",
                             required=True),
}


def shared(name: str) -> dict[str, Any]:
    """A reference to one of ``PARAMETERS`` (``components.parameters``)."""
    assert name in PARAMETERS, name
    return {"$ref": f"#/components/parameters/{name}"}


RESTAURANT_QUERY, RESTAURANT_HEADER, ORIGIN, IF_NONE_MATCH, REQUEST_ID = map(
    shared, ("restaurantId", "X-Restaurant-ID", "Origin", "If-None-Match", "X-Request-ID"))
BODY_RESTAURANT = shared("restaurantIdForBody")
PREFLIGHT = (shared("Access-Control-Request-Method"), shared("Access-Control-Request-Headers"))
SESSION_QUERY, SESSION_HEADER, IDEMPOTENCY_KEY = map(shared, ("sessionToken", "X-Session-Token", "Idempotency-Key"))


# -- shapes that repeat ---------------------------------------------------------------------------
def readable(path: str, name: str, summary: str, tag: str, params: tuple[dict[str, Any], ...],  # noqa: PLR0917
             replies: tuple[Reply, ...], errors: tuple[int, ...], **extra: Any) -> tuple[Operation, Operation]:
    """A GET route and the HEAD Starlette adds to it: the same answers, HEAD without bodies."""
    get = Operation("GET", path, f"get{name}", summary, tag, params, replies=replies, errors=errors, **extra)
    head = Operation("HEAD", path, f"head{name}", f"{summary} (headers only)", tag, params,
                     replies=tuple(Reply(r.status, None, r.headers, r.description, media="") for r in replies),
                     errors=errors, **extra)
    return get, head


def preflight_operation(path: str, name: str, methods: str, params: tuple[dict[str, Any], ...] = ()) -> Operation:
    """The ``OPTIONS`` operation of a tenant route (``methods``: what it allows), answered per restaurant."""
    return Operation(
        "OPTIONS", path, f"preflight{name}", f"CORS preflight ({methods}), answered per restaurant", "cors",
        (RESTAURANT_QUERY, RESTAURANT_HEADER, ORIGIN, *PREFLIGHT, *params),
        replies=(Reply(204, None, ("Access-Control-Allow-Methods", "Access-Control-Max-Age", "Vary", *CORS,
                                   "Access-Control-Allow-Headers?"), "Allowed", media=""),),
        errors=TENANT, error_headers=CORS)
