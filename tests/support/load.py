"""Load across instances (issue #7, part 5): one driver for the short test (tests/load/) and the long
bench (bench/load_bench.py).

``run_load(dsn, plan)`` imports the demo restaurant into the PostgreSQL at ``dsn`` and starts
``plan.instances`` real ``stjarna serve`` processes (separate processes, like Lambda instances) that
share it and one real redis-server, reached through the Upstash REST bridge running in a process of
its own (tests/support/instances.py). Then, on loopback, for ``plan.seconds``:

* **diners** (``plan.diners`` at once) make visits: widget config, the menu (with the ETag from their
  last visit: ``If-None-Match`` → 304), one or two chat turns, and in 3 visits of 5 a quote, an order
  with its own ``Idempotency-Key`` (every 4th sent again with the same key to the next instance, every
  10th sent twice at once to two instances) and the order's status; then the menu again (304). Each
  visit is a new session from a new client address (every address of 127/8 is the loopback interface,
  and the limits key on the peer), so no diner comes near its own rate limits; every request goes to
  the next instance, round-robin;
* a **hot** session from one address hammers chat and orders across all instances: its 429s are the
  only intended errors, and its admitted requests must never exceed the limit in any window;
* mid-run the **menu changes** (an item's price, by SQL: the trigger bumps the menu version) and a
  watcher polls every instance, to measure when each one serves the new version.

``tests/support/load_checks.py`` says what must hold (``verify``) and reports the figures. No timed
assertion except the menu-change bound, which is the product's documented promise
(docs/architecture.md: ``MENU_LOCAL_CACHE_SECONDS``).

The bench imports this module with the repository root on ``sys.path`` (``tests`` is not an installed
package): the driver is built on ``tests/support``'s real-server helpers, so it lives beside them.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import random
import shutil
import ssl
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg

from tests.support.instances import instance_env, instances, upstash_bridge_process

RESTAURANT = "demo"
ORIGIN = "https://load.stjarna.dev"  # on the demo restaurant's allowlist (https://*.stjarna.dev)
HOT_SESSION = "load-hot-session-0001"
HOT_ADDRESS = "127.63.0.1"
MESSAGES = ("Anything vegan?", "Something spicy under 200 kr?", "Vad har ni som är nötfritt?",
            "What's the cheapest dessert?", "and without gluten?", "Något vegetariskt?")
# what each route may answer; anything else (or a transport error) is a problem
EXPECTED: dict[str, frozenset[int]] = {
    "config": frozenset({200, 304}), "menu": frozenset({200, 304}), "menu watch": frozenset({200, 304}),
    "chat": frozenset({200}), "quote": frozenset({200}), "order": frozenset({201}),
    "order retry": frozenset({201}), "order double": frozenset({201}), "order status": frozenset({200}),
    "hot chat": frozenset({200, 429}), "hot order": frozenset({201, 429}), "live": frozenset({200}),
}
ROUTES = tuple(EXPECTED)


@dataclass(frozen=True)
class Plan:
    instances: int = 2
    diners: int = 16
    seconds: float = 8.0
    change_after: float = 2.0  # seconds into the run: the menu change
    hot_workers: int = 3
    hot_interval: float = 0.05  # each hot worker's pause between requests
    think_seconds: float = 0.02  # a diner's pause between requests
    floor_seconds: float = 0.0  # > 0: first, GET /api/health/live at the same concurrency (the floor)
    timeout: float = 30.0
    seed: int = 7
    env: tuple[tuple[str, str], ...] = ()  # extra settings for every instance


@dataclass
class Sample:
    route: str
    instance: int
    status: int  # 0: no answer (the error says why)
    sent: float  # perf_counter when the request was handed to the client
    received: float
    version: int | None = None  # X-Menu-Version on menu answers
    error: str = ""


@dataclass
class Attempt:
    """One checkout attempt (one Idempotency-Key): what was asked and what was acknowledged."""

    key: str
    lines: int
    order_ids: set[str] = field(default_factory=set)  # from every 201 for this key
    acknowledged: int = 0  # 201s
    unanswered: int = 0  # sent but no HTTP answer (it may or may not be stored)
    fresh: int = 0  # 201s without Idempotent-Replayed


@dataclass
class Change:
    item_id: str
    before: int  # menu versions
    after: int
    started: float
    committed: float


@dataclass
class Run:
    plan: Plan
    bases: list[str]
    started: float
    ended: float
    samples: list[Sample]
    attempts: dict[str, Attempt]
    change: Change | None
    bound: float  # MENU_LOCAL_CACHE_SECONDS
    limits: dict[str, tuple[int, float]]  # "hot chat" / "hot order" → (amount, window seconds)
    problems: list[str] = field(default_factory=list)  # found while driving (bodies, replays)
    stored: dict[str, tuple[str, int]] = field(default_factory=dict)  # key → (order id, lines) in the database
    health: list[dict[str, Any]] = field(default_factory=list)
    logged: list[tuple[str, str]] = field(default_factory=list)  # (level, line): the instances' warnings and errors
    floor: list[Sample] = field(default_factory=list)  # the live-route phase (plan.floor_seconds)
    floor_seconds: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started


# -- the driver ----------------------------------------------------------------------------------------
def _address(n: int) -> str:
    """The n-th diner's client address: 127.64.0.1, 127.64.0.2, … (all of 127/8 is loopback)."""
    return f"127.{64 + n // 64516}.{n // 254 % 254}.{n % 254 + 1}"


