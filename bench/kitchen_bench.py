"""The kitchen's board: the cost of one idle poll (GET …/board with a matching If-None-Match: 304) and of
one status change (PATCH …/orders/{order}: accepted, with a ready time), on real PostgreSQL.

Run: ``.venv/bin/python bench/kitchen_bench.py [--json FILE] [--quick]`` (or ``scripts/bench``).

Against a restaurant imported into a real embedded PostgreSQL started here in a temp dir (open around the
clock, 50 items, 20 open orders on the board while the polls are measured), through
the full ``create_app(("admin",))`` with a kitchen key in ``Authorization`` (hand-built ASGI scope, no
sockets), as ratios to the floor measured in the same run (a bare Starlette route answering 304 to a
matching If-None-Match) and to the same floor behind the product's outermost middleware:

- an idle poll: the key's check (the admin lockout in memory, the key's one indexed read) and the
  board's version (``stjarna_board_head``: one call, primary-key reads), then a bodiless 304;
- the same poll with the SQL calls counted: a poll must cost exactly two store calls (key, version);
- a poll that misses (the full board: 20 open orders with their lines and history);
- a status change: placed → accepted with ``readyInMinutes`` and ``expectedStatus`` (the row lock, the
  event, the audit row, the ready time, the board version; one transaction).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from _common import HOST, Recorder, Row, bench_run, body_once, cli, measure, menu_document
from floor import floor_app

BOARD_ORDERS = 20


class Counting:
    """The bench's store, counting calls (to state what one poll costs in round trips)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.calls = 0

    def rpc(self, function: str, params: Mapping[str, Any]) -> Any:
        self.calls += 1
        return self.store.rpc(function, params)

    def close(self) -> None:
        self.store.close()


def scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    base = [(b"host", HOST.encode()), (b"accept", b"application/json"),
            (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) stjarna-console-bench")]
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": method, "scheme": "https", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": b"", "headers": base + headers, "client": ("192.0.2.10", 51000), "server": (HOST, 443)}


def case(loop: asyncio.AbstractEventLoop, app: Any, requests: Callable[[], tuple[dict[str, Any], bytes]],
         status: int) -> Callable[[int], float]:
    async def many(n: int, send: Any) -> float:
        started = time.perf_counter()
        for _ in range(n):
            s, body = requests()
            await app(s, body_once(body), send)
        return time.perf_counter() - started

    def run(n: int) -> float:
        rec = Recorder()
        elapsed = loop.run_until_complete(many(n, rec.send))
        if rec.statuses != {status: n}:
            raise AssertionError(f"unexpected responses {rec.statuses} (wanted {n}x {status})")
        return elapsed

    return run


