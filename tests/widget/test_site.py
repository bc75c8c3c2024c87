"""GET /widget.js and the content-hashed, immutable URLs of the widget's files, on an app built
inline around the committed widget/dist and around a directory of files written here."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from shared.errors import StjarnaError
from shared.http.responses import error_response
from shared.caching import IMMUTABLE
from shared.http.site import WIDGET_DIR, load_asset, widget_routes

YEAR = 31536000


async def render_error(request, exc):
    return error_response(exc, "test")


def client_for(directory: Path = WIDGET_DIR) -> TestClient:
    app = Starlette(routes=widget_routes(directory), exception_handlers={StjarnaError: render_error})
    return TestClient(app)


@pytest.fixture
def built(tmp_path):
    (tmp_path / "widget.js").write_bytes(b"(()=>{})();\n")
    (tmp_path / "local.ABCD1234.js").write_bytes(b"export const x=1;\n")
    (tmp_path / "notes.txt").write_bytes(b"not a widget file")
    yield tmp_path
    load_asset.cache_clear()


def test_bundle_has_a_short_cache_and_names_its_immutable_url():
    client = client_for()
    r = client.get("/widget.js")
    assert r.status_code == 200 and r.content == (WIDGET_DIR / "widget.js").read_bytes()
    assert r.headers["cache-control"] == "public, max-age=300, s-maxage=300"
    digest = hashlib.sha256(r.content).hexdigest()
    assert r.headers["x-widget-immutable-path"] == f"/widget/widget.{digest[:16]}.js"
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"


def test_the_immutable_url_serves_the_same_bytes_for_a_year():
    client = client_for()
    path = client.get("/widget.js").headers["x-widget-immutable-path"]
    r = client.get(path)
    assert r.status_code == 200 and r.content == (WIDGET_DIR / "widget.js").read_bytes()
    assert r.headers["cache-control"] == IMMUTABLE == f"public, max-age={YEAR}, immutable"
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["cross-origin-resource-policy"] == "cross-origin"
    assert client.get(path, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    head = client.head(path)
    assert head.status_code == 200 and head.headers["cache-control"] == IMMUTABLE


def test_every_chunk_in_dist_has_an_immutable_url():
    client = client_for()
    chunks = [p for p in WIDGET_DIR.glob("*.js") if p.name != "widget.js"]
    assert chunks, "the bundle imports the local responder as a chunk"
    for chunk in chunks:
        r = client.get(f"/widget/{chunk.name}")
        assert r.status_code == 200 and r.content == chunk.read_bytes()
        assert r.headers["cache-control"] == IMMUTABLE
        assert chunk.name in (WIDGET_DIR / "widget.js").read_text(encoding="utf-8"), "the bundle names its chunk"


def test_names_of_other_content_are_not_found(built):
    client = client_for(built)
    digest = hashlib.sha256(b"(()=>{})();\n").hexdigest()
    assert client.get(f"/widget/widget.{digest[:16]}.js").status_code == 200
    assert client.get("/widget/local.ABCD1234.js").status_code == 200
    for name in (f"widget.{'0' * 16}.js",  # another build's bundle
                 f"widget.{digest[:15]}.js", "widget.js", "local.ZZZZ9999.js", "notes.txt", "..%2Fwidget.js",
                 "local.ABCD1234.js.map", "LOCAL.ABCD1234.js"):
        r = client.get(f"/widget/{name}")
        assert r.status_code == 404, name
        assert r.headers.get("cache-control") != IMMUTABLE


def test_no_bundle_is_not_found(tmp_path):
    client = client_for(tmp_path)
    r = client.get("/widget.js")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    assert client.get(f"/widget/widget.{'a' * 16}.js").status_code == 404
