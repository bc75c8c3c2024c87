"""The flags: their names (typed), what each accepts, and the Settings field holding its default."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from shared.errors import ValidationFailed

# The names, grouped by the type of their value: a typo, or reading a limit as a bool, is a mypy error.
BoolFlag = Literal["USE_SERVER_CHAT", "AI_DEGRADED_MODE", "ORDERING_ENABLED"]
LimitFlag = Literal["CHAT_RATE_LIMIT", "CHAT_IP_RATE_LIMIT", "ORDER_RATE_LIMIT", "ORDER_IP_RATE_LIMIT",
                    "ORDER_RESTAURANT_RATE_LIMIT"]
SecondsFlag = Literal["MENU_S_MAXAGE", "MENU_STALE_WHILE_REVALIDATE"]
CountFlag = Literal["ORDER_MAX_OPEN_PER_SESSION", "ORDER_MAX_TOTAL_CENTS", "ORDER_MAX_ITEMS"]
NetworksFlag = Literal["BLOCKED_CLIENTS"]
FlagName = Literal[BoolFlag, LimitFlag, SecondsFlag, CountFlag, NetworksFlag]
Value = bool | int | str


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"true", "1", "yes", "on"}:
        return True
    if lowered in {"false", "0", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _seconds(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) > 86400:
        raise ValueError("must be a whole number of seconds from 0 to 86400")
    return int(text)


def _count(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= 100_000_000:
        raise ValueError("must be a whole number from 1 to 100000000")
    return int(text)


def _limit(raw: str) -> str:
    from shared.settings import LIMIT_PATTERN  # the notation the environment layer accepts

    text = raw.strip()
    match = re.fullmatch(LIMIT_PATTERN, text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError("must be one rate limit such as '15 per 30 seconds' or '5 per minute'")
    return text


def _networks(raw: str) -> str:
    from shared.networks import normalise_networks  # what the environment layer accepts too

    return normalise_networks(raw)


@dataclass(frozen=True, slots=True)
class Spec:
    name: FlagName
    parse: Callable[[str], Value]
    setting: str  # the Settings field holding the environment layer (and the code default)
    help: str


SPECS: dict[FlagName, Spec] = {s.name: s for s in (
    Spec("USE_SERVER_CHAT", _bool, "use_server_chat",
         "server chat on; off: /api/chat answers 503 SERVER_CHAT_DISABLED and the widget answers locally"),
    Spec("AI_DEGRADED_MODE", _bool, "ai_degraded_mode", "never call the model: every answer is the fallback"),
    Spec("ORDERING_ENABLED", _bool, "ordering_enabled", "pickup ordering on; off: 409 ORDERING_DISABLED"),
    Spec("CHAT_RATE_LIMIT", _limit, "chat_rate_limit", "chat requests per restaurant + session"),
    Spec("CHAT_IP_RATE_LIMIT", _limit, "chat_ip_rate_limit", "chat requests per client IP"),
    Spec("ORDER_RATE_LIMIT", _limit, "order_rate_limit", "orders per restaurant + session"),
    Spec("ORDER_IP_RATE_LIMIT", _limit, "order_ip_rate_limit", "orders per client IP"),
    Spec("ORDER_RESTAURANT_RATE_LIMIT", _limit, "order_restaurant_rate_limit",
         "orders per restaurant, from every session and address together; over it: 429 RESTAURANT_BUSY"),
    Spec("ORDER_MAX_OPEN_PER_SESSION", _count, "order_max_open_per_session",
         "open orders (not yet picked up, cancelled or expired) per session; over it: 409 TOO_MANY_OPEN_ORDERS"),
    Spec("ORDER_MAX_TOTAL_CENTS", _count, "order_max_total_cents",
         "an order's largest total, in cents of the restaurant's currency; over it: 409 ORDER_TOTAL_TOO_HIGH"),
    Spec("ORDER_MAX_ITEMS", _count, "order_max_items",
         "an order's most items (quantities summed); over it: 409 TOO_MANY_ITEMS"),
    Spec("MENU_S_MAXAGE", _seconds, "menu_s_maxage", "the menu's CDN cache time (s-maxage)"),
    Spec("MENU_STALE_WHILE_REVALIDATE", _seconds, "menu_stale_while_revalidate",
         "how long the CDN may serve a stale menu while it revalidates"),
    Spec("BLOCKED_CLIENTS", _networks, "blocked_clients",
         "client addresses/CIDRs answered 403 CLIENT_BLOCKED (a restaurant's list adds to the global one)"),
)}
_BY_TEXT: dict[str, Spec] = {s.name: s for s in SPECS.values()}  # for names that arrive as text (overrides, the CLI)


def known(name: str) -> Spec | None:
    """The flag named exactly ``name`` (as an override stores it), or None."""
    return _BY_TEXT.get(name)


def spec(name: str) -> Spec:
    """The flag a person named (any case), or ``ValidationFailed`` listing the known names."""
    found = _BY_TEXT.get(name.strip().upper())
    if found is None:
        raise ValidationFailed([{"path": "name", "message": f"unknown flag {name!r}; known: {', '.join(SPECS)}"}])
    return found


def parse_value(name: str, raw: str) -> Value:
    """The flag's value from text, or ``ValidationFailed`` naming the flag and what it accepts."""
    flag = spec(name)
    try:
        return flag.parse(raw)
    except ValueError as exc:
        raise ValidationFailed([{"path": flag.name, "message": f"{raw!r}: {exc}"}]) from None
