"""``/console/api/session`` and the console's way into the admin routes (docs/console.md, Sessions).

Signing in takes a key once (under the admin lockout: the same 401 and 429 as the header) and answers
with an ``HttpOnly; Secure; SameSite=Strict`` cookie on ``/console`` holding an opaque token (the key is
never in the browser's storage) and a CSRF token. Every ``/console/api/`` request is then checked here:
the session in the KV (idle and absolute expiry, shared/admin/sessions.py), its key still active (one
primary-key read: a revoked or expired key ends its sessions at their next request; its last use is
recorded at most once a minute), and on writes the ``X-Stjarna-CSRF`` header and, when the browser
sends one, an ``Origin`` equal to the request's own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.admin.keys import AdminIdentity
from shared.admin.sessions import ConsoleSessions, Session
from shared.camel import CamelModel
from shared.container import Container
from shared.errors import CsrfFailed, RestaurantNotFound, Unauthorized, ValidationFailed
from shared.http.inputs import json_object
from shared.http.operations import (
    ADMIN,
    ALWAYS,
    LIMITS_IF_ADMITTED,
    NO_STORE,
    REQUEST_ID,
    ApiRoute,
    Operation,
    Reply,
    readable,
)
from shared.http.responses import JSONResponse
from shared.tenants.lookup import restaurant_id
from shared.validation import validate

COOKIE = "stjarna_console"
COOKIE_PATH = "/console"
CSRF_HEADER = "x-stjarna-csrf"
SESSION_PATH = "/console/api/session"
_SAFE = frozenset({"GET", "HEAD"})
_SCHEMA = "shared.http.schemas.console"
_CONSOLE: dict[str, Any] = {"admin": True, "console": True,
                             "error_headers": ("WWW-Authenticate?", "Retry-After?", *LIMITS_IF_ADMITTED)}


class SessionStart(CamelModel):
    """``POST /console/api/session``: a key; a platform key also names the restaurant whose board to show."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(max_length=200)
    restaurant: str | None = Field(None, max_length=64, description="A slug or id; required with a platform key")


def sessions(c: Container) -> ConsoleSessions:
    s = c.settings
    return ConsoleSessions(c.kv, idle_seconds=s.console_idle_minutes * 60, max_seconds=s.console_session_hours * 3600,
                           clock=lambda: c.orders.clock().timestamp())


