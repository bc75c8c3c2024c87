"""The staff console's files (docs/console.md): the page and its built script, served by the widget's
function (static bytes: no settings, no database).

- ``GET /console``: console/index.html with the script's URL filled in; a strict CSP (nothing inline,
  nothing from another origin, no framing) and ``no-store`` (the page names this deploy's script).
- ``GET /console/console.<hash>.js`` (the first 16 hex of console/dist/console.js's SHA-256; the script
  carries its stylesheet): ``Cache-Control: public, max-age=31536000, immutable``. Any other name, a hash
  of another build included, is 404. Same origin only: no CORS headers.

The console's API is ``/console/api/…`` (the admin function; docs/console.md, "Sessions").
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.caching import IMMUTABLE, strong_etag
from shared.errors import NotFound
from shared.http.operations import ALWAYS, IF_NONE_MATCH, JS, REQUEST_ID, ApiRoute, Reply, param, readable
from shared.http.responses import etag_matches
from shared.paths import REPO_ROOT

CONSOLE_ROOT = REPO_ROOT / "console"
HTML = "text/html; charset=utf-8"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": caching.NO_STORE, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin"}
FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cross-Origin-Resource-Policy": "same-origin"}
_NAME_RE = re.compile(r"^console\.[0-9a-f]{16}\.js$")


@dataclass(frozen=True, slots=True)
class Console:
    page: bytes
    script: bytes
    etag: str
    script_name: str  # console.<16 hex of the script's SHA-256>.js


@functools.cache
def load(root: Path = CONSOLE_ROOT) -> Console:
    """The page and the built script, read and hashed once per process (they change only with a deploy)."""
    try:
        script = (root / "dist" / "console.js").read_bytes()
    except FileNotFoundError:
        raise NotFound("The console is not built.") from None
    name = f"console.{hashlib.sha256(script).hexdigest()[:16]}.js"
    page = (root / "index.html").read_text(encoding="utf-8").replace("{{js}}", html.escape(f"/console/{name}"))
    return Console(page.encode("utf-8"), script, strong_etag(script, 32), name)


def console_routes(root: Path = CONSOLE_ROOT) -> list[ApiRoute]:
    async def page(request: Request) -> Response:
        return Response(load(root).page, media_type=HTML, headers=PAGE_HEADERS)

    async def file(request: Request) -> Response:
        console = load(root)
        if request.path_params["name"] != console.script_name:
            raise NotFound("No console file by that name.")
        headers = {"ETag": console.etag, "Cache-Control": IMMUTABLE, **FILE_HEADERS}
        if etag_matches(request, console.etag):
            return Response(status_code=304, headers=headers)
        return Response(console.script, headers=headers, media_type=JS)

    text = {"type": "string"}
    name = param("name", "path", {"type": "string", "pattern": _NAME_RE.pattern},
                 "console.<16 hex>.js, as the page names it")
    return [
        ApiRoute("/console", page, methods=["GET", "HEAD"], operations=readable(
            "/console", "Console", "The staff console's page (strict CSP, no-store)", "widget", (REQUEST_ID,),
            (Reply(200, None, ("Cache-Control", "Content-Security-Policy"), media=HTML, raw=text),), (*ALWAYS, 404))),
        ApiRoute("/console/{name}", file, methods=["GET", "HEAD"], operations=readable(
            "/console/{name}", "ConsoleFile", "A content-hashed console file (immutable)", "widget",
            (name, IF_NONE_MATCH, REQUEST_ID), (
                Reply(200, None, ("ETag", "Cache-Control"), media=JS, raw=text),
                Reply(304, None, ("ETag", "Cache-Control"), "Not modified", media="")), (*ALWAYS, 404))),
    ]
