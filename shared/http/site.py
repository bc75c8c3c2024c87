"""The widget's files and the development site (a demo host page that embeds the widget the way a
restaurant's website does).

- ``GET /widget.js``: the bundle, short cache (a deploy reaches every site within minutes), ETag.
  ``X-Widget-Immutable-Path`` names the same bytes at their content-hashed URL.
- ``GET /widget/widget.<hash>.js`` (the first 16 hex of the bundle's SHA-256) and
  ``GET /widget/<name>.<hash>.js`` (a chunk the loader imports: the panel, a language, the local
  responder; named by esbuild's content hash): ``Cache-Control: public, max-age=31536000,
  immutable``. Any other name, a hash of another build included, is 404: a URL that names content
  never serves different content.

The build writes each file's gzip and brotli beside it (``<file>.gz``, ``<file>.br``): the answer is
the one ``Accept-Encoding`` prefers (br, then gzip, then identity; ``q=0`` refuses one), with
``Content-Encoding``, ``Vary: Accept-Encoding`` and an ETag per encoding (of the bytes sent), so a
cache never answers one encoding's If-None-Match with another's bytes.

Every widget file is served to any origin (CORS ``*``, ``Cross-Origin-Resource-Policy:
cross-origin``): the bundle runs on restaurants' sites and imports its chunks as ES modules, which
browsers fetch in CORS mode.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from shared import caching
from shared.caching import IMMUTABLE, SHORT_CACHE, strong_etag
from shared.errors import NotFound
from shared.http.operations import ALWAYS, IF_NONE_MATCH, JS, REQUEST_ID, ApiRoute, Reply, param, readable
from shared.http.responses import etag_matches
from shared.paths import REPO_ROOT
from shared.tenants.refs import SLUG_RE

WIDGET_DIR = REPO_ROOT / "widget" / "dist"
WIDGET_BUNDLE = WIDGET_DIR / "widget.js"
DEMO_PAGE = REPO_ROOT / "widget" / "demo.html"
_CHUNK_RE = re.compile(r"^[a-z]+\.[A-Za-z0-9]{8,64}\.js$")
_SHARED_HEADERS = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin",
                   "X-Content-Type-Options": "nosniff"}


ENCODINGS = (("br", ".br"), ("gzip", ".gz"))  # the order of preference: br is the smaller


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    etag: str
    digest: str  # hex SHA-256 of the body
    encoded: dict[str, tuple[bytes, str]]  # the pre-compressed bodies the build wrote and their ETags, by encoding

    @property
    def hashed_name(self) -> str:
        return f"widget.{self.digest[:16]}.js"

    def variant(self, encoding: str) -> tuple[bytes, str]:
        """The body and ETag in ``encoding`` ("identity" or one of ``encoded``)."""
        return self.encoded.get(encoding, (self.body, self.etag))


@functools.cache
def load_asset(path: Path) -> Asset:
    """A widget file with its pre-compressed copies, read and hashed once per process (the files
    change only with a deploy)."""
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    encoded: dict[str, tuple[bytes, str]] = {}
    for encoding, suffix in ENCODINGS:
        sibling = path.with_name(path.name + suffix)
        if sibling.is_file():
            packed = sibling.read_bytes()
            encoded[encoding] = (packed, strong_etag(packed, 32))
    return Asset(body, strong_etag(body, 32), digest, encoded)


def _quality(value: str) -> float:
    """The q of an Accept-Encoding element's parameters; a malformed q is 0 (RFC 9110 12.4.2)."""
    for parameter in value.split(";")[1:]:
        name, _, q = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(q.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept_encoding: str, available: Iterable[str]) -> str:
    """The Content-Encoding to send: the first of ``available`` (in ENCODINGS order) that the header
    accepts with q > 0, by name or by ``*``; else "identity"."""
    qualities: dict[str, float] = {}
    for element in accept_encoding.split(","):
        name = element.split(";", 1)[0].strip().lower()
        if name:
            qualities[name] = _quality(element)
    offered = [e for e, _ in ENCODINGS if e in set(available)]
    best = max(offered, key=lambda e: qualities.get(e, qualities.get("*", 0.0)), default="identity")
    return best if qualities.get(best, qualities.get("*", 0.0)) > 0 else "identity"


