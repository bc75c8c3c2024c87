"""This request's tenant: the restaurant it names, resolved, bound to the logs, its flags and rate
limits, its CORS preflight, and ``tenant_endpoint``, the one wrapper of every tenant route.

Every answer past the CORS check carries the CORS headers, errors included, so the widget can read a
429 or a 503 and react; every answer past the rate limiter carries ``X-RateLimit-*``. A failure before
the CORS check (a bad body, an unknown restaurant, a foreign origin) is answered without them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared.container import Container
from shared.errors import InvalidRequest, RestaurantIdConflict, StjarnaError
from shared.flags import FlagSet
from shared.http.blocking import refuse_blocked
from shared.http.cors import cors_headers, preflight_headers
from shared.http.inputs import client_ip, is_probe, json_object, query_values
from shared.http.operations import ApiRoute, preflight_operation
from shared.http.responses import error_response
from shared.menus.cache import MenuService, PublicMenu
from shared.observability.logs import bind_tenant
from shared.tenants.head import RestaurantHead
from shared.tenants.refs import SLUG_RE, parse_ref

if TYPE_CHECKING:  # importing shared.ratelimit loads `limits` (~170 ms): not on a handler's import path
    from shared.ratelimit import Decision, Kind, RateLimiter

Endpoint = Callable[[Request], Awaitable[Response]]


# -- naming and resolving the restaurant ---------------------------------------------------------------
def _named(request: Request, in_body: object = None) -> str:
    """The one restaurant a request names: ``restaurantId`` in the query string, ``X-Restaurant-ID``
    (header) and, for body routes, ``restaurantId`` in the JSON body. Any of them will do; two that name
    different restaurants are refused (``RESTAURANT_ID_CONFLICT``, docs/errors.md), and so is a query or
    header given twice. Compared as written (normalised): a slug and the same restaurant's UUID differ."""
    in_query = query_values(request.scope["query_string"], b"restaurantId")
    if len(in_query) > 1:
        raise InvalidRequest("restaurantId is given more than once.")
    in_header = [value.decode("latin-1") for name, value in request.scope["headers"] if name == b"x-restaurant-id"]
    if len(in_header) > 1:
        raise InvalidRequest("X-Restaurant-ID is given more than once.")
    body = [in_body] if isinstance(in_body, str) else []
    given = [raw for raw in (*body, *in_query, *in_header) if raw.strip()]
    refs = {parse_ref(raw) for raw in given}
    if len(refs) > 1:
        raise RestaurantIdConflict()
    ref = parse_ref(given[0] if given else None)
    bind_restaurant(request, ref)
    return ref


def restaurant_ref(request: Request) -> str:
    """The restaurant named by ``restaurantId`` (query) or ``X-Restaurant-ID`` (header)."""
    return _named(request)


def body_ref(request: Request, data: dict[str, object]) -> str:
    """The restaurant from the body, the query string (browsers put it there for the preflight) or
    ``X-Restaurant-ID``; when only the query or header names it, the body gets it as ``restaurantId``
    (so the request model validates as if it had been sent there)."""
    ref = _named(request, data.get("restaurantId"))
    sent = data.get("restaurantId")
    if sent is None or (isinstance(sent, str) and not sent.strip()):
        data["restaurantId"] = ref
    return ref


def bind_restaurant(request: Request, restaurant_id: str, slug: str | None = None) -> None:
    """Name the restaurant on the access line and on every log line of this request: its id and
    slug (``slug`` once resolved; before that the reference itself when it is a slug, else null)."""
    if slug is None and SLUG_RE.fullmatch(restaurant_id):
        slug = restaurant_id
    request.scope["state"]["restaurantId"] = restaurant_id
    request.scope["state"]["restaurantSlug"] = slug
    bind_tenant(restaurant_id, slug)


async def _menus(container: Container) -> MenuService:
    return await container.built(Container.menus)


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
    bind_restaurant(request, found.head.id, found.head.slug)
    request.scope["state"]["cache"] = cache
    return found


async def resolve_head(request: Request, container: Container, ref: str) -> RestaurantHead:
    menus = await _menus(container)
    head = menus.fresh_head(ref)
    if head is None:
        head = await run_in_threadpool(menus.head, ref)
    bind_restaurant(request, head.id, head.slug)
    return head


async def flags_for(container: Container, head: RestaurantHead) -> FlagSet:
    """The restaurant's effective flags: from memory on the event loop when fresh, else read (SSM or
    the flags file) in a worker thread."""
    flags = await container.built(Container.flags)
    return flags.for_restaurant(head.slug)


