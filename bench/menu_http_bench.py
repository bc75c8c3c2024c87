"""Requests/s of GET /api/public/menu over HTTP: uvicorn in a process of its own, run as ``stjarna serve``
runs it, the load from a second process, as ratios to a floor app served the same way.

Run: ``.venv/bin/python bench/menu_http_bench.py [--json FILE] [--quick]`` (or ``scripts/bench``).

Two server processes (bench/http_server.py) on an embedded PostgreSQL started here: the product's menu
app and the floor (a bare Starlette route returning the same pre-built bytes, with its ETag and a 304 for
a matching ``If-None-Match``). The load generator is ``wrk`` when it is on PATH (Debian package ``wrk``),
else bench/http_load.py (Python, raw sockets, keep-alive), with 64 connections; one server is loaded at a
time, and the rounds of all cases are interleaved (best round per case). Menus of 50 and 1000 items;
the warm 200 (the in-process copy) and the 304.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from _common import ORIGIN, Row, cli, embedded_postgres, goal_status, menu_document

BENCH = Path(__file__).resolve().parent
SIZES = (50, 1000)
CONNECTIONS = 64
HEADERS = (f"Origin: {ORIGIN}", "Accept: application/json", "Accept-Encoding: gzip, deflate, br",
           "User-Agent: Mozilla/5.0 (X11; Linux x86_64) stjarna-bench")
GOALS = {200: 0.7, 304: 0.8}  # the menu bench's goals (bench/README.md), here over HTTP
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


@contextlib.contextmanager
def server(kind: str, dsn: str, slugs: list[str], folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One ``bench/http_server.py`` process (output in ``folder/KIND.log``), ready to serve ``slugs[0]``;
    yields its menu URL and the process."""
    from tests.support.serve_process import child_process
    from tests.support.servers import closed_port

    port = closed_port()
    url = f"http://127.0.0.1:{port}/api/public/menu"
    with child_process([sys.executable, str(BENCH / "http_server.py"), kind, str(port), dsn, *slugs],
                       lambda: httpx.get(f"{url}?restaurantId={slugs[0]}", timeout=2).status_code == 200,
                       name=url, log=folder / f"{kind}.log", stop_timeout=10) as proc:
        yield url, proc


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(url: str, headers: list[str], seconds: int) -> dict[str, Any]:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s), ([\d.]+)(B|KB|MB|GB) read", out)
    if done is None or "Non-2xx or 3xx responses" in out or re.search(r"Socket errors:.*timeout [1-9]", out):
        raise AssertionError(f"wrk reported errors:\n{out}")
    requests = int(done.group(1))
    elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    read = float(done.group(4)) * _BYTES[done.group(5)]
    p50 = re.search(r"50%\s+([\d.]+(?:us|ms|s))", out)
    p99 = re.search(r"99%\s+([\d.]+(?:us|ms|s))", out)
    assert p50 is not None and p99 is not None, out
    return {"requests": requests, "seconds": elapsed, "bytesPerRequest": read / max(requests, 1),
            "p50Ms": _ms(p50.group(1)), "p99Ms": _ms(p99.group(1))}