def run_bench(*, quick: bool = False) -> dict[str, Any]:
    from shared.container import Container
    from shared.http.app import create_app
    from shared.kv.memory import MemoryKV
    from shared.menus.io import import_menu
    from shared.observability.logs import configure_logging
    from shared.orders.requests import OrderRequest
    from shared.settings import load_settings
    from shared.week import WEEKDAYS

    rounds, round_seconds = (3, 0.15) if quick else (5, 0.3)
    started = time.perf_counter()
    with bench_run() as (loop, devnull, _dsn, store):
        document = menu_document(50)
        document["restaurant"]["hours"] = {d: [["00:00", "24:00"]] for d in WEEKDAYS}
        import_menu(store, document)
        slug = document["restaurant"]["slug"]
        rid = str(store.rpc("stjarna_resolve", {"p_ref": slug}))
        menu = store.rpc("stjarna_public_menu", {"p_restaurant_id": rid})
        item_ids = [i["id"] for s in menu["sections"] for i in s["items"]][:3]
        settings = load_settings({"STJARNA_DATA_DIR": "/nonexistent", "ORDER_MAX_OPEN_PER_SESSION": "50"})
        counting = Counting(store)
        container = Container(settings, store=counting, kv=MemoryKV())  # type: ignore[arg-type]
        app = create_app(("admin",), container=container)
        configure_logging("INFO", stream=devnull)
        key, _ = container.admin_keys.create("bench kitchen", "cli:bench", role="kitchen", restaurant_id=rid)
        auth = [(b"authorization", f"Bearer {key}".encode())]

        def place(n: int, session: str) -> list[str]:
            ids = []
            for i in range(n):
                request = OrderRequest.model_validate({  # a session has at most 50 open orders
                    "restaurantId": slug, "sessionToken": f"{session}-{i // 40}", "pickupName": f"Guest {i}",
                    "items": [{"itemId": item, "quantity": 1, "note": "bench"} for item in item_ids]})
                ids.append(container.orders.place(rid, request, f"bench-{session}-{i:06d}",
                                                  ordering_enabled=True).order["orderId"])
            return ids

        place(BOARD_ORDERS, "bench-board-session")
        board_path = f"/api/admin/restaurants/{slug}/board"
        rec = Recorder()
        first = scope("GET", board_path, auth)
        loop.run_until_complete(app(first, body_once(b""), rec.send))
        board = container.orders.board(rid)
        etag = f'"board-{board["version"]}"'
        board_bytes, open_orders = len(orjson.dumps(board)), len(board["orders"])
        poll = scope("GET", board_path, [*auth, (b"if-none-match", etag.encode())])
        full = scope("GET", board_path, [*auth, (b"if-none-match", b'"board-0"')])

        change = orjson.dumps({"status": "accepted", "expectedStatus": "placed", "readyInMinutes": 15})

        def next_change() -> tuple[dict[str, Any], bytes]:
            if not pool:
                raise AssertionError("the pool of placed orders ran out: make it larger")
            path = f"/api/admin/restaurants/{slug}/orders/{pool.pop()}"
            return scope("PATCH", path, [*auth, (b"content-type", b"application/json"),
                                         (b"content-length", str(len(change)).encode())]), change

        counting.calls = 0
        loop.run_until_complete(app(poll, body_once(b""), Recorder().send))
        calls_per_poll = counting.calls

        floor = {slug: (b"", etag)}
        res = measure({
            "floor": case(loop, floor_app(floor, board_path),
                          lambda: (scope("GET", board_path, [(b"if-none-match", etag.encode())]) | {
                              "query_string": f"restaurantId={slug}".encode()}, b""), 304),
            "floor + middleware": case(loop, floor_app(floor, board_path, middleware=True),
                                       lambda: (scope("GET", board_path, [(b"if-none-match", etag.encode())]) | {
                                           "query_string": f"restaurantId={slug}".encode()}, b""), 304),
            "poll 304": case(loop, app, lambda: (poll, b""), 304),
            "poll 200": case(loop, app, lambda: (full, b""), 200),
        }, rounds=rounds, round_seconds=round_seconds, min_n=10)
        # status changes use up orders: a pool placed now (outside the measured time; after the polls, so the
        # board they read has its 20 orders), measured on their own, one round over most of the pool
        pool = place(80 if quick else 240, "bench-pool")
        n_changes = len(pool) - 5
        changes = case(loop, app, next_change, 200)
        changes(5)  # warm-up
        change_rps = n_changes / changes(n_changes)

    fl, pfl = res["floor"]["rps"], res["floor + middleware"]["rps"]
    group = f"kitchen board ({open_orders} open orders, board {board_bytes} B, real PostgreSQL)"

    def row(name: str, key: str, base: float, base_name: str) -> Row:
        value = res[key]["rps"]
        return Row(group, name, value, "req/s", base_name, value / base,
                   detail={"n": res[key]["n"], "rounds": res[key]["rounds"]})

    rows = [
        row("floor: Starlette GET route, 304 to a matching If-None-Match", "floor", fl, "floor"),
        row("same-path floor: behind RequestContextMiddleware", "floor + middleware", pfl, "same-path floor"),
        row("idle poll 304 (kitchen key + board version)", "poll 304", fl, "floor"),
        row("idle poll 304 vs the same-path floor", "poll 304", pfl, "same-path floor"),
        row("poll 200 (the full board)", "poll 200", fl, "floor"),
        Row(group, "store calls per idle poll (key check + board version)", calls_per_poll, "calls",
            goal="2", status="PASS" if calls_per_poll == 2 else "MISS"),
        Row(group, "status change 200 (accepted, readyInMinutes, expectedStatus)", change_rps, "req/s", "floor",
            change_rps / fl, detail={"n": n_changes, "rounds": 1}),
    ]
    notes = [f"one idle poll: {1000 / res['poll 304']['rps']:.2f} ms, {calls_per_poll} store calls; "
             f"a status change: {1000 / change_rps:.2f} ms",
             f"kitchen bench took {time.perf_counter() - started:.1f} s"]
    return {"bench": "kitchen", "rows": [r.as_dict() for r in rows], "notes": notes}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="fewer, shorter rounds (smoke test)")
