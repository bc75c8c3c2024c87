"""The one typed Settings object. Only this module reads the environment.

Built by ``load_settings()`` (never at import time), validated once per container, with defaults that
run the embedded mode on one machine. Production refuses to start on the embedded store.

No pydantic here: importing it and building a model class was half of a Lambda's cold start
(docs/performance.md). The fields are a declarative table (``Field(default, alias=..., bounds)`` under a
type annotation); one parser per type turns the environment's text into values, and the messages
keep pydantic's wording ("MENU_S_MAXAGE: Input should be greater than or equal to 0").
"""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Any, ClassVar, Literal

from shared import __version__
from shared.errors import ConfigError
from shared.networks import normalise_networks
from shared.paths import REPO_ROOT
from shared.strength import weak_openai_key, weak_secret, weak_token

StoreKind = Literal["supabase", "postgres", "embedded"]
# One rate limit in the `limits` notation ("15 per 30 seconds", "15/30seconds", "60 per minute"), the
# amount captured; text here so settings never import `limits` (which accepts a superset).
LIMIT_PATTERN = r"^\s*([0-9]+)\s*(/|per)\s*([0-9]+)?\s*(second|minute|hour|day|month|year)s?\s*$"
KVKind = Literal["upstash", "memory"]
# What a process uses of the configuration, so production refuses what it would run without, and
# nothing else (a function is given only the secrets it uses; shared/http/app.py says which group needs
# what): "store" the database, "kv" the shared KV, "limits" rate limits and the admin lockout (the
# shared KV and the client-hash secret), "admin_keys" the admin-key pepper.
Need = Literal["store", "kv", "limits", "admin_keys"]
ALL_NEEDS: frozenset[Need] = frozenset({"store", "kv", "limits", "admin_keys"})
DEV_ADMIN_KEY_PEPPER = "stjarna-development-pepper"
DEV_CLIENT_HASH_SECRET = "stjarna-development-client-hash-secret"  # noqa: S105 - public, refused in production
REFUSED = "Refusing to start in production:"
_MASK = "**********"


class SecretStr:
    """A secret that never prints its value (repr, str, logs, tracebacks): ``get_secret_value()`` reads it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr('{_MASK}')" if self._value else "SecretStr('')"

    def __str__(self) -> str:
        return _MASK if self._value else ""

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class InvalidSettings(ValueError):
    """Every problem found validating settings: ``problems`` is ``[(where, message), ...]``, ``where``
    the variable's name ("" for a rule across variables)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where or 'settings'}: {message}" for where, message in problems))
        self.problems = problems


class FieldInfo:
    """One setting: its variable (``alias``), default, type (``annotation``) and bounds; ``name``,
    ``annotation`` and ``parse`` are filled in once, when the table is built. Read it, never change it."""

    __slots__ = ("after", "alias", "annotation", "default", "ge", "gt", "le", "max_length", "min_length", "name",
                 "parse", "pattern")

    def __init__(self, default: Any, *, alias: str, pattern: str | None = None, gt: float | None = None,
                 ge: float | None = None, le: float | None = None, min_length: int | None = None,
                 max_length: int | None = None, after: Callable[[Any], Any] | None = None) -> None:
        self.name = ""
        self.annotation: Any = None
        self.parse: Callable[[object], Any] = _text
        self.default, self.alias, self.pattern, self.after = default, alias, pattern, after
        self.gt, self.ge, self.le, self.min_length, self.max_length = gt, ge, le, min_length, max_length

    def __repr__(self) -> str:
        return f"FieldInfo({self.name}: {self.annotation}, alias={self.alias!r}, default={self.default!r})"

    def validate(self, raw: object) -> Any:
        """``raw`` (text from the environment, or a value of the field's type) as the field's value;
        ``ValueError`` with pydantic's message."""
        value = self.parse(raw)
        if isinstance(value, str):
            if self.min_length is not None and len(value) < self.min_length:
                plural = "" if self.min_length == 1 else "s"
                raise ValueError(f"String should have at least {self.min_length} character{plural}")
            if self.max_length is not None and len(value) > self.max_length:
                raise ValueError(f"String should have at most {self.max_length} characters")
            if self.pattern is not None and not re.search(self.pattern, value):
                raise ValueError(f"String should match pattern '{self.pattern}'")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if self.gt is not None and not value > self.gt:
                raise ValueError(f"Input should be greater than {self.gt}")
            if self.ge is not None and not value >= self.ge:
                raise ValueError(f"Input should be greater than or equal to {self.ge}")
            if self.le is not None and not value <= self.le:
                raise ValueError(f"Input should be less than or equal to {self.le}")
        if self.after is not None and value is not None:
            try:
                value = self.after(value)
            except ValueError as exc:
                raise ValueError(f"Value error, {exc}") from exc
        return value


