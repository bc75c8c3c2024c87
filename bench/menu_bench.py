"""Requests/s of GET /api/public/menu through the real ASGI app, as ratios to a floor app.

Run: ``.venv/bin/python bench/menu_bench.py [--json FILE] [--quick]`` (or ``scripts/bench``).

The app is called in-process with a hand-built ASGI scope/receive/send (no TestClient, no sockets),
N requests in a loop on one event loop, best of several rounds; rounds of every case are interleaved
so that noise from other processes hits the floor and the menu alike. The menu lives in a real
embedded PostgreSQL started here in a temp dir (stopped at the end).
"""

from __future__ import annotations

import asyncio
import copy
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from _common import (
    HOST,
    MENU_PATH,
    ORIGIN,
    Recorder,
    Row,
    bench_run,
    cli,
    goal_status,
    http_scope,
    measure,
    menu_document,
)
from floor import floor_app

REPO = Path(__file__).resolve().parents[1]
EVENT_TEMPLATE = REPO / "tests" / "events" / "v2-menu-get.json"  # from the recorded AWS samples
PATH = MENU_PATH
SIZES = (50, 200, 1000)


# -- request plumbing --------------------------------------------------------------------------
def lambda_event(slug: str, etag: str | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API (v2) event, from the recorded template."""
    event: dict[str, Any] = json.loads(EVENT_TEMPLATE.read_text())
    event = copy.deepcopy(event)
    event["rawPath"] = PATH
    event["rawQueryString"] = f"restaurantId={slug}"
    event["queryStringParameters"] = {"restaurantId": slug}
    event.pop("cookies", None)
    event.pop("pathParameters", None)
    event["headers"] = {
        "host": HOST, "origin": ORIGIN, "accept": "application/json",
        "accept-encoding": "gzip, deflate, br", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) stjarna-bench",
        "referer": ORIGIN + "/menu", "x-forwarded-for": "192.0.2.10", "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if etag is not None:
        event["headers"]["if-none-match"] = etag
    event["requestContext"]["domainName"] = HOST
    event["requestContext"]["http"].update({"method": "GET", "path": PATH})
    return event


_REQUEST = {"type": "http.request", "body": b"", "more_body": False}


async def _receive() -> dict[str, Any]:
    return _REQUEST


def asgi_case(loop: asyncio.AbstractEventLoop, app: Any, scope: dict[str, Any], status: int,
              body_len: int, before: Callable[[], None] | None = None) -> Callable[[int], float]:
    """A function running ``n`` requests; returns the elapsed seconds (checks every response)."""

    async def many(n: int, rec: Recorder) -> float:
        send = rec.send
        if before is None:
            started = time.perf_counter()
            for _ in range(n):
                await app(dict(scope), _receive, send)
        else:
            started = time.perf_counter()
            for _ in range(n):
                before()
                await app(dict(scope), _receive, send)
        return time.perf_counter() - started

    def run(n: int) -> float:
        rec = Recorder()
        elapsed = loop.run_until_complete(many(n, rec))
        if rec.statuses != {status: n} or rec.body_bytes != body_len * n:
            raise AssertionError(f"unexpected responses: {rec.statuses}, {rec.body_bytes} body bytes "
                                 f"(wanted {n}x {status} with {body_len} bytes)")
        return elapsed

    return run


def mangum_case(handler: Any, event: dict[str, Any], status: int, body_len: int) -> Callable[[int], float]:
    context = SimpleNamespace(function_name="menu", aws_request_id="bench", memory_limit_in_mb=512)

    def run(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            response = handler(event, context)
        elapsed = time.perf_counter() - started
        if response["statusCode"] != status or len(response["body"].encode()) != body_len:
            raise AssertionError(f"unexpected Mangum response {response['statusCode']}")
        return elapsed

    return run


# -- the apps ----------------------------------------------------------------------------------
class NeverKV:
    """A KV that never hits (get → None, set dropped): every miss goes to PostgreSQL."""

    def get(self, key: str) -> str | None:  # noqa: ARG002
        return None

    def set(self, key: str, value: str, ttl_seconds: int) -> None:  # noqa: ARG002
        return None

    def delete(self, key: str) -> None:  # noqa: ARG002
        return None

    def ping(self) -> None:
        return None


def quiet(run: Callable[[int], float]) -> Callable[[int], float]:
    """The same case with the ``stjarna`` loggers at WARNING (no access line) while it runs."""
    import logging

    def wrapped(n: int) -> float:
        logger = logging.getLogger("stjarna")
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            return run(n)
        finally:
            logger.setLevel(level)

    return wrapped


def check_access_log(loop: asyncio.AbstractEventLoop, app: Any, slug: str) -> None:
    """Prove the access logger is live (one JSON line per request) before sending it to /dev/null."""
    from shared.observability.logs import configure_logging

    buffer = io.StringIO()
    configure_logging("INFO", stream=buffer)
    loop.run_until_complete(app(http_scope(slug), _receive, Recorder().send))
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    if not any(line.get("logger") == "stjarna.access" for line in lines):
        raise AssertionError(f"no access log line was written: {lines!r}")


def run_bench(*, quick: bool = False) -> dict[str, Any]:
    from mangum import Mangum

    from shared.container import Container
    from shared.http.app import create_app
    from shared.kv.memory import MemoryKV
    from shared.menus.io import import_menu
    from shared.observability.logs import configure_logging
    from shared.settings import load_settings

    rounds, round_seconds = (3, 0.1) if quick else (5, 0.25)
    cold_rounds, cold_seconds = (2, 0.1) if quick else (3, 0.25)
    rows: list[Row] = []
    started = time.perf_counter()
    with bench_run() as (loop, devnull, _dsn, store):
        for size in SIZES:
            import_menu(store, menu_document(size))

        def settings(**env: str) -> Any:
            return load_settings({"STJARNA_DATA_DIR": "/nonexistent", **env})

        # Warm and 304: the in-process entry trusted for 30 s (the maximum), so no round ever
        # revalidates; revalidate: the local bound at 0 (every request asks PostgreSQL for the
        # restaurant head, one small query, and reuses the serialised body); cold: local cache
        # dropped before every request and a KV that never hits, so every request runs the head
        # query + stjarna_public_menu on PostgreSQL, orjson-serialises it and hashes the ETag.
        warm = Container(settings(MENU_LOCAL_CACHE_SECONDS="30"), store=store, kv=MemoryKV())
        reval = Container(settings(MENU_LOCAL_CACHE_SECONDS="0"), store=store, kv=MemoryKV())
        cold = Container(settings(MENU_LOCAL_CACHE_SECONDS="30"), store=store, kv=NeverKV())  # type: ignore[arg-type]
        warm_app = create_app(("menu",), container=warm)
        reval_app = create_app(("menu",), container=reval)
        cold_app = create_app(("menu",), container=cold)
        check_access_log(loop, warm_app, "bench-50")
        configure_logging("INFO", stream=devnull)
        warm_handler = Mangum(warm_app, lifespan="off")

        for size in SIZES:
            slug = f"bench-{size}"
            loop.run_until_complete(warm_app(http_scope(slug), _receive, Recorder().send))
            menu = warm.menus.fresh(slug)
            assert menu is not None
            body, etag = menu.body, menu.etag
            floor = floor_app(body, PATH)
            floor_handler = Mangum(floor, lifespan="off")
            loop.run_until_complete(cold_app(http_scope(slug), _receive, Recorder().send))
            cold_menus = cold.menus
            fast = {
                "floor": asgi_case(loop, floor, http_scope(slug), 200, len(body)),
                "warm": asgi_case(loop, warm_app, http_scope(slug), 200, len(body)),
                "304": asgi_case(loop, warm_app, http_scope(slug, etag), 304, 0),
                "mangum floor": mangum_case(floor_handler, lambda_event(slug), 200, len(body)),
                "mangum warm": mangum_case(warm_handler, lambda_event(slug), 200, len(body)),
                "floor + middleware": asgi_case(loop, floor_app(body, PATH, middleware=True), http_scope(slug),
                                                200, len(body)),
            }
            slow = {
                "revalidate": asgi_case(loop, reval_app, http_scope(slug), 200, len(body)),
                "cold": asgi_case(loop, cold_app, http_scope(slug), 200, len(body), before=cold_menus.forget),
            }
            if size == SIZES[0]:  # where the warm path's time goes (size-independent)
                fast.update({
                    "warm no log": quiet(asgi_case(loop, warm_app, http_scope(slug), 200, len(body))),
                    "warm no origin": asgi_case(loop, warm_app, http_scope(slug, origin=False), 200, len(body)),
                    "warm no log no origin": quiet(asgi_case(loop, warm_app, http_scope(slug, origin=False),
                                                             200, len(body))),
                })
            res = measure(fast, rounds=rounds, round_seconds=round_seconds)
            res.update(measure(slow, rounds=cold_rounds, round_seconds=cold_seconds, min_n=10))
            fl, mfl, pfl = res["floor"]["rps"], res["mangum floor"]["rps"], res["floor + middleware"]["rps"]
            group = f"menu {size} items ({len(body) / 1024:.1f} KiB)"

            def row(name: str, key: str, base: float, base_name: str, minimum: float | None = None,
                    group: str = group, res: dict[str, Any] = res, body: bytes = body) -> Row:
                ratio = res[key]["rps"] / base
                return Row(group, name, res[key]["rps"], "req/s", base_name, ratio,
                           "" if minimum is None else f"≥ {minimum:g}x",
                           "" if minimum is None else goal_status(ratio, minimum=minimum),
                           detail={"n": res[key]["n"], "rounds": res[key]["rounds"], "bodyBytes": len(body)})

            rows += [
                row("floor: Starlette route, pre-built bytes", "floor", fl, "floor"),
                row("menu 200 warm (in-process hit)", "warm", fl, "floor", 0.7),
                row("menu 304 (If-None-Match)", "304", fl, "floor", 0.8),
                row("menu 200 revalidate (head query)", "revalidate", fl, "floor"),
                row("menu 200 cold (miss → PostgreSQL)", "cold", fl, "floor"),
                row("same-path floor: pre-built bytes behind RequestContextMiddleware", "floor + middleware",
                    pfl, "same-path floor"),
                row("menu 200 warm vs the same-path floor", "warm", pfl, "same-path floor", 0.7),
                row("menu 304 vs the same-path floor", "304", pfl, "same-path floor", 0.8),
                row("Mangum v2: floor", "mangum floor", mfl, "mangum floor"),
                row("Mangum v2: menu 200 warm", "mangum warm", mfl, "mangum floor", 0.7),
            ]
            if size == SIZES[0]:
                g = f"warm-path breakdown ({size} items)"
                rows += [
                    row("floor + RequestContextMiddleware (access log on)", "floor + middleware", fl, "floor",
                        group=g),
                    row("menu 200 warm, access log off", "warm no log", fl, "floor", group=g),
                    row("menu 200 warm, no Origin header (no CORS check)", "warm no origin", fl, "floor",
                        group=g),
                    row("menu 200 warm, no log, no Origin", "warm no log no origin", fl, "floor", group=g),
                ]
            print(f"  measured {size} items ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        # Size scaling from one interleaved measurement (separate windows drift with the load).
        # menu() revalidates: the blocks above may outlast MENU_LOCAL_CACHE_SECONDS on a slow machine
        scaling = measure({size: asgi_case(loop, warm_app, http_scope(f"bench-{size}"), 200,
                                           len(warm.menus.menu(f"bench-{size}")[0].body))
                           for size in (SIZES[0], SIZES[-1])}, rounds=rounds, round_seconds=round_seconds)

    small, large = scaling[SIZES[0]], scaling[SIZES[-1]]
    ratio = large["rps"] / small["rps"]
    rows.append(Row("menu size scaling", f"warm {SIZES[-1]} items vs warm {SIZES[0]} items (interleaved)",
                    large["rps"], "req/s", f"warm {SIZES[0]}", ratio, "≥ 0.9x", goal_status(ratio, minimum=0.9),
                    detail={"smallRps": small["rps"], "n": large["n"], "rounds": large["rounds"]}))
    notes = [
        "menu bench: in-process ASGI (hand-built scope/receive/send, no sockets, no TestClient); "
        f"best of {rounds} rounds ({cold_rounds} for revalidate/cold), rounds of all cases interleaved.",
        "Access logging is ENABLED: one JSON line per request from `stjarna.access` (configure_logging "
        "to a stream on os.devnull), so its cost is in every menu figure; the floor app does not log.",
        f"Requests carry Origin: {ORIGIN} (on the allowlist), so the CORS check runs as for a real widget.",
        "warm = in-process entry (MENU_LOCAL_CACHE_SECONDS=30, so no revalidation during a round); "
        "304 = the same with If-None-Match: <ETag>.",
        "revalidate = MENU_LOCAL_CACHE_SECONDS=0: each request runs one head query on PostgreSQL "
        "(worker thread) and reuses the cached body.",
        "cold = cache miss against the REAL embedded PostgreSQL: the in-process cache is dropped "
        "(container.menus.forget()) before every request and the KV never hits, so every request runs the "
        "head query + stjarna_public_menu, orjson-serialises the payload and hashes the ETag.",
        "Mangum rows: Mangum(app, lifespan='off') called with an API Gateway HTTP API v2 event (based "
        "on tests/events/v2-menu-get.json); ratios against the floor app wrapped the same way.",
    ]
    return {"rows": [r.as_dict() for r in rows], "notes": notes,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="fewer, shorter rounds (smoke test)")
