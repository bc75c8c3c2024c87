"""The floor every request/s ratio is measured against: a bare Starlette route returning pre-built bytes.

One app for all the benches: the menu (in-process, through Mangum, and over HTTP in ``http_server.py``),
chat and orders, and the import floor (``minimal_handler.py``). Each variant's endpoint is chosen when
the app is built, so a request costs only what that variant does:

* ``answer`` bytes: every request gets them (``status``, ``application/json``);
* ``answer`` per restaurant (``restaurantId`` in the query) as ``(bytes, etag)``: a matching
  ``If-None-Match`` gets a bodiless 304, as the menu does;
* ``method="POST"``: the endpoint reads the request body first, as the product's POST routes do;
* ``middleware=True``: behind the product's outermost middleware (request id, limits, access log): the
  same-path floor.

Imports only Starlette at module level (``minimal_handler.py`` is timed in fresh processes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def floor_app(answer: bytes | Mapping[str, tuple[bytes, str]], path: str, *, method: str = "GET", status: int = 200,
              middleware: bool = False) -> Starlette:
    """The bare route at ``path`` answering ``answer`` (see the module's docstring)."""
    if isinstance(answer, Mapping):
        menus = answer

        async def endpoint(request: Request) -> Response:
            body, etag = menus[request.query_params["restaurantId"]]
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
            return Response(body, status_code=status, media_type="application/json", headers={"ETag": etag})
    elif method == "POST":
        body = answer

        async def endpoint(request: Request) -> Response:
            await request.body()
            return Response(body, status_code=status, media_type="application/json")
    else:
        body = answer

        async def endpoint(_request: Request) -> Response:
            return Response(body, status_code=status, media_type="application/json")

    stack: list[Any] = []
    if middleware:
        from starlette.middleware import Middleware

        from shared.http.middleware import RequestContextMiddleware

        stack.append(Middleware(RequestContextMiddleware, max_body_bytes=lambda: 64 * 1024))
    return Starlette(routes=[Route(path, endpoint, methods=[method])], middleware=stack)
