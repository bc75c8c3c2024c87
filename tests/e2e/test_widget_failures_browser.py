"""Honest failure states in a real headless Chromium (issue #18, defects 4 and 5): an API that is
down, one answering 500/503/429, one refusing the page's origin (with and without CORS headers) and
an unknown restaurant each get their own console message; the transient ones show the diner what is
happening, retry by themselves and recover without a reload; a site that is not allowed, or an
unknown restaurant, shows the public nothing (no launcher, not even for a moment), and the owner's
``?stjarna-debug`` panel says what was sent, what the API answered and the fix, under a strict CSP
and from the keyboard.

widget.js and its chunks come from a static "CDN" server (``WIDGET_DIST``, default widget/dist: point
it at an older build to see these tests fail on it); the API is a front server on its own port that
forwards to a real ``stjarna serve`` or answers as the test says (or is not listening at all)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from tests.e2e.conftest import ROOT, HostSite
from tests.e2e.test_widget_browser import open_page, wait_ready
from tests.support.servers import BackgroundServer, closed_port

pytestmark = pytest.mark.browser

DIST = Path(os.environ.get("WIDGET_DIST") or ROOT / "widget" / "dist")
# what a host page can see of a launcher that was ever there, however briefly
SEEN = """window.seen = [];
new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
  if (n.nodeName === 'STJARNA-WIDGET') window.seen.push(n.nodeName);
}))).observe(document, { childList: true, subtree: true });"""
ERRORS = {500: ("INTERNAL_ERROR", "Something went wrong."), 503: ("STORE_UNAVAILABLE", "The database is unavailable."),
          429: ("RATE_LIMITED", "Too many requests.")}


@dataclass
class Front:
    """The API as the widget meets it: ``mode`` "proxy" forwards to the real server as it answers,
    "cors" forwards and adds CORS headers to every answer (an API that sends them on its errors),
    500/503/429 answer that error (with CORS headers) to the public routes."""

    upstream: str
    port: int = field(default_factory=closed_port)
    mode: str | int = "proxy"
    server: BackgroundServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        async def forward(request: Request) -> Response:
            origin = request.headers.get("origin")
            cors = {"Access-Control-Allow-Origin": origin} if origin else {}
            if isinstance(self.mode, int) and request.url.path.startswith("/api/"):
                code, message = ERRORS[self.mode]
                extra = {"Retry-After": "1"} if self.mode == 429 else {}
                return JSONResponse({"error": {"code": code, "message": message}}, self.mode, {**cors, **extra})
            headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "accept-encoding")}
            async with httpx.AsyncClient() as client:
                answer = await client.request(request.method, self.upstream + request.url.path, headers=headers,
                                              params=request.query_params, content=await request.body())
            kept = {k: v for k, v in answer.headers.items()
                    if k.lower() not in ("content-length", "content-encoding", "transfer-encoding", "connection")}
            if self.mode == "cors" and origin and "access-control-allow-origin" not in answer.headers:
                kept["Access-Control-Allow-Origin"] = origin
            return Response(answer.content, answer.status_code, kept)

        methods = ["GET", "HEAD", "OPTIONS", "POST"]
        self.server = BackgroundServer(Starlette(routes=[Route("/{path:path}", forward, methods=methods)]), self.port)
        self.server.start()

    def stop(self) -> None:
        if self.server:
            self.server.stop()
            self.server = None


@pytest.fixture(scope="module")
def cdn() -> Iterator[str]:
    """widget.js and its chunks from DIST, as a CDN would serve them (no API behind it)."""
    cors = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}

    async def loader(request: Request) -> Response:
        return FileResponse(DIST / "widget.js", media_type="text/javascript", headers=cors)

    async def chunk(request: Request) -> Response:
        path = DIST / request.path_params["name"]
        if "/" in request.path_params["name"] or not path.is_file():
            return Response("not found", 404)
        return FileResponse(path, media_type="text/javascript", headers=cors)

    server = BackgroundServer(Starlette(routes=[Route("/widget.js", loader), Route("/widget/{name}", chunk)]))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def front(live_server: str) -> Iterator[Front]:
    api = Front(live_server)
    try:
        yield api
    finally:
        api.stop()


def page_for(host_site: HostSite, path: str, cdn: str, api: str, rid: str, *, foreign: bool = False,
             csp: str | None = None, query: str = "") -> str:
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A restaurant</title></head>'
            f'<body><h1>A restaurant\'s own website</h1><p><a href="/elsewhere">Our story</a></p>'
            f'<script src="{cdn}/widget.js" data-restaurant-id="{rid}" data-endpoint="{api}" async></script>'
            "</body></html>")
    host_site.page(path, body, csp)
    return (host_site.foreign_url(path) if foreign else host_site.url(path)) + query


def visit(browser: Any, url: str) -> tuple[Any, list[str]]:
    page, errors = open_page(browser, "about:blank")
    page.add_init_script(SEEN)
    page.goto(url)
    return page, errors


def ours(errors: list[str]) -> list[str]:
    return [e for e in errors if e.startswith("[stjarna]")]


def wait_for_message(page: Any, errors: list[str], timeout_ms: int = 15000) -> str:
    for _ in range(timeout_ms // 100):
        if ours(errors):
            return ours(errors)[0]
        page.wait_for_timeout(100)
    raise AssertionError(f"no [stjarna] message on the console: {errors}")


def nothing_shown(page: Any) -> None:
    """No launcher now, none ever added, nothing of the widget's in the page."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert page.locator("stjarna-widget").count() == 0
    assert page.evaluate("window.seen") == []
    assert page.locator("stjarna-debug").count() == 0
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_an_api_that_is_down_says_so_and_recovers_when_it_is_back(browser, cdn, front, host_site, widget_restaurant):
    """Defect 4: not "isn't available on this site" and a dead end, but "can't be reached", retries
    with backoff, and the menu appears by itself once the API answers, without a reload."""
    page, errors = visit(browser, page_for(host_site, "/down", cdn, front.url, widget_restaurant))
    page.locator("stjarna-widget[data-state=error]").wait_for(timeout=15000)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("alert").inner_text() == "The menu can't be reached right now."
    assert page.get_by_text("Trying again automatically…").is_visible()
    message = wait_for_message(page, errors)
    assert f"could not reach the API at {front.url}" in message and "retrying in" in message, message

    # "Try again" while still down: the focus stays on the button, the text stays honest
    again = page.get_by_role("button", name="Try again")
    again.focus()
    again.press("Enter")
    page.locator("stjarna-widget[data-state=error]").wait_for(timeout=15000)
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.textContent") == "Try again"
    assert page.get_by_role("alert").inner_text() == "The menu can't be reached right now."

    front.start()
    page.locator("stjarna-widget[data-state=ready]").wait_for(timeout=45000)  # the next retry: at most ~40 s on
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("heading", name="Roasted tomato soup").is_visible()
    assert len(ours(errors)) == 1, errors  # one message per kind of failure, not one per retry
    page.close()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_api_error_is_not_a_configuration_error_and_is_retried(browser, cdn, front, host_site, widget_restaurant,
                                                                  status):
    front.mode = status
    front.start()
    page, errors = visit(browser, page_for(host_site, f"/error-{status}", cdn, front.url, widget_restaurant))
    page.locator("stjarna-widget[data-state=error]").wait_for(timeout=15000)
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("alert").inner_text() == "The restaurant's ordering system has a problem right now."
    message = wait_for_message(page, errors)
    code = ERRORS[status][0]
    assert f"HTTP {status} {code}" in message and "retrying in" in message and "allowedOrigins" not in message, message
    front.mode = "proxy"
    page.locator("stjarna-widget[data-state=ready]").wait_for(timeout=30000)
    assert page.get_by_role("heading", name="Roasted tomato soup").is_visible()
    page.close()


