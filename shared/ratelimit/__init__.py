"""Rate limits for the chat and order endpoints (the ``limits`` library; docs/ratelimits.md).

``RateLimiter.hit`` applies the per-session and per-IP moving windows in one store round trip;
``in_flight`` bounds concurrent requests per session; ``degraded`` tells health that the shared store
failed and this instance limits alone. ``shared.ratelimit.upstash_storage`` (imported only when
Upstash is configured) holds the ``limits`` storage for Upstash's REST API.

Importing this package imports ``limits`` (~170 ms): keep it off the menu path.
"""

from shared.ratelimit.limiter import (
    DEFAULT_BURST,
    DEFAULT_CHAT_LIMIT,
    DEFAULT_HEALTH_LIMIT,
    DEFAULT_IP_LIMIT,
    Decision,
    Kind,
    RateLimiter,
    build_rate_limiter,
    parse_limit,
)
from shared.ratelimit.windows import LIMIT_PATTERN

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_CHAT_LIMIT",
    "DEFAULT_HEALTH_LIMIT",
    "DEFAULT_IP_LIMIT",
    "LIMIT_PATTERN",
    "Decision",
    "Kind",
    "RateLimiter",
    "build_rate_limiter",
    "parse_limit",
]
