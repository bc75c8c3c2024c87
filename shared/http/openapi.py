"""The OpenAPI 3.1 document of the public and admin API, generated from the pydantic models: request
models from their domains, response models from shared/http/schemas.py, error bodies from the error
tree (shared/errors.py). Served at ``GET /api/openapi.json`` and committed as docs/openapi.json
(``stjarna openapi --out docs/openapi.json``); tests/openapi keeps the two, the app's routes and the
real answers in agreement.

Imported lazily (the health function's cold start does not pay for pydantic's schema generation); the
document is built once per process.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared import __version__
from shared.chat.models import ChatRequest
from shared.http import schemas as s
from shared.http.admin import StatusChange, TenantCreate
from shared.orders.models import STATUSES, OrderRequest

Method = Literal["GET", "HEAD", "POST", "PATCH", "OPTIONS"]
REF = "#/components/schemas/{model}"
OPAQUE_ID = r"^[A-Za-z0-9_-]{8,128}$"
# shared/tenants/refs.py: a UUID or a slug, in any case
RESTAURANT_REF = (r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                  r"|[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)$")
JS = "text/javascript; charset=utf-8"

# -- headers ------------------------------------------------------------------------------------------
_INT = {"type": "integer", "minimum": 0}
_STR = {"type": "string"}
HEADERS: dict[str, tuple[str, dict[str, Any]]] = {
    "X-Request-ID": ("The request's id (echoed when the client sent a sane one); equals the error body's "
                     "requestId", {"type": "string", "pattern": r"^[A-Za-z0-9._:-]{1,128}$"}),
    "ETag": ("Strong validator of the exact body", {"type": "string", "pattern": r'^"[0-9a-f]{16,64}"$'}),
    "Cache-Control": ("Caching for browsers and the CDN", _STR),
    "Vary": ("Origin: answers differ per calling site", _STR),
    "X-Menu-Version": ("The menu version of the body", {"type": "integer", "minimum": 1}),
    "X-Menu-Stale": ("Present while the database fails: seconds since this copy was last confirmed "
                     "(stale-if-error)", _INT),
    "Access-Control-Allow-Origin": ("The calling origin when it is on the restaurant's allowlist", _STR),
    "Access-Control-Expose-Headers": ("Headers the widget may read", _STR),
    "Access-Control-Allow-Methods": ("Methods of the route", _STR),
    "Access-Control-Allow-Headers": ("The requested headers that are allowed", _STR),
    "Access-Control-Max-Age": ("Seconds a browser may cache the preflight", _INT),
    "Retry-After": ("Seconds to wait before retrying", {"type": "integer", "minimum": 1}),
    "X-RateLimit-Limit": ("Requests allowed in the window of the limit with the least room left", _INT),
    "X-RateLimit-Remaining": ("Requests left in that window", _INT),
    "X-RateLimit-Reset": ("When one slot frees, epoch seconds", _INT),
    "Location": ("The order's status URL", _STR),
    "Idempotent-Replayed": ("true when the Idempotency-Key replayed an earlier order", {"const": "true"}),
    "WWW-Authenticate": ("Bearer realm=\"stjarna-admin\"", _STR),
    "X-Widget-Immutable-Path": ("The same bytes at their content-hashed, immutable URL", _STR),
}


def _headers(*names: str) -> dict[str, Any]:
    """Response headers (references to ``components.headers``); a trailing ``?`` marks one that is not
    always sent."""
    return {name.rstrip("?"): {"$ref": f"#/components/headers/{_header_key(name)}"}
            for name in ("X-Request-ID", *names)}


def _header_key(name: str) -> str:
    return name.replace("?", ".optional")


def header_components(used: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in sorted(used):
        name = key.removesuffix(".optional")
        description, schema = HEADERS[name]
        out[key] = {"description": description, "required": key == name, "schema": schema}
    return out


CORS = ("Access-Control-Allow-Origin?", "Access-Control-Expose-Headers?")
LIMITS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
LIMITS_IF_ADMITTED = tuple(f"{name}?" for name in LIMITS)


# -- parameters -----------------------------------------------------------------------------------
def _param(name: str, where: str, schema: dict[str, Any], description: str, *, required: bool = False,
           **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema, **extra}


_REF_SCHEMA = {"type": "string", "pattern": RESTAURANT_REF, "maxLength": 64}
_DEMO = {"demo": {"summary": "the seeded demo restaurant", "value": "demo"}}
PARAMETERS: dict[str, dict[str, Any]] = {
    "restaurantId": _param("restaurantId", "query", _REF_SCHEMA, "The restaurant: UUID or slug, case-insensitive. "
                           "Browsers use this (preflights carry no header values).", examples=_DEMO),
    "restaurantIdForBody": _param("restaurantId", "query", _REF_SCHEMA, "As in the body, for the preflight; both "
                                  "given must name the same restaurant", examples=_DEMO),
    "X-Restaurant-ID": _param("X-Restaurant-ID", "header", _REF_SCHEMA,
                              "The restaurant, when not in the query string", examples=_DEMO),
    "Origin": _param("Origin", "header", {"type": "string"},
                     "The calling website. None: served without CORS headers; this API's own origin or one on the "
                     "restaurant's allowlist: served; any other: 403 ORIGIN_NOT_ALLOWED."),
    "If-None-Match": _param("If-None-Match", "header", {"type": "string"},
                            "An ETag from an earlier answer (W/ form and * too): 304 without a body when it matches"),
    "X-Request-ID": _param("X-Request-ID", "header", {"type": "string"},
                           "Your id for the request, echoed when sane (1-128 of A-Za-z0-9._:-), else replaced"),
    "Access-Control-Request-Method": _param("Access-Control-Request-Method", "header", {"type": "string"},
                                            "The method the browser wants to use"),
    "Access-Control-Request-Headers": _param("Access-Control-Request-Headers", "header", {"type": "string"},
                                             "The headers it wants to send"),
    "sessionToken": _param("sessionToken", "query", {"type": "string", "pattern": OPAQUE_ID},
                           "The session that placed the order (or X-Session-Token, which keeps it out of URLs)"),
    "X-Session-Token": _param("X-Session-Token", "header", {"type": "string", "pattern": OPAQUE_ID},
                              "The session that placed the order"),
    "Idempotency-Key": _param("Idempotency-Key", "header", {"type": "string", "pattern": OPAQUE_ID},
                              "One per checkout attempt, reused on every retry of it (not needed by a probe)",
                              required=True),
}


def _shared(name: str) -> dict[str, Any]:
    assert name in PARAMETERS, name
    return {"$ref": f"#/components/parameters/{name}"}


RESTAURANT_QUERY, RESTAURANT_HEADER, ORIGIN, IF_NONE_MATCH, REQUEST_ID = map(
    _shared, ("restaurantId", "X-Restaurant-ID", "Origin", "If-None-Match", "X-Request-ID"))
BODY_RESTAURANT = _shared("restaurantIdForBody")
PREFLIGHT = [_shared("Access-Control-Request-Method"), _shared("Access-Control-Request-Headers")]
SESSION_QUERY, SESSION_HEADER, IDEMPOTENCY_KEY = map(_shared, ("sessionToken", "X-Session-Token", "Idempotency-Key"))
_LIMIT_500 = {"type": "string", "pattern": r"^[0-9]+$", "description": "an integer from 1 to 500"}


# -- operations -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    status: int
    model: type[BaseModel] | None = None  # None: no body; errors use the status's error body
    headers: tuple[str, ...] = ()
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
    body: type[BaseModel] | None = None
    replies: tuple[Reply, ...] = ()
    errors: tuple[int, ...] = ()
    error_headers: tuple[str, ...] = ()
    admin: bool = False
    description: str = ""


ALWAYS = (400, 413, 414, 500)  # a bad Content-Length, a body over the limit, a query over 4096 bytes, a bug
TENANT = (*ALWAYS, 403, 404, 503)  # a public route: the restaurant and origin checks, the database
ADMIN = (*ALWAYS, 401, 429, 503)  # 429: repeated failed authentications from one address


def _readable(path: str, name: str, summary: str, tag: str, params: tuple[dict[str, Any], ...],  # noqa: PLR0917
              replies: tuple[Reply, ...], errors: tuple[int, ...], **extra: Any) -> list[Operation]:
    """A GET route and the HEAD Starlette adds to it: the same answers, HEAD without bodies."""
    get = Operation("GET", path, f"get{name}", summary, tag, params, replies=replies, errors=errors, **extra)
    head = Operation("HEAD", path, f"head{name}", f"{summary} (headers only)", tag, params,
                     replies=tuple(Reply(r.status, None, r.headers, r.description, media="") for r in replies),
                     errors=errors, **extra)
    return [get, head]


def _preflight(path: str, name: str, methods: str, params: tuple[dict[str, Any], ...] = ()) -> Operation:
    return Operation(
        "OPTIONS", path, f"preflight{name}", f"CORS preflight ({methods}), answered per restaurant", "cors",
        (RESTAURANT_QUERY, RESTAURANT_HEADER, ORIGIN, *PREFLIGHT, *params),
        replies=(Reply(204, None, ("Access-Control-Allow-Methods", "Access-Control-Max-Age", "Vary", *CORS,
                                   "Access-Control-Allow-Headers?"), "Allowed", media=""),),
        errors=TENANT, error_headers=CORS)


def public_operations() -> list[Operation]:
    cached = ("ETag", "Cache-Control", "Vary")
    reads = (RESTAURANT_QUERY, RESTAURANT_HEADER, ORIGIN, IF_NONE_MATCH, REQUEST_ID)
    return [
        *_readable("/api/public/menu", "Menu", "The published menu of a live restaurant", "public", reads, (
            Reply(200, s.PublicMenu, (*cached, "X-Menu-Version", "X-Menu-Stale?", *CORS)),
            Reply(304, None, (*cached, "X-Menu-Version", "X-Menu-Stale?", *CORS), "Not modified", media=""),
        ), TENANT, error_headers=CORS),
        _preflight("/api/public/menu", "Menu", "GET, HEAD, OPTIONS"),
        *_readable("/api/public/config", "Config", "The widget's bootstrap settings", "public", reads, (
            Reply(200, s.WidgetConfig, (*cached, *CORS)),
            Reply(304, None, (*cached, *CORS), "Not modified", media=""),
        ), TENANT, error_headers=CORS),
        _preflight("/api/public/config", "Config", "GET, HEAD, OPTIONS"),
        Operation("POST", "/api/chat", "postChat", "Ask the assistant", "chat",
                  (BODY_RESTAURANT, ORIGIN, REQUEST_ID),
                  body=ChatRequest,
                  replies=(Reply(200, s.ChatAnswer, ("Cache-Control", *LIMITS, *CORS)),),
                  errors=(*TENANT, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED)),
        _preflight("/api/chat", "Chat", "POST, OPTIONS"),
    ]


def order_operations() -> list[Operation]:
    order = OrderRequest
    quote = Reply(200, s.Quote, ("Cache-Control", *LIMITS, *CORS), "Priced, nothing stored")
    return [
        Operation("POST", "/api/orders", "postOrder", "Place a pickup order", "orders",
                  (BODY_RESTAURANT, IDEMPOTENCY_KEY, ORIGIN, REQUEST_ID), body=order,
                  replies=(Reply(201, s.PlacedOrder, ("Cache-Control", "Location", "Idempotent-Replayed?", *LIMITS,
                                                      *CORS), "Placed, or replayed for a used Idempotency-Key"),
                           Reply(200, s.Quote, ("Cache-Control", *LIMITS, *CORS),
                                 "A monitoring probe (sessionToken health-check): checked, priced, not stored")),
                  errors=(*TENANT, 409, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED),
                  description="docs/orders.md has the checks, in order."),
        _preflight("/api/orders", "Order", "POST, OPTIONS"),
        Operation("POST", "/api/orders/quote", "postQuote", "Price a cart with every check an order gets",
                  "orders", (BODY_RESTAURANT, ORIGIN, REQUEST_ID), body=order, replies=(quote,),
                  errors=(*TENANT, 409, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED)),
        _preflight("/api/orders/quote", "Quote", "POST, OPTIONS"),
        *_readable("/api/orders/{code}", "OrderStatus", "An order's status, for the session that placed "
                   "it (404 for anyone else)", "orders",
                   (_param("code", "path", {"type": "string"}, "The order code (case-insensitive)"),
                    RESTAURANT_QUERY, RESTAURANT_HEADER, SESSION_QUERY, SESSION_HEADER, ORIGIN, REQUEST_ID),
                   (Reply(200, s.SessionOrder, ("Cache-Control", *LIMITS, *CORS)),),
                   (*TENANT, 422, 429), error_headers=(*CORS, *LIMITS_IF_ADMITTED)),
        _preflight("/api/orders/{code}", "OrderStatus", "GET, OPTIONS",
                   (_param("code", "path", {"type": "string"}, "The order code"),)),
    ]


def admin_operations() -> list[Operation]:
    no_store = ("Cache-Control",)
    order_ref = _param("order", "path", {"type": "string"}, "An order id, or a code with restaurantId")
    tenant_ref = _param("ref", "path", {"type": "string"}, "The restaurant's slug or id (any status)")
    statuses = {"type": "string", "enum": list(STATUSES)}
    admin: dict[str, Any] = {"admin": True, "error_headers": ("WWW-Authenticate?", "Retry-After?", *LIMITS_IF_ADMITTED)}
    return [
        *_readable("/api/admin/orders", "AdminOrders", "A restaurant's orders, newest first", "admin",
                   (_param("restaurantId", "query", _REF_SCHEMA, "The restaurant: UUID or slug", required=True,
                           examples=_DEMO),
                    _param("status", "query", statuses, "Only orders in this status"),
                    _param("limit", "query", _LIMIT_500, "At most this many (default 50)"), REQUEST_ID),
                   (Reply(200, s.OrderList, no_store),), (*ADMIN, 404, 422), **admin),
        *_readable("/api/admin/orders/{order}", "AdminOrder", "One order with its history and actors",
                   "admin", (order_ref, RESTAURANT_QUERY, REQUEST_ID),
                   (Reply(200, s.StaffOrder, no_store),), (*ADMIN, 404), **admin),
        Operation("PATCH", "/api/admin/orders/{order}", "patchAdminOrder", "Move an order along the status machine",
                  "admin", (_param("order", "path", {"type": "string"}, "The order id"), REQUEST_ID),
                  body=StatusChange, replies=(Reply(200, s.StaffOrder, no_store),),
                  errors=(*ADMIN, 404, 409, 422), **admin),
        Operation("POST", "/api/admin/tenants", "postAdminTenant", "Create (or, with update, change) a restaurant",
                  "admin", (REQUEST_ID,), body=TenantCreate,
                  replies=(Reply(201, s.TenantCreated, no_store, "Created"),
                           Reply(200, s.TenantCreated, no_store, "Updated")),
                  errors=(*ADMIN, 409, 422), **admin),
        *_readable("/api/admin/tenants/{ref}", "AdminTenant", "Everything support asks about first",
                   "admin", (tenant_ref, _param("auditLimit", "query", _LIMIT_500, "Audit rows (default 10)"),
                             REQUEST_ID),
                   (Reply(200, s.TenantSummary, no_store),), (*ADMIN, 404, 422), **admin),
        *_readable("/api/admin/tenants/{ref}/items", "AdminTenantItems",
                   "The restaurant's items against a question: shown, and not shown with why", "admin",
                   (tenant_ref,
                    _param("tag", "query", {"type": "array", "items": {"type": "string"}}, "Diet or attribute "
                           "tags (repeat, or comma-separate)", style="form", explode=True),
                    _param("allergenFree", "query", {"type": "array", "items": {"type": "string"}},
                           "EU-14 allergen codes (repeat, or comma-separate)", style="form", explode=True),
                    _param("undeclared", "query", {"type": "string", "enum": ["true", "false", "1", "0", "yes",
                                                                              "no", ""]},
                           "Items whose allergens are not declared (not with allergenFree)"),
                    _param("name", "query", {"type": "string"}, "Only items whose name or key contains this"),
                    REQUEST_ID),
                   (Reply(200, s.TenantItems, no_store),), (*ADMIN, 404, 422), **admin),
        Operation("POST", "/api/admin/tenants/{ref}/cache-purge", "postAdminCachePurge",
                  "Force a new menu version everywhere (and a CDN invalidation when configured)", "admin",
                  (tenant_ref, REQUEST_ID), replies=(Reply(200, s.CachePurge, no_store),),
                  errors=(*ADMIN, 404), **admin),
    ]


def health_operations() -> list[Operation]:
    no_store = ("Cache-Control",)
    return [
        *_readable("/api/health", "Health", "Every dependency's status", "health", (REQUEST_ID,), (
            Reply(200, s.Health, no_store, "ok or degraded"), Reply(503, s.Health, no_store, "down")), ALWAYS),
        *_readable("/api/health/live", "Live", "The process answers", "health", (REQUEST_ID,),
                   (Reply(200, s.Live, no_store),), ALWAYS),
        *_readable("/api/health/ready", "Ready", "The database answers", "health", (REQUEST_ID,), (
            Reply(200, s.Ready, no_store), Reply(503, s.Ready, no_store, "The database does not answer")), ALWAYS),
        *_readable("/api/openapi.json", "OpenApi", "This document", "health", (IF_NONE_MATCH, REQUEST_ID), (
            Reply(200, None, ("ETag", "Cache-Control", "Access-Control-Allow-Origin"),
                  raw={"type": "object", "required": ["openapi", "info", "paths"]}),
            Reply(304, None, ("ETag", "Cache-Control", "Access-Control-Allow-Origin"), "Not modified", media="")),
                   ALWAYS),
    ]


def widget_operations() -> list[Operation]:
    served = ("ETag", "Cache-Control", "Access-Control-Allow-Origin")
    name = _param("name", "path", {"type": "string"}, "widget.<16 hex>.js, or a chunk the bundle imports")
    return [
        *_readable("/widget.js", "Widget", "The widget bundle (short cache)", "widget",
                   (IF_NONE_MATCH, REQUEST_ID), (
                       Reply(200, None, (*served, "X-Widget-Immutable-Path"), media=JS, raw={"type": "string"}),
                       Reply(304, None, (*served, "X-Widget-Immutable-Path"), "Not modified", media="")),
                   (*ALWAYS, 404)),
        *_readable("/widget/{name}", "WidgetFile", "A content-hashed widget file (immutable)", "widget",
                   (name, IF_NONE_MATCH, REQUEST_ID), (
                       Reply(200, None, served, media=JS, raw={"type": "string"}),
                       Reply(304, None, served, "Not modified", media="")), (*ALWAYS, 404)),
    ]


def operations() -> list[Operation]:
    return [*public_operations(), *order_operations(), *admin_operations(), *health_operations(),
            *widget_operations()]


# -- the document ---------------------------------------------------------------------------------
STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 304: "Not modified", 400: "Bad request",
               401: "No valid admin key", 403: "Origin not allowed", 404: "Not found", 405: "Method not allowed",
               409: "Conflict", 413: "Body too large", 414: "Query string too long", 422: "Invalid input",
               429: "Too many requests", 500: "A bug (logged under the request id)", 503: "A dependency is down"}


def _content(media: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {media: {"schema": schema}}


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


FAMILIES = {(): "", CORS: "Cors", (*CORS, *LIMITS_IF_ADMITTED): "CorsLimited",
            ("WWW-Authenticate?", "Retry-After?", *LIMITS_IF_ADMITTED): "Admin"}


def _operation(op: Operation, error_refs: dict[int, dict[str, Any]], shared: dict[str, Any]) -> dict[str, Any]:
    """The operation's object; its error answers go to ``shared`` (``components.responses``)."""
    responses: dict[str, Any] = {}
    for reply in op.replies:
        answer: dict[str, Any] = {"description": reply.description or STATUS_TEXT[reply.status],
                                  "headers": _headers(*reply.headers)}
        schema = _ref(reply.model) if reply.model is not None else reply.raw
        if reply.media and schema is not None:
            answer["content"] = _content(reply.media, schema)
        responses[str(reply.status)] = answer
    for status in sorted(op.errors):
        extra = ("Retry-After", *LIMITS) if status == 429 else ("WWW-Authenticate",) if status == 401 else ()
        error_headers = [h for h in op.error_headers if h.rstrip("?") not in extra]
        answer = {"description": STATUS_TEXT[status], "headers": _headers(*extra, *error_headers)}
        if op.method != "HEAD":
            answer["content"] = _content("application/json", error_refs[status])
        key = f"Error{status}{FAMILIES[op.error_headers]}{'Head' if op.method == 'HEAD' else ''}"
        assert shared.setdefault(key, answer) == answer, key
        responses[str(status)] = {"$ref": f"#/components/responses/{key}"}
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        out["description"] = op.description
    if op.params:
        out["parameters"] = list(op.params)
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": _content("application/json", _ref(op.body))}
    if op.admin:
        out["security"] = [{"adminKey": []}]
    out["responses"] = responses
    return out


