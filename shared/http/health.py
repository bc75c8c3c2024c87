"""Health: ``/api/health`` (every check), ``/api/health/live`` (the process answers) and
``/api/health/ready`` (the database answers): no CORS, ``no-store``. The two that touch the database
reuse their last report for ``HEALTH_CACHE_SECONDS`` (1 s) per instance, and concurrent calls wait for
the one check in progress: however often it is called, health costs one database check per second per
instance. The health function also serves the API's document (shared/http/apidoc.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.container import Container
from shared.errors import KVUnavailable, ServiceUnavailable, StjarnaError
from shared.http.operations import ALWAYS, NO_STORE, REQUEST_ID, ApiRoute, Reply, readable
from shared.http.responses import JSONResponse

Status = Literal["ok", "degraded", "down"]
_NO_STORE = {"Cache-Control": caching.NO_STORE}
SCHEMAS = "shared.http.schemas.health"


def _timed(check: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        extra = check() or {}
        result: dict[str, Any] = {"status": "ok", **extra}
    except StjarnaError as exc:
        result = {"status": "down", "error": exc.code}
    result["latencyMs"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def run_checks(container: Container) -> dict[str, Any]:
    """Every dependency's status; the overall status is ``down`` when the database is, ``degraded``
    when anything else is."""
    settings = container.settings

    def database() -> dict[str, Any]:
        container.store.ping()
        return {"backend": settings.store_kind}

    def cache() -> dict[str, Any]:
        container.kv.ping()
        limiter = container.ready(Container.limiter)  # built in a process that serves chat
        if limiter is not None and limiter.degraded:
            raise KVUnavailable("Rate limits are per instance: the shared store is failing.")
        return {"backend": settings.kv_kind}

    def ai() -> dict[str, Any]:
        if container.flags.value("AI_DEGRADED_MODE"):
            return {"mode": "fallback", "reason": "AI_DEGRADED_MODE"}
        if settings.openai_api_key is None:
            return {"mode": "fallback", "reason": "no OpenAI key configured"}
        return {"mode": "openai"}

    def flags() -> dict[str, Any]:
        flags = container.flags
        where = flags.store.where.split(":")[0] if flags.store is not None else "env"
        if flags.failing:
            raise ServiceUnavailable(f"Flag overrides unreadable ({where}); the last good values apply.")
        return {"source": where}

    checks = {"database": _timed(database), "cache": _timed(cache), "ai": _timed(ai), "flags": _timed(flags)}
    status: Status = "ok"
    if checks["database"]["status"] != "ok":
        status = "down"
    elif any(c["status"] != "ok" for c in checks.values()):
        status = "degraded"
    for check in checks.values():
        if check["status"] == "down" and check is not checks["database"]:
            check["status"] = "degraded"
    return {"status": status, "version": settings.version, "checks": checks}


class Recent:
    """One report, computed at most once per ``seconds`` (per instance); callers that arrive while it
    is being computed wait for it instead of computing their own. Thread-safe, loop-agnostic."""

    def __init__(self, compute: Callable[[Container], dict[str, Any]],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._compute = compute
        self._clock = clock
        self._lock = threading.Lock()
        self._last: tuple[float, dict[str, Any]] | None = None

    def fresh(self, seconds: float) -> dict[str, Any] | None:
        """The last report if younger than ``seconds`` (no I/O: fine on the event loop)."""
        last = self._last
        return last[1] if last is not None and self._clock() - last[0] < seconds else None

    def get(self, container: Container) -> dict[str, Any]:
        seconds = container.settings.health_cache_seconds
        with self._lock:
            found = self.fresh(seconds)
            if found is None:
                started = self._clock()  # the report is no older than this
                found = self._compute(container)
                self._last = (started, found)
            return found


def _ready_check(container: Container) -> dict[str, Any]:
    check = _timed(lambda: container.store.ping())  # noqa: PLW0108 - builds the store off the loop
    return {"status": "ok" if check["status"] == "ok" else "down", "checks": {"database": check}}


def health_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    everything, database = Recent(run_checks), Recent(_ready_check)

    async def report_of(recent: Recent) -> dict[str, Any]:
        c = container()
        found = recent.fresh(c.settings.health_cache_seconds)
        return found if found is not None else await run_in_threadpool(recent.get, c)

    async def health(request: Request) -> Response:
        report = await report_of(everything)
        return JSONResponse(report, status_code=503 if report["status"] == "down" else 200, headers=_NO_STORE)

    async def live(request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers=_NO_STORE)

    async def ready(request: Request) -> Response:
        body = await report_of(database)
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503, headers=_NO_STORE)

    get = ["GET", "HEAD"]
    return [
        ApiRoute("/api/health", health, methods=get, operations=readable(
            "/api/health", "Health", "Every dependency's status", "health", (REQUEST_ID,), (
                Reply(200, f"{SCHEMAS}.Health", NO_STORE, "ok or degraded"),
                Reply(503, f"{SCHEMAS}.Health", NO_STORE, "down")), ALWAYS)),
        ApiRoute("/api/health/live", live, methods=get, operations=readable(
            "/api/health/live", "Live", "The process answers", "health", (REQUEST_ID,),
            (Reply(200, f"{SCHEMAS}.Live", NO_STORE),), ALWAYS)),
        ApiRoute("/api/health/ready", ready, methods=get, operations=readable(
            "/api/health/ready", "Ready", "The database answers", "health", (REQUEST_ID,), (
                Reply(200, f"{SCHEMAS}.Ready", NO_STORE),
                Reply(503, f"{SCHEMAS}.Ready", NO_STORE, "The database does not answer")), ALWAYS)),
    ]
