"""The one error tree. Every error a client can see is a ``StjarnaError`` with a stable code.

    StjarnaError                      (500 INTERNAL)
    ├── BadRequest                    (400 BAD_REQUEST)
    │   ├── RestaurantContextMissing  (400 RESTAURANT_CONTEXT_MISSING)
    │   ├── RestaurantIdInvalid       (400 RESTAURANT_ID_INVALID)
    │   ├── RestaurantIdConflict      (400 RESTAURANT_ID_CONFLICT) query, body and header name different ones
    │   ├── InvalidRequest            (400 INVALID_REQUEST)       malformed query, headers, encoding
    │   └── UriTooLong                (414 URI_TOO_LONG)
    ├── Unauthorized                  (401 UNAUTHORIZED)          admin routes: no hint of what was wrong
    ├── OriginNotAllowed              (403 ORIGIN_NOT_ALLOWED)
    ├── ClientBlocked                 (403 CLIENT_BLOCKED)        the client's address is on BLOCKED_CLIENTS
    ├── NotFound                      (404 NOT_FOUND)
    │   ├── RestaurantNotFound        (404 RESTAURANT_NOT_FOUND)
    │   └── OrderNotFound             (404 ORDER_NOT_FOUND)
    ├── MethodNotAllowed              (405 METHOD_NOT_ALLOWED)
    ├── PayloadTooLarge               (413 PAYLOAD_TOO_LARGE)
    ├── Conflict                      (409 CONFLICT)
    │   ├── RestaurantClosed          (409 RESTAURANT_CLOSED)     carries nextOpeningAt
    │   ├── ItemUnavailable           (409 ITEM_UNAVAILABLE)      carries items: [{itemId, reason}]
    │   ├── OrderingDisabled          (409 ORDERING_DISABLED)
    │   ├── OrderingPaused            (409 ORDERING_PAUSED)       carries resumesAt
    │   ├── IdempotencyKeyReused      (409 IDEMPOTENCY_KEY_REUSED)
    │   ├── InvalidTransition         (409 INVALID_TRANSITION)    carries from, to
    │   ├── OrderStatusConflict       (409 ORDER_STATUS_CONFLICT) carries current status
    │   ├── TooManyOpenOrders         (409 TOO_MANY_OPEN_ORDERS)  carries openOrders, maxOpenOrders
    │   ├── OrderTotalTooHigh         (409 ORDER_TOTAL_TOO_HIGH)  carries totalCents, maxTotalCents, currency
    │   ├── TooManyItems              (409 TOO_MANY_ITEMS)        carries itemCount, maxItems
    │   └── TooManyAdminKeys          (409 TOO_MANY_ADMIN_KEYS)
    ├── RateLimited                   (429 RATE_LIMITED)          carries retry_after and the X-RateLimit numbers
    │   └── RestaurantBusy            (429 RESTAURANT_BUSY)       the restaurant's order ceiling, everyone together
    ├── ValidationFailed              (422 VALIDATION_ERROR)      carries field paths
    ├── ServiceUnavailable            (503 SERVICE_UNAVAILABLE)
    │   ├── ServerChatDisabled        (503 SERVER_CHAT_DISABLED)  ops turned server chat off: the widget answers locally
    │   ├── StoreUnavailable          (503 STORE_UNAVAILABLE)
    │   └── KVUnavailable             (503 KV_UNAVAILABLE)        never reaches a diner: caches degrade
    └── ConfigError                   (500 CONFIG_ERROR)          bad settings, refused at start

Vendor exceptions stop at the adapters and become one of these (``raise StoreUnavailable(...) from exc``).
"""

from __future__ import annotations

from typing import Any, ClassVar


class StjarnaError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL"
    default_message: ClassVar[str] = "Something went wrong on our side."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        """Response headers that belong to this error (``Retry-After``, ``WWW-Authenticate``)."""
        return {}


class BadRequest(StjarnaError):
    status = 400
    code = "BAD_REQUEST"
    default_message = "The request is malformed."


class RestaurantContextMissing(BadRequest):
    code = "RESTAURANT_CONTEXT_MISSING"
    default_message = "Name the restaurant with the restaurantId parameter or the X-Restaurant-ID header."


class RestaurantIdInvalid(BadRequest):
    code = "RESTAURANT_ID_INVALID"
    default_message = "restaurantId must be a restaurant UUID or slug (a-z, 0-9 and '-', at most 63)."


class RestaurantIdConflict(BadRequest):
    code = "RESTAURANT_ID_CONFLICT"
    default_message = ("The restaurant is named twice, differently (restaurantId in the query string or the body, "
                       "X-Restaurant-ID header): name it once, or the same way everywhere.")


