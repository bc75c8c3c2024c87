"""Admin API keys. A key is ``stj_`` + 43 random URL-safe characters, shown once when created; the
database keeps only HMAC-SHA256(ADMIN_KEY_PEPPER, key), so a leaked table (without the pepper, which
lives in SSM) yields nothing usable. During a pepper rotation ``ADMIN_KEY_PEPPER_PREVIOUS`` verifies too
and keys are re-hashed on use. At most two keys are active at once, so a key can be rotated
without downtime: create the new one, deploy it to its users, revoke the old one."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.errors import NotFound, TooManyAdminKeys, ValidationFailed
from shared.store import Store

PREFIX = "stj_"
MAX_KEY_LENGTH = 200
LOCKOUT_PREFIX_LENGTH = len(PREFIX) + 8  # "stj_" and 8 random characters: what the admin lockout is keyed on
_TOUCH_AFTER = timedelta(minutes=1)  # last_used_at is refreshed at most this often (one write per minute)
_log = logging.getLogger("stjarna.admin")


@dataclass(frozen=True, slots=True)
class AdminIdentity:
    key_id: str
    name: str

    @property
    def actor(self) -> str:
        """Who made a change, as the audit log and order history record it."""
        return f"admin-key:{self.key_id}"


def lockout_prefix(presented: str) -> str:
    """The presented key's prefix (``stj_`` and the next 8 characters), which the admin lockout counts
    failures under together with the address; ``""`` for anything not shaped like a key. Someone
    guessing keys does not know a real key's prefix, so their failures never fill its bucket."""
    if not presented.startswith(PREFIX) or len(presented) < LOCKOUT_PREFIX_LENGTH:
        return ""
    return presented[:LOCKOUT_PREFIX_LENGTH]


class AdminKeys:
    """``pepper`` hashes new keys and verifies; ``previous`` (a pepper rotation's window, see
    docs/operations.md, Rotating secrets) also verifies, and a key it matches is re-hashed with
    ``pepper`` there and then, so after the window only keys nobody used need re-issuing."""

    def __init__(self, store: Store, pepper: str, previous: str | None = None) -> None:
        self.store = store
        self._pepper = pepper.encode()
        self._previous = None if previous is None or previous == pepper else previous.encode()

    def digest(self, key: str, pepper: bytes | None = None) -> str:
        return hmac.new(pepper or self._pepper, key.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def create(self, name: str, actor: str, expires_in: timedelta | None = None) -> tuple[str, dict[str, Any]]:
        """A new key (the secret, returned once) and its record; ``TooManyAdminKeys`` when two are active."""
        name = name.strip()
        if not 1 <= len(name) <= 80:
            raise ValidationFailed([{"path": "name", "message": "1-80 characters, e.g. who or what uses the key"}])
        key = PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        expires = None if expires_in is None else (now + expires_in).isoformat()
        result = self.store.rpc("stjarna_admin_key_create", {
            "p_name": name, "p_hash": self.digest(key), "p_expires_at": expires, "p_actor": actor,
            "p_now": now.isoformat()})
        if result["outcome"] == "too_many":
            raise TooManyAdminKeys()
        return key, dict(result["key"])

    def list(self) -> list[dict[str, Any]]:
        return list(self.store.rpc("stjarna_admin_keys", {}))

    def revoke(self, key_id: str, actor: str) -> dict[str, Any]:
        result = self.store.rpc("stjarna_admin_key_revoke", {"p_id": key_id, "p_actor": actor})
        if result["outcome"] == "not_found":
            raise NotFound("No admin key with that id.")
        return dict(result["key"])

    def verify(self, presented: str | None) -> AdminIdentity | None:
        """The key's identity, or None. The presented key's HMAC is compared with every active key's
        in constant time (no early exit), so timing says nothing about how close a guess was."""
        if presented is None or not presented.startswith(PREFIX) or len(presented) > MAX_KEY_LENGTH:
            return None
        digest = self.digest(presented)
        old = self.digest(presented, self._previous) if self._previous is not None else None
        match: dict[str, Any] | None = None
        by_previous = False
        for key in self.store.rpc("stjarna_admin_keys_active", {}):
            if hmac.compare_digest(key["hash"], digest):
                match = key
            if old is not None and hmac.compare_digest(key["hash"], old):
                match, by_previous = key, True
        if match is None:
            return None
        if by_previous:
            self.store.rpc("stjarna_admin_key_rehash", {"p_id": match["id"], "p_from": old, "p_to": digest})
            _log.info("admin key re-hashed with the current pepper", extra={"keyId": match["id"]})
        last_used = match.get("lastUsedAt")
        if last_used is None or datetime.fromisoformat(last_used) < datetime.now(UTC) - _TOUCH_AFTER:
            self.store.rpc("stjarna_admin_key_used", {"p_id": match["id"]})
        return AdminIdentity(match["id"], match["name"])
