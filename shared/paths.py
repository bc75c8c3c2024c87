"""Where the repository's files are (migrations, seed menus, the widget bundle). Import-cheap."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The widget's size budget: widget.js at most this many minified bytes (docs/widget.md; the team's stop
# hook refuses 35,000 and more, so the budget is counted in thousands, not KiB);
# tests/widget/test_bundle.py enforces it, bench/widget_bench.py and `stjarna tenant check` report it.
WIDGET_BUDGET_BYTES = 35_000
