"""The committed files (widget/dist) against their sources, the size budgets of the loader and of
each chunk, the chunks' shape (ES modules with content-hashed names) and the type check."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from shared.paths import WIDGET_BUDGET_BYTES as HARD_BUDGET
from shared.paths import WIDGET_CHUNK_GZIP_BYTES, WIDGET_LOADER_GZIP_BYTES
from tests.widget.conftest import BUILD, WIDGET, run

DIST = WIDGET / "dist"
LANGUAGES = {"sv", "de", "fr", "es"}  # English is in the panel
CHUNK = re.compile(r"^([a-z]+)\.[A-Z0-9]{8}\.js$")


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_committed_bundle_is_what_the_sources_build(widget_deps, tmp_path):
    run([str(BUILD), str(tmp_path)])
    fresh, committed = files(tmp_path), files(DIST)
    assert sorted(fresh) == sorted(committed), "widget/dist is stale: run scripts/build-widget and commit widget/dist"
    for name, body in fresh.items():
        assert body == committed[name], f"widget/dist/{name} is stale: run scripts/build-widget and commit widget/dist"


def test_bundle_size(capsys):
    scripts = {name: body for name, body in files(DIST).items() if name.endswith(".js")}
    sizes = {name: (len(body), len(gzip.compress(body, 9))) for name, body in scripts.items()}
    with capsys.disabled():
        for name, (raw, packed) in sorted(sizes.items(), key=lambda kv: kv[0] != "widget.js"):
            print(f"\n[widget size] {name}: {raw / 1024:.1f} KB minified, {packed / 1024:.1f} KB gzipped", end="")
        print(f"\n[widget size] before any interaction: widget.js, {sizes['widget.js'][1] / 1024:.1f} KB gzipped "
              f"(budget {WIDGET_LOADER_GZIP_BYTES / 1024:.0f} KB)")
    raw, packed = sizes.pop("widget.js")
    assert raw < HARD_BUDGET, f"widget.js is {raw} bytes, not under the {HARD_BUDGET}-byte budget"
    assert packed <= WIDGET_LOADER_GZIP_BYTES, f"widget.js is {packed} bytes gzipped, over {WIDGET_LOADER_GZIP_BYTES}"
    for name, (_, packed) in sizes.items():
        kind = CHUNK.fullmatch(name)
        assert kind, f"{name}: a chunk is named <name>.<esbuild hash>.js"
        budget = WIDGET_CHUNK_GZIP_BYTES["LANGUAGE" if kind[1] in LANGUAGES else kind[1]]
        assert packed <= budget, f"{name} is {packed} bytes gzipped, over its {budget}-byte budget (shared/paths.py)"


def test_the_loader_names_every_chunk_it_imports():
    loader = (DIST / "widget.js").read_text(encoding="utf-8")
    named = set(re.findall(r"[a-z]+\.[A-Z0-9]{8}\.js", loader))
    chunks = {name for name in files(DIST) if CHUNK.fullmatch(name)}
    assert named == chunks - {n for n in chunks if n.startswith("local.")}  # the panel imports the local responder
    assert {n.split(".")[0] for n in named} == {"panel", "debug"} | LANGUAGES  # debug: when something is wrong


def test_the_bundle_defines_no_globals_and_has_no_eval():
    text = (DIST / "widget.js").read_text(encoding="utf-8")
    assert text.startswith(('"use strict";(()=>{', "(()=>{")) and text.rstrip().endswith("})();")
    for name in [n for n in files(DIST) if n.endswith(".js")]:
        body = (DIST / name).read_text(encoding="utf-8")
        for banned in ("eval(", "new Function", "document.write", "innerHTML", ".cookie"):
            assert banned not in body, (name, banned)
        if name != "widget.js":
            assert "export" in body and "document.currentScript" not in body, f"{name} is an ES module"


def test_every_file_has_its_compressed_copies(widget_deps):
    """The build writes <file>.gz and <file>.br; both decompress (node's zlib) to the file."""
    script = ("import {readFileSync as r, readdirSync} from 'node:fs'; import {brotliDecompressSync, gunzipSync} "
              "from 'node:zlib'; const d = process.argv[1]; const bad = readdirSync(d).filter((n) => n.endsWith('.js'))"
              ".filter((n) => !r(`${d}/${n}`).equals(gunzipSync(r(`${d}/${n}.gz`)))"
              " || !r(`${d}/${n}`).equals(brotliDecompressSync(r(`${d}/${n}.br`)))); console.log(JSON.stringify(bad));")
    assert run(["node", "--input-type=module", "-e", script, str(DIST)]).stdout.strip() == "[]"


def test_the_sources_type_check(widget_deps):
    tsc = WIDGET / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        pytest.fail("widget/node_modules/.bin/tsc is missing: run scripts/build-widget --deps")
    run([str(tsc), "--noEmit", "-p", str(WIDGET)])
