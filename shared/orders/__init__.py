"""Pickup orders (docs/orders.md): the request body (``requests``), the service over the store's SQL
functions (pricing, hours, idempotency and codes live in infra/migrations/0003_orders.sql), and the
payment port."""

__all__: list[str] = []
