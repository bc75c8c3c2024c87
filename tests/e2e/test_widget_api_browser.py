"""The loader split in a real headless Chromium: what is fetched before anyone touches the widget,
the page's JavaScript API (window.Stjarna and the host element's stjarna:* events) under a strict
CSP, several widgets on one page, the widget's language, and the chunks coming from widget.js's own
place rather than from data-endpoint (issue #18, defect 10)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import HostSite, Live, import_restaurant, restaurant
from tests.e2e.test_widget_browser import ORDER_CODE, ask, host_page, open_page, strict_csp, wait_ready

pytestmark = pytest.mark.browser

SECOND = "widget-e2e-second"
# the host page's own script: listeners only (the CSP allows no inline script and no onclick)
HOST_JS = """
window.hostLog = [];
const log = (what) => window.hostLog.push(what);
function hook() {
  Stjarna.on("open", (d) => log("open:" + d.restaurant));
  Stjarna.on("order", (d) => log("order:" + [d.restaurant, d.code, d.totalCents, d.currency].join(":")));
  window.offClose = Stjarna.on("close", (d) => log("close:" + d.restaurant));
  if (document.body.dataset.early) Stjarna.openTab(document.body.dataset.early);
}
window.Stjarna ? hook() : document.addEventListener("stjarna:ready", hook, { once: true });
document.addEventListener("stjarna:order", (e) => log("dom-order:" + e.detail.code));
document.getElementById("open").addEventListener("click", () => Stjarna.open());
document.getElementById("second").addEventListener("click", () => Stjarna.get("SECOND").openTab("cart"));
""".replace("SECOND", SECOND)


@pytest.fixture(scope="module")
def second_restaurant(live: Live, host_site: HostSite) -> str:
    import_restaurant(live, restaurant(SECOND, [host_site.origin]))
    return SECOND


def api_page(api: str, rid: str, *, extra: str = "", early: str = "") -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API</title></head>'
            f'<body{f" data-early={early}" if early else ""}><button id="open">Order online</button>'
            '<button id="second">Second cart</button>'
            f'<script src="{api}/widget.js" data-restaurant-id="{rid}" data-endpoint="{api}"></script>{extra}'
            '<script src="/host.js" defer></script></body></html>')


def with_host_js(page: Any, host_site: HostSite) -> None:
    page.route(f"{host_site.origin}/host.js",
               lambda route: route.fulfill(body=HOST_JS, content_type="text/javascript"))


def fetched(page: Any) -> list[str]:
    return page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")


def test_only_the_loader_before_the_page_is_idle_then_the_panel(browser, live_server, host_site, widget_restaurant):
    """The loader fetches the config and draws a clickable launcher in the restaurant's colour; nothing
    else of the widget is fetched until the page has loaded and the browser is idle (or the diner clicks)."""
    page = browser.new_page()
    page.add_init_script("window.requestIdleCallback = () => 0;")  # never idle: only a click loads the panel
    page.goto(host_site.page("/lazy", host_page(live_server, widget_restaurant)))
    fab = page.get_by_role("button", name="Menu")
    fab.wait_for()
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert [u for u in fetched(page) if live_server in u] == [
        f"{live_server}/widget.js", f"{live_server}/api/public/config?restaurantId={widget_restaurant}"]
    assert page.locator("stjarna-widget").get_attribute("data-state") == "idle"
    colours = fab.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")
    assert colours == ["rgb(31, 111, 92)", "rgb(255, 255, 255)"]  # the config's themeColor from the first paint
    fab.click()
    wait_ready(page)
    ours = [u.removeprefix(live_server) for u in fetched(page) if live_server in u]
    assert any(re.fullmatch(r"/widget/panel\.[A-Z0-9]{8}\.js", u) for u in ours), ours
    assert not any("/widget/sv." in u or "/widget/local." in u for u in ours), ours  # English is in the panel
    assert page.get_by_role("dialog").is_visible()
    page.close()


def test_the_page_api_under_a_strict_csp(browser, live: Live, host_site, widget_restaurant):
    api = live.url
    page, errors = open_page(browser, "about:blank")
    with_host_js(page, host_site)
    csp = strict_csp(api).replace(f"script-src {api}", f"script-src {api} {host_site.origin}")
    page.goto(host_site.page("/page-api", api_page(api, widget_restaurant), csp))
    page.wait_for_function("() => window.hostLog !== undefined && window.Stjarna !== undefined")
    assert sorted(page.evaluate("Object.keys(Stjarna)")) == ["close", "get", "on", "open", "openTab"]

    page.locator("#open").click()  # the host page's own button, no onclick attribute
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert page.get_by_role("tab", name="Menu").get_attribute("aria-selected") == "true"
    page.evaluate("Stjarna.close()")
    dialog.wait_for(state="hidden")
    page.evaluate("window.offClose()")  # unsubscribed: the next close is not logged
    page.evaluate("Stjarna.openTab('assistant')")
    dialog.wait_for()
    assert page.get_by_role("tab", name="Assistant").get_attribute("aria-selected") == "true"
    page.evaluate("Stjarna.close()")
    page.evaluate(f"Stjarna.get('{widget_restaurant.upper()}').openTab('menu')")  # names are case-insensitive
    dialog.wait_for()
    assert page.evaluate("window.hostLog") == [f"open:{widget_restaurant}", f"close:{widget_restaurant}",
                                               f"open:{widget_restaurant}", f"open:{widget_restaurant}"]
    page.evaluate("Stjarna.openTab('nonsense')")
    assert any("openTab(tab): tab is one of menu, assistant, cart" in e for e in errors)

    # an order tells the page: Stjarna.on and the host element's CustomEvent
    page.get_by_role("button", name=re.compile(r"^Add Roasted tomato soup")).click()
    page.get_by_role("tab", name="Cart (1)").click()
    page.locator("stjarna-widget p.t", has_text=re.compile(r"^Total")).wait_for(timeout=10000)
    page.get_by_role("textbox", name="Name for pickup").fill("Alex")
    page.get_by_role("button", name="Place pickup order").click()
    page.locator("stjarna-widget .code").wait_for(timeout=10000)
    code = page.locator("stjarna-widget .code").inner_text()
    assert ORDER_CODE.match(code)
    log = page.evaluate("window.hostLog")
    order = next(e for e in log if e.startswith("order:")).split(":")
    assert order[1:3] == [widget_restaurant, code] and int(order[3]) > 0 and re.fullmatch(r"[A-Z]{3}", order[4])
    assert f"dom-order:{code}" in log
    page.close()


def test_calls_before_the_panel_loaded_are_queued(browser, live_server, host_site, widget_restaurant):
    page, errors = open_page(browser, "about:blank")
    page.add_init_script("window.requestIdleCallback = () => 0;")  # the call itself must load the panel
    with_host_js(page, host_site)
    page.goto(host_site.page("/early", api_page(live_server, widget_restaurant, early="cart")))
    page.get_by_role("dialog").wait_for(timeout=15000)
    assert page.get_by_role("tab", name=re.compile(r"^Cart")).get_attribute("aria-selected") == "true"
    assert page.evaluate("window.hostLog") == [f"open:{widget_restaurant}"]
    assert errors == []
    page.close()


def test_several_widgets_on_one_page(browser, live_server, host_site, widget_restaurant, second_restaurant):
    second = (f'<script src="{live_server}/widget.js" data-restaurant-id="{second_restaurant}" '
              f'data-endpoint="{live_server}" data-position="left"></script>')
    page, errors = open_page(browser, "about:blank")
    with_host_js(page, host_site)
    page.goto(host_site.page("/two", api_page(live_server, widget_restaurant, extra=second)))
    page.wait_for_function("() => window.hostLog !== undefined"
                           " && document.querySelectorAll('stjarna-widget').length == 2")
    first_host = page.locator(f"stjarna-widget[data-restaurant={widget_restaurant}]")
    second_host = page.locator(f"stjarna-widget[data-restaurant={second_restaurant}]")
    page.locator("#second").click()  # Stjarna.get(second).openTab('cart')
    second_host.get_by_role("dialog").wait_for()
    assert not first_host.get_by_role("dialog").is_visible()
    page.evaluate("Stjarna.open()")  # the first <script> tag's widget
    first_host.get_by_role("dialog").wait_for()
    assert page.evaluate("window.hostLog") == [f"open:{second_restaurant}", f"open:{widget_restaurant}"]
    assert page.evaluate("Stjarna.get('nobody')") is None
    assert errors == []
    page.close()


@pytest.mark.parametrize(("html_lang", "attrs", "browser_locale", "tabs"), [
    ("sv", "", "en-US", ["Meny", "Assistent", "Varukorg"]),  # the page's language
    ("sv-SE", 'data-locale="en"', "sv-SE", ["Menu", "Assistant", "Cart"]),  # data-locale first
    ("", "", "sv-SE", ["Meny", "Assistent", "Varukorg"]),  # the browser's
    ("pt-BR", "", "sv-SE", ["Menu", "Assistant", "Cart"]),  # a language the widget does not speak: English
])
def test_the_language(browser, live_server, host_site, widget_restaurant, html_lang, attrs, browser_locale, tabs):
    body = host_page(live_server, widget_restaurant, attrs).replace('<html lang="en">', f'<html lang="{html_lang}">')
    page, errors = open_page(browser, host_site.page(f"/lang-{html_lang}-{len(attrs)}", body), locale=browser_locale)
    wait_ready(page)
    page.locator("stjarna-widget .fab").click()
    assert [t.strip() for t in page.get_by_role("tab").all_inner_texts()] == tabs
    prices = page.locator("stjarna-widget .p").all_inner_texts()
    assert prices and prices[0].replace("\xa0", " ").endswith("kr")  # the restaurant's formatting, in every language
    assert errors == []
    page.close()


def test_the_chunks_come_from_the_widgets_own_place_not_the_api(browser, live_server, host_site, widget_restaurant):
    """Defect 10: with the API unreachable for everything but the menu, the offline assistant still
    loads: its chunk comes from where widget.js came from (here 127.0.0.1), not from data-endpoint
    (here the same server as localhost, whose /widget/ files are refused)."""
    api = live_server.replace("127.0.0.1", "localhost")
    page, errors = open_page(browser, "about:blank")
    page.route(f"{api}/widget/**", lambda route: route.abort("connectionrefused"))
    page.route("**/api/chat*", lambda route: route.abort("connectionrefused"))
    body = host_page(api, widget_restaurant).replace(f'src="{api}/widget.js"', f'src="{live_server}/widget.js"')
    page.goto(host_site.page("/chunks-elsewhere", body))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Assistant").click()
    ask(page, "gluten free")
    page.locator("stjarna-widget .msg.bot", has_text="Answered on this device").wait_for(timeout=10000)
    assert page.locator("stjarna-widget .card h4").all_inner_texts()
    assert not [u for u in fetched(page) if u.startswith(f"{api}/widget")]
    page.close()
