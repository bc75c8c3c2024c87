"""Load across instances: throughput and p50/p99 per route of real ``stjarna serve`` processes sharing
one PostgreSQL and one Redis, under many concurrent diners, with the promises checked.

Run: ``.venv/bin/python bench/load_bench.py [--json FILE] [--quick]`` (or ``scripts/bench``).

The driver is ``tests/support/load.py`` (its checks: ``tests/support/load_checks.py``), the one the short
load test (tests/load/) uses: this is its long version. An embedded PostgreSQL started here in a temp
dir, a redis-server behind the Upstash REST bridge (its own process), two instances; first the floor
(``GET /api/health/live`` through the same instances at the same concurrency), then the diners, a hot
session and a menu change mid-run. A broken promise (an unexpected status, a lost or duplicated order,
over-admission) fails the bench, after its figures are printed (they are returned with the broken
promises under ``problems``); how long the old menu was still served after the change is a goal
(PASS/MISS).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import Row, cli, embedded_postgres, goal_status  # puts the repository on sys.path

from tests.support.load import Plan, run_load  # the driver shared with tests/load/
from tests.support.load_checks import report, summary, verify

GROUP = "load across instances"
FULL = Plan(instances=2, diners=48, seconds=30.0, change_after=8.0, hot_workers=3, floor_seconds=4.0)
QUICK = Plan(instances=2, diners=16, seconds=8.0, change_after=2.0, hot_workers=3, floor_seconds=2.0)


def run_bench(*, quick: bool = False) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    started = time.perf_counter()
    with embedded_postgres() as dsn:
        run = run_load(dsn, plan)
    table = report(run)
    print(table, file=sys.stderr)
    problems = verify(run)
    try:
        figures = summary(run)
    except Exception:
        if not problems:
            raise
        # too broken to sum up: the broken promises are the result
        return {"bench": "load", "rows": [], "notes": [], "table": table, "problems": broken(problems),
                "seconds": round(time.perf_counter() - started, 1)}
    floor, total = figures["floor"], figures["total"]

    def latency(stats: dict[str, Any]) -> dict[str, Any]:
        return {"p50Ms": round(stats["p50Ms"], 2), "p99Ms": round(stats["p99Ms"], 2), "requests": stats["requests"],
                **({"statuses": stats["statuses"]} if "statuses" in stats else {})}

    rows = [
        Row(GROUP, "floor: GET /api/health/live, same instances and concurrency", floor["rps"], "req/s", "floor",
            1.0, detail=latency(floor)),
        Row(GROUP, "all diner and hot-session requests (mixed)", total["rps"], "req/s", "floor",
            total["rps"] / floor["rps"], detail=latency(total)),
    ]
    names = {"config": "GET /api/public/config", "menu": "GET /api/public/menu (ETag: mostly 304)",
             "menu watch": "GET /api/public/menu (watcher, every 50 ms per instance)", "chat": "POST /api/chat",
             "quote": "POST /api/orders/quote", "order": "POST /api/orders (new key)",
             "order retry": "POST /api/orders (same key again: replay)",
             "order double": "POST /api/orders (same key on two instances at once)",
             "order status": "GET /api/orders/{code}", "hot chat": "hot session: POST /api/chat",
             "hot order": "hot session: POST /api/orders"}
    for route, stats in figures["routes"].items():
        rows.append(Row(GROUP, f"{route}: {names.get(route, route)}", stats["rps"], "req/s", detail=latency(stats)))
    for route, hot in figures["hot"].items():
        setting = "CHAT_RATE_LIMIT" if route == "hot chat" else "ORDER_RATE_LIMIT"
        ratio = hot["mostInAnyWindow"] / hot["limit"]
        rows.append(Row(GROUP, f"{route}: most admitted in any {hot['windowSeconds']:g} s window, all instances",
                        hot["mostInAnyWindow"], "requests", f"{setting} ({hot['limit']})", ratio, "≤ 1.00x",
                        goal_status(ratio, maximum=1.0), detail=hot))
    orders = figures["orders"]
    rows.append(Row(GROUP, "orders acknowledged, each stored exactly once", orders["attempts"], "orders",
                    goal="= stored", status="PASS" if orders["stored"] == orders["attempts"] else "MISS",
                    detail=orders))
    change = figures["change"]
    lag, bound = change["maxLagSeconds"], change["boundSeconds"]
    rows.append(Row(GROUP, "menu change: old version still served, seconds after the commit (worst instance)",
                    lag, "s", f"MENU_LOCAL_CACHE_SECONDS ({bound:g} s)", lag / bound, "≤ 1.00x",
                    goal_status(lag / bound, maximum=1.0), detail=change))
    notes = [
        f"load: {plan.instances} `stjarna serve` processes (uvicorn, one worker each) sharing one embedded "
        f"PostgreSQL and one redis-server behind the Upstash REST bridge (its own process), {plan.diners} diners "
        f"at once for {plan.seconds:g} s on loopback, each visit a new session from a new 127/8 address "
        "(config, menu with If-None-Match, 1-2 chat turns, and in 60% of visits a quote, an order with its "
        "own Idempotency-Key (25% resent with the same key, 10% sent to two instances at once) and its "
        f"status); requests round-robin over the instances; a hot session ({plan.hot_workers} workers, one "
        "address) hammers chat and orders; one item's price changes by SQL mid-run; KV_TIMEOUT_SECONDS=5.",
        "load: latencies are from the driver (httpx, one process) and include its own queueing; the floor is "
        "GET /api/health/live through the same instances at the same concurrency. Checked: no status other "
        "than the intended 429s (hot session), 304s and 200/201; the shared limits never over-admitted; every "
        "acknowledged order stored exactly once and nothing else stored; a menu version has one ETag on every "
        "instance.",
    ]
    warnings = figures["logWarnings"]
    notes.append(f"load: the instances logged {len(warnings)} warning(s)"
                 + (": " + "; ".join(warnings[:3]) if warnings else "") + ".")
    return {"bench": "load", "rows": [r.as_dict() for r in rows], "notes": notes, "table": table,
            "seconds": round(time.perf_counter() - started, 1), **({"problems": broken(problems)} if problems else {})}


def broken(problems: list[str]) -> list[str]:
    """The broken promises as the run's failures (the first 40)."""
    return ["load across instances broke a promise: " + p for p in problems[:40]]


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="16 diners for 8 s instead of 48 for 30 s")
