"""Sentry, only when ``SENTRY_DSN`` is set: started once per process, before the app's routes exist.

``sentry_sdk`` is imported here and nowhere else, and only by ``init_sentry`` with a DSN: without one
nothing is imported or patched (a bare ``init`` still costs ≈ 1.9 s cold). The
order matters: the Starlette integration wraps endpoints as routes are created, so ``create_app``
starts Sentry before building its routes. A Lambda handler module builds its app at import (the init
phase), which is also where the AWS Lambda integration must be set up; settings are not loaded there
unless Sentry is wanted, hence ``sentry_requested`` (docs/observability.md).

What is sent and what is scrubbed: shared/observability/scrub.py.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any

from shared.observability.logs import request_id_var, restaurant_id_var
from shared.observability.masking import mask_text
from shared.observability.scrub import scrub_breadcrumb, scrub_event

if TYPE_CHECKING:
    from sentry_sdk.integrations import Integration
    from sentry_sdk.transport import Transport

    from shared.settings import Settings

_log = logging.getLogger("stjarna.observability")
_lock = threading.Lock()
_started = False
# Only a bug, a 500 INTERNAL, is an event; 503s (store down, server chat switched off) are states that
# metrics and the access lines show, not errors to page on one by one.
FAILED_STATUS_CODES = frozenset({500})


def sentry_requested() -> bool:
    """Whether the environment names a DSN. The one environment read outside shared/settings.py: it
    decides whether a handler module may load settings at import (values still come from Settings)."""
    return bool(os.environ.get("SENTRY_DSN", "").strip())


def integrations(*, in_lambda: bool) -> list[Integration]:
    """Listed explicitly (no default or auto-enabled ones): what a request needs and nothing else."""
    from sentry_sdk.integrations.atexit import AtexitIntegration
    from sentry_sdk.integrations.dedupe import DedupeIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    chosen: list[Integration] = [
        StarletteIntegration(transaction_style="url", failed_request_status_codes=set(FAILED_STATUS_CODES)),
        LoggingIntegration(level=logging.INFO, event_level=None),  # log lines as breadcrumbs, not events
        DedupeIntegration(),
        AtexitIntegration(),
    ]
    if in_lambda:
        from sentry_sdk.integrations.aws_lambda import AwsLambdaIntegration

        chosen.append(AwsLambdaIntegration())
    return chosen


def _in_lambda() -> bool:
    """Whether the Lambda runtime's bootstrap is what runs us (the integration's own test; outside
    Lambda it would log that it disabled itself)."""
    from sentry_sdk.integrations.aws_lambda import get_lambda_bootstrap

    return hasattr(get_lambda_bootstrap(), "handle_event_request")


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Tag the event with the request and restaurant (the requestId is in every error body and log
    line), then scrub it."""
    tags = event.get("tags")
    tags = dict(tags) if isinstance(tags, dict) else {}
    for name, var in (("requestId", request_id_var), ("restaurantId", restaurant_id_var)):
        value = var.get()
        if value is not None:
            tags[name] = value
    event["tags"] = tags
    return scrub_event(event, hint)


def init_sentry(settings: Settings, *, transport: Transport | None = None) -> bool:
    """Start Sentry if ``SENTRY_DSN`` is set (once per process; later calls do nothing). ``transport``
    replaces the HTTP transport (tests record events with it). Returns whether Sentry is on."""
    global _started  # noqa: PLW0603 - one SDK client per process
    if settings.sentry_dsn is None:
        return _started
    with _lock:
        if _started:
            return True
        try:
            _init(settings, settings.sentry_dsn.get_secret_value(), transport)
        except Exception as exc:  # noqa: BLE001 - a bad DSN must not take the API down with it
            _log.error("sentry not started: %s", mask_text(str(exc)))
            return False
        _started = True
    _log.info("sentry on", extra={"environment": settings.sentry_environment or settings.stage,
                                  "release": settings.version})
    return True


def _init(settings: Settings, dsn: str, transport: Transport | None) -> None:
    import sentry_sdk

    rate = settings.sentry_traces_sample_rate
    extra: dict[str, Any] = {} if transport is None else {"transport": transport}
    sentry_sdk.init(
        dsn=dsn,
        release=settings.version,
        environment=settings.sentry_environment or settings.stage,
        # send_default_pii stays unset, i.e. off: sentry-sdk 2.75 deprecates passing it (DeprecationWarning)
        # in favour of ``data_collection``, which would also switch its default EventScrubber off.
        include_local_variables=False,  # frames' locals hold bodies, tokens and chat text
        max_request_body_size="medium",  # read, then cut down to BODY_FIELDS by scrub_event
        traces_sample_rate=rate if rate > 0 else None,  # None: no transaction objects at all
        # On Lambda the integration flushes before every response: session updates would cost a round
        # trip to Sentry on every invocation.
        auto_session_tracking=False,
        default_integrations=False,
        auto_enabling_integrations=False,
        integrations=integrations(in_lambda=_in_lambda()),
        in_app_include=["shared", "functions"],
        before_send=before_send,  # type: ignore[arg-type]  # Event: a TypedDict of the same JSON
        before_send_transaction=before_send,  # type: ignore[arg-type]
        before_breadcrumb=scrub_breadcrumb,
        **extra,
    )
    # init leaves the SDK's logger at DEBUG behind a filter that, with debug off, drops every record:
    # at WARNING the per-request debug calls stop building records first (≈ 8 % of Sentry's cost).
    logging.getLogger("sentry_sdk.errors").setLevel(logging.WARNING)


def capture_exception(exc: BaseException) -> None:
    """Report an error the catch-all answered with 500 INTERNAL (no-op without Sentry)."""
    if _started:
        import sentry_sdk

        sentry_sdk.capture_exception(exc)


TEST_MESSAGE = "Stjarna test event (stjarna sentry test): Sentry is receiving this project's events"


def send_test_event(settings: Settings, *, timeout: float = 10.0, transport: Transport | None = None) -> str:
    """Send one event (level info, tagged ``stjarnaTest``) to the DSN in ``settings``, wait up to
    ``timeout`` seconds for it to leave, and return its id (``stjarna sentry test``). ``ConfigError``
    without a DSN or when the SDK refuses it: never an id that was not sent."""
    from shared.errors import ConfigError

    if settings.sentry_dsn is None:
        raise ConfigError("SENTRY_DSN is not set: there is no Sentry project to send a test event to.")
    if not init_sentry(settings, transport=transport):
        raise ConfigError("Sentry could not be started with this SENTRY_DSN (see the log line above).")
    import sentry_sdk

    event_id = sentry_sdk.capture_message(TEST_MESSAGE, level="info", tags={"stjarnaTest": "true"})
    close_sentry(timeout)  # flushes: the event has been handed to the network (or the timeout passed)
    if event_id is None:  # dropped before sending (sampling, before_send)
        raise ConfigError("Sentry dropped the test event before sending it.")
    return event_id


def close_sentry(timeout: float = 2.0) -> None:
    """Send what is queued and detach the client; ``init_sentry`` may start it again (tests)."""
    global _started  # noqa: PLW0603
    with _lock:
        if not _started:
            return
        import sentry_sdk

        sentry_sdk.get_client().close(timeout=timeout)
        sentry_sdk.get_global_scope().set_client(None)
        _started = False
