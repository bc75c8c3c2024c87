"""The staff console's sessions (docs/console.md, Sessions). Signing in with a key gives an opaque token
(32 random bytes, URL-safe) that the browser holds in an HttpOnly cookie; the KV holds the session under
the token's SHA-256 only, so a KV dump names no usable cookie. A session ends ``idle_seconds`` after its
last use (sliding: the KV TTL is pushed back, at most once a minute) and at the latest ``max_seconds``
after signing in; signing out deletes it. Its CSRF token is bound to it and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from shared.admin.keys import ROLES, AdminIdentity
from shared.kv import KV

_PREFIX = "console:session:"
REFRESH_AFTER_SECONDS = 60  # the sliding expiry is written at most this often (one KV write a minute)


@dataclass(frozen=True, slots=True)
class Session:
    key_id: str
    key_name: str
    role: str
    key_restaurant_id: str | None  # the key's scope (None: a platform key)
    restaurant: dict[str, Any] | None  # the restaurant the console shows: {"id", "slug", "name"}
    csrf: str
    started: float  # epoch seconds
    expires: float  # the absolute end
    touched: float  # when the sliding expiry was last written

    @property
    def identity(self) -> AdminIdentity:
        role = self.role if self.role in ROLES else "kitchen"  # never widen an unknown role
        return AdminIdentity(self.key_id, self.key_name, role, self.key_restaurant_id)

    def csrf_matches(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(presented.encode(), self.csrf.encode())


class ConsoleSessions:
    def __init__(self, kv: KV, *, idle_seconds: int, max_seconds: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.kv = kv
        self.idle = idle_seconds
        self.max = max_seconds
        self.clock = clock

    @staticmethod
    def _key(token: str) -> str:
        return _PREFIX + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

    def _ttl(self, session: Session, now: float) -> int:
        return max(1, int(min(self.idle, session.expires - now)))

    def start(self, identity: AdminIdentity, restaurant: dict[str, Any] | None) -> tuple[str, Session]:
        """A new session for ``identity`` showing ``restaurant``: the cookie's token (returned once) and it."""
        now = self.clock()
        token = secrets.token_urlsafe(32)  # 256 bits
        session = Session(identity.key_id, identity.name, identity.role, identity.restaurant_id, restaurant,
                          secrets.token_urlsafe(32), now, now + self.max, now)
        self.kv.set(self._key(token), json.dumps(asdict(session)), self._ttl(session, now))
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session of a cookie's token, its idle expiry pushed back; None when there is none."""
        if not token or len(token) > 100:
            return None
        raw = self.kv.get(self._key(token))
        if raw is None:
            return None
        session = Session(**json.loads(raw))
        now = self.clock()
        if now >= session.expires:
            self.kv.delete(self._key(token))
            return None
        if now - session.touched >= REFRESH_AFTER_SECONDS:
            session = Session(**{**asdict(session), "touched": now})
            self.kv.set(self._key(token), json.dumps(asdict(session)), self._ttl(session, now))
        return session

    def end(self, token: str | None) -> None:
        if token and len(token) <= 100:
            self.kv.delete(self._key(token))
