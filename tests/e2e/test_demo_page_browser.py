"""The demo host page in a real headless Chromium: the widget loads the menu under a strict CSP."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.fail(f"Chromium not found at {executable}: run scripts/test (it installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def test_widget_renders_the_demo_menu(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 1024, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/demo")
    host = page.locator("[data-stjarna]")
    host.and_(page.locator("[data-state=ready]")).wait_for(timeout=15000)
    panel = page.locator("[data-stjarna] .panel")
    assert "Stjärna Demo Kitchen" in panel.inner_text()
    assert "Roasted tomato soup" in panel.inner_text()
    assert "allergens: ask staff" in panel.inner_text()  # the undeclared daily special
    assert "Semla" not in panel.inner_text()  # inactive section
    page.screenshot(path=str(tmp_path / "demo.png"))
    # Isolation: nothing of the widget's CSS reaches the page; nothing stored before interaction.
    assert page.evaluate("document.styleSheets.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert errors == []
    page.close()


def test_missing_restaurant_attribute_reports_a_precise_console_error(browser, live_server):
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.set_content(f'<script src="{live_server}/widget.js" data-endpoint="{live_server}"></script>')
    page.wait_for_timeout(300)
    assert any("missing data-restaurant-id" in m for m in messages), messages
    page.close()
