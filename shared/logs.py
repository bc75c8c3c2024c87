"""JSON logs: one object per line on stderr, with requestId and restaurantId bound to every line.

Filter by restaurant with ``jq 'select(.restaurantId == "...")'`` or grep. Never log chat text,
session tokens or keys: log counts and outcome codes.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from typing import Any

import orjson

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
restaurant_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("restaurant_id", default=None)

_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "requestId": request_id_var.get(),
            "restaurantId": restaurant_id_var.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    """Route every ``stjarna.*`` logger to one JSON handler (idempotent)."""
    logger = logging.getLogger("stjarna")
    logger.setLevel(level)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
