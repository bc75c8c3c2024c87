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
    from collections.abc import Callable
    from datetime import datetime

    from shared.admin.keys import AdminKeys
    from shared.chat.ai import AiResponder
    from shared.chat.pipeline import ChatService
    from shared.flags import Flags
    from shared.kv import KV
    from shared.menus.public import MenuService
    from shared.orders.service import OrderService
    from shared.ratelimit import RateLimiter
    from shared.settings import Settings
    from shared.store import Store

_log = logging.getLogger("stjarna.container")


class Container:
    def __init__(self, settings: Settings, *, store: Store | None = None, kv: KV | None = None,
                 limiter: RateLimiter | None = None, ai: AiResponder | None = None,
                 clock: Callable[[], datetime] | None = None, flags: Flags | None = None) -> None:
        self.settings = settings
        self._store = store
        self._kv = kv
        self._limiter = limiter
        self._ai = ai
        self._menus: MenuService | None = None
        self._chat: ChatService | None = None
        self._orders: OrderService | None = None
        self._admin_keys: AdminKeys | None = None
        self._clock = clock  # orders' "now" (opening hours, lead time): injected by tests
        self._flags = flags
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
    def ready_flags(self) -> Flags | None:
        """The flags if built and fresh (no I/O needed): the event loop may read them directly."""
        flags = self._flags
        return flags if flags is not None and not flags.stale else None

    @property
    def flags(self) -> Flags:
        """The feature flags (shared/flags.py), refreshed when older than FLAGS_CACHE_SECONDS."""
        if self._flags is None:
            from shared.flags import Flags, build_flag_store

            with self._lock:
                if self._flags is None:
                    self._flags = Flags(self.settings, build_flag_store(self.settings))
        if self._flags.stale:
            self._flags.refresh()
        return self._flags

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
                                              stale_if_error_seconds=self.settings.menu_stale_if_error_seconds,
                                              kv_ttl_seconds=self.settings.menu_kv_ttl_seconds)
        return self._menus

    @property
    def ready_limiter(self) -> RateLimiter | None:
        return self._limiter

    @property
    def limiter(self) -> RateLimiter:
        if self._limiter is None:
            from shared.ratelimit import build_rate_limiter

            with self._lock:
                if self._limiter is None:
                    self._limiter = build_rate_limiter(self.settings)
        return self._limiter

    @property
    def ready_chat(self) -> ChatService | None:
        return self._chat

    @property
    def chat(self) -> ChatService:
        """The chat pipeline; its OpenAI client exists only when a key is configured."""
        if self._chat is None:
            from shared.chat.pipeline import ChatService

            kv, flags = self.kv, self.flags  # both take the (non-reentrant) lock: resolved before it
            with self._lock:
                if self._chat is None:
                    if self._ai is None:
                        self._ai = build_ai(self.settings)
                    self._chat = ChatService(kv, self.settings, self._ai, flags)
        return self._chat

    @property
    def orders(self) -> OrderService:
        if self._orders is None:
            from shared.orders.service import OrderService, system_clock

            store = self.store
            with self._lock:
                if self._orders is None:
                    self._orders = OrderService(store, self.settings, clock=self._clock or system_clock)
        return self._orders

    @property
    def admin_keys(self) -> AdminKeys:
        if self._admin_keys is None:
            from shared.admin.keys import AdminKeys

            store = self.store
            with self._lock:
                if self._admin_keys is None:
                    self._admin_keys = AdminKeys(store, self.settings.admin_key_pepper.get_secret_value())
        return self._admin_keys

    def close(self) -> None:
        for client in (self._store, self._kv, self._limiter, self._ai):
            if client is not None:
                client.close()


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


def build_ai(settings: Settings) -> AiResponder | None:
    if settings.openai_api_key is None:
        return None
    from shared.chat.openai_responder import OpenAIResponder

    return OpenAIResponder(settings.openai_api_key.get_secret_value(), model=settings.openai_model,
                           timeout_seconds=settings.openai_timeout_seconds, max_retries=settings.openai_max_retries,
                           base_url=settings.openai_base_url)


@functools.cache
def default_container() -> Container:
    """The process-wide container, from the environment (validated here, once)."""
    from shared.logs import configure_logging
    from shared.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    return Container(settings)
