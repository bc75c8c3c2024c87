"""Build the ASGI app from route groups.

Each Lambda function serves one group (``functions/<group>.py``); ``stjarna serve`` serves them
all plus the development site (demo page). ``DEPLOYED_GROUPS`` is the single list that serverless.yml
must match (tests/functions/test_serverless.py checks it). A route declares its OpenAPI operations
where it is declared (``ApiRoute``, shared/http/operations.py); shared/http/openapi.py reads them from
``routes_for``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from shared.container import Container, default_container, observed, requiring
from shared.errors import BadRequest, MethodNotAllowed, NotFound, StjarnaError
from shared.http.blocking import screen as screen_client
from shared.http.middleware import RequestContextMiddleware
from shared.http.responses import error_response
from shared.observability.logs import ensure_logging

if TYPE_CHECKING:  # settings import pydantic-settings: not on a handler's import path
    from shared.settings import Need

Group = Literal["menu", "chat", "orders", "admin", "health", "widget", "site"]
DEPLOYED_GROUPS: tuple[Group, ...] = ("menu", "chat", "orders", "admin", "health", "widget")
# Groups that serve only static bytes (cached by the CDN): no BLOCKED_CLIENTS check, so their
# functions never load settings or flags.
STATIC_GROUPS: frozenset[Group] = frozenset({"widget", "site"})
# What each group's routes use (shared/settings.py, Need): production refuses to serve a group without it,
# and a function is given only the secrets its group needs (serverless.yml; docs/operations.md).
NEEDS: dict[Group, frozenset[Need]] = {
    "menu": frozenset({"store", "kv"}),
    "chat": frozenset({"store", "kv", "limits"}),
    "orders": frozenset({"store", "kv", "limits"}),
    "admin": frozenset({"store", "kv", "limits", "admin_keys"}),
    "health": frozenset({"store", "kv"}),
    "widget": frozenset(),
    "site": frozenset(),
}


def routes_for(group: Group, container: Callable[[], Container]) -> list[BaseRoute]:
    if group == "menu":
        from shared.http.menu import menu_routes

        return list(menu_routes(container))
    if group == "chat":
        from shared.http.chat import chat_routes

        return list(chat_routes(container))
    if group == "orders":
        from shared.http.orders import order_routes
        from shared.http.slots import slot_routes

        return [*order_routes(container), *slot_routes(container)]
    if group == "admin":
        from shared.http.admin import admin_routes

        return list(admin_routes(container))
    if group == "health":
        from shared.http.apidoc import apidoc_routes
        from shared.http.health import health_routes

        return [*health_routes(container), *apidoc_routes()]
    from shared.http.console_site import console_routes
    from shared.http.site import site_routes, widget_routes

    return [*widget_routes(), *console_routes()] if group == "widget" else list(site_routes())


def create_app(groups: Iterable[Group] = (*DEPLOYED_GROUPS, "site"), *,
               container: Container | Callable[[], Container] = default_container) -> Starlette:
    """``container`` is a Container, or a factory called on first use (once per process)."""
    ensure_logging()
    # Before any route exists: Sentry's Starlette integration wraps endpoints as routes are created.
    groups = tuple(groups)
    provider: Callable[[], Container] = requiring(observed(container), set().union(*(NEEDS[g] for g in groups)))

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

    async def screen(scope: Scope) -> None:  # the global BLOCKED_CLIENTS list, before any work
        await screen_client(provider, scope)

    routes: list[BaseRoute] = []
    for group in groups:
        routes.extend(routes_for(group, provider))

    return Starlette(
        routes=routes,
        middleware=[Middleware(RequestContextMiddleware,
                               max_body_bytes=lambda: provider().settings.max_body_bytes,
                               route_paths={r.endpoint: r.path for r in routes if isinstance(r, Route)},
                               screen=screen if set(groups) - STATIC_GROUPS else None)],
        exception_handlers={StjarnaError: stjarna_error, HTTPException: http_error},
    )
