"""The widget's size: each committed file in widget/dist, minified (as built) and gzipped (level 9),
against the runbook's hard budget (35 KB for widget.js) and the goal (20 KB minified, 8 KB gzipped
for everything).

Run: ``.venv/bin/python bench/widget_bench.py [--json FILE]`` (or ``scripts/bench``). Sizes are exact,
so ``--quick`` changes nothing.
"""

from __future__ import annotations

import gzip
import re
from typing import Any

from _common import Row, cli

from shared.paths import REPO_ROOT
from shared.paths import WIDGET_BUDGET_BYTES as HARD_BUDGET

DIST = REPO_ROOT / "widget" / "dist"
KB = 1024
GOAL_MIN, GOAL_GZIP = 20 * KB, 8 * KB


def run_bench(*, quick: bool = False) -> dict[str, Any]:  # noqa: ARG001 - sizes need no rounds
    files = {p.name: p.read_bytes() for p in sorted(DIST.glob("*.js"))}
    if "widget.js" not in files:
        raise AssertionError(f"no widget.js in {DIST}: run scripts/build-widget")
    group = "widget bundle (widget/dist)"
    rows: list[Row] = []
    total_min = sum(len(b) for b in files.values())
    total_gzip = sum(len(gzip.compress(b, 9)) for b in files.values())
    for file, body in files.items():
        name = re.sub(r"\.[A-Za-z0-9]{8,}\.js$", ".<hash>.js", file)  # rows comparable across builds
        size, packed = len(body), len(gzip.compress(body, 9))
        if file == "widget.js":
            rows.append(Row(group, f"{name} minified", size / KB, "KB", f"hard budget {HARD_BUDGET // KB} KB",
                            size / HARD_BUDGET, "≤ 1.00 (hard)", "PASS" if size <= HARD_BUDGET else "MISS"))
        else:
            rows.append(Row(group, f"{name} minified (loaded on demand)", size / KB, "KB"))
        rows.append(Row(group, f"{name} gzipped", packed / KB, "KB"))
    rows += [
        Row(group, "all files minified", total_min / KB, "KB", "goal 20 KB", total_min / GOAL_MIN, "≤ 1.00 (goal)",
            "PASS" if total_min <= GOAL_MIN else "MISS"),
        Row(group, "all files gzipped", total_gzip / KB, "KB", "goal 8 KB", total_gzip / GOAL_GZIP, "≤ 1.00 (goal)",
            "PASS" if total_gzip <= GOAL_GZIP else "MISS"),
    ]
    return {"bench": "widget", "rows": [r.as_dict() for r in rows],
            "notes": [f"widget: {len(files)} file(s) in widget/dist; gzip level 9"]}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="no effect (sizes are exact)")
