"""GET /widget.js and the content-hashed, immutable URLs of the widget's files, on an app built
inline around the committed widget/dist and around a directory of files written here."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from shared.caching import IMMUTABLE
from shared.errors import StjarnaError
from shared.http.responses import error_response
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
    assert {p.name.split(".")[0] for p in chunks} >= {"panel", "local", "sv"}
    panel = next(p for p in chunks if p.name.startswith("panel.")).read_text(encoding="utf-8")
    for chunk in chunks:
        r = client.get(f"/widget/{chunk.name}")
        assert r.status_code == 200 and r.content == chunk.read_bytes()
        assert r.headers["cache-control"] == IMMUTABLE
        # the loader names the panel, the languages and debug; the panel names the local responder
        importer = panel if chunk.name.startswith("local.") else (WIDGET_DIR / "widget.js").read_text(encoding="utf-8")
        assert chunk.name in importer, f"nothing imports {chunk.name}"


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


# --- pre-compressed files: Accept-Encoding ------------------------------------------------------
# (the brotli files are opaque bytes here: written by the build, compared as they are on the wire)


def wire(client: TestClient, path: str, **headers: str) -> tuple[Any, bytes]:
    """The response and its body as sent (not decoded)."""
    with client.stream("GET", path, headers=headers) as r:
        return r, b"".join(r.iter_raw())


@pytest.fixture
def compressed(tmp_path):
    body = b"(()=>{console.log('the loader')})();\n" * 20
    (tmp_path / "widget.js").write_bytes(body)
    (tmp_path / "widget.js.gz").write_bytes(gzip.compress(body, 9))
    (tmp_path / "widget.js.br").write_bytes(b"not really brotli, but what the build wrote")
    (tmp_path / "panel.ABCD1234.js").write_bytes(b"export const p=1;\n")
    (tmp_path / "panel.ABCD1234.js.gz").write_bytes(gzip.compress(b"export const p=1;\n"))
    yield tmp_path, body
    load_asset.cache_clear()


@pytest.mark.parametrize(("accept", "expected"), [
    ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("gzip;q=0.5, br;q=0.4", "gzip"),
    ("*", "br"), ("br;q=0, *;q=0.1", "gzip"), ("br;q=0, gzip;q=0", None), ("identity", None), ("", None),
    ("deflate", None), ("BR", "br"), ("br;q=nonsense, gzip", "gzip"),
])
def test_the_encoding_follows_accept_encoding(compressed, accept, expected):
    directory, body = compressed
    r, sent = wire(client_for(directory), "/widget.js", **{"Accept-Encoding": accept})
    assert r.status_code == 200
    assert r.headers.get("content-encoding") == expected
    assert r.headers["vary"] == "Accept-Encoding"
    files = {"br": "widget.js.br", "gzip": "widget.js.gz", None: "widget.js"}
    assert sent == (directory / files[expected]).read_bytes()
    assert int(r.headers["content-length"]) == len(sent)


def test_each_encoding_has_its_own_etag(compressed):
    directory, _ = compressed
    client = client_for(directory)
    tags = {enc: client.get("/widget.js", headers={"Accept-Encoding": enc}).headers["etag"]
            for enc in ("br", "gzip", "identity")}
    assert len(set(tags.values())) == 3
    assert all(re.fullmatch(r'"[0-9a-f]{32}"', t) for t in tags.values())  # the pattern docs/openapi.json gives
    for enc, tag in tags.items():
        again = client.get("/widget.js", headers={"Accept-Encoding": enc, "If-None-Match": tag})
        assert again.status_code == 304 and again.headers["etag"] == tag
        assert again.headers.get("content-encoding") == (None if enc == "identity" else enc)
        other = next(t for e, t in tags.items() if e != enc)
        assert client.get("/widget.js", headers={"Accept-Encoding": enc, "If-None-Match": other}).status_code == 200


def test_a_chunk_without_a_brotli_copy_is_sent_gzipped(compressed):
    directory, _ = compressed
    client = client_for(directory)
    r = client.get("/widget/panel.ABCD1234.js", headers={"Accept-Encoding": "br, gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.content == b"export const p=1;\n"
    assert r.headers["cache-control"] == IMMUTABLE and r.headers["vary"] == "Accept-Encoding"
    for name in ("panel.ABCD1234.js.gz", "widget.js.br"):  # the compressed files have no URL of their own
        assert client.get(f"/widget/{name}").status_code == 404


def test_every_committed_file_is_served_compressed():
    client = client_for()
    for path in WIDGET_DIR.glob("*.js"):
        url = "/widget.js" if path.name == "widget.js" else f"/widget/{path.name}"
        assert gzip.decompress((WIDGET_DIR / (path.name + ".gz")).read_bytes()) == path.read_bytes(), path.name
        for enc, suffix in (("br", ".br"), ("gzip", ".gz")):
            r, sent = wire(client, url, **{"Accept-Encoding": enc})
            assert r.headers["content-encoding"] == enc and sent == (WIDGET_DIR / (path.name + suffix)).read_bytes()