class Driver:
    def __init__(self, bases: list[str], plan: Plan, dsn: str, bound: float) -> None:
        self.bases = bases
        self.plan = plan
        self.dsn = dsn
        self.bound = bound
        self.samples: list[Sample] = []
        self.attempts: dict[str, Attempt] = {}
        self.problems: list[str] = []
        self.change: Change | None = None
        self._rr = itertools.count()
        self._visits = itertools.count()
        self._keys = itertools.count()
        self._orders = itertools.count()
        self._rng = random.Random(plan.seed)
        self._ssl = ssl.create_default_context()  # one context: building one per client costs ≈ 30 ms
        self._items: list[str] = []
        self._etags: dict[int, str] = {}  # menu version → ETag (the same on every instance)
        self.deadline = 0.0

    # -- plumbing ------------------------------------------------------------------------------------
    def client(self, address: str) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=address, verify=self._ssl)
        return httpx.AsyncClient(transport=transport, verify=self._ssl, trust_env=False,
                                 timeout=self.plan.timeout, headers={"Origin": ORIGIN})

    async def call(self, client: httpx.AsyncClient, route: str, method: str, path: str, *,
                   instance: int | None = None, headers: dict[str, str] | None = None,
                   body: Any = None) -> httpx.Response | None:
        n = next(self._rr) % len(self.bases) if instance is None else instance
        content = None if body is None else orjson.dumps(body)
        sent_headers = dict(headers or {})
        if content is not None:
            sent_headers["Content-Type"] = "application/json"
        sent = time.perf_counter()
        try:
            response = await client.request(method, self.bases[n] + path, headers=sent_headers, content=content)
        except httpx.HTTPError as exc:
            self.samples.append(Sample(route, n, 0, sent, time.perf_counter(), error=f"{type(exc).__name__}: {exc}"))
            return None
        sample = Sample(route, n, response.status_code, sent, time.perf_counter())
        version = response.headers.get("x-menu-version")
        if version is not None and version.isdigit():
            sample.version = int(version)
        self.samples.append(sample)
        if response.status_code == 429 and not response.headers.get("retry-after", "").isdigit():
            self.problems.append(f"{route}: a 429 without Retry-After")
        return response

    def problem(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)

    def check_menu(self, response: httpx.Response | None, instance: str) -> None:
        """A 200's ETag is the sha256 of its exact bytes, and one version has one ETag everywhere."""
        if response is None or response.status_code != 200:
            return
        etag = response.headers.get("etag", "")
        if etag != '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"':
            self.problem(f"{instance}: menu ETag {etag} is not the hash of its body")
        version = int(response.headers["x-menu-version"])
        if self._etags.setdefault(version, etag) != etag:
            self.problem(f"menu version {version} has two ETags: {self._etags[version]} and {etag}")

    def new_key(self) -> str:
        return f"load-{next(self._keys):07d}-{self._rng.getrandbits(32):08x}"

    # -- the parts -------------------------------------------------------------------------------------
    async def prepare(self) -> None:
        """Every instance answers the menu (loading it), and the driver learns the item ids."""
        async with self.client("127.0.0.1") as client:
            for n in range(len(self.bases)):
                response = await client.get(f"{self.bases[n]}/api/public/menu?restaurantId={RESTAURANT}")
                if response.status_code != 200:
                    raise RuntimeError(f"instance {n}: menu {response.status_code} {response.text[:300]}")
        menu = orjson.loads(response.content)
        self._items = [item["id"] for section in menu["sections"] for item in section["items"]]

    async def floor(self, seconds: float) -> list[Sample]:
        """The same concurrency on the cheapest route, GET /api/health/live, round-robin."""
        samples: list[Sample] = []
        stop = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            async with self.client(_address(10_000_000 + n)) as client:
                while time.perf_counter() < stop:
                    i = next(self._rr) % len(self.bases)
                    sent = time.perf_counter()
                    try:
                        r = await client.get(f"{self.bases[i]}/api/health/live")
                        samples.append(Sample("live", i, r.status_code, sent, time.perf_counter()))
                    except httpx.HTTPError as exc:
                        samples.append(Sample("live", i, 0, sent, time.perf_counter(), error=str(exc)))

        await asyncio.gather(*(worker(n) for n in range(self.plan.diners + self.plan.hot_workers)))
        return samples

    async def diner(self, seat: int) -> None:
        """Visits until the deadline; the device keeps the menu's and config's ETags between visits."""
        etags: dict[str, str] = {}
        rng = random.Random(self.plan.seed * 1000 + seat)
        while time.perf_counter() < self.deadline:
            visit = next(self._visits)
            async with self.client(_address(visit)) as client:
                await self.visit(client, visit, etags, rng)

    async def pause(self, rng: random.Random) -> None:
        if self.plan.think_seconds:
            await asyncio.sleep(rng.uniform(0, 2 * self.plan.think_seconds))

    async def visit(self, client: httpx.AsyncClient, visit: int, etags: dict[str, str], rng: random.Random) -> None:
        session = f"load-diner-{visit:07d}"
        where = f"visit {visit}"
        query = f"?restaurantId={RESTAURANT}"
        for route, path in (("config", "/api/public/config"), ("menu", "/api/public/menu")):
            headers = {"If-None-Match": etags[route]} if route in etags else {}
            response = await self.call(client, route, "GET", path + query, headers=headers)
            if response is not None and response.status_code == 200:
                etags[route] = response.headers.get("etag", "")
                if route == "menu":
                    self.check_menu(response, where)
            await self.pause(rng)
        for _ in range(rng.randint(1, 2)):
            response = await self.call(client, "chat", "POST", "/api/chat", body={
                "restaurantId": RESTAURANT, "sessionToken": session, "message": rng.choice(MESSAGES)})
            if response is not None and response.status_code == 200:
                answer = response.json()
                if answer.get("source") not in ("ai", "fallback") or not answer.get("reply"):
                    self.problem(f"{where}: chat answer {answer!r}")
            await self.pause(rng)
        if visit % 5 < 3:  # 60% of visits order
            await self.checkout(client, session, where, rng)
        headers = {"If-None-Match": etags["menu"]} if "menu" in etags else {}
        response = await self.call(client, "menu", "GET", "/api/public/menu" + query, headers=headers)
        if response is not None and response.status_code == 200:
            etags["menu"] = response.headers.get("etag", "")
            self.check_menu(response, where)

    async def checkout(self, client: httpx.AsyncClient, session: str, where: str, rng: random.Random) -> None:
        lines = [{"itemId": item, "quantity": rng.randint(1, 2)}
                 for item in rng.sample(self._items, rng.randint(1, min(3, len(self._items))))]
        body = {"restaurantId": RESTAURANT, "sessionToken": session, "items": lines}
        response = await self.call(client, "quote", "POST", "/api/orders/quote", body=body)
        if response is not None and response.status_code == 200 and response.json().get("status") != "quote":
            self.problem(f"{where}: quote {response.text[:200]}")
        await self.pause(rng)
        key = self.new_key()
        attempt = self.attempts[key] = Attempt(key, len(lines))
        headers = {"Idempotency-Key": key}
        n = next(self._orders)  # every kind from the first orders on, whatever the machine's speed
        if n % 10 == 0:  # 10%: a double submit, to two instances at once
            first = next(self._rr) % len(self.bases)
            answers = await asyncio.gather(*(
                self.call(client, "order double", "POST", "/api/orders", instance=(first + k) % len(self.bases),
                          headers=headers, body=body) for k in range(2)))
        else:
            answers = [await self.call(client, "order", "POST", "/api/orders", headers=headers, body=body)]
            if n % 4 == 1:  # 25%: the answer was "lost", the same key again (to the next instance)
                answers.append(await self.call(client, "order retry", "POST", "/api/orders", headers=headers,
                                               body=body))
        code = None
        for response in answers:
            self.acknowledge(attempt, response, where)
            if response is not None and response.status_code == 201:
                code = response.json()["orderCode"]
        if attempt.order_ids and len(attempt.order_ids) != 1:
            self.problem(f"{where}: key {key} acknowledged as {len(attempt.order_ids)} different orders")
        if attempt.fresh > 1:
            self.problem(f"{where}: key {key} answered as a new order {attempt.fresh} times")
        if attempt.acknowledged and attempt.fresh == 0:
            self.problem(f"{where}: key {key} only ever answered as a replay")
        if code is None:
            return
        await self.pause(rng)
        response = await self.call(client, "order status", "GET", f"/api/orders/{code}?restaurantId={RESTAURANT}",
                                   headers={"X-Session-Token": session})
        if response is not None and response.status_code == 200 and response.json().get("orderCode") != code:
            self.problem(f"{where}: status of {code}: {response.text[:200]}")

    def acknowledge(self, attempt: Attempt, response: httpx.Response | None, where: str) -> None:
        if response is None:
            attempt.unanswered += 1
            return
        if response.status_code != 201:
            return
        order = response.json()
        attempt.acknowledged += 1
        attempt.order_ids.add(order["orderId"])
        if response.headers.get("idempotent-replayed") != "true":
            attempt.fresh += 1
        if len(order.get("items", ())) != attempt.lines:
            self.problem(f"{where}: order {order.get('orderCode')} has {len(order.get('items', ()))} lines, "
                         f"sent {attempt.lines}")

    async def hot(self, worker: int) -> None:
        """The hot session: chat and orders as fast as ``hot_interval`` allows, on every instance."""
        lines = [{"itemId": self._items[worker % len(self._items)], "quantity": 1}]
        body = {"restaurantId": RESTAURANT, "sessionToken": HOT_SESSION, "items": lines}
        async with self.client(HOT_ADDRESS) as client:
            while time.perf_counter() < self.deadline:
                await self.call(client, "hot chat", "POST", "/api/chat", body={
                    "restaurantId": RESTAURANT, "sessionToken": HOT_SESSION, "message": "Anything vegan?"})
                await asyncio.sleep(self.plan.hot_interval)
                key = self.new_key()
                attempt = self.attempts[key] = Attempt(key, 1)
                self.acknowledge(attempt, await self.call(client, "hot order", "POST", "/api/orders",
                                                          headers={"Idempotency-Key": key}, body=body), "hot")
                await asyncio.sleep(self.plan.hot_interval)

    async def change_menu(self, at: float) -> None:
        """At ``at``: one item's price up by 1.00 (the statement trigger bumps the menu version)."""
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        item = self._items[0]

        def change() -> Change:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                (before,) = conn.execute("select menu_version from restaurants where slug = %s",
                                         (RESTAURANT,)).fetchone() or (0,)
                started = time.perf_counter()
                conn.execute("update menu_items set price_cents = price_cents + 100 where id = %s", (item,))
                committed = time.perf_counter()
                (after,) = conn.execute("select menu_version from restaurants where slug = %s",
                                        (RESTAURANT,)).fetchone() or (0,)
            return Change(item, before, after, started, committed)

        self.change = await asyncio.to_thread(change)

    async def watch(self, start: float) -> None:
        """From just before the change until the bound has passed: every instance's
        menu every 50 ms (with the ETag: 304s until the change)."""
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        etags: dict[int, str] = {}
        async with self.client("127.0.0.1") as client:
            while True:
                change = self.change
                now = time.perf_counter()
                if change is not None and now > change.committed + self.bound + 0.25:
                    return
                if change is None and now > self.deadline + 5:
                    return
                for n in range(len(self.bases)):
                    headers = {"If-None-Match": etags[n]} if n in etags else {}
                    response = await self.call(client, "menu watch", "GET",
                                               f"/api/public/menu?restaurantId={RESTAURANT}", instance=n,
                                               headers=headers)
                    if response is not None and response.status_code == 200:
                        etags[n] = response.headers.get("etag", "")
                        self.check_menu(response, f"watch {n}")
                await asyncio.sleep(0.05)

    async def drive(self) -> tuple[float, float]:
        await self.prepare()
        started = time.perf_counter()
        self.deadline = started + self.plan.seconds
        tasks = [self.diner(seat) for seat in range(self.plan.diners)]
        tasks += [self.hot(worker) for worker in range(self.plan.hot_workers)]
        change_at = started + self.plan.change_after
        tasks += [self.change_menu(change_at), self.watch(change_at - 0.3)]
        await asyncio.gather(*tasks)
        return started, time.perf_counter()


