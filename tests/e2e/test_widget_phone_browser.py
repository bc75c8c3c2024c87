"""The widget on a phone (issue 18, defect 3), in a real headless Chromium emulating one (390x844,
device scale 3, touch): on a host page wider than the screen (/demo, whose <pre> makes the layout
viewport ~986 px, and a page with a 1400 px wide element) the open panel covers the screen, not the
wider layout viewport: the close button, the tabs, prices and Add are on screen; the host page does
not scroll under it, and gets its scroll position back exactly when it closes; the safe-area insets
of a notched phone (viewport-fit=cover) are kept clear; data-open opens into the same usable panel.

``STJARNA_WIDGET_DIST=<a widget/dist>`` serves another build (test_widget_a11y_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_widget_a11y_browser import PHONE, close, new_page, serve_other_widget
from tests.e2e.test_widget_browser import wait_ready

pytestmark = pytest.mark.browser

WIDE = '<div style="width:1400px;height:40px;background:#ddd">A 1400 px wide banner</div>'
TALL = "".join(f"<p>Paragraph {n} of the restaurant's story.</p>" for n in range(80))
NOTCH = {"top": 47, "bottom": 34, "left": 0, "right": 0}


def wide_page(api: str, rid: str, attrs: str = "", cover: bool = False) -> str:
    fit = ", viewport-fit=cover" if cover else ""
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1{fit}"><title>A restaurant</title>'
            f"</head><body><h1>A restaurant's own website</h1>{WIDE}{TALL}"
            f'<script src="{api}/widget.js" data-restaurant-id="{rid}" data-endpoint="{api}" {attrs} async></script>'
            "</body></html>")


# Where the diner's screen is (the visual viewport, in the layout viewport's CSS px) and where each
# control is, and whether a tap at its centre reaches it.
ON_SCREEN = """() => {
    const vv = visualViewport, root = document.querySelector('stjarna-widget').shadowRoot;
    const screen = {left: vv.offsetLeft, top: vv.offsetTop,
                    right: vv.offsetLeft + vv.width, bottom: vv.offsetTop + vv.height};
    const view = root.querySelector('.v').getBoundingClientRect();
    const shown = (s) => [...root.querySelectorAll(s)].find((el) => {  // the first in the view's scrolled window
        const r = el.getBoundingClientRect();
        return r.top >= view.top && r.bottom <= view.bottom;
    });
    const controls = {close: root.querySelector('[data-k=close]'), tabs: root.querySelector('[role=tablist]'),
                      price: shown('.v .p'), add: shown('.v .add'),
                      title: root.querySelector('h2'), panel: root.querySelector('[role=dialog]')};
    const out = {screen, scale: vv.scale, layoutWidth: document.documentElement.scrollWidth, controls: {}};
    for (const [name, el] of Object.entries(controls)) {
        if (!el) continue;
        const r = el.getBoundingClientRect();
        const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        out.controls[name] = {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                              inside: r.left >= screen.left - 0.5 && r.right <= screen.right + 0.5
                                      && r.top >= screen.top - 0.5 && r.bottom <= screen.bottom + 0.5,
                              reached: !!hit && (hit === el || el.contains(hit))};
    }
    return out;
}"""


def assert_on_screen(page: Any, insets: dict[str, int] | None = None) -> dict[str, Any]:
    seen = page.evaluate(ON_SCREEN)
    for name, box in seen["controls"].items():
        assert box["inside"], (name, seen)
        if name != "panel":
            assert box["reached"], (name, seen)
    panel, screen = seen["controls"]["panel"], seen["screen"]
    # the panel is the screen: it covers it, at the screen's scale (its text neither shrunk nor zoomed)
    for side in ("left", "top", "right", "bottom"):
        assert abs(panel[side] - screen[side]) < 1, (side, seen)
    if insets:
        assert seen["controls"]["close"]["top"] >= screen["top"] + insets["top"], seen
        assert seen["controls"]["title"]["top"] >= screen["top"] + insets["top"], seen
    return seen


def test_the_demo_opens_on_a_phone_into_a_panel_that_fits_the_screen(browser, live_server):
    page, errors = new_page(browser, f"{live_server}/demo", **PHONE)
    wait_ready(page)
    dialog = page.get_by_role("dialog")
    assert dialog.is_visible()  # data-open="true"
    page.locator("stjarna-widget .v .add").first.wait_for()
    seen = assert_on_screen(page)
    assert seen["layoutWidth"] > 600, seen  # the page is wider than the screen (its <pre>)
    # every tab is reachable on screen, and ordering works there
    page.locator("stjarna-widget .v .add").first.click()
    page.get_by_role("tab", name="Cart (1)").click()
    page.locator("stjarna-widget .v .c .p").first.wait_for()
    assert_on_screen(page)
    page.get_by_role("button", name="Close").click()
    assert dialog.is_hidden()
    assert errors == []
    close(page)


POSITION = ("[scrollX, scrollY, visualViewport.pageLeft, visualViewport.pageTop,"
            " document.documentElement.getAttribute('style')]")


def swipe(page: Any, cdp: Any, y: float, distance: int = -400) -> None:
    """A finger's upward swipe from (100, y) (scrolling down), as touch events."""
    def touch(kind: str, *at: float) -> None:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": 100, "y": a} for a in at]})

    touch("touchStart", y)
    for step in range(1, 11):
        touch("touchMove", y + distance * step / 10)
    page.wait_for_timeout(200)  # the finger rests before it lifts: no fling
    touch("touchMove", y + distance)
    touch("touchEnd")
    # the compositor applies the scroll after the events: wait until it has
    page.wait_for_function("""() => new Promise((done) => {
        const at = () => [scrollX, scrollY, visualViewport.pageLeft, visualViewport.pageTop].join();
        const first = at();
        setTimeout(() => done(at() === first), 250);
    })""", polling=100)


