"""The widget as diners meet it on their own devices (issue 18), in a real headless Chromium: its own
font whatever the browser's default font is, readable text on the restaurant's colour, and dishes
with the longest names still orderable at desktop and phone sizes."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.e2e.conftest import HostSite, Live, import_restaurant, restaurant
from tests.e2e.test_widget_browser import ask, host_page, open_page, wait_ready

pytestmark = pytest.mark.browser

DESKTOP, PHONE = {"width": 1100, "height": 860}, {"width": 375, "height": 667}
# a host page that tries to restyle the widget's text through its host element
HOSTILE = ('<link rel="stylesheet" href="/host.css"><style>stjarna-widget { font: italic 30px/3 serif !important; '
           "color: #f0f !important; letter-spacing: 4px !important; text-transform: uppercase !important }</style>")


def platform_fonts(page: Any, expression: str) -> list[str]:
    """The fonts Chromium really drew an element's text with (DevTools' "Rendered fonts")."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
        found = cdp.send("Runtime.evaluate", {"expression": expression})["result"]
        node = cdp.send("DOM.requestNode", {"objectId": found["objectId"]})["nodeId"]
        return [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]
    finally:
        cdp.detach()


def in_widget(selector: str) -> str:
    return f"document.querySelector('stjarna-widget').shadowRoot.querySelector({selector!r})"


@pytest.mark.parametrize("hostile", [False, True], ids=["plain-page", "hostile-css"])
def test_the_widget_text_is_in_its_own_font_not_the_browsers_default_serif(browser, live_server, host_site,
                                                                          widget_restaurant, hostile):
    page, errors = open_page(browser, host_site.page(f"/font-{hostile}", host_page(
        live_server, widget_restaurant, head=HOSTILE if hostile else "")))
    wait_ready(page)
    # the machine renders the browser's default font as diners' Windows and macOS browsers do: a Times
    # New Roman (Liberation Serif, metric-compatible), installed by scripts/browser-deps
    assert platform_fonts(page, "document.querySelector('h1')") == ["Liberation Serif"], (
        "the default serif font is missing: run scripts/browser-deps (it installs Debian's fonts-liberation)")
    page.get_by_role("button", name="Menu").click()
    page.locator("stjarna-widget .v h4").first.wait_for()
    styles = page.evaluate("""() => {
        const root = document.querySelector('stjarna-widget').shadowRoot;
        return Object.fromEntries(['.fab', '.v h4', '.v .d', '.st', '[role=tab]'].map((s) => {
            const c = getComputedStyle(root.querySelector(s));
            return [s, [c.fontFamily, c.fontSize, c.fontStyle, c.lineHeight, c.letterSpacing, c.textTransform]];
        }));
    }""")
    own = "system-ui, sans-serif"
    assert styles == {
        ".fab": [own, "15px", "normal", "21.75px", "normal", "none"],
        ".v h4": [own, "15px", "normal", "21.75px", "normal", "none"],
        ".v .d": [own, "13px", "normal", "18.85px", "normal", "none"],  # line-height 1.45, inherited as a factor
        ".st": [own, "13px", "normal", "18.85px", "normal", "none"],
        "[role=tab]": [own, "15px", "normal", "21.75px", "normal", "none"],
    }
    text = page.locator("stjarna-widget .v h4").first.evaluate("el => getComputedStyle(el).color")
    assert text == "rgb(27, 27, 27)"
    for selector in (".fab", ".v h4", ".v .d"):
        drawn = platform_fonts(page, in_widget(selector))
        assert drawn and not [f for f in drawn if "Serif" in f], (selector, drawn)
    assert errors == []
    page.close()


def luminance(css: str) -> float:
    """WCAG relative luminance of an ``rgb(r, g, b)`` computed colour."""
    channels = [int(v) / 255 for v in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(hex_colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)))


# light; mid-tone (luminance 0.197: the #111 text it had reached 4.45:1); the dark one a seeded restaurant has
@pytest.mark.parametrize("colour", ["#ffd700", "#2e8b57", "#3b2a6b"], ids=["light", "mid-tone", "dark"])
def test_the_diners_own_messages_are_readable_on_the_theme_colour(browser, live: Live, host_site: HostSite, colour):
    slug = f"widget-theme-{colour[1:]}"
    import_restaurant(live, restaurant(slug, [host_site.origin], themeColor=colour))
    page, _ = open_page(browser, host_site.page(f"/theme-{colour[1:]}", host_page(live.url, slug)))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Assistant").click()
    ask(page, "something vegan")
    mine = page.locator("stjarna-widget .msg.me").first
    mine.wait_for()
    # (text, what it sits on): the diner's message, the launcher, the header's title
    for text, under in ((mine, mine), (page.get_by_role("button", name="Menu"), None),
                        (page.locator("stjarna-widget h2"), page.locator("stjarna-widget .hd"))):
        colours = [text.evaluate("el => getComputedStyle(el).color"),
                   (under or text).evaluate("el => getComputedStyle(el).backgroundColor")]
        assert colours[1] == rgb(colour)  # the restaurant's colour (not the assistant's grey)
        assert contrast(*colours) >= 4.5, colours
    page.close()


