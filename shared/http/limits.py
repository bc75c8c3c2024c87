"""Admitting a request past the rate limiter (shared/ratelimit; docs/ratelimits.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from shared.http.public import built

if TYPE_CHECKING:  # importing shared.ratelimit loads `limits` (~170 ms): not on a handler's import path
    from shared.container import Container
    from shared.ratelimit import Kind, RateLimiter


async def admit(container: Container, kind: Kind, restaurant_id: str, session_token: str,
                client_ip: str, *, limits: tuple[str, str] | None = None) -> tuple[RateLimiter, dict[str, str]]:
    """Count one request of ``kind`` against ``limits`` (session, IP: the restaurant's flags) or the
    configured ones; the ``X-RateLimit-*`` headers for the answer, or ``RateLimited``."""
    limiter = await built(container.ready_limiter, lambda: container.limiter)
    hit = (restaurant_id, session_token, client_ip, kind, limits)
    # in memory the check is CPU only (≈ 10 µs): a thread hop would cost ten times that
    decision = await run_in_threadpool(limiter.hit, *hit) if limiter.shared else limiter.hit(*hit)
    if not decision.allowed:
        raise decision.error()
    return limiter, decision.headers()