class InvalidRequest(BadRequest):
    code = "INVALID_REQUEST"


class UriTooLong(BadRequest):
    status = 414
    code = "URI_TOO_LONG"
    default_message = "The query string is too long (at most 4096 bytes)."


class OriginNotAllowed(StjarnaError):
    status = 403
    code = "ORIGIN_NOT_ALLOWED"
    default_message = "This website is not on the restaurant's list of allowed origins."


class ClientBlocked(StjarnaError):
    status = 403
    code = "CLIENT_BLOCKED"
    default_message = "Requests from this address are blocked. If this is a mistake, contact the restaurant."


class Unauthorized(StjarnaError):
    status = 401
    code = "UNAUTHORIZED"
    default_message = "A valid admin key is required (Authorization: Bearer <key>)."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="stjarna-admin"'}


class Forbidden(StjarnaError):
    """A valid staff key (or console session) whose role may not do this (docs/console.md, "Roles")."""

    status = 403
    code = "FORBIDDEN"
    default_message = "This key's role may not do this."


class CsrfFailed(StjarnaError):
    """A console write without the session's CSRF token, or from another origin (docs/console.md, Sessions)."""

    status = 403
    code = "CSRF_FAILED"
    default_message = "This console request lacks a valid CSRF token or comes from another origin; sign in again."


class NotFound(StjarnaError):
    status = 404
    code = "NOT_FOUND"
    default_message = "No such route."


class RestaurantNotFound(NotFound):
    code = "RESTAURANT_NOT_FOUND"
    default_message = "No live restaurant with that id."


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"
    default_message = "No such order for this session."


class MethodNotAllowed(StjarnaError):
    status = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "This route does not accept that method."


class PayloadTooLarge(StjarnaError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is too large."


class Conflict(StjarnaError):
    status = 409
    code = "CONFLICT"
    default_message = "The request conflicts with the current state."


class RestaurantClosed(Conflict):
    code = "RESTAURANT_CLOSED"
    default_message = "The restaurant is closed at that time."

    def __init__(self, next_opening_at: str | None, message: str | None = None) -> None:
        super().__init__(message, details={"nextOpeningAt": next_opening_at})


class PickupSlotFull(Conflict):
    """The pickup slot asked for has no room left (``PICKUP_SLOT_CAPACITY``; docs/orders.md, Pickup slots)."""

    code = "PICKUP_SLOT_FULL"
    default_message = "That pickup time is fully booked; choose another."

    def __init__(self, pickup_at: str, capacity: int, message: str | None = None) -> None:
        super().__init__(message, details={"pickupAt": pickup_at, "capacity": capacity})


class ItemUnavailable(Conflict):
    code = "ITEM_UNAVAILABLE"
    default_message = "Some items cannot be ordered right now."

    def __init__(self, items: list[dict[str, str]]) -> None:
        super().__init__(f"Some items cannot be ordered right now: {', '.join(i['itemId'] for i in items)}.",
                         details={"items": items})


class OrderingDisabled(Conflict):
    code = "ORDERING_DISABLED"
    default_message = "Online ordering is turned off for this restaurant right now."


class OrderingPaused(Conflict):
    """The kitchen paused ordering (docs/console.md, "Pausing"); ``resumesAt`` null: until resumed."""

    code = "ORDERING_PAUSED"
    default_message = "The kitchen is busy: ordering is paused."

    def __init__(self, resumes_at: str | None = None) -> None:
        when = f" Ordering reopens at {resumes_at}." if resumes_at else " Ordering reopens when the kitchen resumes it."
        super().__init__(self.default_message + when, details={"resumesAt": resumes_at})


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was already used for a different order; use a new key."


class InvalidTransition(Conflict):
    code = "INVALID_TRANSITION"
    default_message = "The order cannot move to that status from its current one."

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"An order that is {current} cannot become {wanted}.",
                         details={"from": current, "to": wanted})


class OrderStatusConflict(Conflict):
    code = "ORDER_STATUS_CONFLICT"
    default_message = "The order's status changed meanwhile."

    def __init__(self, current: str, expected: str) -> None:
        super().__init__(f"The order is {current}, not {expected}: someone changed it meanwhile.",
                         details={"status": current})


class TooManyOpenOrders(Conflict):
    code = "TOO_MANY_OPEN_ORDERS"
    default_message = "This session already has as many open orders as a restaurant takes from one diner."

    def __init__(self, open_orders: int, limit: int) -> None:
        super().__init__(f"You have {open_orders} orders waiting to be picked up; at most {limit} at a time.",
                         details={"openOrders": open_orders, "maxOpenOrders": limit})