LONG_WORDS = ("Slow-roasted heirloom tomato and smoked paprika soup with basil oil, garlic sourdough croutons"
              " and whipped goat's cheese")
LONG_WORD = ("Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen" * 3)[:120]
assert len(LONG_WORDS) == len(LONG_WORD) == 120  # the schema's maximum


@pytest.fixture(scope="module")
def long_names(live: Live, host_site: HostSite) -> str:
    slug = "widget-long-names"
    document = restaurant(slug, [host_site.origin])
    first = document["sections"][0]["items"]
    template = first[0]
    for key, name in (("long-words", LONG_WORDS), ("long-word", LONG_WORD)):
        first.insert(0, {**copy.deepcopy(template), "key": key, "name": name, "priceCents": 123400})
    import_restaurant(live, document)
    return slug


def reachable(page: Any, element: Any) -> None:
    """The element is inside the panel's box, with nothing over it, and the view cannot scroll sideways."""
    view = page.locator("stjarna-widget .v")
    assert view.evaluate("el => el.scrollWidth <= el.clientWidth"), "the view overflows sideways"
    element.scroll_into_view_if_needed()
    panel, box = page.get_by_role("dialog").bounding_box(), element.bounding_box()
    assert panel is not None and box is not None
    assert panel["x"] <= box["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"], (panel, box)
    assert panel["y"] <= box["y"] and box["y"] + box["height"] <= panel["y"] + panel["height"], (panel, box)
    hit = element.evaluate("""(el, [x, y]) => {
        const at = el.getRootNode().elementFromPoint(x, y);
        return at === el || el.contains(at);
    }""", [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert hit, "something covers it"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_dish_with_the_longest_name_can_be_ordered(browser, live_server, host_site, long_names, viewport,
                                                     screenshots):
    size = "phone" if viewport is PHONE else "desktop"
    page, errors = open_page(browser, host_site.page(f"/long-{size}", host_page(live_server, long_names)),
                             viewport=viewport, has_touch=viewport is PHONE)
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    for count, name in enumerate((LONG_WORDS, LONG_WORD), start=1):
        dish = page.locator("stjarna-widget li.i").filter(has=page.locator("h4", has_text=name))
        price, add = dish.locator(".p"), dish.get_by_role("button", name=f"Add {name} to cart")
        assert price.inner_text() == "1\u00a0234\u00a0kr"
        reachable(page, price)
        reachable(page, add)
        add.click()
        assert page.get_by_role("tab", name=f"Cart ({count})").is_visible()
    page.screenshot(path=str(screenshots / f"menu-long-names-{size}.png"))
    page.get_by_role("tab", name="Cart (2)").click()
    total = page.locator("stjarna-widget p.t", has_text=re.compile(r"^Total"))
    total.wait_for(timeout=10000)  # the server's quote: the view is drawn again with it
    for name in (LONG_WORDS, LONG_WORD):
        line = page.locator("stjarna-widget li.c").filter(has=page.locator("h3", has_text=name))
        more = line.get_by_role("button", name=f"One more {name}")
        reachable(page, line.locator(".p"))
        reachable(page, more)
        reachable(page, line.get_by_role("button", name=f"Remove {name}"))
        more.click()
        assert page.get_by_role("status", name=f"Quantity of {name}").inner_text() == "2"
    page.screenshot(path=str(screenshots / f"cart-long-names-{size}.png"))
    # the view may break a long word anywhere, but never a button's label ("Sen|d" beside the input)
    page.get_by_role("tab", name="Assistant").click()
    send = page.get_by_role("button", name="Send")
    send.wait_for()
    for button in (send, page.get_by_role("tab", name="Menu")):
        assert button.evaluate("""el => { const r = document.createRange(); r.selectNodeContents(el);
                                          return r.getClientRects().length; }""") == 1, button
    assert errors == []
    page.close()
