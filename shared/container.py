"""Clients built once per process (a Lambda container), lazily, on first use.

Mangum runs the ASGI lifespan on every invocation, so nothing is built in a lifespan handler; the
handler module builds only the app, and the first request builds what it needs here. Heavy
imports (psycopg, postgrest, upstash-redis, openai, boto3, pydantic-settings) happen inside the
builders (beside their ports: ``shared.store.build_store``, ``shared.kv.build_kv``,
``shared.chat.ai.build_ai``, ``shared.flags.build_flag_store``), never on the import path of a
handler module.

Each service is a ``Lazy`` attribute: ``container.chat`` builds it on first use, under the
container's re-entrant lock (building one service may ask for another: chat asks for the KV, the
menus for the store and the KV). On the event loop, ``await container.built(Container.chat)`` gives
it at once when it is ready and otherwise builds it in a worker thread (building may do I/O).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from shared.admin.keys import AdminKeys
    from shared.chat.ai import AiResponder
    from shared.chat.pipeline import ChatService
    from shared.flags import Flags
    from shared.kv import KV
    from shared.menus.cache import MenuService
    from shared.orders.service import OrderService
    from shared.ratelimit import RateLimiter
    from shared.settings import Need, Settings
    from shared.store import Store

T = TypeVar("T")
_observability_log = logging.getLogger("stjarna.observability")
_config_log = logging.getLogger("stjarna.config")


class Lazy(Generic[T]):
    """A service built on first use, once per container, and kept in the container's ``_<name>``
    attribute (a test may put an adapter there, or ``None`` to have it built again).

    ``stale`` and ``refresh``: a service that must re-read something now and then (the flags): when
    ``stale`` says so, reading the attribute refreshes it first, and it is not ``ready``."""

    def __init__(self, build: Callable[[Container], T], *, stale: Callable[[T], bool] | None = None,
                 refresh: Callable[[T], None] | None = None) -> None:
        self._build = build
        self._stale = stale
        self._refresh = refresh
        self.attr = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = f"_{name}"

    @overload
    def __get__(self, container: None, owner: type) -> Lazy[T]: ...
    @overload
    def __get__(self, container: Container, owner: type) -> T: ...
    def __get__(self, container: Container | None, owner: type) -> Lazy[T] | T:
        return self if container is None else self.get(container)

    def get(self, container: Container) -> T:
        """The service, built now if it is not yet (and refreshed if stale)."""
        value: T | None = container.__dict__[self.attr]
        if value is None:
            with container._lock:  # one lock per container, shared by its services
                value = container.__dict__[self.attr]
                if value is None:
                    value = self._build(container)
                    setattr(container, self.attr, value)
        if self._stale is not None and self._refresh is not None and self._stale(value):
            self._refresh(value)
        return value

    def ready(self, container: Container) -> T | None:
        """The service if built and usable without I/O, else None."""
        value: T | None = container.__dict__[self.attr]
        if value is not None and self._stale is not None and self._stale(value):
            return None
        return value


def _store(c: Container) -> Store:
    from shared.store import build_store

    c.settings.require({"store"})
    if c.settings.store_kind == "embedded":
        from shared.db import prepare_embedded

        return build_store(c.settings, embedded_dsn=prepare_embedded(c.settings))
    return build_store(c.settings)


def _kv(c: Container) -> KV:
    from shared.kv import build_kv

    c.settings.require({"kv"})
    return build_kv(c.settings)


def _flags(c: Container) -> Flags:
    """The feature flags (shared/flags), refreshed when older than FLAGS_CACHE_SECONDS."""
    from shared.flags import Flags, build_flag_store

    return Flags(c.settings, build_flag_store(c.settings))


def _menus(c: Container) -> MenuService:
    from shared.menus.cache import MenuService

    s = c.settings
    return MenuService(c.store, c.kv, local_seconds=s.menu_local_cache_seconds,
                       stale_if_error_seconds=s.menu_stale_if_error_seconds, kv_ttl_seconds=s.menu_kv_ttl_seconds,
                       negative_seconds=s.menu_negative_cache_seconds)


def _limiter(c: Container) -> RateLimiter:
    from shared.ratelimit import build_rate_limiter

    c.settings.require({"limits"})
    return build_rate_limiter(c.settings)


def _chat(c: Container) -> ChatService:
    """The chat pipeline; its OpenAI client exists only when a key is configured."""
    from shared.chat.ai import build_ai
    from shared.chat.pipeline import ChatService

    if c._ai is None:  # injected by tests, else built with chat
        c._ai = build_ai(c.settings)
    return ChatService(c.kv, c.settings, c._ai)


def _orders(c: Container) -> OrderService:
    from shared.orders.service import OrderService, system_clock

    return OrderService(c.store, c.settings, clock=c._clock or system_clock)


def _admin_keys(c: Container) -> AdminKeys:
    from shared.admin.keys import AdminKeys

    c.settings.require({"admin_keys"})
    previous = c.settings.admin_key_pepper_previous
    return AdminKeys(c.store, c.settings.admin_key_pepper.get_secret_value(),
                     None if previous is None else previous.get_secret_value())


class Container:
    store = Lazy(_store)
    kv = Lazy(_kv)
    flags = Lazy(_flags, stale=lambda flags: flags.stale, refresh=lambda flags: flags.refresh())
    menus = Lazy(_menus)
    limiter = Lazy(_limiter)
    chat = Lazy(_chat)
    orders = Lazy(_orders)
    admin_keys = Lazy(_admin_keys)

    def __init__(self, settings: Settings, *, store: Store | None = None, kv: KV | None = None,
                 limiter: RateLimiter | None = None, ai: AiResponder | None = None,
                 clock: Callable[[], datetime] | None = None, flags: Flags | None = None) -> None:
        self.settings = settings
        self._store = store
        self._kv = kv
        self._limiter = limiter
        self._ai = ai
        self._flags = flags
        self._menus: MenuService | None = None
        self._chat: ChatService | None = None
        self._orders: OrderService | None = None
        self._admin_keys: AdminKeys | None = None
        self._clock = clock  # orders' "now" (opening hours, lead time): injected by tests
        self._lock = threading.RLock()  # re-entrant: a service's builder asks for the ones it needs

    def ready(self, service: Lazy[T]) -> T | None:
        """``service`` (e.g. ``Container.menus``) if built and usable without I/O, else None: the
        event loop may use it directly."""
        return service.ready(self)

    async def built(self, service: Lazy[T]) -> T:
        """``service`` (e.g. ``Container.chat``): at once when ready, else built (or refreshed) in a
        worker thread, as building may do I/O (the embedded database starts, flags are read)."""
        found = service.ready(self)
        if found is not None:
            return found
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(service.get, self)

    def close(self) -> None:
        for client in (self._store, self._kv, self._limiter, self._ai):
            if client is not None:
                client.close()


@functools.cache
def default_container() -> Container:
    """The process-wide container, from the environment (validated here, once)."""
    from shared.observability.logs import configure_logging
    from shared.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    return Container(settings)


def observed(container: Container | Callable[[], Container]) -> Callable[[], Container]:
    """The app's container provider, with observability started from its settings. Called by
    ``create_app`` before any route exists (the Sentry integration wraps routes as they are made):
    - a Container (``stjarna serve``, tests): started now;
    - a factory (a Lambda handler module, built at import): started now if ``SENTRY_DSN`` is set
      (Sentry's Lambda integration must be set up in the init phase), which loads settings early;
      otherwise on the first call, the first request that needs the container, so that importing a
      handler module stays cheap.
    """
    from shared.errors import StjarnaError
    from shared.observability import start
    from shared.observability.sentry import sentry_requested

    if isinstance(container, Container):
        start(container.settings)
        return lambda: container
    factory = container
    if sentry_requested():
        try:
            start(factory().settings)
        except StjarnaError as exc:  # bad settings: the first request reports them, as without Sentry
            _observability_log.error("observability not started: %s", type(exc).__name__)
        else:
            return factory
    done = False

    def provider() -> Container:
        nonlocal done
        built = factory()
        if not done:
            start(built.settings)
            done = True
        return built

    return provider


def requiring(provider: Callable[[], Container], needs: Iterable[Need]) -> Callable[[], Container]:
    """``provider``, refusing in production to hand out a container whose settings lack what
    ``needs`` (the app's route groups) use or hold a weak secret (``Settings.require``). Checked on each
    call until it passes (then never again): each refused request logs every problem, one line each
    (the operator's view), and answers 500 CONFIG_ERROR without naming them (the client's)."""
    from shared.errors import ConfigError

    wanted = frozenset(needs)
    checked = False

    def provide() -> Container:
        nonlocal checked
        try:
            built = provider()
            if not checked:
                built.settings.require(wanted)
                checked = True
        except ConfigError as exc:
            problems = [line.strip() for line in exc.message.splitlines()[1:]]
            _config_log.error("configuration refused: %s", exc.message, extra={"problems": problems})
            raise ConfigError("The service is not configured correctly; its log names the problem.") from exc
        return built

    return provide
