"""``BLOCKED_CLIENTS`` (docs/flags.md; docs/operations.md, Blocking abusive clients): a listed client is
answered 403 ``CLIENT_BLOCKED`` before any work. The global list is checked by the middleware for every
request of an app that serves more than static bytes; a restaurant's own list (a per-restaurant
override, which adds to the global one) by ``tenant_endpoint`` and the preflight as soon as the
restaurant is known: before CORS, rate limits, the database or the model. Both read the flags as every
route does, so a change applies within ``FLAGS_CACHE_SECONDS``; flags that cannot be built (no AWS
region, say) fail open, logged: the list is a tool against abuse, not a reason to stop serving."""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.types import Scope

from shared.container import Container
from shared.errors import ClientBlocked
from shared.http.inputs import client_ip
from shared.networks import blocked

__all__ = ["refuse_blocked", "screen"]
_log = logging.getLogger("stjarna.flags")
UNSCREENED_PATHS = frozenset({"/api/health/live"})


async def refuse_blocked(container: Container, request: Request, slug: str | None = None) -> None:
    """``ClientBlocked`` when the request's client is on the global list (``slug`` None) or on the
    restaurant ``slug``'s own list (its override; the global list is the middleware's)."""
    try:
        flags = await container.built(Container.flags)
    except Exception as exc:  # noqa: BLE001 - flags that cannot even be built must not take routes down
        _log.warning("BLOCKED_CLIENTS not checked: the flags are unavailable", extra={"error": type(exc).__name__})
        return
    networks = flags.for_restaurant(slug)["BLOCKED_CLIENTS"]
    if slug is not None and networks.source != "tenant":
        return
    if networks.value and blocked(client_ip(request, container.settings), networks.value):
        request.scope["state"]["outcome"] = "blocked"
        raise ClientBlocked()


async def screen(container: Callable[[], Container], scope: Scope) -> None:
    """The middleware's check: the global list, for any request but a liveness probe (which answers
    without settings, flags or clients: the platform probes it, and it does no work worth refusing)."""
    if scope["path"] in UNSCREENED_PATHS:
        return
    await refuse_blocked(container(), Request(scope))
