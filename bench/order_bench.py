"""Orders: POST /api/orders requests/s on real PostgreSQL, and the idempotent replay path.

Run: ``.venv/bin/python bench/order_bench.py [--json FILE] [--quick]`` (or ``scripts/bench``).

Against a restaurant imported into a real embedded PostgreSQL started here in a temp dir (open around
the clock, 50 items), through the full app (hand-built ASGI scope, no sockets), as ratios to a floor
measured in the same run (a Starlette POST route that reads the body and returns pre-built bytes of
the same size) and to the same floor behind the product's outermost middleware:

- a new order per request (a new Idempotency-Key each time: price, gate, code, three inserts);
- the idempotent replay (the same key and body: one lookup, no writes);
- a quote (the same checks and pricing, nothing stored);
- ``OrderService.place`` alone (no HTTP), to split the SQL function's cost from the HTTP path's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from _common import HOST, ORIGIN, Recorder, Row, bench_run, body_once, cli, measure, menu_document
from floor import floor_app

NEVER_REFUSE = "1000000 per 1 second"
LINES = 3


def scope(path: str, body: bytes, key: str | None) -> dict[str, Any]:
    headers = [(b"host", HOST.encode()), (b"origin", ORIGIN.encode()), (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()), (b"accept", b"application/json"),
               (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) stjarna-bench")]
    if key is not None:
        headers.append((b"idempotency-key", key.encode()))
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "POST", "scheme": "https", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": b"", "headers": headers, "client": ("192.0.2.10", 51000), "server": (HOST, 443)}


def post_case(loop: asyncio.AbstractEventLoop, app: Any, path: str, body: bytes, status: int,
              keys: Callable[[], str | None]) -> Callable[[int], float]:
    """``n`` POSTs of ``body`` (``keys()`` gives each one's Idempotency-Key); all must answer ``status``."""
    async def many(n: int, send: Any) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await app(scope(path, body, keys()), body_once(body), send)
        return time.perf_counter() - started

    def run(n: int) -> float:
        rec = Recorder()
        elapsed = loop.run_until_complete(many(n, rec.send))
        if rec.statuses != {status: n}:
            raise AssertionError(f"{path}: unexpected responses {rec.statuses} (wanted {n}x {status})")
        return elapsed

    return run


def run_bench(*, quick: bool = False) -> dict[str, Any]:
    from shared.container import Container
    from shared.http.app import create_app
    from shared.kv.memory import MemoryKV
    from shared.menus.io import import_menu
    from shared.observability.logs import configure_logging
    from shared.orders.requests import OrderRequest
    from shared.orders.service import OrderService
    from shared.settings import load_settings
    from shared.store.postgres import PostgresStore
    from shared.week import WEEKDAYS

    rounds, round_seconds = (3, 0.15) if quick else (5, 0.3)
    rows: list[Row] = []
    started = time.perf_counter()
    with bench_run() as (loop, devnull, dsn, store):
        document = menu_document(50)
        document["restaurant"]["hours"] = {d: [["00:00", "24:00"]] for d in WEEKDAYS}
        import_menu(store, document)
        slug = document["restaurant"]["slug"]
        rid = store.rpc("stjarna_resolve", {"p_ref": slug})
        menu = store.rpc("stjarna_public_menu", {"p_restaurant_id": rid})
        item_ids = [i["id"] for s in menu["sections"] for i in s["items"]][:LINES]
        order = {"restaurantId": slug, "sessionToken": "bench-order-session",
                 "items": [{"itemId": i, "quantity": 2, "note": "bench"} for i in item_ids]}
        body = json.dumps(order).encode()
        settings = load_settings({"STJARNA_DATA_DIR": "/nonexistent", "MENU_LOCAL_CACHE_SECONDS": "30",
                                  "ORDER_RATE_LIMIT": NEVER_REFUSE, "ORDER_IP_RATE_LIMIT": NEVER_REFUSE,
                                  "QUOTE_RATE_LIMIT": NEVER_REFUSE, "QUOTE_IP_RATE_LIMIT": NEVER_REFUSE,
                                  # one session places every order: no ceiling on its open orders (#16)
                                  "ORDER_RESTAURANT_RATE_LIMIT": NEVER_REFUSE,
                                  "ORDER_MAX_OPEN_PER_SESSION": "100000000"})
        app = create_app(("orders",), container=Container(settings, store=store, kv=MemoryKV()))
        configure_logging("INFO", stream=devnull)

        counter = itertools.count()

        def fresh_key() -> str:
            return f"bench-key-{next(counter):09d}"

        replay_key = fresh_key()
        rec = Recorder()
        loop.run_until_complete(app(scope("/api/orders", body, replay_key), body_once(body), rec.send))
        if rec.statuses != {201: 1}:
            raise AssertionError(f"first order: {rec.statuses}")
        answer = bytes(rec.body_bytes)  # the floors return bytes of the answer's size
        service = OrderService(PostgresStore(dsn, timeout_seconds=10), settings)
        request = OrderRequest.model_validate(order)

        def service_case(n: int) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                service.place(str(rid), request, fresh_key(), ordering_enabled=True)
            return time.perf_counter() - t0

        res = measure({
            "floor": post_case(loop, floor_app(answer, "/api/orders", method="POST", status=201), "/api/orders",
                               body, 201, fresh_key),
            "floor + middleware": post_case(loop, floor_app(answer, "/api/orders", method="POST", status=201,
                                                            middleware=True), "/api/orders", body, 201, fresh_key),
            "order": post_case(loop, app, "/api/orders", body, 201, fresh_key),
            "replay": post_case(loop, app, "/api/orders", body, 201, lambda: replay_key),
            "quote": post_case(loop, app, "/api/orders/quote", body, 200, lambda: None),
            "service": service_case,
        }, rounds=rounds, round_seconds=round_seconds, min_n=10)
        service.store.close()
        orders_stored = store.rpc("stjarna_list_orders", {"p_restaurant_id": str(rid), "p_limit": 500})

    fl, pfl = res["floor"]["rps"], res["floor + middleware"]["rps"]
    group = f"orders POST /api/orders ({LINES} lines, answer {len(answer)} B, real PostgreSQL)"

    def row(name: str, key: str, base: float, base_name: str) -> Row:
        value = res[key]["rps"]
        return Row(group, name, value, "req/s", base_name, value / base,
                   detail={"n": res[key]["n"], "rounds": res[key]["rounds"]})

    rows += [
        row("floor: Starlette POST route, pre-built bytes", "floor", fl, "floor"),
        row("same-path floor: behind RequestContextMiddleware", "floor + middleware", pfl, "same-path floor"),
        row("order 201, a new Idempotency-Key each time", "order", fl, "floor"),
        row("order 201 vs the same-path floor", "order", pfl, "same-path floor"),
        row("idempotent replay 201 (same key and body)", "replay", fl, "floor"),
        row("quote 200 (same checks, nothing stored)", "quote", fl, "floor"),
        row("OrderService.place alone (SQL function + psycopg, no HTTP)", "service", fl, "floor"),
        Row(group, "replay cost / new order cost", res["order"]["rps"] / res["replay"]["rps"], "ratio",
            goal="< 1 (a replay must be cheaper than an order)",
            status="PASS" if res["replay"]["rps"] > res["order"]["rps"] else "MISS"),
    ]
    notes = [f"{len(orders_stored)}+ orders stored during the run (list capped at 500)",
             f"order bench took {time.perf_counter() - started:.1f} s"]
    return {"bench": "order", "rows": [r.as_dict() for r in rows], "notes": notes}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="fewer, shorter rounds (smoke test)")
