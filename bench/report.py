"""Merge the JSON results of the benchmarks into one table (and optionally one JSON file).

Usage: ``.venv/bin/python bench/report.py RESULT.json [RESULT.json ...] [--out FILE]``; scripts/bench
calls it after menu_bench.py, chat_bench.py and import_bench.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import render

REPO = Path(__file__).resolve().parents[1]


def environment() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadAverage": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="write the merged results to this JSON file")
    args = parser.parse_args()
    parts = {p.stem: json.loads(p.read_text()) for p in args.results}
    rows = [row for part in parts.values() for row in part["rows"]]
    notes = [note for part in parts.values() for note in part["notes"]]
    env = environment()
    notes.append(f"{env['at']} commit {env['commit']}, Python {env['python']}, {env['cpus']} CPUs, load average "
                 f"{' / '.join(map(str, env['loadAverage']))}: absolute figures are noisy, read the ratios.")
    print(render(rows, notes))
    misses = [f"{r['group']}: {r['name']}" for r in rows if r["status"] == "MISS"]
    print(f"\ngoals: {sum(r['status'] == 'PASS' for r in rows)} PASS, {len(misses)} MISS "
          "(informational: the run never fails because of a goal)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        merged = {"environment": env, "seconds": {k: v.get("seconds") for k, v in parts.items()},
                  "rows": rows, "notes": notes}
        args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        print(f"results written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
