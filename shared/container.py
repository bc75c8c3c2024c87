"""Clients built once per process (a Lambda container), lazily, on first use.

Mangum runs the ASGI lifespan on every invocation, so nothing is built in a lifespan handler; the
handler module builds only the app, and the first request builds what it needs here. Heavy
imports (psycopg, postgrest, upstash-redis, pydantic-settings) happen inside these factories,
never on the import path of a handler module.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.kv import KV
    from shared.menus.public import MenuService
    from shared.settings import Settings
    from shared.store import Store

_log = logging.getLogger("stjarna.container")


class Container:
    def __init__(self, settings: Settings, *, store: Store | None = None, kv: KV | None = None) -> None:
        self.settings = settings
        self._store = store
        self._kv = kv
        self._menus: MenuService | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = build_store(self.settings)
        return self._store

    @property
    def kv(self) -> KV:
        if self._kv is None:
            with self._lock:
                if self._kv is None:
                    self._kv = build_kv(self.settings)
        return self._kv

    @property
    def ready_menus(self) -> MenuService | None:
        """The menu service if already built (no I/O): lets the event loop skip a thread hop."""
        return self._menus

    @property
    def menus(self) -> MenuService:
        if self._menus is None:
            from shared.menus.public import MenuService

            store, kv = self.store, self.kv
            with self._lock:
                if self._menus is None:
                    self._menus = MenuService(store, kv, local_seconds=self.settings.menu_local_cache_seconds,
                                              kv_ttl_seconds=self.settings.menu_kv_ttl_seconds)
        return self._menus

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        if self._kv is not None:
            self._kv.close()


def build_store(settings: Settings) -> Store:
    timeout = settings.store_timeout_seconds
    if settings.store_kind == "supabase":
        from shared.store.supabase import SupabaseStore

        assert settings.supabase_url and settings.supabase_service_role_key
        return SupabaseStore(settings.supabase_url, settings.supabase_service_role_key.get_secret_value(),
                             timeout_seconds=timeout)
    from shared.store.postgres import PostgresStore

    if settings.store_kind == "postgres":
        assert settings.database_url is not None
        return PostgresStore(settings.database_url.get_secret_value(), timeout_seconds=timeout)
    return PostgresStore(prepare_embedded(settings), timeout_seconds=timeout)


def prepare_embedded(settings: Settings) -> str:
    """Start (or attach to) the embedded PostgreSQL, migrate it and seed the demo restaurants."""
    from shared.db.embedded import embedded_dsn
    from shared.db.migrate import migrate
    from shared.db.seed import seed_if_empty

    dsn = embedded_dsn(settings.data_dir)
    applied = migrate(dsn)
    if applied:
        _log.info("applied migrations: %s", ", ".join(applied))
    seed_if_empty(dsn)
    return dsn


def build_kv(settings: Settings) -> KV:
    if settings.kv_kind == "upstash":
        from shared.kv.upstash import UpstashKV

        assert settings.upstash_redis_rest_url and settings.upstash_redis_rest_token
        return UpstashKV(settings.upstash_redis_rest_url, settings.upstash_redis_rest_token.get_secret_value(),
                         timeout_seconds=settings.kv_timeout_seconds)
    from shared.kv.memory import MemoryKV

    return MemoryKV()


@functools.cache
def default_container() -> Container:
    """The process-wide container, from the environment (validated here, once)."""
    from shared.logs import configure_logging
    from shared.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    return Container(settings)
