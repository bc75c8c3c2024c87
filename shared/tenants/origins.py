"""Per-tenant CORS allowlists.

An allowlist entry is an exact origin (``https://bistro.example``, ``http://localhost:8000``) or a
subdomain wildcard (``https://*.example.com``) that matches one or more whole labels in front of
the domain, never the bare domain and never a substring (``https://evil.example.com.attacker.net``
does not match). Scheme and host compare case-insensitively; ports must match exactly (the
default port may be written or not). ``null``, paths, user info and trailing dots are never allowed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from shared.identifiers import DNS_LABEL

_LABEL = f"(?:{DNS_LABEL})"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\])"
_ORIGIN_RE = re.compile(rf"^(https?)://({_HOST})(?::(\d{{1,5}}))?$")
_PATTERN_RE = re.compile(rf"^(https?)://(\*\.)?({_HOST})(?::(\d{{1,5}}))?$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class OriginPattern:
    scheme: str
    host: str  # for a wildcard, the domain after "*."
    port: int
    wildcard: bool

    def matches(self, origin: Origin) -> bool:
        if origin.scheme != self.scheme or origin.port != self.port:
            return False
        if self.wildcard:
            return origin.host.endswith("." + self.host)
        return origin.host == self.host


def _port(scheme: str, raw: str | None) -> int | None:
    port = _DEFAULT_PORTS[scheme] if raw is None else int(raw)
    return port if 0 < port < 65536 else None


def parse_origin(value: str) -> Origin | None:
    """A browser's ``Origin`` header as an Origin, or None when it is not a usable http(s) origin."""
    return _parse_origin(value) if len(value) <= 300 else None


@functools.lru_cache(maxsize=1024)  # a restaurant's widget sends the same few origins all day
def _parse_origin(value: str) -> Origin | None:
    match = _ORIGIN_RE.fullmatch(value.lower())
    if match is None:
        return None
    scheme, host, raw_port = match.groups()
    port = _port(scheme, raw_port)
    return None if port is None else Origin(scheme, host, port)


def parse_pattern(value: str) -> OriginPattern | None:
    """An allowlist entry, or None when it is malformed."""
    match = _PATTERN_RE.fullmatch(value.strip().lower()) if len(value) <= 300 else None
    if match is None:
        return None
    scheme, star, host, raw_port = match.groups()
    port = _port(scheme, raw_port)
    if port is None or (star and "." not in host):  # "*.com" would allow a whole TLD
        return None
    return OriginPattern(scheme, host, port, wildcard=bool(star))


def is_allowed(origin: Origin | str | None, patterns: tuple[OriginPattern, ...]) -> bool:
    if isinstance(origin, str):
        origin = parse_origin(origin)
    return origin is not None and any(p.matches(origin) for p in patterns)


def compile_patterns(entries: list[str] | tuple[str, ...]) -> tuple[OriginPattern, ...]:
    """Stored entries were validated on import; a malformed one is skipped, never widened."""
    return tuple(p for p in map(parse_pattern, entries) if p is not None)


def explain(origin_header: str, entries: list[str] | tuple[str, ...]) -> str:
    """Why an origin is or is not allowed, in one sentence (for support tooling and logs)."""
    origin = parse_origin(origin_header)
    if origin is None:
        return f"{origin_header!r} is not a valid http(s) origin (scheme://host[:port], no path)"
    for entry in entries:
        pattern = parse_pattern(entry)
        if pattern is not None and pattern.matches(origin):
            return f"allowed by {entry!r}"
    if not entries:
        return "the restaurant has no allowed origins"
    return f"not matched by any of {', '.join(entries)}"