def Field(default: Any, **spec: Any) -> Any:  # noqa: N802 - reads as the declaration it is
    """A row of the Settings table (typed ``Any`` so ``x: int = Field(3, ...)`` checks as an int)."""
    return FieldInfo(default, **spec)


# One parser per type: text from the environment (or a value already of the type) → the value.
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
_INTEGER = re.compile(r"[+-]?[0-9_]+(\.0+)?")


def _text(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    raise ValueError("Input should be a valid string")


def _integer(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = _text(raw).strip()
    try:
        if not _INTEGER.fullmatch(text):  # ASCII digits, and "3.0" as pydantic takes it
            raise ValueError(text)
        return int(text.partition(".")[0])
    except ValueError:
        raise ValueError("Input should be a valid integer, unable to parse string as an integer") from None


def _number(raw: object) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    try:
        return float(_text(raw).strip())
    except ValueError:
        raise ValueError("Input should be a valid number, unable to parse string as a number") from None


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = raw.lower() if isinstance(raw, str) else str(raw) if raw in (0, 1) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("Input should be a valid boolean, unable to interpret input")


def _path(raw: object) -> Path:
    return raw if isinstance(raw, Path) else Path(_text(raw))


def _secret(raw: object) -> SecretStr:
    return raw if isinstance(raw, SecretStr) else SecretStr(_text(raw))


_PARSERS: dict[object, Callable[[object], Any]] = {
    str: _text, int: _integer, float: _number, bool: _boolean, Path: _path, SecretStr: _secret}


def _parser(annotation: Any) -> Callable[[object], Any]:
    """The parser of a field's type: one of the above, ``Literal[...]`` (one of its values), ``X | None``."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is Literal:
        expected = ", ".join(repr(a) for a in args[:-1]) + f" or {args[-1]!r}" if len(args) > 1 else repr(args[0])

        def choice(raw: object) -> Any:
            if raw in args:
                return raw
            raise ValueError(f"Input should be {expected}")

        return choice
    if typing.get_origin(annotation) in (typing.Union, UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        parse = _parser(inner)
        return lambda raw: None if raw is None else parse(raw)
    return _PARSERS[annotation]


class Settings:
    """Validated from the environment's mapping by ``load_settings`` (names upper-cased, empty values
    dropped; unknown names ignored). Frozen. ``model_fields`` is the table (name → ``FieldInfo``),
    ``model_fields_set`` the names the environment set (even to their default)."""

    model_fields: ClassVar[Mapping[str, FieldInfo]]
    model_fields_set: frozenset[str]

    env: Literal["development", "production"] = Field("development", alias="STJARNA_ENV")
    stage: str = Field("dev", alias="STJARNA_STAGE", pattern=r"^[a-z0-9-]{1,32}$")
    version: str = Field(__version__, alias="STJARNA_VERSION")
    data_dir: Path = Field(REPO_ROOT / ".stjarna", alias="STJARNA_DATA_DIR")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="LOG_LEVEL")

    # Store: Supabase if configured, else any Postgres, else the embedded PostgreSQL.
    supabase_url: str | None = Field(None, alias="SUPABASE_URL", pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    supabase_service_role_key: SecretStr | None = Field(None, alias="SUPABASE_SERVICE_ROLE_KEY")
    database_url: SecretStr | None = Field(None, alias="DATABASE_URL")
    store_timeout_seconds: float = Field(3.0, alias="STORE_TIMEOUT_SECONDS", gt=0, le=30)

    # KV: Upstash if configured, else in-process memory.
    upstash_redis_rest_url: str | None = Field(
        None, alias="UPSTASH_REDIS_REST_URL", pattern=r"^https?://[^\s/]+(/[^\s]*)?$"
    )
    upstash_redis_rest_token: SecretStr | None = Field(None, alias="UPSTASH_REDIS_REST_TOKEN")
    kv_timeout_seconds: float = Field(1.0, alias="KV_TIMEOUT_SECONDS", gt=0, le=10)

    # Menu caching.
    menu_s_maxage: int = Field(60, alias="MENU_S_MAXAGE", ge=0, le=86400)
    menu_stale_while_revalidate: int = Field(300, alias="MENU_STALE_WHILE_REVALIDATE", ge=0, le=86400)
    menu_local_cache_seconds: float = Field(2.0, alias="MENU_LOCAL_CACHE_SECONDS", ge=0, le=30)
    # A restaurant id or slug the database does not know (or not live) is answered 404 from memory for
    # this long, per instance, without a query; creating it in this process forgets that at once.
    menu_negative_cache_seconds: float = Field(5.0, alias="MENU_NEGATIVE_CACHE_SECONDS", ge=0, le=30)
    # /api/health and /api/health/ready reuse their last report (one database check) for this long, per instance.
    health_cache_seconds: float = Field(1.0, alias="HEALTH_CACHE_SECONDS", ge=0, le=10)
    menu_kv_ttl_seconds: int = Field(86400, alias="MENU_KV_TTL_SECONDS", ge=60, le=30 * 86400)
    config_max_age: int = Field(15, alias="CONFIG_MAX_AGE", ge=0, le=30)
    # While the database fails, serve the last good menu for this long after it was last confirmed
    # (marked stale); 0: 503 STORE_UNAVAILABLE at once.
    menu_stale_if_error_seconds: int = Field(600, alias="MENU_STALE_IF_ERROR_SECONDS", ge=0, le=86400)

    # Request limits.
    max_body_bytes: int = Field(64 * 1024, alias="MAX_BODY_BYTES", ge=1024, le=6 * 1024 * 1024)

    # Chat rate limits (shared/ratelimit; docs/ratelimits.md): "N per [M] second|minute|hour|day".
    chat_rate_limit: str = Field("15 per 30 seconds", alias="CHAT_RATE_LIMIT", pattern=LIMIT_PATTERN)
    chat_ip_rate_limit: str = Field("120 per 30 seconds", alias="CHAT_IP_RATE_LIMIT", pattern=LIMIT_PATTERN)
    health_check_rate_limit: str = Field("60 per minute", alias="HEALTH_CHECK_RATE_LIMIT", pattern=LIMIT_PATTERN)
    chat_burst: int = Field(3, alias="CHAT_BURST", ge=1, le=20)
    # Order rate limits, per restaurant + session and per client IP; quotes (pricing a cart) likewise.
    order_rate_limit: str = Field("5 per minute", alias="ORDER_RATE_LIMIT", pattern=LIMIT_PATTERN)
    order_ip_rate_limit: str = Field("30 per minute", alias="ORDER_IP_RATE_LIMIT", pattern=LIMIT_PATTERN)
    quote_rate_limit: str = Field("60 per minute", alias="QUOTE_RATE_LIMIT", pattern=LIMIT_PATTERN)
    quote_ip_rate_limit: str = Field("300 per minute", alias="QUOTE_IP_RATE_LIMIT", pattern=LIMIT_PATTERN)
    # What one kitchen can be asked (flags; docs/orders.md): orders per restaurant from everyone together,
    # open orders per session, an order's total (cents of the restaurant's currency) and items (quantities).
    order_restaurant_rate_limit: str = Field("30 per minute", alias="ORDER_RESTAURANT_RATE_LIMIT",
                                             pattern=LIMIT_PATTERN)
    order_max_open_per_session: int = Field(3, alias="ORDER_MAX_OPEN_PER_SESSION", ge=1, le=100_000_000)
    order_max_total_cents: int = Field(500_000, alias="ORDER_MAX_TOTAL_CENTS", ge=1, le=100_000_000)
    order_max_items: int = Field(50, alias="ORDER_MAX_ITEMS", ge=1, le=100_000_000)

    # Ordering (docs/orders.md): a requested pickup time must be at least the lead time and at most
    # the horizon ahead; open orders expire this long after their pickup (or placing) time.
    order_lead_minutes: int = Field(15, alias="ORDER_LEAD_MINUTES", ge=0, le=240)
    order_horizon_hours: int = Field(48, alias="ORDER_HORIZON_HOURS", ge=1, le=336)
    order_expire_after_hours: int = Field(12, alias="ORDER_EXPIRE_AFTER_HOURS", ge=1, le=168)
    # the pickup name and phone of a finished order are erased this long after it finished (docs/orders.md)
    order_pii_retention_days: int = Field(30, alias="ORDER_PII_RETENTION_DAYS", ge=1, le=365)
    # Pickup slots (docs/orders.md, "Pickup slots"): the slot grid's step from each opening, and the
    # orders one slot takes (0: no limit).
    pickup_slot_minutes: int = Field(15, alias="PICKUP_SLOT_MINUTES", ge=5, le=240)
    pickup_slot_capacity: int = Field(0, alias="PICKUP_SLOT_CAPACITY", ge=0, le=10_000)

    # Admin API keys are stored as HMAC-SHA256(pepper, key). Required in production; the development
    # default is public, so keys made with it are only as safe as the database they live in.
    admin_key_pepper: SecretStr = Field(SecretStr(DEV_ADMIN_KEY_PEPPER), alias="ADMIN_KEY_PEPPER")
    # During a pepper rotation (docs/operations.md, Rotating secrets): the pepper before, so keys hashed
    # with it still verify (and are re-hashed with ADMIN_KEY_PEPPER on use). Unset once the window ends.
    admin_key_pepper_previous: SecretStr | None = Field(None, alias="ADMIN_KEY_PEPPER_PREVIOUS")
    # Failed admin authentications per client IP (in KV) before 429s, per window.
    admin_auth_max_failures: int = Field(10, alias="ADMIN_AUTH_MAX_FAILURES", ge=1, le=1000)
    admin_auth_window_seconds: int = Field(600, alias="ADMIN_AUTH_WINDOW_SECONDS", ge=10, le=86400)
    # The staff console's session (docs/console.md, Sessions): it ends after this many minutes without a
    # request (sliding) and at the latest this many hours after signing in.
    console_idle_minutes: int = Field(30, alias="CONSOLE_IDLE_MINUTES", ge=1, le=1440)
    console_session_hours: int = Field(12, alias="CONSOLE_SESSION_HOURS", ge=1, le=168)

    # The client's address (shared/http/inputs.py; docs/security.md). Behind the CDN, CloudFront-Viewer-Address
    # is trusted only on requests carrying CDN_ORIGIN_HEADER: CDN_ORIGIN_SECRET (the distribution's origin header).
    cdn_origin_secret: SecretStr | None = Field(None, alias="CDN_ORIGIN_SECRET")
    cdn_origin_header: str = Field("X-Origin-Verify", alias="CDN_ORIGIN_HEADER", pattern=r"^[A-Za-z0-9-]{1,64}$")
    # Keys the hash of client addresses and session tokens in limiter keys and logs (BLAKE2b); the
    # development default is public, like the pepper's.
    client_hash_secret: SecretStr = Field(SecretStr(DEV_CLIENT_HASH_SECRET), alias="CLIENT_HASH_SECRET")
    # Monitoring probes (sessionToken "health-check") count as probes only with X-Stjarna-Probe: this
    # secret; unset: no probes, the token is an ordinary session.
    chat_probe_secret: SecretStr | None = Field(None, alias="CHAT_PROBE_SECRET")

    # Feature flags (shared/flags/): these are the environment layer. Over it, SSM Parameter Store
    # (production) or a local flags file (development), cached per instance for FLAGS_CACHE_SECONDS.
    flags_backend: Literal["ssm", "file", "env"] | None = Field(None, alias="FLAGS_BACKEND")
    flags_cache_seconds: float = Field(30.0, alias="FLAGS_CACHE_SECONDS", ge=0, le=600)
    flags_ssm_timeout_seconds: float = Field(1.0, alias="FLAGS_SSM_TIMEOUT_SECONDS", gt=0, le=10)
    use_server_chat: bool = Field(True, alias="USE_SERVER_CHAT")
    # Client addresses and CIDR networks answered 403 CLIENT_BLOCKED (shared/networks.py; docs/flags.md).
    blocked_clients: str = Field("", alias="BLOCKED_CLIENTS", max_length=20000, after=normalise_networks)
    ai_degraded_mode: bool = Field(False, alias="AI_DEGRADED_MODE")
    ordering_enabled: bool = Field(True, alias="ORDERING_ENABLED")

    # AI: without a key the assistant answers with the deterministic fallback responder.
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL", pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    openai_model: str = Field("gpt-4o-mini", alias="OPENAI_MODEL", min_length=1, max_length=100)
    openai_timeout_seconds: float = Field(8.0, alias="OPENAI_TIMEOUT_SECONDS", gt=0, le=25)
    # The client honours a 429's Retry-After (up to minutes) before retrying: more than one retry could
    # outlive the Lambda. A failed call falls back at once, so 0 is the default.
    openai_max_retries: int = Field(0, alias="OPENAI_MAX_RETRIES", ge=0, le=1)
    # Monthly AI messages per restaurant, by plan; over it the fallback answers (never an error).
    ai_quota_starter: int = Field(500, alias="AI_QUOTA_STARTER", ge=0)
    ai_quota_growth: int = Field(2000, alias="AI_QUOTA_GROWTH", ge=0)
    ai_quota_pro: int = Field(10000, alias="AI_QUOTA_PRO", ge=0)
    # Conversation context (last turns + constraints in force), per restaurant + session, in KV.
    chat_context_ttl_seconds: int = Field(1800, alias="CHAT_CONTEXT_TTL_SECONDS", ge=60, le=86400)

    # Observability: Sentry when a DSN is set; CloudWatch Embedded Metric Format lines on stdout.
    sentry_dsn: SecretStr | None = Field(None, alias="SENTRY_DSN")
    sentry_environment: str | None = Field(None, alias="SENTRY_ENVIRONMENT", max_length=64)
    sentry_traces_sample_rate: float = Field(0.0, alias="SENTRY_TRACES_SAMPLE_RATE", ge=0, le=1)
    metrics_emf: bool | None = Field(None, alias="METRICS_EMF")

    # Where this stage's API answers, for the operator's tools (`stjarna tenant check|create`).
    api_url: str | None = Field(None, alias="STJARNA_API_URL", pattern=r"^https?://[^\s/]+(/[^\s]*)?$")

    # CDN: with a CloudFront distribution id, `stjarna cache purge` also invalidates the menu paths.
    cloudfront_distribution_id: str | None = Field(None, alias="CLOUDFRONT_DISTRIBUTION_ID",
                                                   pattern=r"^[A-Z0-9]{8,20}$")

    def __init__(self, values: Mapping[str, Any], fields_set: Iterable[str]) -> None:
        """Use ``model_validate``: ``values`` are every field's, already valid."""
        for name in self.model_fields:
            object.__setattr__(self, name, values[name])
        object.__setattr__(self, "model_fields_set", frozenset(fields_set))

    @classmethod
    def model_validate(cls, environ: Mapping[str, object]) -> Settings:
        """Settings from a mapping of variable names (aliases, as given) to text or values; every
        problem in one ``InvalidSettings``."""
        values: dict[str, Any] = {}
        given: list[str] = []
        problems: list[tuple[str, str]] = []
        for name, field in cls.model_fields.items():
            if field.alias not in environ:
                values[name] = field.default
                continue
            given.append(name)
            try:
                values[name] = field.validate(environ[field.alias])
            except ValueError as exc:
                problems.append((field.alias, str(exc)))
        if problems:
            raise InvalidSettings(problems)
        settings = cls(values, given)
        if rule := settings._incoherent():
            raise InvalidSettings([("", f"Value error, {rule}")])
        return settings

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Settings:
        """A copy with some fields replaced by values of their type (not validated, as pydantic's)."""
        changes = dict(update or {})
        return Settings({n: changes.get(n, getattr(self, n)) for n in self.model_fields},
                        self.model_fields_set | changes.keys())

    def _incoherent(self) -> str | None:
        if bool(self.supabase_url) != bool(self.supabase_service_role_key):
            return "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set together"
        if bool(self.upstash_redis_rest_url) != bool(self.upstash_redis_rest_token):
            return "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together"
        return None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Settings are frozen: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Settings are frozen: {name} cannot be deleted")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.model_fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:  # secrets print masked (SecretStr)
        return "Settings(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.model_fields) + ")"

    @property
    def store_kind(self) -> StoreKind:
        if self.supabase_url:
            return "supabase"
        if self.database_url:
            return "postgres"
        return "embedded"

    @property
    def flags_source(self) -> Literal["ssm", "file", "env"]:
        """SSM in production, a local file (STJARNA_DATA_DIR/flags.json) otherwise, unless set."""
        if self.flags_backend is not None:
            return self.flags_backend
        return "ssm" if self.env == "production" else "file"

    @property
    def emit_metrics(self) -> bool:
        """EMF metric lines: on in production unless METRICS_EMF says otherwise."""
        return self.metrics_emf if self.metrics_emf is not None else self.env == "production"

    @property
    def kv_kind(self) -> KVKind:
        return "upstash" if self.upstash_redis_rest_url else "memory"

    def weak_secrets(self) -> list[str]:
        """In production, one line per secret that is set but too weak (shared/strength.py says what
        weak is), whatever the process uses: a weak value is a mistake wherever it is given."""
        if self.env != "production":
            return []
        problems: list[str] = []

        def check(name: str, secret: SecretStr | None, weak: Callable[[str], str | None]) -> None:
            why = None if secret is None else weak(secret.get_secret_value())
            if why is not None:
                problems.append(f"{name} {why}")

        def explicit(field: str) -> SecretStr | None:  # the development default is "not set"
            value: SecretStr | None = getattr(self, field)
            return value if field in self.model_fields_set else None

        check("SUPABASE_SERVICE_ROLE_KEY", self.supabase_service_role_key, weak_token)
        check("UPSTASH_REDIS_REST_TOKEN", self.upstash_redis_rest_token, weak_token)
        check("ADMIN_KEY_PEPPER", explicit("admin_key_pepper"),
              lambda value: weak_secret(value, dev_default=DEV_ADMIN_KEY_PEPPER))
        check("ADMIN_KEY_PEPPER_PREVIOUS", self.admin_key_pepper_previous,  # set while rotating
              lambda value: weak_secret(value, dev_default=DEV_ADMIN_KEY_PEPPER))
        check("CLIENT_HASH_SECRET", explicit("client_hash_secret"),
              lambda value: weak_secret(value, dev_default=DEV_CLIENT_HASH_SECRET))
        check("CDN_ORIGIN_SECRET", self.cdn_origin_secret, lambda value: weak_secret(value, min_length=16))
        check("CHAT_PROBE_SECRET", self.chat_probe_secret, lambda value: weak_secret(value, min_length=16))
        official = self.openai_base_url is None or "api.openai.com" in self.openai_base_url
        check("OPENAI_API_KEY", self.openai_api_key, lambda value: weak_openai_key(value, official=official))
        return problems

    def missing(self, needs: Iterable[Need]) -> list[str]:
        """In production, one line per thing a process using ``needs`` would run without (or with the
        public development default of)."""
        if self.env != "production":
            return []
        wanted = set(needs)
        problems: list[str] = []
        if "store" in wanted and self.store_kind == "embedded":
            problems.append("production needs SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY or DATABASE_URL; "
                            "the embedded store is for development")
        if wanted & {"kv", "limits"} and self.kv_kind == "memory":
            problems.append("production needs UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN: without a shared "
                            "KV every rate limit and the admin lockout count per instance")
        if "limits" in wanted and "client_hash_secret" not in self.model_fields_set:
            problems.append("production needs CLIENT_HASH_SECRET (a random secret of 32+ characters, "
                            "e.g. openssl rand -base64 32)")
        if "admin_keys" in wanted and "admin_key_pepper" not in self.model_fields_set:
            problems.append("production needs ADMIN_KEY_PEPPER (a random secret of 32+ characters, "
                            "e.g. openssl rand -base64 32)")
        return problems

    def require(self, needs: Iterable[Need]) -> None:
        """Refuse to run in production with what ``needs`` lacks or any weak secret: one
        ``ConfigError`` listing every problem, one line each, naming the variables (never a value)."""
        problems = [*self.missing(needs), *self.weak_secrets()]
        if problems:
            raise ConfigError(REFUSED + "\n  " + "\n  ".join(problems))

    def ai_quota(self, plan: str) -> int:
        return {"growth": self.ai_quota_growth, "pro": self.ai_quota_pro}.get(plan, self.ai_quota_starter)



def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Validate the environment (or ``environ``) into Settings; bad values raise ``ConfigError``
    with one line per problem, naming the variable."""
    source = os.environ if environ is None else environ
    values = {k.upper(): v for k, v in source.items() if v != ""}  # names are case-insensitive
    if values.get("STJARNA_SECRETS"):  # a Lambda function: its secrets from SSM, once per container
        from shared.secrets import cached_secrets

        values.update(cached_secrets(values.get("STJARNA_SECRETS_PATH", ""), values["STJARNA_SECRETS"]))
    try:
        settings = Settings.model_validate(values)
    except InvalidSettings as exc:
        lines = [f"{where or 'settings'}: {message}" for where, message in exc.problems]
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(lines)) from exc
    return settings  # production's requirements: Settings.require, by whatever uses them


def _table() -> Mapping[str, FieldInfo]:
    """The fields of Settings, in order, each with its name, type and parser (built once, at import)."""
    hints = typing.get_type_hints(Settings)
    fields: dict[str, FieldInfo] = {}
    for name, value in vars(Settings).items():
        if isinstance(value, FieldInfo):
            value.name, value.annotation, value.parse = name, hints[name], _parser(hints[name])
            fields[name] = value
    return MappingProxyType(fields)


Settings.model_fields = _table()
