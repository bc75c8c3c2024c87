"""The committed bundle (widget/dist) against its sources, its size budget, and the type check."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from shared.paths import WIDGET_BUDGET_BYTES as HARD_BUDGET
from tests.widget.conftest import BUILD, WIDGET, run

DIST = WIDGET / "dist"
GOAL_MIN, GOAL_GZIP = 20 * 1024, 8 * 1024


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_committed_bundle_is_what_the_sources_build(widget_deps, tmp_path):
    run([str(BUILD), str(tmp_path)])
    fresh, committed = files(tmp_path), files(DIST)
    assert sorted(fresh) == sorted(committed), "widget/dist is stale: run scripts/build-widget and commit widget/dist"
    for name, body in fresh.items():
        assert body == committed[name], f"widget/dist/{name} is stale: run scripts/build-widget and commit widget/dist"


def test_bundle_size(capsys):
    committed = files(DIST)
    main = committed.pop("widget.js")
    sizes = {name: (len(body), len(gzip.compress(body, 9))) for name, body in [("widget.js", main), *committed.items()]}
    with capsys.disabled():
        for name, (raw, packed) in sizes.items():
            print(f"\n[widget size] {name}: {raw / 1024:.1f} KB minified, {packed / 1024:.1f} KB gzipped", end="")
        total = [sum(v[i] for v in sizes.values()) for i in (0, 1)]
        print(f"\n[widget size] all files: {total[0] / 1024:.1f} KB minified, {total[1] / 1024:.1f} KB gzipped "
              f"(goal {GOAL_MIN // 1024} KB / {GOAL_GZIP // 1024} KB; "
              f"hard budget under {HARD_BUDGET:,} bytes for widget.js)")
    assert len(main) < HARD_BUDGET, f"widget.js is {len(main)} bytes, not under the {HARD_BUDGET}-byte budget"


def test_the_bundle_defines_no_globals_and_has_no_eval():
    text = (DIST / "widget.js").read_text(encoding="utf-8")
    assert text.startswith(('"use strict";(()=>{', "(()=>{")) and text.rstrip().endswith("})();")
    for banned in ("eval(", "new Function", "document.write", "innerHTML", ".cookie"):
        assert banned not in text, banned


def test_the_sources_type_check(widget_deps):
    tsc = WIDGET / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        pytest.fail("widget/node_modules/.bin/tsc is missing: run scripts/build-widget --deps")
    run([str(tsc), "--noEmit", "-p", str(WIDGET)])
