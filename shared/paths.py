"""Where the repository's files are (migrations, seed menus, the widget bundle). Import-cheap."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The widget's size budgets (docs/widget.md, "Size"); tests/widget/test_bundle.py enforces them,
# bench/widget_bench.py and `stjarna tenant check` report them.
# widget.js (the loader) at most this many minified bytes: the team's stop hook refuses 35,000 and
# more, so the budget is counted in thousands, not KiB.
WIDGET_BUDGET_BYTES = 35_000
# ... and gzipped, what every page with the widget downloads before anyone touches it
WIDGET_LOADER_GZIP_BYTES = 4_096
# each chunk, gzipped, by its name's first part (<name>.<hash>.js; a language: LANGUAGE). The panel is
# fetched when the browser is idle or at the first touch, never before the launcher: 20 KB since #15's
# checkout (name, phone, pickup slots) and #18's accessibility and failure states (12 KB before them)
WIDGET_CHUNK_GZIP_BYTES = {"panel": 20_480, "local": 53_248, "debug": 4_096, "LANGUAGE": 2_048}
# The staff console's budget: console/dist/console.js (script and stylesheet) at most this many minified
# bytes (docs/console.md); tests/console/test_console_site.py enforces it.
CONSOLE_BUDGET_BYTES = 40_000
