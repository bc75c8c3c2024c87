"""The widget's files and the development site (a demo host page that embeds the widget the way a
restaurant's website does).

- ``GET /widget.js``: the bundle, short cache (a deploy reaches every site within minutes), ETag.
  ``X-Widget-Immutable-Path`` names the same bytes at their content-hashed URL.
- ``GET /widget/widget.<hash>.js`` (the first 16 hex of the bundle's SHA-256) and
  ``GET /widget/<name>.<hash>.js`` (a chunk the bundle imports, named by esbuild's content hash):
  ``Cache-Control: public, max-age=31536000, immutable``. Any other name, a hash of another build
  included, is 404: a URL that names content never serves different content.

Every widget file is served to any origin (CORS ``*``, ``Cross-Origin-Resource-Policy:
cross-origin``): the bundle runs on restaurants' sites and imports its chunks as ES modules, which
browsers fetch in CORS mode.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
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


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    etag: str
    digest: str  # hex SHA-256 of the body

    @property
    def hashed_name(self) -> str:
        return f"widget.{self.digest[:16]}.js"


@functools.cache
def load_asset(path: Path) -> Asset:
    """A widget file, read and hashed once per process (the files change only with a deploy)."""
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    return Asset(body, strong_etag(body, 32), digest)


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
    headers = {"ETag": asset.etag, "Cache-Control": cache_control, **_SHARED_HEADERS, **(extra or {})}
    if etag_matches(request, asset.etag):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, headers=headers, media_type="text/javascript; charset=utf-8")


def widget_routes(directory: Path = WIDGET_DIR) -> list[ApiRoute]:
    async def widget(request: Request) -> Response:
        asset = bundle(directory)
        return _serve(request, asset, SHORT_CACHE, {"X-Widget-Immutable-Path": f"/widget/{asset.hashed_name}"})

    async def immutable(request: Request) -> Response:
        return _serve(request, immutable_asset(request.path_params["name"], directory), IMMUTABLE)

    served = ("ETag", "Cache-Control", "Access-Control-Allow-Origin")
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
