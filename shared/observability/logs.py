"""JSON logs: one object per line on stderr, with requestId, restaurantId and restaurantSlug bound to
every line; levels upper-case as AWS Lambda Powertools writes them (``"level": "ERROR"``).

Filter by restaurant with ``jq 'select(.restaurantSlug == "demo")'`` (or ``.restaurantId``) or grep.
Never log chat text, session tokens or keys: log counts and outcome codes. As a safety net, every line is masked
(shared/observability/masking.py): the message, every extra field and the traceback; on the access
line only the path (the one field that can carry request text). With CloudWatch metrics on, the access
line carries them (EMF) and goes to stdout (shared/observability/metrics.py).
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from shared.observability.masking import mask_fields, mask_text

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
restaurant_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("restaurant_id", default=None)
restaurant_slug_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("restaurant_slug", default=None)


def bind_tenant(restaurant_id: str | None, slug: str | None) -> None:
    """Name the restaurant (its id and slug) on every line this context logs; ``None, None`` unbinds."""
    restaurant_id_var.set(restaurant_id)
    restaurant_slug_var.set(slug)


_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_text(record.getMessage()),
            "requestId": request_id_var.get(),
            "restaurantId": restaurant_id_var.get(),
            "restaurantSlug": restaurant_slug_var.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD:
                line[key] = mask_fields(value, key)
        if record.exc_info:
            line["exc"] = mask_text(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exc"] = mask_text(record.exc_text)
        return orjson.dumps(line, default=lambda obj: mask_text(str(obj))).decode()


_access_stream: Any = None  # where access lines go; None until configure_logging (then: dropped)
# With metrics on: writes the access line as an EMF document (shared/observability/metrics.py).
_access_metrics: Callable[[dict[str, Any], float], None] | None = None
_ts_cache: tuple[int, str] = (0, "")


class _Stderr:
    """Whatever ``sys.stderr`` is at the time of each write: a process that swaps it (pytest's capture,
    a CLI redirecting its output) never leaves the logs writing to a stream that was closed."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    """Route every ``stjarna.*`` logger to one JSON handler (idempotent); ``stream`` defaults to stderr."""
    global _access_stream  # noqa: PLW0603 - one process-wide sink, set once per container
    out = stream or _Stderr()
    logger = logging.getLogger("stjarna")
    logger.setLevel(level)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    _access_stream = out if logger.isEnabledFor(logging.INFO) else None


def server_log_config(level: str = "WARNING") -> dict[str, Any]:
    """``logging.config.dictConfig`` for a web server process (uvicorn's ``log_config``): uvicorn's own
    loggers and the root logger (libraries, ``warnings``) write the same JSON lines as ours, to stderr,
    so every line of a ``stjarna serve`` log parses with ``jq``."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": handler},
        "loggers": {name: {"handlers": ["json"], "level": level, "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
        "root": {"handlers": ["json"], "level": "WARNING"},
    }


def ensure_logging() -> None:
    """JSON logs at INFO on stderr unless already configured: a handler module serves requests (the
    liveness probe, the widget bundle) before anything builds the settings that carry ``LOG_LEVEL``."""
    if not logging.getLogger("stjarna").handlers:
        configure_logging()


def set_access_metrics(writer: Callable[[dict[str, Any], float], None] | None) -> None:
    """Hand the access line to ``writer`` (with the time it was made) instead of the log stream."""
    global _access_metrics  # noqa: PLW0603 - process-wide, like the stream
    _access_metrics = writer


def timestamp(now: float) -> str:
    global _ts_cache  # noqa: PLW0603 - the formatted second is reused by every line in it
    second = int(now)
    if _ts_cache[0] != second:
        _ts_cache = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{_ts_cache[1]}.{int((now - second) * 1000):03d}Z"


def log_access(fields: dict[str, Any]) -> None:
    """The per-request access line, in the same JSON shape as every other line. A direct write: the
    logging machinery (records, caller lookup, handler locks) costs more than the rest of a warm
    menu request (bench/README.md). Only ``path`` is masked, and only when it is not the route
    template itself: every other field is ours or validated (``restaurantId`` is a slug or a UUID)."""
    stream, metrics = _access_stream, _access_metrics
    if stream is None and metrics is None:
        return
    now = time.time()
    line = {"ts": timestamp(now), "level": "INFO", "logger": "stjarna.access", "msg": "request",
            "requestId": request_id_var.get(), **fields}
    if "restaurantId" in line and "restaurantSlug" not in line:
        line["restaurantSlug"] = restaurant_slug_var.get()
    path = line.get("path")
    if path is not None and path != line.get("route"):
        line["path"] = mask_text(path)
    if metrics is not None:
        metrics(line, now)
    else:
        stream.write(orjson.dumps(line, default=str).decode() + "\n")