def bundle(directory: Path = WIDGET_DIR) -> Asset:
    try:
        return load_asset(directory / "widget.js")
    except FileNotFoundError:
        raise NotFound("The widget bundle is not built.") from None


def immutable_asset(name: str, directory: Path = WIDGET_DIR) -> Asset:
    """The file a content-hashed name stands for; NotFound for any other name."""
    if name.startswith("widget."):
        main = bundle(directory)
        if name == main.hashed_name:
            return main
    elif _CHUNK_RE.fullmatch(name):
        try:
            return load_asset(directory / name)
        except FileNotFoundError:
            pass
    raise NotFound("No widget file by that name.")


def _serve(request: Request, asset: Asset, cache_control: str, extra: dict[str, str] | None = None) -> Response:
    encoding = negotiate(request.headers.get("accept-encoding", ""), asset.encoded)
    body, etag = asset.variant(encoding)
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding", **_SHARED_HEADERS,
               **(extra or {})}
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers, media_type="text/javascript; charset=utf-8")


def widget_routes(directory: Path = WIDGET_DIR) -> list[ApiRoute]:
    async def widget(request: Request) -> Response:
        asset = bundle(directory)
        return _serve(request, asset, SHORT_CACHE, {"X-Widget-Immutable-Path": f"/widget/{asset.hashed_name}"})

    async def immutable(request: Request) -> Response:
        return _serve(request, immutable_asset(request.path_params["name"], directory), IMMUTABLE)

    served = ("ETag", "Cache-Control", "Vary", "Content-Encoding?", "Access-Control-Allow-Origin")
    name = param("name", "path", {"type": "string"}, "widget.<16 hex>.js, or a chunk the bundle imports")
    return [
        ApiRoute("/widget.js", widget, methods=["GET", "HEAD"], operations=readable(
            "/widget.js", "Widget", "The widget bundle (short cache)", "widget", (IF_NONE_MATCH, REQUEST_ID), (
                Reply(200, None, (*served, "X-Widget-Immutable-Path"), media=JS, raw={"type": "string"}),
                Reply(304, None, (*served, "X-Widget-Immutable-Path"), "Not modified", media="")),
            (*ALWAYS, 404))),
        ApiRoute("/widget/{name}", immutable, methods=["GET", "HEAD"], operations=readable(
            "/widget/{name}", "WidgetFile", "A content-hashed widget file (immutable)", "widget",
            (name, IF_NONE_MATCH, REQUEST_ID), (
                Reply(200, None, served, media=JS, raw={"type": "string"}),
                Reply(304, None, served, "Not modified", media="")), (*ALWAYS, 404))),
    ]


def site_routes() -> list[Route]:
    async def demo(request: Request) -> Response:
        restaurant = request.query_params.get("restaurant", "demo")
        if not SLUG_RE.fullmatch(restaurant):
            restaurant = "demo"
        endpoint = str(request.base_url).rstrip("/")
        page = DEMO_PAGE.read_text(encoding="utf-8")
        page = page.replace("{{endpoint}}", html.escape(endpoint)).replace("{{restaurant}}", restaurant)
        csp = ("default-src 'self'; script-src 'self'; style-src 'self'; "
               f"connect-src 'self' {endpoint}; img-src 'self' data:")
        return Response(page, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": csp, "Cache-Control": caching.NO_STORE})

    async def root(request: Request) -> Response:
        return RedirectResponse("/demo", status_code=302)

    return [Route("/demo", demo, methods=["GET"]), Route("/", root, methods=["GET"])]