@pytest.mark.parametrize("cors", [False, True], ids=["no-cors-headers", "cors-headers"])
def test_a_site_that_is_not_allowed_shows_the_public_nothing(browser, cdn, front, host_site, widget_restaurant, cors):
    """Defect 5: no launcher (not even one drawn and then taken away), the precise reason on the console."""
    front.mode = "cors" if cors else "proxy"
    front.start()
    page, errors = visit(browser, page_for(host_site, f"/not-allowed-{cors}", cdn, front.url, widget_restaurant,
                                           foreign=True))
    message = wait_for_message(page, errors)
    nothing_shown(page)
    origin = f"http://localhost:{host_site.port}"
    if cors:
        reason = f"this page's origin ({origin}) is not on the allowedOrigins of restaurant \"{widget_restaurant}\""
        assert reason in message, message
        assert (f"stjarna tenant create --slug {widget_restaurant} --update --origin <each origin to keep> "
                f"--origin {origin}") in message, message
    else:  # the browser hides the answer: both causes, and the command that tells which
        assert f"refused this page's origin ({origin})" in message and "ORIGIN_NOT_ALLOWED" in message, message
        assert f"stjarna tenant check {widget_restaurant} --origin {origin}" in message, message
    page.close()


@pytest.mark.parametrize("cors", [False, True], ids=["no-cors-headers", "cors-headers"])
def test_an_unknown_restaurant_shows_the_public_nothing(browser, cdn, front, host_site, cors):
    front.mode = "cors" if cors else "proxy"
    front.start()
    page, errors = visit(browser, page_for(host_site, f"/unknown-{cors}", cdn, front.url, "no-such-kitchen"))
    message = wait_for_message(page, errors)
    nothing_shown(page)
    if cors:
        assert f"there is no live restaurant \"no-such-kitchen\" at {front.url}" in message, message
        assert "HTTP 404 RESTAURANT_NOT_FOUND" in message and "data-restaurant-id" in message, message
    else:
        assert "RESTAURANT_NOT_FOUND" in message and "stjarna tenant check no-such-kitchen" in message, message
    page.close()


