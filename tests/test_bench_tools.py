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
