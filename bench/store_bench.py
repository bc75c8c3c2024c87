"""The shared store: rate-limit checks/s (memory and real Redis through the Upstash bridge) and store round
trips per request on every diner route (menu, config, chat, quote, order, replay, status).

Run: ``.venv/bin/python bench/store_bench.py [--json FILE] [--quick]`` (or ``scripts/bench``).

1. ``RateLimiter.hit`` (two moving windows, checked and taken together) on ``memory://`` and on an
   ``UpstashStorage`` through the Upstash REST bridge (tests/support/upstash_bridge.py, in a process of
   its own) in front of a real redis-server, admitted and refused, as ratios to each storage's own
   one-call floor: ``storage.incr`` (a fixed-window counter: INCR+EXPIRE, one round trip on Upstash).
2. Round trips, counted through the full app (menu + chat + orders) on a real embedded PostgreSQL: the
   limiter on a counting storage standing in for ``UpstashStorage``, the KV behind a counting proxy, the
   database calls counted too (in the JSON detail).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from _common import (
    CONVERSATIONS,
    HOST,
    ORIGIN,
    Recorder,
    Row,
    bench_run,
    body_once,
    chat_body,
    chat_menu_document,
    chat_scope,
    cli,
    http_scope,
    measure,
    menu_document,
)

MAX_CHAT_ROUND_TRIPS = 3
RESTAURANT = "restaurant-bench"


# -- counting stand-ins ------------------------------------------------------------------------------
class CountingKV:
    """A KV proxy counting the calls that are one round trip each on UpstashKV."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def get(self, key: str) -> str | None:
        self.calls["get"] += 1
        return self.inner.get(key)  # type: ignore[no-any-return]

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        self.calls["set"] += 1
        self.inner.set(key, value, ttl_seconds)

    def delete(self, key: str) -> None:
        self.calls["delete"] += 1
        self.inner.delete(key)

    def get_many(self, keys: Sequence[str]) -> list[str | None]:
        self.calls["get_many"] += 1
        return self.inner.get_many(keys)  # type: ignore[no-any-return]

    def write(self, sets: Sequence[tuple[str, str, int]] = (), counters: Sequence[tuple[str, int]] = ()) -> None:
        self.calls["write"] += 1
        self.inner.write(sets=sets, counters=counters)

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        self.inner.close()


class CountingWindows:
    """The limiter's shared storage, standing in for ``UpstashStorage``: one ``acquire_entries`` call
    is one Lua script call, one HTTP round trip there. Backed by the limiter's own in-memory windows;
    any other storage method the limiter might call is counted too."""

    def __init__(self) -> None:
        from limits.storage import MemoryStorage

        from shared.ratelimit.limiter import _LocalWindows

        self.inner = _LocalWindows(MemoryStorage())
        self.calls: Counter[str] = Counter()

    def acquire_entries(self, checks: Sequence[Any], now: float) -> Any:
        self.calls["acquire_entries"] += 1
        return self.inner.acquire_entries(checks, now)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner.storage, name)
        if not callable(attr) or name in ("close", "base_exceptions"):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted


class CountingStore:
    """The database calls (``rpc``: one query each)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def rpc(self, function: str, params: Any) -> Any:
        self.calls[function] += 1
        return self.inner.rpc(function, params)

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        return None  # the bench closes the real store


class Instance:
    """One counted instance of the full app: ``count(request)`` sends one request and tells what it
    cost in round trips. ``hit`` (documented as one store round trip) is counted as a cross-check."""

    def __init__(self, loop: asyncio.AbstractEventLoop, settings: Any, store: Any, shared_kv: Any,
                 groups: tuple[str, ...] = ("menu", "chat", "orders")) -> None:
        from shared.container import Container
        from shared.http.app import create_app
        from shared.ratelimit.limiter import RateLimiter

        s = settings
        self.loop = loop
        self.windows = CountingWindows()
        limiter = RateLimiter(self.windows, chat_limit=s.chat_rate_limit, ip_limit=s.chat_ip_rate_limit,  # type: ignore[arg-type]
                              health_limit=s.health_check_rate_limit, burst=s.chat_burst,
                              order_limit=s.order_rate_limit, order_ip_limit=s.order_ip_rate_limit,
                              quote_limit=s.quote_rate_limit, quote_ip_limit=s.quote_ip_rate_limit)
        if not limiter.shared:
            raise AssertionError("the counting storage was not taken as a shared storage")
        self.hits: Counter[str] = Counter()
        hit = limiter.hit

        def counted_hit(*args: Any) -> Any:
            self.hits["hit"] += 1
            return hit(*args)

        limiter.hit = counted_hit  # type: ignore[method-assign,assignment]
        self.kv = CountingKV(shared_kv)
        self.store = CountingStore(store)
        self.app = create_app(groups, container=Container(s, store=self.store, kv=self.kv,  # type: ignore[arg-type]
                                                          limiter=limiter))

    def send(self, scope: dict[str, Any], body: bytes = b"") -> tuple[int, bytes, dict[str, str]]:
        rec = _Recorder()
        self.loop.run_until_complete(self.app(scope, body_once(body), rec.send))
        (status,) = rec.statuses
        return status, rec.body, rec.headers

    def count(self, scope: dict[str, Any], body: bytes = b"") -> tuple[int, bytes, dict[str, str], dict[str, Any]]:
        for counter in (self.kv.calls, self.windows.calls, self.hits, self.store.calls):
            counter.clear()
        status, raw, headers = self.send(scope, body)
        limiter, kv = sum(self.windows.calls.values()), sum(self.kv.calls.values())
        if limiter != self.hits["hit"]:
            raise AssertionError(f"{self.hits['hit']} hit(s) but {dict(self.windows.calls)} storage calls")
        return status, raw, headers, {"limiter": limiter, "kv": kv, "kvCalls": dict(self.kv.calls),
                                      "db": sum(self.store.calls.values()), "dbCalls": dict(self.store.calls)}


class _Recorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.body = b""
        self.headers: dict[str, str] = {}

    async def send(self, message: dict[str, Any]) -> None:
        await super().send(message)
        if message["type"] == "http.response.start":
            self.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        else:
            self.body += message.get("body", b"")


def order_scope(method: str, path: str, body: bytes, key: str | None = None, query: str = "",
                session: str | None = None) -> dict[str, Any]:
    headers = [(b"host", HOST.encode()), (b"origin", ORIGIN.encode()), (b"accept", b"application/json")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if key is not None:
        headers.append((b"idempotency-key", key.encode()))
    if session is not None:
        headers.append((b"x-session-token", session.encode()))
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": method, "scheme": "https", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": query.encode(), "headers": headers, "client": ("192.0.2.10", 51000),
            "server": (HOST, 443)}


def row_for(group: str, name: str, counts: dict[str, Any], goal: int | None) -> Row:
    total = counts["limiter"] + counts["kv"]
    kv_detail = ", ".join(f"{op} {k}" for op, k in sorted(counts["kvCalls"].items())) or "none"
    return Row(group, f"{name}: limiter {counts['limiter']} + KV {counts['kv']} ({kv_detail})", total, "round trips",
               goal="(no goal)" if goal is None else f"≤ {goal}",
               status="" if goal is None else ("PASS" if total <= goal else "MISS"), detail=counts)


# -- part 2: round trips -------------------------------------------------------------------------------
def chat_round_trips(loop: asyncio.AbstractEventLoop, settings: Any, store: Any, slug: str) -> list[Row]:
    """The chat rows (as bench/chat_bench.py printed them before they moved here: same names)."""
    from shared.identifiers import HEALTH_CHECK_SESSION
    from shared.kv.memory import MemoryKV

    group = (f"chat store round trips per request ({slug.removeprefix('bench-')} items; "
             f"goal ≤ {MAX_CHAT_ROUND_TRIPS})")
    shared_kv = MemoryKV()  # what Upstash holds for every instance (the menu cache, chat contexts)
    rows: list[Row] = []

    def turn(name: str, instance: Instance, token: str, message: str, goal: bool = True) -> None:
        body = chat_body(slug, token, message)
        status, raw, _, counts = instance.count(chat_scope(body), body)
        answer = json.loads(raw)
        if status != 200 or answer.get("source") != "fallback":
            raise AssertionError(f"{name}: status {status}, {answer!r}")
        rows.append(row_for(group, name, counts, MAX_CHAT_ROUND_TRIPS if goal else None))

    def warm(instance: Instance) -> None:  # one uncounted probe loads the menu into the instance
        body = chat_body(slug, HEALTH_CHECK_SESSION, "hello")
        status, raw, _ = instance.send(chat_scope(body), body)
        if status != 200:
            raise AssertionError(f"warm-up probe: {status} {raw!r}")

    instance = Instance(loop, settings, store, shared_kv, ("chat",))
    warm(instance)
    turn("first turn of a session", instance, "bench-rt-session-1", CONVERSATIONS[0][0])
    turn("follow-up turn", instance, "bench-rt-session-1", CONVERSATIONS[0][1])
    turn(f"probe (sessionToken {HEALTH_CHECK_SESSION})", instance, HEALTH_CHECK_SESSION, CONVERSATIONS[0][0])
    # The in-process menu past MENU_LOCAL_CACHE_SECONDS: the head is revalidated on PostgreSQL and the
    # body reused, so no KV call; a new instance reads the menu from the KV once (per menu version).
    instance = Instance(loop, settings.model_copy(update={"menu_local_cache_seconds": 0}), store, shared_kv, ("chat",))
    warm(instance)
    turn("first turn, local menu expired (head revalidated)", instance, "bench-rt-session-2", CONVERSATIONS[0][0])
    instance = Instance(loop, settings, store, shared_kv, ("chat",))
    turn("first turn on a new instance (menu read from the KV once)", instance, "bench-rt-session-3",
         CONVERSATIONS[0][0], goal=False)
    return rows


def route_round_trips(loop: asyncio.AbstractEventLoop, settings: Any, store: Any, slug: str) -> list[Row]:
    """Menu, config and the order routes, through one app serving them all."""
    from shared.kv.memory import MemoryKV

    group = "store round trips per request (menu, orders)"
    shared_kv = MemoryKV()
    rows: list[Row] = []

    def expect(name: str, status: int, wanted: int, raw: bytes) -> None:
        if status != wanted:
            raise AssertionError(f"{name}: {status} (wanted {wanted}) {raw[:300]!r}")

    first = Instance(loop, settings, store, shared_kv)
    status, raw, headers, counts = first.count(http_scope(slug))
    expect("menu, first instance", status, 200, raw)
    rows.append(row_for(group, "menu 200, first load anywhere (KV miss → PostgreSQL)", counts,
                        None))
    status, raw, headers, counts = first.count(http_scope(slug))
    expect("menu warm", status, 200, raw)
    rows.append(row_for(group, "menu 200 warm (in-process copy)", counts, 0))
    status, raw, _, counts = first.count(http_scope(slug, headers["etag"]))
    expect("menu 304", status, 304, raw)
    rows.append(row_for(group, "menu 304 (If-None-Match)", counts, 0))
    config = http_scope(slug)
    config.update(path="/api/public/config", raw_path=b"/api/public/config")
    status, raw, _, counts = first.count(config)
    expect("config", status, 200, raw)
    rows.append(row_for(group, "config 200", counts, 0))
    expired = Instance(loop, settings.model_copy(update={"menu_local_cache_seconds": 0}), store, shared_kv)
    expired.send(http_scope(slug))
    status, raw, _, counts = expired.count(http_scope(slug))
    expect("menu revalidated", status, 200, raw)
    rows.append(row_for(group, "menu 200, local copy expired (head revalidated)", counts, 0))
    status, raw, _, counts = Instance(loop, settings, store, shared_kv).count(http_scope(slug))
    expect("menu new instance", status, 200, raw)
    rows.append(row_for(group, "menu 200 on a new instance (from the KV)", counts, None))

    menu = json.loads(first.send(http_scope(slug))[1])
    lines = [{"itemId": item["id"], "quantity": 1} for item in menu["sections"][0]["items"][:2]]
    order = json.dumps({"restaurantId": slug, "sessionToken": "bench-rt-orders-1", "items": lines}).encode()
    status, raw, _, counts = first.count(order_scope("POST", "/api/orders/quote", order), order)
    expect("quote", status, 200, raw)
    rows.append(row_for(group, "quote 200", counts, 1))
    status, raw, _, counts = first.count(order_scope("POST", "/api/orders", order, key="bench-rt-key-0001"), order)
    expect("order", status, 201, raw)
    rows.append(row_for(group, "order 201 (new Idempotency-Key)", counts, 1))
    code = json.loads(raw)["orderCode"]
    status, raw, _, counts = first.count(order_scope("POST", "/api/orders", order, key="bench-rt-key-0001"), order)
    expect("replay", status, 201, raw)
    rows.append(row_for(group, "order replay 201 (same key)", counts, 1))
    status, raw, _, counts = first.count(order_scope("GET", f"/api/orders/{code}", b"", query=f"restaurantId={slug}",
                                                     session="bench-rt-orders-1"))
    expect("status", status, 200, raw)
    rows.append(row_for(group, "order status 200", counts, 1))
    return rows


# -- part 1: rate-limit checks/s -----------------------------------------------------------------------
def limiter_cases(name: str, limiter: Any, floor: Callable[[str], Any]) -> dict[str, Callable[[int], float]]:
    """Admitted checks (a new session and address each time), refused checks (one session past its
    limit) and the storage's floor (one fixed-window counter call)."""
    fresh = itertools.count()
    over = f"bench-hot-{name}"
    for _ in range(20):  # past the session limit (15 per 30 s): every further check is refused
        limiter.hit(RESTAURANT, over, "198.51.100.1")

    def admitted(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            i = next(fresh)
            decision = limiter.hit(RESTAURANT, f"bench-session-{i}", f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
        elapsed = time.perf_counter() - started
        if not decision.allowed or decision.degraded:
            raise AssertionError(f"{name}: {decision}")
        return elapsed

    def refused(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            decision = limiter.hit(RESTAURANT, over, "198.51.100.1")
        elapsed = time.perf_counter() - started
        if decision.allowed or decision.degraded:
            raise AssertionError(f"{name}: {decision}")
        return elapsed

    def floor_case(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            floor(f"bench-floor-{next(fresh)}")
        return time.perf_counter() - started

    return {f"{name} floor": floor_case, f"{name} admitted": admitted, f"{name} refused": refused}


def rate_limit_rows(quick: bool) -> list[Row]:
    from limits.storage import MemoryStorage, storage_from_string

    from shared.ratelimit import RateLimiter
    from shared.ratelimit.upstash_storage import UpstashStorage
    from tests.support.instances import TOKEN, upstash_bridge_process

    rounds, round_seconds = (2, 0.15) if quick else (4, 0.3)
    memory = MemoryStorage()
    with upstash_bridge_process() as url:
        storage = storage_from_string(f"upstash+{url}", token=TOKEN, timeout_seconds=5)
        assert isinstance(storage, UpstashStorage)
        try:
            cases = limiter_cases("memory", RateLimiter("memory://"), lambda key: memory.incr(key, 30))
            cases |= limiter_cases("upstash", RateLimiter(storage), lambda key: storage.incr(key, 30))
            res = measure(cases, rounds=rounds, round_seconds=round_seconds, min_n=10)
        finally:
            storage.close()
    rows: list[Row] = []
    labels = {"memory": ("rate limits on memory://", "MemoryStorage.incr (fixed-window counter)"),
              "upstash": ("rate limits on real Redis via the Upstash REST bridge",
                          "UpstashStorage.incr (INCR+EXPIRE script: one round trip)")}
    for name, (group, floor_label) in labels.items():
        floor = res[f"{name} floor"]["rps"]
        rows.append(Row(group, f"floor: {floor_label}", floor, "checks/s", "floor", 1.0,
                        detail={"n": res[f"{name} floor"]["n"], "rounds": rounds}))
        for case, label in (("admitted", "RateLimiter.hit admitted (session + IP windows, new keys)"),
                            ("refused", "RateLimiter.hit refused (one session over its limit)")):
            r = res[f"{name} {case}"]
            rows.append(Row(group, label, r["rps"], "checks/s", "floor", r["rps"] / floor,
                            detail={"n": r["n"], "rounds": rounds}))
    return rows


def run_bench(*, quick: bool = False) -> dict[str, Any]:
    from shared.menus.io import import_menu
    from shared.observability.logs import configure_logging
    from shared.settings import load_settings
    from shared.week import WEEKDAYS

    started = time.perf_counter()
    rows = rate_limit_rows(quick)
    print(f"  rate-limit checks ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    with bench_run() as (loop, devnull, _dsn, store):
        configure_logging("INFO", stream=devnull)
        import_menu(store, chat_menu_document(200))
        document = menu_document(50)
        document["restaurant"]["hours"] = {d: [["00:00", "24:00"]] for d in WEEKDAYS}
        import_menu(store, document)
        settings = load_settings({"STJARNA_DATA_DIR": "/nonexistent", "MENU_LOCAL_CACHE_SECONDS": "30"})
        rows += chat_round_trips(loop, settings, store, "bench-200")
        rows += route_round_trips(loop, settings, store, "bench-50")
    notes = [
        "rate limits: RateLimiter.hit with the default limits (15 per 30 s per session, 120 per 30 s per IP) on "
        "memory:// and on UpstashStorage through the Upstash REST bridge (Starlette + redis-py in its own "
        "process, the stand-in used by the tests) in front of a real redis-server on a Unix socket; real Upstash "
        "adds TLS and the network (milliseconds). Floors: the same storage's incr (one fixed-window counter; on "
        f"Upstash one EVALSHA round trip). Best of {2 if quick else 4} interleaved rounds.",
        "round trips: through the full app; the rate limiter is built on a counting storage standing in for "
        "UpstashStorage (one acquire_entries call = one Lua script call = one HTTP round trip; RateLimiter.hit "
        "counted as a cross-check, one storage call each) and the KV is a counting proxy (get/set/get_many/write/"
        "delete = one round trip each on UpstashKV); database calls are in the JSON detail. The menu is in the "
        "instance (MENU_LOCAL_CACHE_SECONDS=30) unless a row says otherwise. Goals: chat ≤ 3 (docs/architecture.md), "
        "menu 0 on a warm instance, one per order route (docs/ratelimits.md).",
    ]
    return {"bench": "store", "rows": [r.as_dict() for r in rows], "notes": notes,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="fewer, shorter rounds of the rate-limit checks")