def strict(cdn: str, api: str) -> str:
    return (f"default-src 'none'; script-src {cdn}; connect-src {api}; style-src 'none'; img-src 'none'; "
            "font-src 'none'; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'")


@pytest.mark.parametrize("flag", ["?stjarna-debug", "#stjarna-debug"])
def test_the_owner_sees_a_diagnostic_panel_with_stjarna_debug(browser, cdn, front, host_site, widget_restaurant, flag):
    """What was sent, what the API answered, the fix; under the strict CSP; Tab reaches it, Escape closes."""
    front.mode = "cors"
    front.start()
    url = page_for(host_site, "/debug", cdn, front.url, widget_restaurant, foreign=True, csp=strict(cdn, front.url),
                   query=flag)
    page, errors = visit(browser, url)
    panel = page.get_by_role("region", name="Stjarna widget: not shown on this page")
    panel.wait_for(timeout=15000)
    origin = f"http://localhost:{host_site.port}"
    text = panel.inner_text()
    for shown in (widget_restaurant, front.url, f"GET {front.url}/api/public/config?restaurantId={widget_restaurant}",
                  origin, "403", "ORIGIN_NOT_ALLOWED", "readable",
                  f"stjarna tenant create --slug {widget_restaurant} --update --origin <each origin to keep> "
                  f"--origin {origin}"):
        assert shown in text, (shown, text)
    assert "panel." in text  # the widget's version: its content-hashed panel chunk
    assert page.locator("stjarna-widget").count() == 0 and page.evaluate("window.seen") == []
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    # keyboard: from the page's own link, Tab reaches the panel's buttons; Escape (or Close) closes it
    page.get_by_role("link", name="Our story").focus()
    names = []
    for _ in range(2):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.shadowRoot?.activeElement?.textContent ?? null"))
    assert names == ["Copy the command", "Close"], names
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # copy: the clipboard may be refused headless; either way it says what happened
    panel.get_by_role("status").filter(has_text=re.compile(r"^(Copied\.|Select the command and copy it\.)$")).wait_for()
    page.keyboard.press("Escape")
    assert page.locator("stjarna-debug").count() == 0
    page.close()


def test_without_the_flag_there_is_no_panel_and_a_working_widget_has_none(browser, cdn, front, host_site,
                                                                         widget_restaurant):
    front.mode = "cors"
    front.start()
    page, errors = visit(browser, page_for(host_site, "/no-flag", cdn, front.url, widget_restaurant, foreign=True))
    wait_for_message(page, errors)
    nothing_shown(page)
    page.close()
    page, errors = visit(browser, page_for(host_site, "/fine", cdn, front.url, widget_restaurant,
                                           query="?stjarna-debug"))
    wait_ready(page)
    assert page.locator("stjarna-debug").count() == 0 and not ours(errors), errors
    page.close()
