"""GET /console and the console's content-hashed script, on an app built inline around the committed
console/ and around a directory of files written here; the committed build against its sources, its size
budget and the type check."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from shared.caching import IMMUTABLE
from shared.errors import StjarnaError
from shared.http.console_site import CONSOLE_ROOT, console_routes, load
from shared.http.responses import error_response
from shared.paths import CONSOLE_BUDGET_BYTES
from tests.widget.conftest import WIDGET, run

DIST = CONSOLE_ROOT / "dist"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


async def render_error(request, exc):
    return error_response(exc, "test")


def client_for(root: Path = CONSOLE_ROOT) -> TestClient:
    app = Starlette(routes=console_routes(root), exception_handlers={StjarnaError: render_error})
    return TestClient(app)


@pytest.fixture
def built(tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "console.js").write_bytes(b"(()=>{})();\n")
    (tmp_path / "dist" / "notes.txt").write_bytes(b"not a console file")
    shutil.copy(CONSOLE_ROOT / "index.html", tmp_path / "index.html")
    yield tmp_path
    load.cache_clear()


def script_url(page: str) -> str:
    found = re.findall(r'<script src="([^"]+)" defer></script>', page)
    assert len(found) == 1, page
    return found[0]


def test_the_page_has_a_strict_csp_and_is_never_stored():
    r = client_for().get("/console")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in r.headers
    # nothing inline for the CSP to allow: one external script, no inline script, style or handler
    assert "<style" not in r.text and " style=" not in r.text and " on" not in r.text.replace("\n", " ").lower()
    assert re.findall(r"<script", r.text) == ['<script'] and "{{" not in r.text


def test_the_page_names_the_script_by_its_content_and_that_url_is_immutable():
    client = client_for()
    url = script_url(client.get("/console").text)
    digest = hashlib.sha256((DIST / "console.js").read_bytes()).hexdigest()
    assert url == f"/console/console.{digest[:16]}.js"
    r = client.get(url)
    assert r.status_code == 200 and r.content == (DIST / "console.js").read_bytes()
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["cache-control"] == IMMUTABLE
    assert r.headers["cross-origin-resource-policy"] == "same-origin"
    assert "access-control-allow-origin" not in r.headers
    assert client.get(url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""


def test_names_of_other_content_are_not_found(built):
    client = client_for(built)
    url = script_url(client.get("/console").text)
    digest = hashlib.sha256(b"(()=>{})();\n").hexdigest()
    assert url == f"/console/console.{digest[:16]}.js" and client.get(url).status_code == 200
    for name in (f"console.{'0' * 16}.js", f"console.{digest[:15]}.js", f"console.{digest[:16]}.css",
                 "console.js", "notes.txt", "index.html", "..%2Findex.html"):
        assert client.get(f"/console/{name}").status_code == 404, name


def test_a_missing_build_is_not_found_not_a_crash(tmp_path):
    shutil.copy(CONSOLE_ROOT / "index.html", tmp_path / "index.html")
    try:
        r = client_for(tmp_path).get("/console")
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    finally:
        load.cache_clear()


def test_the_widget_function_serves_the_console():
    from shared.http.app import create_app

    client = TestClient(create_app(("widget",)))
    page = client.get("/console")
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert client.get(script_url(page.text)).status_code == 200


# -- the committed build ---------------------------------------------------------------------------------
def test_committed_build_is_what_the_sources_build(widget_deps, tmp_path):
    run(["node", str(CONSOLE_ROOT / "build.mjs"), str(tmp_path)])
    fresh = sorted(p.name for p in tmp_path.iterdir())
    assert fresh == sorted(p.name for p in DIST.iterdir()) == ["console.js"]
    assert (tmp_path / "console.js").read_bytes() == (DIST / "console.js").read_bytes(), (
        "console/dist is stale: run scripts/build-widget and commit console/dist")


def test_console_size(capsys):
    import gzip

    body = (DIST / "console.js").read_bytes()
    with capsys.disabled():
        print(f"\n[console size] console.js: {len(body) / 1024:.1f} KB minified, "
              f"{len(gzip.compress(body, 9)) / 1024:.1f} KB gzipped (budget under {CONSOLE_BUDGET_BYTES:,} bytes)",
              end="")
    assert len(body) < CONSOLE_BUDGET_BYTES, f"console.js is {len(body)} bytes, not under {CONSOLE_BUDGET_BYTES}"


def test_the_script_defines_no_globals_and_writes_no_html():
    text = (DIST / "console.js").read_text(encoding="utf-8")
    assert text.startswith(('"use strict";(()=>{', "(()=>{")) and text.rstrip().endswith("})();")
    for banned in ("eval(", "new Function", "document.write", "innerHTML", "outerHTML", "insertAdjacentHTML",
                   ".cookie", "localStorage", "sessionStorage", "indexedDB"):
        assert banned not in text, banned


def test_the_sources_type_check(widget_deps):
    tsc = WIDGET / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        pytest.fail("widget/node_modules/.bin/tsc is missing: run scripts/build-widget --deps")
    run([str(tsc), "--noEmit", "-p", str(CONSOLE_ROOT)])
