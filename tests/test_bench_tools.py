"""The benchmark tooling that needs no database: the widget size bench and `report.py --compare`
(run as scripts/bench runs them)."""

from __future__ import annotations

import json
import subprocess
import sys

from shared.paths import REPO_ROOT


def run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_widget_bench_measures_the_committed_files(tmp_path):
    run("bench/widget_bench.py", "--json", str(tmp_path / "w.json"))
    rows = {r["name"]: r for r in json.loads((tmp_path / "w.json").read_text())["rows"]}
    main = rows["widget.js minified"]
    assert main["value"] * 1024 == (REPO_ROOT / "widget" / "dist" / "widget.js").stat().st_size
    assert main["status"] == "PASS" and main["ratio"] <= 1  # the hard budget, as the widget tests enforce
    assert "local.<hash>.js minified (loaded on demand)" in rows  # names survive a rebuild's new hash


def test_report_compares_ratios_with_an_earlier_run(tmp_path):
    def part(name: str, ratio: float) -> dict[str, object]:
        return {"rows": [{"group": "g", "name": name, "value": 100.0, "unit": "req/s", "baseline": "floor",
                          "ratio": ratio, "goal": "", "status": "", "detail": {}},
                         {"group": "g", "name": "size", "value": 30.0 * ratio, "unit": "KB", "baseline": "",
                          "ratio": None, "goal": "", "status": "", "detail": {}}], "notes": []}

    (tmp_path / "old.json").write_text(json.dumps({**part("menu", 0.5), "environment": {"commit": "abc1234"}}))
    (tmp_path / "new.json").write_text(json.dumps(part("menu", 0.6)))
    out = run("bench/report.py", str(tmp_path / "new.json"), "--compare", str(tmp_path / "old.json"))
    table = out[out.index("compared with abc1234"):].splitlines()
    assert table[3].split() == ["g", "menu", "0.5x", "0.6x", "+20%"]
    assert table[4].split() == ["g", "size", "15", "KB", "18", "KB", "+20%"]


def test_report_prints_every_result_then_fails_on_a_broken_bench(tmp_path):
    """A bench that broke a promise (its rows come with `problems`) or died before writing its results does
    not discard the others': the whole table is printed, then the failures, and the exit status is 1."""
    def row(name: str) -> dict[str, object]:
        return {"group": "g", "name": name, "value": 100.0, "unit": "req/s", "baseline": "", "ratio": None,
                "goal": "", "status": "", "detail": {}}

    (tmp_path / "menu.json").write_text(json.dumps({"rows": [row("menu rps")], "notes": []}))
    (tmp_path / "load.json").write_text(json.dumps({"rows": [row("load rps")], "notes": [],
                                                    "problems": ["an acknowledged order is missing"]}))
    done = subprocess.run([sys.executable, "bench/report.py", *(str(tmp_path / f"{n}.json") for n in
                                                                ("menu", "chat", "load"))],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "menu rps" in out and "load rps" in out
    failures = out[out.index("FAILED"):]
    assert "load: an acknowledged order is missing" in failures
    assert "chat: no results (the bench died before writing chat.json)" in failures


def test_a_bench_that_raises_still_writes_its_results_and_fails(tmp_path):
    """bench/_common.cli: the error goes to the results' `problems` (for report.py) and the exit status is 1."""
    script = tmp_path / "broken_bench.py"
    script.write_text("import sys\n"
                      f"sys.path.insert(0, {str(REPO_ROOT / 'bench')!r})\n"
                      "from _common import cli\n"
                      "def run_bench(*, quick=False):\n"
                      "    raise AssertionError('unexpected responses: {500: 5}')\n"
                      "cli('A broken bench.', run_bench, quick_help='-')\n")
    done = subprocess.run([sys.executable, str(script), "--json", str(tmp_path / "broken.json")], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    results = json.loads((tmp_path / "broken.json").read_text())
    assert results["rows"] == []
    assert results["problems"] == ["broken_bench raised AssertionError: unexpected responses: {500: 5}"]


def test_report_shows_latency_for_rows_measured_under_concurrency(tmp_path):
    rows = [{"group": "load", "name": "menu", "value": 250.0, "unit": "req/s", "baseline": "", "ratio": None,
             "goal": "", "status": "", "detail": {"p50Ms": 12.34, "p99Ms": 56.78}},
            {"group": "load", "name": "orders stored", "value": 1453.0, "unit": "orders", "baseline": "",
             "ratio": None, "goal": "", "status": "", "detail": {}}]
    (tmp_path / "load.json").write_text(json.dumps({"rows": rows, "notes": []}))
    lines = run("bench/report.py", str(tmp_path / "load.json")).splitlines()
    assert lines[2].split()[2:] == ["250", "req/s", "p50", "12.3", "/", "p99", "56.8", "ms"]  # not 1/throughput
    assert lines[3].split()[3:] == ["1,453", "orders"]  # a count in full, not "1.45e+03"


def test_python_load_generator_counts_every_status_and_byte():
    """bench/http_load.py (the menu-over-HTTP bench's generator when wrk is not installed) against a
    real server: keep-alive requests, each answer's status and body length counted."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from tests.support.servers import serve

    async def endpoint(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status_code=304)
        return Response(b"x" * 1000, media_type="application/json")

    with serve(Starlette(routes=[Route("/menu", endpoint)])) as server:
        full = json.loads(run("bench/http_load.py", f"{server.url}/menu?restaurantId=a", "0.3", "4"))
        cached = json.loads(run("bench/http_load.py", f"{server.url}/menu", "0.3", "4", 'If-None-Match: "v1"'))
    assert full["requests"] > 0 and full["statuses"] == {"200": full["requests"]}
    assert full["bodyBytes"] == 1000 * full["requests"]
    assert cached["statuses"] == {"304": cached["requests"]} and cached["bodyBytes"] == 0
    assert 0 < full["p50Ms"] <= full["p99Ms"]


def test_safety_report_holds_its_goals():
    """scripts/safety as CI sees it: no unsafe answer, no crash, each language's answered share at its goal
    (the parse cost is a bench figure, not asserted here)."""
    data = json.loads(run("bench/safety_report.py", "--json", "--repeat", "1"))
    assert data["messages"] >= 400 and data["unsafe"] == 0 and data["errors"] == 0
    assert len(data["rows"]) == 11
    for row in data["rows"]:
        assert row["answered"] >= row["answeredGoal"], row
