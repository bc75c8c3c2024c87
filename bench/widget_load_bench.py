"""The widget on a host page, loaded by a real headless Chromium on a slow phone: CPU throttled 4x and
slow 3G (400 kbit/s each way, 400 ms round trip), the cache disabled (a first visit). Against a real
``stjarna serve`` (embedded PostgreSQL) and a host page on another origin, for each build:

- ``before``: the pre-split widget (one 35 KB bundle; OLD_DIST, default: widget/dist as committed at
  PRE_SPLIT, taken out of git; skipped when neither is there),
  served as it was (identity), and the same files pre-compressed (brotli);
- ``loader``: widget/dist as committed (the loader, its chunks fetched when the browser is idle).

Rows (medians of the runs): the bytes on the wire before the launcher is clickable, and before anyone
touches the widget (the page left alone until the network has been quiet for 2 s: the loader's idle
prefetch included); the time from the <script> tag to a clickable launcher; the host page's long tasks
(PerformanceObserver "longtask") until then. No goal fails the run: figures to compare builds.

Run: ``.venv/bin/python bench/widget_load_bench.py [--json FILE] [--quick]`` (needs Chromium: set
CHROMIUM, as scripts/browser-deps prints). To measure an older build, put its widget/dist files in
OLD_DIST (e.g. ``git show REV:widget/dist/widget.js``).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Row, cli  # puts the repository on sys.path
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from shared.http.site import load_asset, widget_routes
from shared.paths import REPO_ROOT, WIDGET_LOADER_GZIP_BYTES
from tests.support.serve_process import stjarna_serve
from tests.support.servers import BackgroundServer, closed_port

DIST = REPO_ROOT / "widget" / "dist"
OLD_DIST = Path(os.environ["OLD_DIST"]) if os.environ.get("OLD_DIST") else None
PRE_SPLIT = "f46bcba"  # the last commit with the one-bundle widget (issue #18 split it)
SLUG = "bench-widget"
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
CPU_SLOWDOWN = 4
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# the page's probes: when the launcher is in the document (its button is drawn with it) and the long tasks
PROBE = """
window.__bench = { longtasks: [], clickable: null };
new PerformanceObserver((list) => list.getEntries().forEach((e) => __bench.longtasks.push([e.startTime, e.duration])))
  .observe({ type: "longtask", buffered: true });
