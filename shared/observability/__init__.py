"""Observability: JSON logs (``logs``), Sentry with scrubbed events, CloudWatch metrics as EMF lines,
masked log lines.

docs/observability.md describes what is sent where. Importing this package costs nothing on a cold
start: ``sentry_sdk`` is imported only when a DSN is configured, and settings only when needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.container import Container
    from shared.settings import Settings

__all__ = ["observed", "start"]
_log = logging.getLogger("stjarna.observability")


def start(settings: Settings) -> None:
    """Metrics on or off (``METRICS_EMF``, namespace ``Stjarna/<stage>``); Sentry once per process
    when ``SENTRY_DSN`` is set."""
    from shared.observability.metrics import DEFAULT_NAMESPACE, configure_metrics
    from shared.observability.sentry import init_sentry

    configure_metrics(settings.emit_metrics, namespace=f"{DEFAULT_NAMESPACE}/{settings.stage}")
    init_sentry(settings)


def observed(container: Container | Callable[[], Container]) -> Callable[[], Container]:
    """The app's container provider, with observability started from its settings. Called by
    ``create_app`` before any route exists (the Sentry integration wraps routes as they are made):
    - a Container (``stjarna serve``, tests): started now;
    - a factory (a Lambda handler module, built at import): started now if ``SENTRY_DSN`` is set
      (Sentry's Lambda integration must be set up in the init phase), which loads settings early;
      otherwise on the first call, the first request that needs the container, so that importing a
      handler module stays cheap.
    """
    from shared.container import Container
    from shared.errors import StjarnaError
    from shared.observability.sentry import sentry_requested

    if isinstance(container, Container):
        start(container.settings)
        return lambda: container
    factory = container
    if sentry_requested():
        try:
            start(factory().settings)
        except StjarnaError as exc:  # bad settings: the first request reports them, as without Sentry
            _log.error("observability not started: %s", type(exc).__name__)
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