def _strip_titles(schema: Any) -> Any:
    """pydantic titles every property ("Requestid"): noise in a document read by people."""
    if isinstance(schema, dict):
        return {k: _strip_titles(v) for k, v in schema.items() if not (k == "title" and isinstance(v, str)
                                                                       and "properties" not in schema)}
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


def document() -> dict[str, Any]:
    ops = operations()
    error_models = s.error_models()
    inputs = {op.body for op in ops if op.body is not None}
    outputs = [*s.RESPONSE_MODELS, *error_models.values()]
    _, defs = models_json_schema([(m, "validation") for m in sorted(inputs, key=lambda m: m.__name__)]
                                 + [(m, "serialization") for m in outputs], ref_template=REF)
    error_refs = {status: _ref(model) for status, model in error_models.items()}
    paths: dict[str, dict[str, Any]] = {}
    responses: dict[str, Any] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, error_refs, responses)
    answers = [a for item in paths.values() for op_doc in item.values() for a in op_doc["responses"].values()]
    used = {ref["$ref"].rsplit("/", 1)[1] for answer in [*answers, *responses.values()]
            for ref in answer.get("headers", {}).values()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Stjarna API", "version": __version__,
            "summary": "Menu, assistant and pickup ordering for restaurant websites; staff admin.",
            "description": "Money is integer cents; JSON fields are camelCase. Every error is "
                           '`{"error": {"code", "message", "requestId", ...details}}` with a stable code '
                           "(docs/errors.md). Generated by `stjarna openapi` from the pydantic models.",
        },
        "tags": [{"name": name, "description": text} for name, text in (
            ("public", "Widget-facing reads, cached; tenant CORS"), ("cors", "Preflights, answered per restaurant"),
            ("chat", "The assistant"), ("orders", "Pickup orders (docs/orders.md)"),
            ("admin", "Staff routes behind an admin key (docs/admin.md); no CORS"),
            ("health", "Monitoring and this document"), ("widget", "The widget's files (CORS *)"))],
        "paths": paths,
        "components": {
            "schemas": _strip_titles(defs["$defs"]),
            "responses": dict(sorted(responses.items())),
            "parameters": PARAMETERS,
            "headers": header_components(used),
            "securitySchemes": {"adminKey": {
                "type": "http", "scheme": "bearer",
                "description": "An admin key (stj_…) from `stjarna keys create`; repeated failures from one "
                               "address get 429 before the key is checked"}},
        },
    }


def render(doc: dict[str, Any]) -> bytes:
    """The one serialisation (docs/openapi.json is byte-identical to it)."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


@functools.cache
def served() -> tuple[bytes, str]:
    """The document's bytes and strong ETag, built once per process."""
    body = render(document())
    return body, '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
