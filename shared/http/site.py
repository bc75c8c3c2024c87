"""The widget bundle (``GET /widget.js``) and the development site: a demo host page that embeds
the widget the way a restaurant's website does."""

from __future__ import annotations

import functools
import hashlib
import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from shared.errors import NotFound
from shared.http.responses import etag_matches
from shared.paths import REPO_ROOT
from shared.tenants.refs import SLUG_RE

WIDGET_BUNDLE = REPO_ROOT / "widget" / "dist" / "widget.js"
DEMO_PAGE = REPO_ROOT / "widget" / "demo.html"


@functools.cache
def _bundle(path: Path = WIDGET_BUNDLE) -> tuple[bytes, str]:
    body = path.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def widget_routes() -> list[Route]:
    async def widget(request: Request) -> Response:
        try:
            body, etag = _bundle()
        except FileNotFoundError:
            raise NotFound("The widget bundle is not built.") from None
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300, s-maxage=300",
                   "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
        if etag_matches(request, etag):
            return Response(status_code=304, headers=headers)
        return Response(body, headers=headers, media_type="text/javascript; charset=utf-8")

    return [Route("/widget.js", widget, methods=["GET", "HEAD"])]


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
                        headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})

    async def root(request: Request) -> Response:
        return RedirectResponse("/demo", status_code=302)

    return [Route("/demo", demo, methods=["GET"]), Route("/", root, methods=["GET"])]
