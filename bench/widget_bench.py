"""The widget's size: each committed file in widget/dist, minified (as built) and gzipped (level 9),
against the runbook's hard budget (35 KB for widget.js), the loader's goal (widget.js at most 4 KB
gzipped: what every page downloads before anyone touches the widget) and each chunk's budget
(shared/paths.py). bench/widget_load_bench.py measures the loading itself in Chromium.

Run: ``.venv/bin/python bench/widget_bench.py [--json FILE]`` (or ``scripts/bench``). Sizes are exact,
so ``--quick`` changes nothing.
"""

from __future__ import annotations

import gzip
import re
from typing import Any

from _common import Row, cli

from shared.paths import REPO_ROOT, WIDGET_CHUNK_GZIP_BYTES, WIDGET_LOADER_GZIP_BYTES
from shared.paths import WIDGET_BUDGET_BYTES as HARD_BUDGET

DIST = REPO_ROOT / "widget" / "dist"
KB = 1024
LANGUAGES = {"sv", "de", "fr", "es"}


def run_bench(*, quick: bool = False) -> dict[str, Any]:  # noqa: ARG001 - sizes need no rounds
    files = {p.name: p.read_bytes() for p in sorted(DIST.glob("*.js"))}
    if "widget.js" not in files:
        raise AssertionError(f"no widget.js in {DIST}: run scripts/build-widget")
    group = "widget bundle (widget/dist)"
    rows: list[Row] = []
    for file, body in files.items():
        name = re.sub(r"\.[A-Za-z0-9]{8,}\.js$", ".<hash>.js", file)  # rows comparable across builds
        size, packed = len(body), len(gzip.compress(body, 9))
        if file == "widget.js":
            rows.append(Row(group, f"{name} minified", size / KB, "KB", f"hard budget {HARD_BUDGET // KB} KB",
                            size / HARD_BUDGET, "≤ 1.00 (hard)", "PASS" if size <= HARD_BUDGET else "MISS"))
            budget = WIDGET_LOADER_GZIP_BYTES
        else:
            rows.append(Row(group, f"{name} minified (loaded on demand)", size / KB, "KB"))
            kind = file.split(".")[0]
            budget = WIDGET_CHUNK_GZIP_BYTES.get("LANGUAGE" if kind in LANGUAGES else kind, 0)
        rows.append(Row(group, f"{name} gzipped", packed / KB, "KB", f"budget {budget / KB:.0f} KB",
                        packed / budget if budget else None, "≤ 1.00", "PASS" if packed <= budget else "MISS"))
    return {"bench": "widget", "rows": [r.as_dict() for r in rows],
            "notes": [f"widget: {len(files)} file(s) in widget/dist; gzip level 9"]}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="no effect (sizes are exact)")
