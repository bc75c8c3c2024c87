"""Merge the JSON results of the benchmarks into one table (and optionally one JSON file).

Usage: ``.venv/bin/python bench/report.py RESULT.json [RESULT.json ...] [--out FILE] [--compare OLD]``;
scripts/bench calls it after the benchmarks. ``--compare`` adds a table of every measurement found in
both runs (an earlier ``--out`` file): its ratio (or, without a ratio, its value) then and now.

The whole table is printed even when a bench failed; then the failures (a bench that raised or broke a
promise: its ``problems``; a result file that is missing: the bench died before writing it) are listed
and the exit status is 1.
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


def compare(old: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """Each measurement in both runs: the ratio to its floor (what survives a different machine or
    load), else the value, then and now, and the change in per cent."""
    before = {(r["group"], r["name"]): r for r in old["rows"]}
    header = ("group", "measurement", "then", "now", "change")
    lines: list[tuple[str, ...]] = []
    for r in rows:
        then = before.get((r["group"], r["name"]))
        if then is None:
            continue
        key = "ratio" if r["ratio"] is not None and then.get("ratio") is not None else "value"
        a, b = float(then[key]), float(r[key])
        unit = "x" if key == "ratio" else f" {r['unit']}"
        change = "" if a == 0 else f"{(b - a) / a:+.0%}"
        lines.append((r["group"], r["name"], f"{a:,.3g}{unit}", f"{b:,.3g}{unit}", change))
    if not lines:
        return f"compare: no measurement of this run is in {old.get('environment', {}).get('commit')}"
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    env = old.get("environment", {})
    out = [f"compared with {env.get('commit')} ({env.get('at')}):",
           "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="write the merged results to this JSON file")
    parser.add_argument("--compare", type=Path, help="an earlier merged results file to compare with")
    args = parser.parse_args()
    parts: dict[str, Any] = {}
    problems: list[str] = []
    for path in args.results:
        if not path.exists():
            problems.append(f"{path.stem}: no results (the bench died before writing {path.name})")
            continue
        parts[path.stem] = json.loads(path.read_text())
        problems += [f"{path.stem}: {problem}" for problem in parts[path.stem].get("problems", [])]
    rows = [row for part in parts.values() for row in part["rows"]]
    notes = [note for part in parts.values() for note in part["notes"]]
    env = environment()
    notes.append(f"{env['at']} commit {env['commit']}, Python {env['python']}, {env['cpus']} CPUs, load average "
                 f"{' / '.join(map(str, env['loadAverage']))}: absolute figures are noisy, read the ratios.")
    print(render(rows, notes))
    misses = [f"{r['group']}: {r['name']}" for r in rows if r["status"] == "MISS"]
    print(f"\ngoals: {sum(r['status'] == 'PASS' for r in rows)} PASS, {len(misses)} MISS "
          "(informational: the run never fails because of a goal)")
    if args.compare:
        print("\n" + compare(json.loads(args.compare.read_text()), rows))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        merged = {"environment": env, "seconds": {k: v.get("seconds") for k, v in parts.items()},
                  "rows": rows, "notes": notes, **({"problems": problems} if problems else {})}
        args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        print(f"results written to {args.out}", file=sys.stderr)
    if problems:
        print(f"\nFAILED: {len(problems)} problem(s) (a bench raised or broke a promise; the table above has "
              "every result measured):\n  " + "\n  ".join(problems))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
