"""Scheduled Lambda (serverless.yml: every 15 minutes): expire open orders that were not picked up
ORDER_EXPIRE_AFTER_HOURS after their pickup time, erase the pickup name and phone of orders finished
ORDER_PII_RETENTION_DAYS ago, and make items sold out "until the next opening" available again once it
has come (docs/orders.md). Not an HTTP handler: EventBridge calls it with a scheduled event, and a
failure is retried by the next run."""

from __future__ import annotations

from typing import Any


def handler(event: Any, context: Any) -> dict[str, int]:  # noqa: ARG001 - the Lambda signature
    from shared.container import default_container
    from shared.observability.logs import ensure_logging

    ensure_logging()
    orders = default_container().orders
    return {"expired": orders.expire("system:expiry"), "piiErased": orders.erase_pii(),
            "itemsAvailableAgain": orders.reset_items()}