def same_origin(request: Request, c: Container) -> bool:
    """No ``Origin`` (not a browser's cross-site write), or the request's own scheme, host and port, or the
    stage's public URL (``STJARNA_API_URL``: behind a CDN that does not forward ``Host``, the function sees
    its origin's host, while the browser sends the CDN's)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    ours = {f"{request.url.scheme}://{request.url.netloc}".lower()}
    if c.settings.api_url:
        public = urlsplit(c.settings.api_url)
        ours.add(f"{public.scheme}://{public.netloc}".lower())
    return origin.rstrip("/").lower() in ours


async def console_identity(request: Request, c: Container) -> AdminIdentity:
    """The identity of the console session sending ``request``, or 401 (no live session, or its key is
    no longer active) / 403 ``CSRF_FAILED`` (a write without the token or from another origin)."""
    return (await live_session(request, c)).identity


async def live_session(request: Request, c: Container) -> Session:
    token = request.cookies.get(COOKIE)
    store = await run_in_threadpool(sessions, c)  # may build the KV and the orders' clock
    session = await run_in_threadpool(store.get, token)
    if session is None:
        raise Unauthorized("No console session, or it has ended: sign in again.")
    if request.method not in _SAFE and not (session.csrf_matches(request.headers.get(CSRF_HEADER))
                                            and same_origin(request, c)):
        raise CsrfFailed()
    active = await run_in_threadpool(c.admin_keys.active, session.key_id)
    if active is None:  # revoked or expired since signing in: the session goes with it
        await run_in_threadpool(store.end, token)
        raise Unauthorized("The key this console signed in with was revoked or has expired: sign in again.")
    request.scope["state"]["actor"] = session.identity.actor
    return session


def _body(session: Session, idle_seconds: int) -> dict[str, Any]:
    return {"role": session.role, "restaurant": session.restaurant, "keyName": session.key_name,
            "csrfToken": session.csrf, "idleTimeoutSeconds": idle_seconds,
            "expiresAt": datetime.fromtimestamp(session.expires, UTC).isoformat()}


def _set_cookie(response: Response, token: str, max_age: int) -> None:
    response.set_cookie(COOKIE, token, max_age=max_age, path=COOKIE_PATH, secure=True, httponly=True,
                        samesite="strict")


def session_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    async def start(request: Request) -> Response:
        from shared.http.admin import check_key

        c = container()
        if not same_origin(request, c):  # no signing in a victim's browser from another site
            raise CsrfFailed()
        body = validate(SessionStart, json_object(await request.body()), root="(body)")
        identity = await check_key(request, c, body.key.strip())

        def begin() -> tuple[str, Session]:
            if identity.role == "platform" and body.restaurant is None:
                raise ValidationFailed([{"path": "restaurant", "message": "a platform key signs in to one "
                                         "restaurant's console: give its slug"}])
            rid = identity.restaurant_id if body.restaurant is None else restaurant_id(c.store, body.restaurant)
            assert rid is not None
            identity.scope(rid)  # a scoped key naming another restaurant: 404, as a missing one
            found = c.store.rpc("stjarna_staff_restaurant", {"p_id": rid})
            if found is None:
                raise RestaurantNotFound()
            restaurant = {"id": found["id"], "slug": found["slug"], "name": found["name"]}
            return sessions(c).start(identity, restaurant)

        token, session = await run_in_threadpool(begin)
        response = JSONResponse(_body(session, c.settings.console_idle_minutes * 60),
                                headers={"Cache-Control": caching.NO_STORE})
        _set_cookie(response, token, c.settings.console_session_hours * 3600)
        return response

    async def show(request: Request) -> Response:
        c = container()
        session = await live_session(request, c)
        return JSONResponse(_body(session, c.settings.console_idle_minutes * 60),
                            headers={"Cache-Control": caching.NO_STORE})

    async def end(request: Request) -> Response:
        c = container()
        token = request.cookies.get(COOKIE)
        store = await run_in_threadpool(sessions, c)  # may build the KV and the orders' clock
        session = await run_in_threadpool(store.get, token)
        if session is not None:
            if not (session.csrf_matches(request.headers.get(CSRF_HEADER)) and same_origin(request, c)):
                raise CsrfFailed()
            await run_in_threadpool(store.end, token)
        response = Response(status_code=204, headers={"Cache-Control": caching.NO_STORE})
        response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict")
        return response

    answer = (Reply(200, f"{_SCHEMA}.ConsoleSession", NO_STORE),)
    return [
        ApiRoute(SESSION_PATH, start, methods=["POST"], operations=[Operation(
            "POST", SESSION_PATH, "postConsoleSession", "Sign in to the console with a key", "console",
            (REQUEST_ID,), body="shared.http.console_session.SessionStart",
            replies=(Reply(200, f"{_SCHEMA}.ConsoleSession", ("Cache-Control", "Set-Cookie")),),
            errors=(*ADMIN, 404, 422), error_headers=_CONSOLE["error_headers"])]),
        ApiRoute(SESSION_PATH, show, methods=["GET"], operations=readable(
            SESSION_PATH, "ConsoleSession", "The console session (role, restaurant, CSRF token)", "console",
            (REQUEST_ID,), answer, ADMIN, **_CONSOLE)),
        ApiRoute(SESSION_PATH, end, methods=["DELETE"], operations=[Operation(
            "DELETE", SESSION_PATH, "deleteConsoleSession", "Sign out: the session ends, the cookie is cleared",
            "console", (REQUEST_ID,), replies=(Reply(204, None, ("Cache-Control", "Set-Cookie")),),
            errors=(*ALWAYS, 503))]),
    ]

