"""Observability: JSON logs (``logs``), Sentry with scrubbed events, CloudWatch metrics as EMF lines,
masked log lines.

docs/observability.md describes what is sent where. Importing this package costs nothing on a cold
start: ``sentry_sdk`` is imported only when a DSN is configured, and settings only when needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = ["start"]


def start(settings: Settings) -> None:
    """Metrics on or off (``METRICS_EMF``, namespace ``Stjarna/<stage>``); Sentry once per process
    when ``SENTRY_DSN`` is set."""
    from shared.observability.metrics import DEFAULT_NAMESPACE, configure_metrics
    from shared.observability.sentry import init_sentry

    configure_metrics(settings.emit_metrics, namespace=f"{DEFAULT_NAMESPACE}/{settings.stage}")
    init_sentry(settings)