# -- one run -----------------------------------------------------------------------------------------
def demo_document() -> dict[str, Any]:
    from shared.db.seed import SEED_DIR

    document: dict[str, Any] = orjson.loads((SEED_DIR / f"{RESTAURANT}.json").read_bytes())
    return document


def run_load(dsn: str, plan: Plan) -> Run:
    """Import the demo restaurant into ``dsn`` (a migrated database), start the cluster, drive it,
    then read back every order and each instance's health; everything started is stopped."""
    from shared.menus.io import import_menu
    from shared.ratelimit import parse_limit
    from shared.settings import load_settings
    from shared.store.postgres import PostgresStore

    store = PostgresStore(dsn, timeout_seconds=10)
    try:
        import_menu(store, demo_document())
    finally:
        store.close()
    root = Path(tempfile.mkdtemp(prefix="stjarna-load-"))
    try:
        with upstash_bridge_process() as kv_url:
            env = instance_env(dsn, kv_url, root, plan.env)
            settings = load_settings(env)
            limits = {name: (item.amount, float(item.get_expiry())) for name, item in (
                ("hot chat", parse_limit(settings.chat_rate_limit, "CHAT_RATE_LIMIT")),
                ("hot order", parse_limit(settings.order_rate_limit, "ORDER_RATE_LIMIT")))}
            with instances(plan.instances, env, root) as bases:
                driver = Driver(bases, plan, dsn, settings.menu_local_cache_seconds)
                floor: list[Sample] = []
                floor_started = floor_ended = 0.0

                async def main() -> tuple[float, float]:
                    nonlocal floor, floor_started, floor_ended
                    if plan.floor_seconds > 0:
                        await driver.prepare()
                        floor_started = time.perf_counter()
                        floor = await driver.floor(plan.floor_seconds)
                        floor_ended = time.perf_counter()
                    return await driver.drive()

                started, ended = asyncio.run(main())
                health = [httpx.get(f"{base}/api/health", timeout=10).json() for base in bases]
            run = Run(plan, bases, started, ended, driver.samples, driver.attempts, driver.change,
                      driver.bound, limits, driver.problems, health=health, floor=floor,
                      floor_seconds=floor_ended - floor_started)
        run.stored = stored_orders(dsn)
        run.logged = scan_logs(sorted(root.glob("instance-*.log")))
        return run
    finally:
        shutil.rmtree(root, ignore_errors=True)


def stored_orders(dsn: str) -> dict[str, tuple[str, int]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "select o.idempotency_key, o.id::text, (select count(*) from order_items i where i.order_id = o.id) "
            "from orders o join restaurants r on r.id = o.restaurant_id where r.slug = %s", (RESTAURANT,)).fetchall()
    return {key: (order_id, int(lines)) for key, order_id, lines in rows}


def scan_logs(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """Warnings and errors the instances logged (a degraded limiter, a failed store call...)."""
    found: list[tuple[str, str]] = []
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("level") in ("WARNING", "ERROR", "CRITICAL"):
                extra = {k: v for k, v in record.items() if k not in ("ts", "level", "logger", "msg", "requestId")}
                level = str(record["level"]).lower()  # load_checks compares lower-case names
                found.append((level, f"{path.stem}: {record.get('logger')}: {record.get('msg')} {extra}"))
    return found
