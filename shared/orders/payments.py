"""The payment seam. An order is placed first (priced and stored by the database); then the provider
says what the diner does to pay, and that goes into the response as ``payment``.

Pay at pickup is the only provider today. A Stripe Checkout provider would implement ``start`` by
creating (or, on an idempotent replay, fetching) a Checkout Session keyed by the order id and return
``{"method": "stripe_checkout", "checkoutUrl": ...}``; the order flow does not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class PaymentProvider(Protocol):
    method: str
    """Stored with the order (``orders.payment_method``)."""

    def start(self, order: Mapping[str, Any]) -> dict[str, Any]:
        """What the diner does next to pay for ``order`` (the placed order as the API returns it).
        Called again for an idempotent replay, so it must be idempotent per order id."""
        ...


class PayAtPickup:
    method = "pay_at_pickup"

    def start(self, order: Mapping[str, Any]) -> dict[str, Any]:
        return {"method": self.method, "status": "due_at_pickup",
                "amountCents": order["totalCents"], "currency": order["currency"]}
