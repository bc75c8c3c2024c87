"""HTTP caching, named once: the strong ETag of a body and the ``Cache-Control`` values we send.

Import-cheap (the standard library only), so domain packages may use it too.
"""

from __future__ import annotations

import hashlib

__all__ = ["IMMUTABLE", "NO_STORE", "SHORT_CACHE", "cdn_cache", "public_cache", "strong_etag"]

NO_STORE = "no-store"  # per-diner or per-request answers: never cached anywhere
SHORT_CACHE = "public, max-age=300, s-maxage=300"  # changes with a deploy only
IMMUTABLE = "public, max-age=31536000, immutable"  # a URL that names its content


def public_cache(max_age: int, s_maxage: int | None = None) -> str:
    """``public, max-age=N, s-maxage=M`` (``s-maxage`` defaults to ``max-age``)."""
    return f"public, max-age={max_age}, s-maxage={max_age if s_maxage is None else s_maxage}"


def cdn_cache(s_maxage: int, stale_while_revalidate: int) -> str:
    """``public, s-maxage=N, stale-while-revalidate=M`` for a CDN. ``s-maxage=0`` means "do not keep a
    copy": then there is no ``stale-while-revalidate`` either (a CDN would otherwise go on serving the
    old copy for M more seconds); nor when M is 0."""
    if s_maxage <= 0 or stale_while_revalidate <= 0:
        return f"public, s-maxage={max(s_maxage, 0)}"
    return f"public, s-maxage={s_maxage}, stale-while-revalidate={stale_while_revalidate}"


def strong_etag(body: bytes, hex_chars: int = 40) -> str:
    """A strong validator of the exact bytes: the first ``hex_chars`` of their SHA-256, quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:hex_chars] + '"'
