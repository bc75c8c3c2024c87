"""The OpenAPI 3.1 document of the public and admin API, assembled from the operations each route
declares beside its endpoint (``ApiRoute``, shared/http/operations.py) and the pydantic models they
name: request models from their domains, response models from shared/http/schemas/, error bodies from
the error tree (shared/errors.py). Served at ``GET /api/openapi.json`` (shared/http/apidoc.py) and
committed as docs/openapi.json (``stjarna openapi --out docs/openapi.json``); tests/openapi keeps the
two, the app's routes and the real answers in agreement.

Imported lazily (the health function's cold start does not pay for pydantic's schema generation); the
document is built once per process.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import orjson
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared import __version__
from shared.caching import strong_etag
from shared.container import Container
from shared.http.app import DEPLOYED_GROUPS, routes_for
from shared.http.operations import (
    CORS,
    LIMITS,
    LIMITS_IF_ADMITTED,
    PARAMETERS,
    PUBLIC_ERROR_HEADERS,
    PUBLIC_PREFIXES,
    ApiRoute,
    Operation,
)
from shared.http.schemas import error_models

REF = "#/components/schemas/{model}"

# -- headers ------------------------------------------------------------------------------------------
_INT = {"type": "integer", "minimum": 0}
_STR = {"type": "string"}
HEADERS: dict[str, tuple[str, dict[str, Any]]] = {
    "X-Request-ID": ("The request's id (echoed when the client sent a sane one); equals the error body's "
                     "requestId", {"type": "string", "pattern": r"^[A-Za-z0-9._:-]{1,128}$"}),
    "ETag": ("Strong validator of the exact body (the kitchen's board: of its orders version)",
             {"type": "string", "pattern": r'^"([0-9a-f]{16,64}|board-[0-9]{1,19})"$'}),
    "Cache-Control": ("Caching for browsers and the CDN", _STR),
    "Vary": ("Origin: answers differ per calling site (the widget's files: Accept-Encoding)", _STR),
    "Content-Encoding": ("br or gzip, as Accept-Encoding prefers; absent: identity", _STR),
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
    "Set-Cookie": ("The console session: stjarna_console=…; Path=/console; HttpOnly; Secure; SameSite=Strict "
                   "(cleared on sign-out)", _STR),
    "X-Widget-Immutable-Path": ("The same bytes at their content-hashed, immutable URL", _STR),
    "Content-Security-Policy": ("The console page's policy: nothing inline, nothing from another origin", _STR),
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



# -- the operations -------------------------------------------------------------------------------
def operations() -> list[Operation]:
    """Every deployed route's operations, in the order the app declares them."""
    def no_container() -> Container:
        raise AssertionError("describing the routes builds no container")

    out: list[Operation] = []
    for group in DEPLOYED_GROUPS:
        for route in routes_for(group, no_container):
            assert isinstance(route, ApiRoute), f"{route} declares no operations"
            out.extend(route.operations)
    return out


def model(path: str) -> type[BaseModel]:
    """The model an operation names by import path (``shared.http.schemas.menu.PublicMenu``)."""
    module, _, name = path.rpartition(".")
    found = getattr(importlib.import_module(module), name)
    assert isinstance(found, type) and issubclass(found, BaseModel), path
    return found


# -- the document ---------------------------------------------------------------------------------
STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 304: "Not modified", 400: "Bad request",
               401: "No valid admin key", 403: "Origin not allowed, or client blocked", 404: "Not found",
               405: "Method not allowed",
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
        schema = _ref(model(reply.model)) if reply.model is not None else reply.raw
        if reply.media and schema is not None:
            answer["content"] = _content(reply.media, schema)
        responses[str(reply.status)] = answer
    public = op.path.startswith(PUBLIC_PREFIXES)  # errors: no-store, Vary: Origin (shared/http/middleware.py)
    for status in sorted(op.errors):
        extra = ("Retry-After", *LIMITS) if status == 429 else ("WWW-Authenticate",) if status == 401 else ()
        error_headers = [h for h in op.error_headers if h.rstrip("?") not in extra]
        if public:
            error_headers += PUBLIC_ERROR_HEADERS
        answer = {"description": STATUS_TEXT[status], "headers": _headers(*extra, *error_headers)}
        if op.method != "HEAD":
            answer["content"] = _content("application/json", error_refs[status])
        family = FAMILIES[op.error_headers] or ("Public" if public else "")  # the CORS families are public
        key = f"Error{status}{family}{'Head' if op.method == 'HEAD' else ''}"
        assert shared.setdefault(key, answer) == answer, key
        responses[str(status)] = {"$ref": f"#/components/responses/{key}"}
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        out["description"] = op.description
    if op.params:
        out["parameters"] = list(op.params)
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": _content("application/json", _ref(model(op.body)))}
    if op.admin:
        out["security"] = [{"consoleSession": []} if op.console else {"adminKey": []}]
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
    errors = error_models()
    inputs = {model(op.body) for op in ops if op.body is not None}
    replied = {model(r.model): None for op in ops for r in op.replies if r.model is not None}  # once each, in order
    outputs = [*replied, *errors.values()]
    _, defs = models_json_schema([(m, "validation") for m in sorted(inputs, key=lambda m: m.__name__)]
                                 + [(m, "serialization") for m in outputs], ref_template=REF)
    error_refs = {status: _ref(m) for status, m in errors.items()}
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
            ("console", "The admin routes again under /console/api/ with the console session instead of the key "
                        "(docs/console.md)"),
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
                               "address get 429 before the key is checked"},
                "consoleSession": {
                    "type": "apiKey", "in": "cookie", "name": "stjarna_console",
                    "description": "The staff console's session (POST /console/api/session with a key; "
                                   "docs/console.md, Sessions); every write also needs the X-Stjarna-CSRF header "
                                   "from the session's answer"}},
        },
    }


def render(doc: dict[str, Any]) -> bytes:
    """The one serialisation (docs/openapi.json is byte-identical to it)."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


@functools.cache
def served() -> tuple[bytes, str]:
    """The document's bytes and strong ETag, built once per process."""
    body = render(document())
    return body, strong_etag(body)
