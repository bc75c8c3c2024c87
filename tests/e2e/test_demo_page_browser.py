"""The demo host page (``scripts/serve``'s /demo) in a real headless Chromium: the widget starts
open and shows the menu, under the page's strict CSP, storing nothing until the diner interacts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_widget_renders_the_demo_menu(browser, live_server, screenshots):
    page = browser.new_page(viewport={"width": 1024, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/demo")
    page.locator("stjarna-widget[data-state=ready]").wait_for(timeout=15000)
    panel = page.get_by_role("dialog", name="Stjärna Demo Kitchen")
    assert panel.is_visible()  # data-open="true"
    text = panel.inner_text()
    assert "Roasted tomato soup" in text and "89\xa0kr" in text  # Intl keeps the amount and "kr" together
    assert "Allergens not declared: ask staff" in text  # the undeclared daily special
    assert "Semla" not in text  # inactive section
    assert panel.get_by_text("Open now").is_visible()  # the demo restaurant is open around the clock
    page.screenshot(path=str(screenshots / "demo.png"))
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
    assert any(m.startswith("[stjarna] missing data-restaurant-id") for m in messages), messages
    page.close()