def run_python(url: str, headers: list[str], seconds: float) -> dict[str, Any]:
    out = subprocess.run([sys.executable, str(BENCH / "http_load.py"), url, str(seconds), str(CONNECTIONS),
                          *headers], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    result: dict[str, Any] = json.loads(out)
    result["bytesPerRequest"] = result["bodyBytes"] / max(result["requests"], 1)
    return result


def check(result: dict[str, Any], status: int, body_len: int, python: bool) -> None:
    """Every response had the wanted status (Python generator) or size (wrk counts bytes, headers too)."""
    if python:
        if set(result["statuses"]) != {str(status)}:
            raise AssertionError(f"unexpected statuses {result['statuses']} (wanted {status})")
        if result["bodyBytes"] != body_len * result["requests"]:
            raise AssertionError(f"{result['bodyBytes']} body bytes for {result['requests']} requests of {body_len}")
    # wrk prints the bytes read rounded to 2 decimals of its unit (GB past 1 GiB): allow 2 %
    elif (status == 200 and result["bytesPerRequest"] < 0.98 * body_len) or (status == 304 and
                                                                               result["bytesPerRequest"] > 2048):
        raise AssertionError(f"{result['bytesPerRequest']:.0f} bytes per response for a {status} of {body_len} B")


def run_bench(*, quick: bool = False) -> dict[str, Any]:
    from shared.menus.io import import_menu
    from shared.store.postgres import PostgresStore

    wrk = shutil.which("wrk")
    rounds, seconds = (1, 1) if quick else (2, 2)
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="stjarna-bench-http-"))
    slugs = [f"bench-{size}" for size in SIZES]
    results: dict[tuple[int, str, int], list[dict[str, Any]]] = {}
    expected: dict[tuple[int, int], tuple[str, int]] = {}
    try:
        with embedded_postgres() as dsn:
            store = PostgresStore(dsn, timeout_seconds=10)
            for size in SIZES:
                import_menu(store, menu_document(size))
            store.close()
            with contextlib.ExitStack() as stack:
                started_servers = {kind: stack.enter_context(server(kind, dsn, slugs, folder))
                                   for kind in ("floor", "menu")}
                urls = {kind: url for kind, (url, _) in started_servers.items()}
                for size, slug in zip(SIZES, slugs, strict=True):
                    first = httpx.get(f"{urls['menu']}?restaurantId={slug}", headers={"Origin": ORIGIN})
                    floor = httpx.get(f"{urls['floor']}?restaurantId={slug}")
                    if first.content != floor.content or first.headers["etag"] != floor.headers["etag"]:
                        raise AssertionError(f"{slug}: the floor does not serve the menu's bytes")
                    expected[(size, 200)] = ("", len(first.content))
                    expected[(size, 304)] = (first.headers["etag"], 0)
                    for url in urls.values():  # a 304 is a 304 on both, before any round
                        r = httpx.get(f"{url}?restaurantId={slug}",
                                      headers={"Origin": ORIGIN, "If-None-Match": first.headers["etag"]})
                        if r.status_code != 304:
                            raise AssertionError(f"{url}: {r.status_code} for a matching If-None-Match")
                cases = [(size, kind, status) for size in SIZES for status in (200, 304) for kind in ("floor", "menu")]
                for _ in range(rounds):
                    for size, kind, status in cases:
                        etag, body_len = expected[(size, status)]
                        headers = [*HEADERS, *([f"If-None-Match: {etag}"] if etag else [])]
                        url = f"{urls[kind]}?restaurantId=bench-{size}"
                        result = run_wrk(url, headers, seconds) if wrk else run_python(url, headers, seconds)
                        if started_servers[kind][1].poll() is not None:
                            log = (folder / f"{kind}.log").read_text(errors="replace")
                            raise RuntimeError(f"the {kind} server died:\n{log}")
                        check(result, status, body_len, python=not wrk)
                        results.setdefault((size, kind, status), []).append(result)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    rows: list[Row] = []
    for size in SIZES:
        group = f"menu over HTTP, uvicorn ({size} items, {expected[(size, 200)][1] / 1024:.1f} KiB)"
        best = {(kind, status): max(results[(size, kind, status)], key=lambda r: r["requests"] / r["seconds"])
                for kind in ("floor", "menu") for status in (200, 304)}

        def rps(key: tuple[str, int], best: dict[tuple[str, int], dict[str, Any]] = best) -> float:
            return float(best[key]["requests"] / best[key]["seconds"])

        def detail(key: tuple[str, int], best: dict[tuple[str, int], dict[str, Any]] = best) -> dict[str, Any]:
            r = best[key]
            return {"p50Ms": r["p50Ms"], "p99Ms": r["p99Ms"], "requests": r["requests"], "rounds": rounds,
                    "bytesPerRequest": round(r["bytesPerRequest"])}

        for status, label in ((200, "200 warm"), (304, "304 (If-None-Match)")):
            floor_rps, menu_rps = rps(("floor", status)), rps(("menu", status))
            ratio = menu_rps / floor_rps
            rows += [
                Row(group, f"floor {status}: Starlette route, pre-built bytes", floor_rps, "req/s", f"floor {status}",
                    1.0, detail=detail(("floor", status))),
                Row(group, f"menu {label}", menu_rps, "req/s", f"floor {status}", ratio, f"≥ {GOALS[status]:g}x",
                    goal_status(ratio, minimum=GOALS[status]), detail=detail(("menu", status))),
            ]
    generator = (f"wrk ({wrk}), 1 thread" if wrk else "bench/http_load.py (Python; wrk is not installed, so the "
                 "generator may bound the floor and compress the ratios toward 1)")
    notes = [
        f"menu over HTTP: uvicorn (h11, one worker, as `stjarna serve` runs it) in its own process, load from "
        f"another: {generator}, {CONNECTIONS} keep-alive connections, {seconds} s per round, best of {rounds} "
        "interleaved rounds. Latency columns are the generator's p50/p99 at that concurrency. Menu app: "
        "MENU_LOCAL_CACHE_SECONDS=30, access log on (to /dev/null), Origin on the allowlist. The floor serves "
        "the same bytes and ETag through a bare Starlette route; the 304 rows are against the floor's 304.",
    ]
    return {"bench": "menu_http", "rows": [r.as_dict() for r in rows], "notes": notes,
            "seconds": round(time.perf_counter() - started, 1), "generator": "wrk" if wrk else "python"}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="one round of 1 s per case instead of two of 2 s")