def tap(page: Any, selector: str) -> None:
    """A finger's tap where the diner sees the element (on a zoomable page, the layout viewport's
    coordinates are not the screen's)."""
    x, y = page.locator(selector).evaluate("""el => { const r = el.getBoundingClientRect();
        const vv = visualViewport;
        return [r.left + r.width / 2 - vv.offsetLeft, r.top + r.height / 2 - vv.offsetTop]; }""")
    page.wait_for_timeout(600)  # a tap while a swipe's fling runs only stops the fling (as on a real phone)
    page.touchscreen.tap(x, y)


@pytest.mark.parametrize("wide", [False, True], ids=["tall-page", "wide-page"])
def test_the_page_is_locked_under_the_panel_and_restored_after(browser, live_server, host_site, widget_restaurant,
                                                              wide):
    html = wide_page(live_server, widget_restaurant)
    url = host_site.page(f"/phone-{wide}", html if wide else html.replace(WIDE, ""))
    page, errors = new_page(browser, url, **PHONE)
    wait_ready(page)
    cdp = page.context.new_cdp_session(page)
    swipe(page, cdp, 700, -600)  # the diner has scrolled down the page (on the wide page: the screen over it)
    before = page.evaluate(POSITION)
    assert max(before[1], before[3]) > 300, before
    tap(page, "stjarna-widget >> .fab")  # the launcher is in the screen's corner, where the diner can reach it
    page.locator("stjarna-widget .v .add").first.wait_for()
    assert_on_screen(page)
    assert page.evaluate(POSITION)[:4] == before[:4]  # opening it (and focusing its tab) did not move the page
    # the page does not move under the open panel: swipes on its header and on its list leave it where it was
    header = page.locator("stjarna-widget h2").bounding_box()
    assert header is not None
    for y in (header["y"] + 5, 700):
        swipe(page, cdp, y, 300 - y)
        assert page.evaluate(POSITION)[:4] == before[:4], y
        assert_on_screen(page)
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") == "hidden"
    assert page.locator("stjarna-widget .v").evaluate("el => el.scrollTop") > 0  # the menu itself scrolled
    tap(page, "stjarna-widget >> [data-k=close]")
    # closed: the page's own styles and its scroll position, exactly; and it scrolls again
    assert page.evaluate(POSITION) == before
    swipe(page, cdp, 300, 300)  # (back up: the first swipe may have flung it to the end)
    assert page.evaluate(POSITION)[:4] != before[:4]
    cdp.detach()
    assert errors == []
    close(page)


def test_data_open_on_a_notched_phone_keeps_the_safe_area_clear(browser, live_server, host_site, widget_restaurant):
    url = host_site.page("/phone-notch", wide_page(live_server, widget_restaurant, 'data-open="true"', cover=True))
    context = browser.new_context(bypass_csp=True, **PHONE)
    serve_other_widget(context)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setSafeAreaInsetsOverride", {"insets": NOTCH})
    page.goto(url)
    wait_ready(page)
    assert page.get_by_role("dialog").is_visible()
    page.locator("stjarna-widget .v .add").first.wait_for()
    assert_on_screen(page, NOTCH)
    # the last control (the Send button of the assistant's form) stays above the home indicator
    page.get_by_role("tab", name="Assistant").click()
    send = page.get_by_role("button", name="Send").bounding_box()
    height = page.evaluate("visualViewport.height")
    assert send is not None and send["y"] + send["height"] <= height - NOTCH["bottom"], (send, height)
    cdp.detach()
    page.close()
    context.close()
