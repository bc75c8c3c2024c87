"""Public, widget-facing routes: the menu and the widget bootstrap config."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import unquote_plus

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.container import Container
from shared.errors import InvalidRequest
from shared.flags import FlagValue
from shared.http.cors import cors_headers, preflight_headers
from shared.http.responses import etag_matches
from shared.logs import restaurant_id_var
from shared.menus.public import MenuService, PublicMenu, RestaurantHead, strong_etag
from shared.tenants.refs import parse_ref

T = TypeVar("T")
STALE_S_MAXAGE = 5  # seconds a CDN may keep a stale-if-error copy


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


def restaurant_ref(request: Request) -> str:
    """The restaurant named by ``restaurantId`` (query) or ``X-Restaurant-ID`` (header)."""
    values = query_values(request.scope["query_string"], b"restaurantId")
    if len(values) > 1:
        raise InvalidRequest("restaurantId is given more than once.")
    raw = values[0] if values else request.headers.get("x-restaurant-id")
    ref = parse_ref(raw)
    bind_restaurant(request, ref)
    return ref


def bind_restaurant(request: Request, restaurant_id: str) -> None:
    """Name the restaurant on the access line and on every log line of this request."""
    request.scope["state"]["restaurantId"] = restaurant_id
    restaurant_id_var.set(restaurant_id)


class RawResponse(Response):
    """A response whose headers are already encoded (built once per menu version, not per request)."""

    def __init__(self, body: bytes, status_code: int, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.body = body
        self.status_code = status_code
        self.raw_headers = raw_headers
        self.background = None


def _encode(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class _Prebuilt:
    """Encoded header lists for a cached body: (200 headers, 304 headers), keyed by ETag and
    Cache-Control."""

    def __init__(self, max_entries: int = 512) -> None:
        self._by_etag: dict[str, tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]] = {}
        self._max = max_entries

    def get(self, body: bytes, etag: str, extra: dict[str, str]) -> tuple[list[tuple[bytes, bytes]],
                                                                         list[tuple[bytes, bytes]]]:
        key = etag + extra.get("Cache-Control", "")  # the cache numbers are flags: part of the key
        found = self._by_etag.get(key)
        if found is None:
            common = _encode({**extra, "ETag": etag, "Vary": "Origin"})
            ok = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *common]
            found = (ok, common)
            if len(self._by_etag) >= self._max:
                self._by_etag.clear()
            self._by_etag[key] = found
        return found


def _cached_response(request: Request, body: bytes, etag: str, extra: dict[str, str],  # noqa: PLR0917
                     cors: dict[str, str], prebuilt: _Prebuilt) -> Response:
    ok, not_modified = prebuilt.get(body, etag, extra)
    cors_raw = _encode(cors) if cors else []
    if etag_matches(request, etag):
        return RawResponse(b"", 304, not_modified + cors_raw)
    return RawResponse(b"" if request.method == "HEAD" else body, 200, ok + cors_raw)


async def built(ready: T | None, build: Callable[[], T]) -> T:
    """A client built once per process: as it is when ready, else built in a worker thread (building
    may do I/O: the embedded database starts, settings load)."""
    return ready if ready is not None else await run_in_threadpool(build)


async def flags_for(container: Container, head: RestaurantHead) -> dict[str, FlagValue]:
    """The restaurant's effective flags: from memory on the event loop when fresh, else read (SSM or
    the flags file) in a worker thread."""
    flags = await built(container.ready_flags, lambda: container.flags)
    return flags.for_restaurant(head.slug)


async def _menus(container: Container) -> MenuService:
    return await built(container.ready_menus, lambda: container.menus)


async def fresh_menu(request: Request, container: Container, ref: str) -> PublicMenu:
    """The restaurant's public menu: the in-process copy without leaving the event loop, else the
    cache layers in a worker thread. Binds the restaurant id and the cache outcome to the request."""
    menus = await _menus(container)
    fresh = menus.fresh(ref)
    found: PublicMenu
    if fresh is not None:
        found, cache = fresh, ("hit" if fresh.stale_seconds is None else "stale")
    else:
        found, cache = await run_in_threadpool(menus.menu, ref)
    bind_restaurant(request, found.head.id)
    request.scope["state"]["cache"] = cache
    return found


async def resolve_head(request: Request, container: Container, ref: str) -> RestaurantHead:
    menus = await _menus(container)
    head = menus.fresh_head(ref)
    if head is None:
        head = await run_in_threadpool(menus.head, ref)
    bind_restaurant(request, head.id)
    return head


def preflight(container: Callable[[], Container], methods: str) -> Callable[[Request], Awaitable[Response]]:
    """The tenant's CORS preflight for a route (every public, chat and order route has one): the
    restaurant comes from the query string, as preflights carry no body or custom header values."""
    async def endpoint(request: Request) -> Response:
        c = container()
        head = await resolve_head(request, c, restaurant_ref(request))
        return Response(status_code=204, headers=preflight_headers(request, head, methods))

    return endpoint


def public_routes(container: Callable[[], Container]) -> list[Route]:
    """``container()`` gives the process's Container (built lazily, once)."""

    menu_headers, config_headers = _Prebuilt(), _Prebuilt()

    async def menu(request: Request) -> Response:
        c = container()
        found = await fresh_menu(request, c, restaurant_ref(request))
        cors = cors_headers(request, found.head)
        flags = await flags_for(c, found.head)
        if found.stale_seconds is not None:
            # the database is failing: the last good copy, marked, and cached by the CDN only briefly
            cache_control = f"public, max-age=0, s-maxage={STALE_S_MAXAGE}"
            cors = {**cors, "X-Menu-Stale": str(int(found.stale_seconds))}
        else:
            cache_control = (f"public, s-maxage={flags['MENU_S_MAXAGE'].value}, "
                             f"stale-while-revalidate={flags['MENU_STALE_WHILE_REVALIDATE'].value}")
        extra = {"Cache-Control": cache_control, "X-Menu-Version": str(found.head.version)}
        return _cached_response(request, found.body, found.etag, extra, cors, menu_headers)

    async def config(request: Request) -> Response:
        c = container()
        head = await resolve_head(request, c, restaurant_ref(request))
        cors = cors_headers(request, head)
        flags = await flags_for(c, head)
        body = orjson.dumps({
            "restaurantId": head.id, "slug": head.slug, "name": head.name, "locale": head.locale,
            "currency": head.currency, "timezone": head.timezone, "menuVersion": head.version,
            "theme": {"color": head.theme_color}, "greeting": head.greeting,
            "features": {"serverChat": flags["USE_SERVER_CHAT"].value,
                         "ordering": flags["ORDERING_ENABLED"].value},
        })
        max_age = c.settings.config_max_age
        extra = {"Cache-Control": f"public, max-age={max_age}, s-maxage={max_age}"}
        return _cached_response(request, body, strong_etag(body), extra, cors, config_headers)

    read = "GET, HEAD, OPTIONS"
    return [
        Route("/api/public/menu", menu, methods=["GET", "HEAD"]),
        Route("/api/public/menu", preflight(container, read), methods=["OPTIONS"]),
        Route("/api/public/config", config, methods=["GET", "HEAD"]),
        Route("/api/public/config", preflight(container, read), methods=["OPTIONS"]),
    ]
