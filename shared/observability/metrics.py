"""CloudWatch metrics as Embedded Metric Format (EMF) lines on stdout: no agent, no client, no API call.

On Lambda every stdout line reaches CloudWatch Logs, which turns a JSON line carrying an ``_aws``
member into metrics (docs/observability.md lists them). Off unless ``METRICS_EMF`` (on in production).

- **Per request** the metrics ride on the access line (shared/observability/logs.py ``log_access``): with metrics on,
  the access line *is* the EMF document, written to stdout instead of stderr. One write per request,
  as before; what a request adds is serialised once per kind of request (method, route, status, cache
  result), so a request pays a dict lookup and a string join. ``Requests`` by ``Route`` (the method
  and the route template, never the raw path) and ``StatusClass``; ``Latency`` by ``Route``;
  ``RateLimited`` by ``Route`` on a 429; ``MenuCache`` by ``CacheResult`` (``hit`` | ``miss`` | ``stale``) when
  the request looked a menu up (the menu and chat routes).
- **Domain events** (rare next to requests, and on paths that already do I/O) write a line of their
  own: ``FallbackAnswers`` by ``Reason`` (and in total), ``AiLatency`` by ``Outcome``, ``OrdersPlaced`` by
  ``RestaurantId`` (and in total), ``MenuCacheStale``.

Dimensions stay low-cardinality: closed sets everywhere, except ``RestaurantId`` on orders placed
(one metric per restaurant that takes orders). A per-request metric never carries the restaurant:
``restaurantId`` and ``requestId`` are plain properties of every line, for CloudWatch Logs Insights.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import orjson

from shared.observability.logs import (
    request_id_var,
    restaurant_id_var,
    restaurant_slug_var,
    set_access_metrics,
    timestamp,
)

DEFAULT_NAMESPACE = "Stjarna"
_STATUS_CLASS = {1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_stream: TextIO | None = None  # None: metrics off
_namespace = DEFAULT_NAMESPACE
_request_suffixes: dict[tuple[str, str | None, int, str | None], str] = {}
_event_directives: dict[str, orjson.Fragment] = {}


def _directive(namespace: str, dimensions: list[list[str]], *metrics: tuple[str, str]) -> dict[str, Any]:
    return {"Namespace": namespace, "Dimensions": dimensions,
            "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics]}


def _fragment(*directives: dict[str, Any]) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(list(directives)))


def configure_metrics(enabled: bool, *, namespace: str = DEFAULT_NAMESPACE, stream: TextIO | None = None) -> None:
    """Turn EMF lines on (to ``stream``, stdout by default) or off, for the whole process."""
    global _stream, _namespace  # noqa: PLW0603 - one process-wide sink, like the log handler
    _request_suffixes.clear()
    if not enabled:
        _stream = None
        set_access_metrics(None)
        return
    _namespace = namespace
    _event_directives.update({
        # by reason, and in total (the alarm on the fallback share: serverless.yml)
        "FallbackAnswers": _fragment(_directive(namespace, [["Reason"], []], ("FallbackAnswers", "Count"))),
        "AiLatency": _fragment(_directive(namespace, [["Outcome"]], ("AiLatency", "Milliseconds"))),
        "OrdersPlaced": _fragment(_directive(namespace, [["RestaurantId"], []], ("OrdersPlaced", "Count"))),
        "MenuCacheStale": _fragment(_directive(namespace, [[]], ("MenuCacheStale", "Count"))),
    })
    _stream = stream or sys.stdout
    set_access_metrics(_write_request)


def _write_request(line: dict[str, Any], now: float) -> None:
    """The access line as an EMF document (called by ``log_access`` with metrics on).

    Everything the metrics add but the latency and the timestamp follows from (method, route, status,
    cache), so it is serialised once per distinct key (``_request_suffix``) and appended to the line's
    own JSON: a request pays a dict lookup and a string join, not a bigger ``orjson.dumps``."""
    stream = _stream
    if stream is None:  # turned off since log_access looked
        return
    key = (line.get("method") or "", line.get("route"), line.get("status") or 0, line.get("cache"))
    suffix = _request_suffixes.get(key)
    if suffix is None:
        suffix = _request_suffix(*key)
    line["Latency"] = line.get("latencyMs") or 0
    text = orjson.dumps(line, default=str)
    stream.write(text[:-1].decode() + suffix + str(int(now * 1000)) + "}}\n")


def _request_suffix(method: str, route: str | None, status: int, cache: str | None) -> str:
    """``,"Route":…,"_aws":{"CloudWatchMetrics":[…],"Timestamp":`` for one kind of request."""
    limited = status == 429
    members: dict[str, Any] = {
        "Route": f"{method if method in _METHODS else 'OTHER'} {route}" if route else "unmatched",
        "StatusClass": _STATUS_CLASS.get(status // 100, "other"),
        "Requests": 1,
    }
    directives = [_directive(_namespace, [["Route", "StatusClass"]], ("Requests", "Count")),
                  _directive(_namespace, [["Route"]], ("Latency", "Milliseconds"))]
    if limited:
        members["RateLimited"] = 1
        directives.append(_directive(_namespace, [["Route"]], ("RateLimited", "Count")))
    if cache is not None:
        members.update({"CacheResult": str(cache), "MenuCache": 1})
        directives.append(_directive(_namespace, [["CacheResult"]], ("MenuCache", "Count")))
    members["_aws"] = {"CloudWatchMetrics": directives}
    text = orjson.dumps(members).decode()  # {"Route":…,"_aws":{"CloudWatchMetrics":[…]}}
    suffix = "," + text[1:-2] + ',"Timestamp":'
    if len(_request_suffixes) >= 512:  # bounded: routes x methods x statuses x cache results
        _request_suffixes.clear()
    _request_suffixes[method, route, status, cache] = suffix
    return suffix


def _emit(metric: str, value: float, dimensions: dict[str, str]) -> None:
    stream = _stream
    if stream is None:
        return
    now = time.time()
    line = {"ts": timestamp(now), "level": "INFO", "logger": "stjarna.metrics", "msg": metric,
            "requestId": request_id_var.get(), "restaurantId": restaurant_id_var.get(),
            "restaurantSlug": restaurant_slug_var.get(), **dimensions,
            metric: value,
            "_aws": {"Timestamp": int(now * 1000), "CloudWatchMetrics": _event_directives[metric]}}
    stream.write(orjson.dumps(line).decode() + "\n")


# -- the domain's one-line calls -----------------------------------------------------------------
def chat_answered(outcome: str) -> None:
    """A chat turn's outcome (``ai`` or ``fallback:<reason>``): counts fallback answers by reason."""
    if outcome.startswith("fallback:"):
        _emit("FallbackAnswers", 1, {"Reason": outcome.removeprefix("fallback:")})


def ai_called(milliseconds: float, outcome: str) -> None:
    """One call to the model: its wall time and ``ok`` or the failure reason."""
    _emit("AiLatency", milliseconds, {"Outcome": outcome})


def order_placed(restaurant_id: str) -> None:
    """A new order (not an idempotent replay), per restaurant and in total."""
    _emit("OrdersPlaced", 1, {"RestaurantId": restaurant_id})


def menu_cache_stale() -> None:
    """An instance's in-process menu copy outlived MENU_LOCAL_CACHE_SECONDS and was revalidated."""
    _emit("MenuCacheStale", 1, {})
