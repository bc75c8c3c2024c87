"""The menu routes, widget-facing: ``GET /api/public/menu`` (the published menu, served as cached
bytes) and ``GET /api/public/config`` (the widget's bootstrap settings), each with its preflight."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from starlette.requests import Request
from starlette.responses import Response

from shared.caching import cdn_cache, public_cache, strong_etag
from shared.chat.hours import open_state
from shared.container import Container
from shared.http.operations import (
    CORS,
    IF_NONE_MATCH,
    ORIGIN,
    REQUEST_ID,
    RESTAURANT_HEADER,
    RESTAURANT_QUERY,
    TENANT,
    ApiRoute,
    Reply,
    readable,
)
from shared.http.responses import etag_matches
from shared.http.tenant import Tenant, preflight_route, tenant_endpoint

STALE_S_MAXAGE = 5  # seconds a CDN may keep a stale-if-error copy
SCHEMAS = "shared.http.schemas.menu"


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


def open_now(hours: dict[str, Any], timezone: str, now: datetime) -> dict[str, Any]:
    """``{"now", "nextChange"}`` at ``now`` from the menu's weekly hours: open or closed, and the next
    closing (when open) or opening (when closed) as an ISO instant in UTC; null when it never changes
    (round the clock, or no hours). The widget shows this, not what the diner's clock says (#18, 7);
    unusable hours or zone: closed, no change (the order transaction decides anyway)."""
    state = open_state(hours, timezone, now)
    if state is None:
        return {"now": False, "nextChange": None}
    change = None
    if state.change is not None:
        zone = ZoneInfo(timezone)
        day = now.astimezone(zone).date() + timedelta(days=state.change.in_days)
        hour, minute = (int(part) for part in state.change.time.split(":"))
        local = datetime.combine(day, time(hour % 24, minute), zone)
        change = local.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"now": state.open, "nextChange": change}


def menu_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    """``container()`` gives the process's Container (built lazily, once)."""

    menu_headers, config_headers = _Prebuilt(), _Prebuilt()
    async def menu(request: Request, tenant: Tenant) -> Response:
        found = tenant.menu
        cors = tenant.cors
        flags = await tenant.flags()
        if found.stale_seconds is not None:
            # the database is failing: the last good copy, marked, and cached by the CDN only briefly
            cache_control = public_cache(0, STALE_S_MAXAGE)
            cors = {**cors, "X-Menu-Stale": str(int(found.stale_seconds))}
        else:
            cache_control = cdn_cache(flags["MENU_S_MAXAGE"].value, flags["MENU_STALE_WHILE_REVALIDATE"].value)
        extra = {"Cache-Control": cache_control, "X-Menu-Version": str(found.head.version)}
        return _cached_response(request, found.body, found.etag, extra, cors, menu_headers)

    async def config(request: Request, tenant: Tenant) -> Response:
        head = tenant.head
        flags = await tenant.flags()
        now = datetime.now(UTC)
        body = orjson.dumps({
            "restaurantId": head.id, "slug": head.slug, "name": head.name, "locale": head.locale,
            "currency": head.currency, "timezone": head.timezone, "menuVersion": head.version,
            "theme": {"color": head.theme_color}, "greeting": head.greeting,
            "features": {"serverChat": flags["USE_SERVER_CHAT"].value,
                         "ordering": flags["ORDERING_ENABLED"].value},
            # computed at this request's time: pausing bumps the head's version, and a timed pause's end
            # changes the body (so the ETag) by itself; seen within CONFIG_MAX_AGE (docs/console.md)
            "ordering": head.ordering_pause(now),
            # the server's word on open or closed, at this request's time too: the body (so the ETag)
            # changes at each opening and closing; seen within CONFIG_MAX_AGE
            "open": open_now(head.hours, head.timezone, now),
        })
        max_age = tenant.container.settings.config_max_age
        extra = {"Cache-Control": public_cache(max_age)}
        return _cached_response(request, body, strong_etag(body), extra, tenant.cors, config_headers)

    read, cached = "GET, HEAD, OPTIONS", ("ETag", "Cache-Control", "Vary")
    reads = (RESTAURANT_QUERY, RESTAURANT_HEADER, ORIGIN, IF_NONE_MATCH, REQUEST_ID)
    menu_doc = readable("/api/public/menu", "Menu", "The published menu of a live restaurant", "public", reads, (
        Reply(200, f"{SCHEMAS}.PublicMenu", (*cached, "X-Menu-Version", "X-Menu-Stale?", *CORS)),
        Reply(304, None, (*cached, "X-Menu-Version", "X-Menu-Stale?", *CORS), "Not modified", media=""),
    ), TENANT, error_headers=CORS)
    config_doc = readable("/api/public/config", "Config", "The widget's bootstrap settings", "public", reads, (
        Reply(200, f"{SCHEMAS}.WidgetConfig", (*cached, *CORS)),
        Reply(304, None, (*cached, *CORS), "Not modified", media=""),
    ), TENANT, error_headers=CORS)
    return [
        ApiRoute("/api/public/menu", tenant_endpoint(container, menu, menu=True), methods=["GET", "HEAD"],
                 operations=menu_doc),
        preflight_route(container, "/api/public/menu", "Menu", read),
        ApiRoute("/api/public/config", tenant_endpoint(container, config), methods=["GET", "HEAD"],
                 operations=config_doc),
        preflight_route(container, "/api/public/config", "Config", read),
    ]
