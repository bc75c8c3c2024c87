"""Health: ``/api/health`` (every check), ``/api/health/live`` (the process answers) and
``/api/health/ready`` (the database answers): no CORS, not cached. The health function also serves
the API's document (shared/http/apidoc.py)."""

from __future__ import annotations

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


def health_routes(container: Callable[[], Container]) -> list[ApiRoute]:
    async def health(request: Request) -> Response:
        report = await run_in_threadpool(run_checks, container())
        return JSONResponse(report, status_code=503 if report["status"] == "down" else 200, headers=_NO_STORE)

    async def live(request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers=_NO_STORE)

    async def ready(request: Request) -> Response:
        c = container()
        check = await run_in_threadpool(_timed, lambda: c.store.ping())  # noqa: PLW0108 - builds the store off the loop
        status = 200 if check["status"] == "ok" else 503
        body = {"status": "ok" if status == 200 else "down", "checks": {"database": check}}
        return JSONResponse(body, status_code=status, headers=_NO_STORE)

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
