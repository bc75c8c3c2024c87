"""Build the ASGI app from route groups.

Each Lambda function serves one group (``functions/<group>.py``); ``stjarna serve`` serves them
all plus the development site (demo page). ``DEPLOYED_GROUPS`` is the single list that serverless.yml
must match (tests/functions/test_serverless.py checks it). A route declares its OpenAPI operations
where it is declared (``ApiRoute``, shared/http/operations.py); shared/http/openapi.py reads them from
``routes_for``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from shared.container import Container, default_container, observed
from shared.errors import BadRequest, MethodNotAllowed, NotFound, StjarnaError
from shared.http.middleware import RequestContextMiddleware
from shared.http.responses import error_response
from shared.observability.logs import ensure_logging

Group = Literal["menu", "chat", "orders", "admin", "health", "widget", "site"]
DEPLOYED_GROUPS: tuple[Group, ...] = ("menu", "chat", "orders", "admin", "health", "widget")


def routes_for(group: Group, container: Callable[[], Container]) -> list[BaseRoute]:
    if group == "menu":
        from shared.http.menu import menu_routes

        return list(menu_routes(container))
    if group == "chat":
        from shared.http.chat import chat_routes

        return list(chat_routes(container))
    if group == "orders":
        from shared.http.orders import order_routes

        return list(order_routes(container))
    if group == "admin":
        from shared.http.admin import admin_routes

        return list(admin_routes(container))
    if group == "health":
        from shared.http.apidoc import apidoc_routes
        from shared.http.health import health_routes

        return [*health_routes(container), *apidoc_routes()]
    from shared.http.site import site_routes, widget_routes

    return list(widget_routes() if group == "widget" else site_routes())


def create_app(groups: Iterable[Group] = (*DEPLOYED_GROUPS, "site"), *,
               container: Container | Callable[[], Container] = default_container) -> Starlette:
    """``container`` is a Container, or a factory called on first use (once per process)."""
    ensure_logging()
    # Before any route exists: Sentry's Starlette integration wraps endpoints as routes are created.
    provider: Callable[[], Container] = observed(container)

    async def stjarna_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StjarnaError)
        return error_response(exc, request.state.requestId, headers=exc.headers())

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return error_response(MethodNotAllowed(), request.state.requestId, headers=dict(exc.headers or {}))
        if exc.status_code == 404:
            return error_response(NotFound(), request.state.requestId)
        error = BadRequest(exc.detail) if 400 <= exc.status_code < 500 else StjarnaError()
        return error_response(error, request.state.requestId)

    routes: list[BaseRoute] = []
    for group in groups:
        routes.extend(routes_for(group, provider))

    return Starlette(
        routes=routes,
        middleware=[Middleware(RequestContextMiddleware,
                               max_body_bytes=lambda: provider().settings.max_body_bytes,
                               route_paths={r.endpoint: r.path for r in routes if isinstance(r, Route)})],
        exception_handlers={StjarnaError: stjarna_error, HTTPException: http_error},
    )
