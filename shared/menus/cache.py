"""The public menu, cached in three layers.

1. In-process: the serialised body and its ETag, trusted for ``local_seconds`` (bounded staleness);
2. KV: keyed by restaurant id *and menu version*, so a menu change or a purge is seen at once by
   every instance as soon as its local entry expires;
3. The database: ``stjarna_public_menu`` assembles the payload in one round trip.

Revalidating a local entry costs one small query (``stjarna_restaurant_head``) that also returns the
CORS allowlist and widget settings.

Unknown (or not live) restaurants are remembered for ``negative_seconds`` in their own bounded table,
per instance: a name asked for again costs no query, and a flood of random names can neither grow
memory without bound nor evict the live restaurants' menus. Per instance, not in the KV: a shared entry
would cost a KV round trip on every revalidation of a live menu to save one on an unknown one. A process
that creates a restaurant forgets its entry at once (``forget_unknown``); other processes see it after
at most ``negative_seconds``.

Stale-if-error: when the database cannot be reached (or times out), the last good copy is served for
up to ``stale_if_error_seconds`` after it was last confirmed, marked ``stale``: this instance's own
copy, else the one the last instance to load the menu left in the KV (``menu:latest:<ref>``). The
database is then retried once per ``local_seconds`` per instance, not on every request.

Everything here is synchronous I/O; the HTTP layer calls ``fresh()`` on the event loop (no I/O) and
``menu()`` / ``head()`` in a worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import orjson

from shared.caching import strong_etag
from shared.errors import KVUnavailable, RestaurantNotFound, StoreUnavailable
from shared.kv import KV
from shared.observability import metrics
from shared.store import Store
from shared.tenants.head import RestaurantHead

_log = logging.getLogger("stjarna.menus")

CacheStatus = Literal["hit", "miss", "stale"]
_POINTER_REFRESH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class PublicMenu:
    head: RestaurantHead
    body: bytes
    etag: str
    stale_seconds: float | None = None  # served from the last good copy while the database fails


@dataclass(slots=True)
class _Entry:
    head: RestaurantHead | None  # None: known not to be a live restaurant (negative cache)
    menu: PublicMenu | None
    checked_at: float
    confirmed_at: float | None = None  # when the database last confirmed it (None: it just did)


class MenuService:
    def __init__(self, store: Store, kv: KV, *, local_seconds: float, kv_ttl_seconds: int,
                 stale_if_error_seconds: float = 0, max_entries: int = 2000, negative_seconds: float | None = None,
                 max_unknown: int = 10000,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> None:
        self._store = store
        self._kv = kv
        self._local_seconds = local_seconds
        self._stale_seconds = stale_if_error_seconds
        self._wall = wall
        self._kv_ttl = kv_ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._local: OrderedDict[str, _Entry] = OrderedDict()
        self._negative_seconds = local_seconds if negative_seconds is None else negative_seconds
        self._max_unknown = max_unknown
        self._unknown: OrderedDict[str, float] = OrderedDict()  # ref -> when the database said "no such"
        self._pointers: dict[str, tuple[RestaurantHead, float]] = {}  # menu:latest:<ref> written (head, at)
        self._lock = threading.Lock()

    # -- no I/O: safe on the event loop -------------------------------------------------------
    def fresh(self, ref: str) -> PublicMenu | None:
        """The local copy of the menu if it is within its staleness bound; raises
        ``RestaurantNotFound`` when the ref is freshly known not to be live."""
        entry = self._fresh_entry(ref)
        return None if entry is None else entry.menu

    def fresh_head(self, ref: str) -> RestaurantHead | None:
        entry = self._fresh_entry(ref)
        return None if entry is None else entry.head

    def _fresh_entry(self, ref: str) -> _Entry | None:
        said_no = self._unknown.get(ref)
        if said_no is not None and self._clock() - said_no < self._negative_seconds:
            raise RestaurantNotFound()
        entry = self._local.get(ref)
        if entry is None or self._clock() - entry.checked_at >= self._local_seconds:
            return None
        if entry.head is None:
            raise RestaurantNotFound()
        return entry

    # -- I/O: call from a worker thread -------------------------------------------------------
    def head(self, ref: str) -> RestaurantHead:
        """The live restaurant's head, revalidated against the database (or, while it fails, the
        last good one within the stale-if-error window)."""
        try:
            head = self._revalidate(ref).head
        except StoreUnavailable:
            head = self._stale(ref).head
        assert head is not None
        return head

    def menu(self, ref: str) -> tuple[PublicMenu, CacheStatus]:
        try:
            return self._menu(ref)
        except StoreUnavailable:
            return self._stale(ref), "stale"

    def _stale(self, ref: str) -> PublicMenu:
        """The last good copy, within the window; else the ``StoreUnavailable`` being handled."""
        now, wall = self._clock(), self._wall()
        entry = self._local.get(ref)
        if entry is not None and entry.menu is not None:
            confirmed = entry.checked_at if entry.confirmed_at is None else entry.confirmed_at
            age = now - confirmed
            if age <= self._stale_seconds:
                # retry the database after local_seconds, not on every request of the outage
                stale = replace(entry.menu, stale_seconds=age)
                self._remember(ref, _Entry(entry.head, stale, now, confirmed))
                _log.warning("database unavailable; serving the last good menu", extra={"ageSeconds": round(age)})
                return stale
        shared = self._kv_stale(ref, wall)
        if shared is not None:
            self._remember(ref, _Entry(shared.head, shared, now, now - (shared.stale_seconds or 0)))
            _log.warning("database unavailable; serving the menu another instance left in the KV",
                         extra={"ageSeconds": round(shared.stale_seconds or 0)})
            return shared
        raise StoreUnavailable()

    def _kv_stale(self, ref: str, wall: float) -> PublicMenu | None:
        pointer = self._kv_get(f"menu:latest:{ref}")
        if pointer is None:
            return None
        try:
            latest = orjson.loads(pointer)
            head, age = RestaurantHead.from_json(latest["head"]), wall - float(latest["at"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
        if age > self._stale_seconds:
            return None
        shared = self._kv_menu(head)
        return None if shared is None else replace(shared, stale_seconds=max(age, 0.0))

    def _menu(self, ref: str) -> tuple[PublicMenu, CacheStatus]:
        entry = self._revalidate(ref)
        if entry.menu is not None:
            self._confirm(ref, entry.menu)
            return entry.menu, "hit"
        head = entry.head
        assert head is not None
        status: CacheStatus
        cached = self._kv_menu(head)
        if cached is not None:
            menu, status = cached, "hit"
        else:
            payload = self._store.rpc("stjarna_public_menu", {"p_restaurant_id": head.id})
            if payload is None:  # went offline between the two queries
                self._remember_unknown(ref, self._clock())
                raise RestaurantNotFound()
            head = replace(head, version=int(payload["version"]))
            body = orjson.dumps(payload)
            menu, status = PublicMenu(head, body, strong_etag(body)), "miss"
            self._kv_set(f"menu:{head.id}:{head.version}", f"{menu.etag}\n{body.decode()}")
        self._remember(ref, _Entry(head, menu, entry.checked_at))
        self._confirm(ref, menu)
        return menu, status

    def _confirm(self, ref: str, menu: PublicMenu) -> None:
        """Leave the confirmed copy's head in the KV for instances that start during an outage: when
        the version changes, else at most once a minute per instance and ref."""
        if self._stale_seconds <= 0:
            return
        wall = self._wall()
        written = self._pointers.get(ref)
        if written is not None and written[0] == menu.head and wall - written[1] < _POINTER_REFRESH_SECONDS:
            return
        pointer = orjson.dumps({"head": menu.head.to_json(), "at": wall}).decode()
        self._kv_set(f"menu:latest:{ref}", pointer)
        with self._lock:
            if len(self._pointers) >= self._max_entries:
                self._pointers.clear()
            self._pointers[ref] = (menu.head, wall)

    def _revalidate(self, ref: str) -> _Entry:
        # stamped before the query: what it returns is no older than this, so MENU_LOCAL_CACHE_SECONDS
        # bounds the staleness exactly (a stamp after it would add the query's duration)
        checked_at = self._clock()
        data = self._store.rpc("stjarna_restaurant_head", {"p_ref": ref})
        if data is None:
            self._remember_unknown(ref, checked_at)
            raise RestaurantNotFound()
        if ref in self._unknown:
            with self._lock:
                self._unknown.pop(ref, None)
        head = RestaurantHead.from_json(data)
        previous = self._local.get(ref)
        if previous is not None:  # the in-process copy outlived MENU_LOCAL_CACHE_SECONDS
            metrics.menu_cache_stale()
        menu = previous.menu if previous and previous.menu and previous.menu.head == head else None
        if menu is not None and menu.stale_seconds is not None:  # the database is back: confirmed again
            menu = replace(menu, stale_seconds=None)
        entry = _Entry(head, menu, checked_at)
        self._remember(ref, entry)
        return entry

    def forget(self) -> None:
        """Drop every local entry (tests, and ops after a purge in this process)."""
        self._local.clear()
        self._unknown.clear()

    def forget_unknown(self, *refs: str) -> None:
        """This process just created (or published) the restaurant named by ``refs``: it is unknown no more."""
        with self._lock:
            for ref in refs:
                self._unknown.pop(ref, None)

    def _remember_unknown(self, ref: str, at: float) -> None:
        with self._lock:
            self._local.pop(ref, None)
            self._unknown[ref] = at
            self._unknown.move_to_end(ref)
            while len(self._unknown) > self._max_unknown:
                self._unknown.popitem(last=False)

    def _remember(self, ref: str, entry: _Entry) -> None:
        with self._lock:
            self._local[ref] = entry
            self._local.move_to_end(ref)
            while len(self._local) > self._max_entries:
                self._local.popitem(last=False)

    def _kv_menu(self, head: RestaurantHead) -> PublicMenu | None:
        """The serialised menu of this version another instance left in the KV, if it is intact: an
        entry whose body does not match its ETag (a KV answering nonsense) is a miss."""
        cached = self._kv_get(f"menu:{head.id}:{head.version}")
        if cached is None:
            return None
        etag, _, text = cached.partition("\n")
        body = text.encode()
        if strong_etag(body) != etag:
            _log.warning("kv menu entry does not match its etag; reading the menu from the database")
            return None
        return PublicMenu(head, body, etag)

    def _kv_get(self, key: str) -> str | None:
        try:
            return self._kv.get(key)
        except KVUnavailable:
            _log.warning("kv unavailable; reading the menu from the database", extra={"kvKey": key})
            return None

    def _kv_set(self, key: str, value: str) -> None:
        try:
            self._kv.set(key, value, self._kv_ttl)
        except KVUnavailable:
            _log.warning("kv unavailable; menu not shared with other instances", extra={"kvKey": key})
