"""Admin API keys. A key is ``stj_`` + 43 random URL-safe characters, shown once when created; the
database keeps only HMAC-SHA256(ADMIN_KEY_PEPPER, key), so a leaked table (without the pepper, which
lives in SSM) yields nothing usable. During a pepper rotation ``ADMIN_KEY_PEPPER_PREVIOUS`` verifies too
and keys are re-hashed on use. At most two platform keys are active at once, so a key can be rotated
without downtime: create the new one, deploy it to its users, revoke the old one. Staff keys belong to
one restaurant with a role, ``owner`` (2 active) or ``kitchen`` (20 active): docs/admin.md."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from shared.errors import Forbidden, NotFound, RestaurantNotFound, TooManyAdminKeys, ValidationFailed
from shared.store import Store

PREFIX = "stj_"
MAX_KEY_LENGTH = 200
LOCKOUT_PREFIX_LENGTH = len(PREFIX) + 8  # "stj_" and 8 random characters: what the admin lockout is keyed on
_TOUCH_AFTER = timedelta(minutes=1)  # last_used_at is refreshed at most this often (one write per minute)
_log = logging.getLogger("stjarna.admin")


Role = Literal["platform", "owner", "kitchen"]
ROLES: tuple[Role, ...] = ("platform", "owner", "kitchen")


@dataclass(frozen=True, slots=True)
class AdminIdentity:
    """Who a key (or a console session made from one) is. ``platform``: every restaurant (``restaurant_id``
    is None); ``owner`` and ``kitchen``: only ``restaurant_id`` (docs/console.md, "Roles")."""

    key_id: str
    name: str
    role: Role = "platform"
    restaurant_id: str | None = None

    @property
    def actor(self) -> str:
        """Who made a change, as the audit log and order history record it."""
        return f"admin-key:{self.key_id}"

    def scope(self, restaurant_id: str, *roles: Role) -> None:
        """Allow this identity to act on ``restaurant_id`` (a resolved id) with one of ``roles`` (default:
        any role). A key scoped to another restaurant gets the same ``RestaurantNotFound`` as a restaurant
        that does not exist (nothing to enumerate); a role short of what the action needs, ``Forbidden``."""
        if self.role != "platform" and restaurant_id != self.restaurant_id:
            raise RestaurantNotFound()
        if roles and self.role not in roles and self.role != "platform":
            raise Forbidden(f"A {self.role} key cannot do this; it needs an {' or '.join(roles)} key.")


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

    def create(self, name: str, actor: str, expires_in: timedelta | None = None, *, role: Role = "platform",
               restaurant_id: str | None = None) -> tuple[str, dict[str, Any]]:
        """A new key (the secret, returned once) and its record; ``TooManyAdminKeys`` when its scope has
        as many active keys as allowed (2 platform; per restaurant 2 owner, 20 kitchen)."""
        name = name.strip()
        if not 1 <= len(name) <= 80:
            raise ValidationFailed([{"path": "name", "message": "1-80 characters, e.g. who or what uses the key"}])
        if role not in ROLES:
            raise ValidationFailed([{"path": "role", "message": f"one of {', '.join(ROLES)}"}])
        if (role == "platform") != (restaurant_id is None):
            raise ValidationFailed([{"path": "restaurant", "message":
                                     "an owner or kitchen key needs a restaurant; a platform key has none"}])
        key = PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        expires = None if expires_in is None else (now + expires_in).isoformat()
        result = self.store.rpc("stjarna_admin_key_create", {
            "p_name": name, "p_hash": self.digest(key), "p_expires_at": expires, "p_actor": actor,
            "p_now": now.isoformat(), "p_role": role, "p_restaurant_id": restaurant_id})
        if result["outcome"] == "too_many":
            raise TooManyAdminKeys(_too_many(role, int(result["limit"])))
        if result["outcome"] == "restaurant_not_found":
            raise RestaurantNotFound()
        return key, dict(result["key"])

    def list(self, restaurant_id: str | None = None) -> list[dict[str, Any]]:
        """Every key, or one restaurant's (never a hash)."""
        return list(self.store.rpc("stjarna_admin_keys", {"p_restaurant_id": restaurant_id}))

    def revoke(self, key_id: str, actor: str, *, restaurant_id: str | None = None,
               role: Role | None = None) -> dict[str, Any]:
        """Revoke at once; with ``restaurant_id`` (and ``role``) only a key of that restaurant (and role):
        any other is ``NotFound``, as one that does not exist."""
        result = self.store.rpc("stjarna_admin_key_revoke", {
            "p_id": key_id, "p_actor": actor, "p_restaurant_id": restaurant_id, "p_role": role})
        if result["outcome"] == "not_found":
            raise NotFound("No admin key with that id.")
        return dict(result["key"])

    def verify(self, presented: str | None) -> AdminIdentity | None:
        """The key's identity, or None. The key is looked up by its HMAC (a unique index), under the
        current pepper and, during a rotation, the previous one: one indexed read whatever the number of
        keys. A guess reveals nothing by timing: the HMAC of the guess is what is compared, by the index."""
        if presented is None or not presented.startswith(PREFIX) or len(presented) > MAX_KEY_LENGTH:
            return None
        digest = self.digest(presented)
        old = self.digest(presented, self._previous) if self._previous is not None else None
        match: dict[str, Any] | None = self.store.rpc("stjarna_admin_key_find", {"p_hash": digest, "p_previous": old})
        if match is None:
            return None
        if old is not None and hmac.compare_digest(match["hash"], old):
            self.store.rpc("stjarna_admin_key_rehash", {"p_id": match["id"], "p_from": old, "p_to": digest})
            _log.info("admin key re-hashed with the current pepper", extra={"keyId": match["id"]})
        self.touch(match)
        return identity_of(match)

    def active(self, key_id: str) -> dict[str, Any] | None:
        """The key's record while it is active (a console session's key, checked on every request; its
        last use is recorded as for the header), else None."""
        found: dict[str, Any] | None = self.store.rpc("stjarna_admin_key_active", {"p_id": key_id})
        if found is not None:
            self.touch(found)
        return found

    def touch(self, record: dict[str, Any]) -> None:
        """Record the key's use (at most once a minute: ``keys list`` shows LAST USED)."""
        last_used = record.get("lastUsedAt")
        if last_used is None or datetime.fromisoformat(last_used) < datetime.now(UTC) - _TOUCH_AFTER:
            self.store.rpc("stjarna_admin_key_used", {"p_id": record["id"]})


def identity_of(record: dict[str, Any]) -> AdminIdentity:
    role = record.get("role", "platform")
    assert role in ROLES
    return AdminIdentity(str(record["id"]), str(record["name"]), role, record.get("restaurantId"))


def _too_many(role: Role, limit: int) -> str | None:
    if role == "platform":
        return None  # the default message: two admin keys
    return f"At most {limit} active {role} keys per restaurant; revoke one first."
