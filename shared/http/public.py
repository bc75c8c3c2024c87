"""Public, widget-facing routes: the menu and the widget bootstrap config."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.container import Container
from shared.errors import InvalidRequest
from shared.http.cors import cors_headers, preflight_headers
from shared.http.responses import etag_matches
from shared.menus.public import MenuService, PublicMenu, RestaurantHead, strong_etag
from shared.tenants.refs import parse_ref


def restaurant_ref(request: Request) -> str:
    """The restaurant named by ``restaurantId`` (query) or ``X-Restaurant-ID`` (header)."""
    values = request.query_params.getlist("restaurantId")
    if len(values) > 1:
        raise InvalidRequest("restaurantId is given more than once.")
    raw = values[0] if values else request.headers.get("x-restaurant-id")
    ref = parse_ref(raw)
    request.state.restaurantId = ref
    return ref


async def _menus(container: Container) -> MenuService:
    ready = container.ready_menus
    return ready if ready is not None else await run_in_threadpool(lambda: container.menus)


async def _head(request: Request, container: Container, ref: str) -> RestaurantHead:
    menus = await _menus(container)
    head = menus.fresh_head(ref)
    if head is None:
        head = await run_in_threadpool(menus.head, ref)
    request.state.restaurantId = head.id
    return head


def _cached_response(request: Request, body: bytes, etag: str, headers: dict[str, str]) -> Response:
    headers["ETag"] = etag
    headers["Vary"] = "Origin"
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type="application/json")
    return Response(body, status_code=200, headers=headers, media_type="application/json")


def public_routes(container_of: Any) -> list[Route]:
    """``container_of(request)`` gives the Container (built lazily, once per process)."""

    async def menu(request: Request) -> Response:
        container: Container = container_of(request)
        ref = restaurant_ref(request)
        menus = await _menus(container)
        fresh = menus.fresh(ref)
        found: PublicMenu
        if fresh is not None:
            found, cache = fresh, "hit"
        else:
            found, cache = await run_in_threadpool(menus.menu, ref)
        request.state.restaurantId = found.head.id
        request.state.cache = cache
        headers = cors_headers(request, found.head)
        headers["Cache-Control"] = container.settings.menu_cache_control
        headers["X-Menu-Version"] = str(found.head.version)
        return _cached_response(request, found.body, found.etag, headers)

    async def config(request: Request) -> Response:
        from shared.flags import evaluate

        container: Container = container_of(request)
        head = await _head(request, container, restaurant_ref(request))
        headers = cors_headers(request, head)
        flags = evaluate(container.settings, head.id)
        body = orjson.dumps({
            "restaurantId": head.id, "slug": head.slug, "name": head.name, "locale": head.locale,
            "currency": head.currency, "timezone": head.timezone, "menuVersion": head.version,
            "theme": {"color": head.theme_color}, "greeting": head.greeting,
            "features": {"serverChat": flags["USE_SERVER_CHAT"].value,
                         "ordering": flags["ORDERING_ENABLED"].value},
        })
        max_age = container.settings.config_max_age
        headers["Cache-Control"] = f"public, max-age={max_age}, s-maxage={max_age}"
        return _cached_response(request, body, strong_etag(body), headers)

    def preflight(methods: str) -> Any:
        async def endpoint(request: Request) -> Response:
            container: Container = container_of(request)
            head = await _head(request, container, restaurant_ref(request))
            return Response(status_code=204, headers=preflight_headers(request, head, methods))
        return endpoint

    read = "GET, HEAD, OPTIONS"
    return [
        Route("/api/public/menu", menu, methods=["GET", "HEAD"]),
        Route("/api/public/menu", preflight(read), methods=["OPTIONS"]),
        Route("/api/public/config", config, methods=["GET", "HEAD"]),
        Route("/api/public/config", preflight(read), methods=["OPTIONS"]),
    ]