async def admit(container: Container, kind: Kind, restaurant_id: str, session_token: str,
                client_ip: str, *, limits: tuple[str, str] | None = None,
                probe: bool = False) -> tuple[RateLimiter, dict[str, str]]:
    """Count one request of ``kind`` against ``limits`` (session, IP: the restaurant's flags) or the
    configured ones (shared/ratelimit; docs/ratelimits.md), or an authenticated ``probe`` against the
    probe limit; the ``X-RateLimit-*`` headers for the answer, or ``RateLimited``."""
    limiter = await container.built(Container.limiter)
    def hit() -> Decision:
        return limiter.hit(restaurant_id, session_token, client_ip, kind, limits, probe=probe)

    # in memory the check is CPU only (≈ 10 µs): a thread hop would cost ten times that
    decision = await run_in_threadpool(hit) if limiter.shared else hit()
    if not decision.allowed:
        raise decision.error()
    return limiter, decision.headers()


# -- the tenant of a request, and the wrapper of its endpoints -------------------------------------
@dataclass(slots=True)
class Tenant:
    """The restaurant a request is for, past the CORS check: the headers every answer carries."""

    container: Container
    head: RestaurantHead
    cors: dict[str, str]
    body: dict[str, object] = field(default_factory=dict)  # the JSON body, when it names the restaurant
    limits: dict[str, str] = field(default_factory=dict)  # X-RateLimit-*, once admitted
    probe: bool = False  # an authenticated monitoring probe, once admitted
    loaded_menu: PublicMenu | None = None

    @property
    def menu(self) -> PublicMenu:
        """The public menu, for an endpoint declared with ``menu=True``."""
        if self.loaded_menu is None:
            raise RuntimeError("the endpoint was not declared with menu=True")
        return self.loaded_menu

    async def flags(self) -> FlagSet:
        return await flags_for(self.container, self.head)

    async def admit(self, request: Request, kind: Kind, session_token: str, *,
                    limits: tuple[str, str] | None = None) -> RateLimiter:
        """``admit`` for this restaurant and the request's client; the answer (errors included) then
        carries the ``X-RateLimit-*`` headers. Sets ``probe`` (``is_probe``)."""
        settings = self.container.settings
        self.probe = self.is_probe(request, session_token)
        limiter, self.limits = await admit(self.container, kind, self.head.id, session_token,
                                           client_ip(request, settings), limits=limits, probe=self.probe)
        return limiter

    def is_probe(self, request: Request, session_token: str) -> bool:
        """Whether this request is an authenticated monitoring probe (shared/http/inputs.py ``is_probe``)."""
        return is_probe(request, self.container.settings, session_token)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """CORS, rate-limit and ``extra`` headers for an answer."""
        return {**self.cors, **self.limits, **(extra or {})}


TenantHandler = Callable[[Request, Tenant], Awaitable[Response]]


def tenant_endpoint(container: Callable[[], Container], handler: TenantHandler, *,
                    ref: Literal["query", "body"] = "query", menu: bool = False) -> Endpoint:
    """``handler`` behind the tenant: the restaurant named in the query/header (``ref="query"``) or the
    JSON body (``"body"``), resolved (with its public menu when ``menu``), CORS checked; any
    ``StjarnaError`` the handler raises is answered with the CORS, rate-limit and error's headers."""
    async def endpoint(request: Request) -> Response:
        c = container()
        body: dict[str, object] = {}
        if ref == "body":
            body = json_object(await request.body())
            name = body_ref(request, body)
        else:
            name = restaurant_ref(request)
        found = await fresh_menu(request, c, name) if menu else None
        head = found.head if found is not None else await resolve_head(request, c, name)
        await refuse_blocked(c, request, head.slug)  # the restaurant's own BLOCKED_CLIENTS, before any work
        tenant = Tenant(c, head, cors_headers(request, head), body=body, loaded_menu=found)
        try:
            return await handler(request, tenant)
        except StjarnaError as exc:
            return error_response(exc, request.state.requestId, headers=tenant.headers(exc.headers()))

    return endpoint


def preflight_route(container: Callable[[], Container], path: str, name: str, methods: str,
                    params: tuple[dict[str, Any], ...] = ()) -> ApiRoute:
    """The ``OPTIONS`` route beside a tenant route (``name`` for its operation id; ``params``: the
    path's parameters)."""
    return ApiRoute(path, preflight(container, methods), methods=["OPTIONS"],
                    operations=[preflight_operation(path, name, methods, params)])


def preflight(container: Callable[[], Container], methods: str) -> Endpoint:
    """The tenant's CORS preflight for a route (every menu, chat and order route has one): the
    restaurant comes from the query string, as preflights carry no body or custom header values."""
    async def endpoint(request: Request) -> Response:
        c = container()
        head = await resolve_head(request, c, restaurant_ref(request))
        await refuse_blocked(c, request, head.slug)
        return Response(status_code=204, headers=preflight_headers(request, head, methods))

    return endpoint