new MutationObserver((_, observer) => {
  const host = document.querySelector("stjarna-widget");
  if (host && host.shadowRoot && host.shadowRoot.querySelector(".fab")) {
    __bench.clickable = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


def host_page(files: str, api: str, variant: str) -> str:
    filler = "".join(f"<p>Our story, part {i}: a restaurant's own page, with its own text.</p>" for i in range(40))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A restaurant</title></head>'
            f"<body><h1>A restaurant</h1>{filler}<script>performance.mark('tag')</script>"
            f'<script src="{files}/{variant}/widget.js" data-restaurant-id="{SLUG}" data-endpoint="{api}" async>'
            "</script>"
            "</body></html>")


def compressed_copy(src: Path, dest: Path) -> Path:
    """The files of ``src`` with .gz and .br beside them (brotli by node's zlib, as build.mjs does)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in src.glob("*.js"):
        shutil.copy(path, dest / path.name)
        (dest / (path.name + ".gz")).write_bytes(gzip.compress(path.read_bytes(), 9))
    script = ("const z=require('node:zlib'),fs=require('node:fs');for(const f of fs.readdirSync(process.argv[1]))"
              "if(f.endsWith('.js'))fs.writeFileSync(`${process.argv[1]}/${f}.br`,z.brotliCompressSync("
              "fs.readFileSync(`${process.argv[1]}/${f}`)))")
    subprocess.run(["node", "-e", script, str(dest)], check=True)
    return dest


def measure(browser: Any, url: str, origins: tuple[str, ...]) -> dict[str, float]:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(PROBE)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    urls: dict[str, str] = {}
    finished: list[tuple[str, float]] = []
    last = [time.monotonic()]

    def sent(e: dict[str, Any]) -> None:
        urls[e["requestId"]] = e["request"]["url"]
        last[0] = time.monotonic()

    def done(e: dict[str, Any]) -> None:
        finished.append((urls.get(e["requestId"], ""), e["encodedDataLength"]))
        last[0] = time.monotonic()

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", done)
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => window.__bench && __bench.clickable !== null", timeout=60_000, polling=50)
    ours = lambda: sum(n for u, n in finished if u.startswith(origins))  # noqa: E731 - the widget's files and API
    at_clickable = ours()
    while time.monotonic() - last[0] < 2.0:  # the page left alone: until the network is quiet for 2 s
        time.sleep(0.1)
    probe = page.evaluate("""() => ({ tag: performance.getEntriesByName('tag')[0].startTime,
                                      clickable: __bench.clickable, longtasks: __bench.longtasks })""")
    tasks = [d for start, d in probe["longtasks"] if start <= probe["clickable"]]
    result = {"bytes_clickable": at_clickable, "bytes_idle": ours(),
              "to_clickable_ms": probe["clickable"] - probe["tag"],
              "longtask_ms": sum(tasks), "longtasks": len(tasks),
              "requests_idle": sum(1 for u, _ in finished if u.startswith(origins))}
    context.close()
    return result


def pre_split_dist(into: Path) -> Path | None:
    """widget/dist as committed at PRE_SPLIT, written into ``into``; None outside a git checkout with it."""
    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(REPO_ROOT), *args], check=True, capture_output=True).stdout

    try:
        names = git("ls-tree", "--name-only", f"{PRE_SPLIT}:widget/dist").decode().split()
        into.mkdir(parents=True, exist_ok=True)
        for name in names:
            (into / name).write_bytes(git("show", f"{PRE_SPLIT}:widget/dist/{name}"))
    except (OSError, subprocess.CalledProcessError):
        return None
    return into


def run_bench(*, quick: bool = False) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    import_doc = json.loads((REPO_ROOT / "infra" / "seed" / "demo.json").read_text(encoding="utf-8"))
    root = Path(tempfile.mkdtemp(prefix="stjarna-bench-widget-"))
    variants: dict[str, Path] = {}
    old = OLD_DIST or pre_split_dist(root / "old")
    if old is not None and (old / "widget.js").exists():
        variants["before (identity)"] = old
        variants["before (brotli)"] = compressed_copy(old, root / "old-br")
    variants["loader (brotli)"] = DIST
    paths = {name: f"v{i}" for i, name in enumerate(variants)}
    port = closed_port()
    where: dict[str, str] = {}

    async def page(request: Request) -> Response:
        return Response(host_page(where["files"], where["api"], request.path_params["variant"]), media_type="text/html")

    host = BackgroundServer(Starlette(routes=[Route("/{variant}", page)]), port=port)
    # the widget files on an origin of their own, as from a CDN (each build under /vN/, its chunks in /vN/widget/)
    files = BackgroundServer(Starlette(routes=[Mount(f"/{paths[n]}", app=Starlette(routes=widget_routes(d)))
                                               for n, d in variants.items()]))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "MENU_"))}
    env["STJARNA_DATA_DIR"] = str(root / "data")
    runs = 2 if quick else 5
    rows: list[Row] = []
    try:
        with stjarna_serve(closed_port(), env, root / "serve.log") as api:
            host.start()
            import_doc["restaurant"].update(slug=SLUG, allowedOrigins=[f"http://127.0.0.1:{port}"])
            (root / "menu.json").write_text(json.dumps(import_doc), encoding="utf-8")
            subprocess.run([str(Path(sys.executable).parent / "stjarna"), "menu", "import", str(root / "menu.json")],
                           env=env, check=True, capture_output=True)
            where.update(files=files.start().rstrip("/"), api=api)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=FLAGS)
                try:
                    for name in variants:
                        url = f"http://127.0.0.1:{port}/{paths[name]}"
                        origins = (where["files"], api)
                        measure(browser, url, origins)  # a warm-up run, not counted
                        samples = [measure(browser, url, origins) for _ in range(runs)]
                        med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
                        group = f"widget load, slow 3G + CPU/{CPU_SLOWDOWN}: {name}"
                        rows += [
                            Row(group, "bytes before the launcher is clickable", med["bytes_clickable"] / 1024, "KB",
                                f"loader goal {WIDGET_LOADER_GZIP_BYTES // 1024} KB gzipped"),
                            Row(group, "bytes before any interaction (idle, 2 s quiet)", med["bytes_idle"] / 1024, "KB",
                                detail={"requests": med["requests_idle"]}),
                            Row(group, "script tag → clickable launcher", med["to_clickable_ms"], "ms"),
                            Row(group, "host page long tasks until then", med["longtask_ms"], "ms",
                                detail={"count": med["longtasks"]}),
                        ]
                finally:
                    browser.close()
    finally:
        files.stop()
        host.stop()
        load_asset.cache_clear()
        shutil.rmtree(root, ignore_errors=True)
    notes = [f"widget_load: median of {runs} runs per build after a warm-up; Chromium with "
             f"Network.emulateNetworkConditions {SLOW_3G['downloadThroughput'] * 8 / 1000:.0f} kbit/s, "
             f"{SLOW_3G['latency']} ms, Emulation.setCPUThrottlingRate {CPU_SLOWDOWN}, cache disabled"]
    if "before (identity)" not in variants:
        notes.append(f"widget_load: no pre-split build (OLD_DIST, or git at {PRE_SPLIT}): only this one measured")
    return {"bench": "widget_load", "rows": [r.as_dict() for r in rows], "notes": notes}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="2 runs per build instead of 5")