class OrderTotalTooHigh(Conflict):
    code = "ORDER_TOTAL_TOO_HIGH"
    default_message = "The order's total is above what the restaurant takes online."

    def __init__(self, total_cents: int, limit_cents: int, currency: str) -> None:
        super().__init__(f"The order's total ({total_cents / 100:.2f} {currency}) is above the "
                         f"{limit_cents / 100:.2f} {currency} the restaurant takes online; call the restaurant "
                         "for a large order.",
                         details={"totalCents": total_cents, "maxTotalCents": limit_cents, "currency": currency})


class TooManyItems(Conflict):
    code = "TOO_MANY_ITEMS"
    default_message = "The order has more items than the restaurant takes online."

    def __init__(self, item_count: int, limit: int) -> None:
        super().__init__(f"The order has {item_count} items; the restaurant takes at most {limit} online.",
                         details={"itemCount": item_count, "maxItems": limit})


class TooManyAdminKeys(Conflict):
    code = "TOO_MANY_ADMIN_KEYS"
    default_message = "Two admin keys are already active; revoke one before creating another."


class ValidationFailed(StjarnaError):
    """Input did not match its schema; ``errors`` names each bad field by its path."""

    status = 422
    code = "VALIDATION_ERROR"
    default_message = "The input is invalid."

    def __init__(self, errors: list[dict[str, str]], message: str | None = None) -> None:
        self.errors = errors
        summary = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5])
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(message or f"Invalid input: {summary}{more}", details={"errors": errors})


class RateLimited(StjarnaError):
    """Over a rate limit or the in-flight bound. ``retry_after`` (seconds, >= 1) feeds ``Retry-After``;
    ``limit``, ``remaining`` and ``reset_at`` (epoch seconds) feed ``X-RateLimit-Limit/Remaining/Reset``."""

    status = 429
    code = "RATE_LIMITED"
    default_message = "Too many requests; slow down and try again shortly."

    def __init__(self, *, retry_after: int, limit: int, remaining: int = 0, reset_at: float,
                 message: str | None = None) -> None:
        self.retry_after = max(1, retry_after)
        self.limit = limit
        self.remaining = remaining
        self.reset_at = reset_at
        super().__init__(message, details={"retryAfter": self.retry_after})

    def headers(self) -> dict[str, str]:
        """``Retry-After`` and ``X-RateLimit-*`` (Reset: epoch seconds, rounded up) for the 429."""
        return {"Retry-After": str(self.retry_after), "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(self.remaining), "X-RateLimit-Reset": str(int(-(-self.reset_at // 1)))}


class RestaurantBusy(RateLimited):
    """The restaurant's order ceiling (ORDER_RESTAURANT_RATE_LIMIT), from every session and address
    together: not this diner's doing, so its own code; ``Retry-After`` says when to try again."""

    code = "RESTAURANT_BUSY"
    default_message = "The restaurant is receiving very many orders right now; try again in a minute."


class ServiceUnavailable(StjarnaError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "A service we depend on is unavailable; try again shortly."


class ServerChatDisabled(ServiceUnavailable):
    code = "SERVER_CHAT_DISABLED"
    default_message = "The assistant is answering in the browser for now (server chat is off)."


class StoreUnavailable(ServiceUnavailable):
    code = "STORE_UNAVAILABLE"
    default_message = "The database is unavailable; try again shortly."


class KVUnavailable(ServiceUnavailable):
    code = "KV_UNAVAILABLE"
    default_message = "The shared cache is unavailable."


class ConfigError(StjarnaError):
    code = "CONFIG_ERROR"
    default_message = "The service is misconfigured."


__all__ = [
    "BadRequest",
    "ClientBlocked",
    "ConfigError",
    "Conflict",
    "CsrfFailed",
    "Forbidden",
    "IdempotencyKeyReused",
    "InvalidRequest",
    "InvalidTransition",
    "ItemUnavailable",
    "KVUnavailable",
    "MethodNotAllowed",
    "NotFound",
    "OrderNotFound",
    "OrderStatusConflict",
    "OrderTotalTooHigh",
    "OrderingDisabled",
    "OrderingPaused",
    "OriginNotAllowed",
    "PayloadTooLarge",
    "PickupSlotFull",
    "RateLimited",
    "RestaurantBusy",
    "RestaurantClosed",
    "RestaurantContextMissing",
    "RestaurantIdConflict",
    "RestaurantIdInvalid",
    "RestaurantNotFound",
    "ServerChatDisabled",
    "ServiceUnavailable",
    "StjarnaError",
    "StoreUnavailable",
    "TooManyAdminKeys",
    "TooManyItems",
    "TooManyOpenOrders",
    "Unauthorized",
    "UriTooLong",
    "ValidationFailed",
]
