"""Real ``stjarna serve`` processes on embedded defaults (each with its own embedded PostgreSQL,
migrations, seed), a headless Chromium, and a host site on another origin that embeds the widget.

- ``live_server``: the product as ``scripts/serve`` runs it; ``live`` also gives its data directory,
  so ``import_restaurant`` can add a restaurant with ``stjarna menu import`` (a second process
  attached to the same embedded database).
- ``chat_off_server``: the same with ``USE_SERVER_CHAT=false`` and ``ORDERING_ENABLED=false``.
- ``host_site``: pages registered by the tests, served from ``http://127.0.0.1:<port>``; the same
  server answers as ``http://localhost:<port>``, an origin no restaurant allows.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import server_data_dir
from tests.support.serve_process import stjarna_serve
from tests.support.servers import BackgroundServer, closed_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"  # build/ is gitignored: the artefacts of the browser tests
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDGET_RESTAURANT = "widget-e2e"


@dataclass
class Live:
    url: str
    env: dict[str, str]
    root: Path


def _serve(prefix: str, **extra: str) -> Iterator[Live]:
    root = server_data_dir(prefix)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "MENU_", "USE_", "ORDER", "CHAT_",
                                "AI_", "OPENAI_"))}
    env.update(STJARNA_DATA_DIR=str(root / "data"), **extra)
    try:
        with stjarna_serve(closed_port(), env, root / "serve.log") as base:
            yield Live(base, env, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def live() -> Iterator[Live]:
    yield from _serve("stjarna-test-serve-")


@pytest.fixture(scope="package")
def live_server(live: Live) -> str:
    return live.url


@pytest.fixture(scope="package")
def chat_off_server() -> Iterator[Live]:
    yield from _serve("stjarna-test-chatoff-", USE_SERVER_CHAT="false", ORDERING_ENABLED="false")


def stjarna(server: Live, *argv: str) -> str:
    """Run the ``stjarna`` CLI against a running server's embedded database (a second process
    attached to it, as an operator would)."""
    done = subprocess.run([str(Path(sys.executable).parent / "stjarna"), *argv], env=server.env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def import_restaurant(server: Live, document: dict[str, Any]) -> None:
    """``stjarna menu import`` into a running server's embedded database."""
    path = server.root / f"{document['restaurant']['slug']}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    stjarna(server, "menu", "import", str(path))


def restaurant(slug: str, origins: list[str], **changes: Any) -> dict[str, Any]:
    """The demo restaurant's menu file under another slug, allowing ``origins``."""
    document = copy.deepcopy(json.loads((ROOT / "infra" / "seed" / "demo.json").read_text(encoding="utf-8")))
    document["restaurant"].update(slug=slug, name=f"Widget test kitchen ({slug})", allowedOrigins=origins, **changes)
    return document


@dataclass
class HostSite:
    """Host pages for the widget: ``page(path, body, csp=None)`` registers one; ``url(path)`` on the
    allowed origin, ``foreign_url(path)`` on one no restaurant allows."""

    server: BackgroundServer
    port: int
    pages: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page(self, path: str, body: str, csp: str | None = None) -> str:
        self.pages[path] = (body, csp)
        return self.url(path)

    def url(self, path: str) -> str:
        return self.origin + path

    def foreign_url(self, path: str) -> str:
        return f"http://localhost:{self.port}{path}"


HOST_CSS = """* { color: #f0f !important; font-size: 40px !important; line-height: 3 !important; }
div, button, section { display: none !important; }
stjarna-widget { display: none !important; position: static !important; }"""


@pytest.fixture(scope="package")
def host_site() -> Iterator[HostSite]:
    pages: dict[str, tuple[str, str | None]] = {}

    async def page(request: Request) -> Response:
        found = pages.get(request.url.path)
        if found is None:
            return Response("not found", status_code=404)
        body, csp = found
        return Response(body, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": csp} if csp else {})

    async def css(request: Request) -> Response:
        return Response(HOST_CSS, media_type="text/css")

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    app = Starlette(routes=[Route("/host.css", css), Route("/favicon.ico", favicon), Route("/{path:path}", page)])
    port = closed_port()
    server = BackgroundServer(app, port=port)
    server.start()
    try:
        yield HostSite(server, port, pages)
    finally:
        server.stop()


@pytest.fixture(scope="package")
def widget_restaurant(live: Live, host_site: HostSite) -> str:
    """A restaurant on the live server that allows the host site's origin (and nothing else)."""
    import_restaurant(live, restaurant(WIDGET_RESTAURANT, [host_site.origin]))
    return WIDGET_RESTAURANT


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.fail(f"Chromium not found at {executable}: run scripts/test (it installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="package")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
