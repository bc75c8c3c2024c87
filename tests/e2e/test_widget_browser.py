"""The widget on a restaurant's site, in a real headless Chromium against real ``stjarna serve``
processes: the host page comes from another origin (the host site), as on a restaurant's website.
Screenshots of the open widget go to build/screenshots/."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import WIDGET_RESTAURANT, HostSite, Live, import_restaurant, restaurant, stjarna

pytestmark = pytest.mark.browser

VEGAN = {"Roasted tomato soup", "Hummus with crudités", "Green curry with tofu", "Raspberry sorbet",
         "Lingonberry soda", "Oat latte"}
NUTS = {"Burrata and peaches", "Green curry with tofu", "Cardamom bun"}
ORDER_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{6}$")


def host_page(api: str, rid: str, attrs: str = "", head: str = "") -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A restaurant</title>{head}</head>'
            f'<body><h1>A restaurant\'s own website</h1><p><a href="/elsewhere">Our story</a></p>'
            f'<script src="{api}/widget.js" data-restaurant-id="{rid}" data-endpoint="{api}" {attrs} async>'
            "</script></body></html>")


def strict_csp(api: str) -> str:
    """No inline scripts or styles, no eval, nothing but the API: what a careful restaurant site sends."""
    return (f"default-src 'none'; script-src {api}; connect-src {api}; style-src 'none'; img-src 'none'; "
            "font-src 'none'; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'")


def open_page(browser, url: str, **context: Any) -> tuple[Any, list[str]]:
    page = browser.new_page(**{"viewport": {"width": 1100, "height": 860}, **context})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})" if m.text.startswith("Failed")
                                               else m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def wait_ready(page) -> None:
    page.locator("stjarna-widget[data-state=ready]").wait_for(timeout=15000)


def focused(page) -> str | None:
    """The data-k of the element focused inside the widget (None when focus is elsewhere)."""
    return page.evaluate("""() => {
        const host = document.activeElement;
        if (!host || host.tagName !== 'STJARNA-WIDGET') return null;
        const el = host.shadowRoot.activeElement;
        return el ? (el.dataset.k || el.tagName) : null;
    }""")


def dish_names(page) -> set[str]:
    return set(page.locator("stjarna-widget .v h4").all_inner_texts())


def stored(page) -> dict[str, Any]:
    return page.evaluate("""() => ({cookie: document.cookie, session: sessionStorage.length,
        local: Object.fromEntries(Object.keys(localStorage).map((k) => [k, JSON.parse(localStorage[k])]))})""")


def ask(page, message: str) -> None:
    box = page.get_by_role("textbox", name="Ask about the menu")
    box.fill(message)
    box.press("Enter")


@pytest.mark.parametrize("csp", [False, True], ids=["plain-page", "strict-csp"])
def test_keyboard_menu_assistant_cart_and_pickup_order(browser, live: Live, host_site: HostSite, widget_restaurant,
                                                       screenshots, csp):
    api = live.url
    url = host_site.page(f"/order-{csp}", host_page(api, widget_restaurant), strict_csp(api) if csp else None)
    page, errors = open_page(browser, url)
    wait_ready(page)
    assert stored(page) == {"cookie": "", "session": 0, "local": {}}  # nothing before the diner opens it

    # open with the keyboard: the page's link, then the widget's button
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == "fab"
    page.keyboard.press("Enter")
    assert page.get_by_role("dialog").is_visible()
    assert focused(page) == "tab-menu"

    # filter vegan with the keyboard
    page.keyboard.press("Tab")
    assert focused(page) == "f-vegan"
    page.keyboard.press("Space")
    assert page.get_by_role("button", name="Vegan", exact=True).get_attribute("aria-pressed") == "true"
    assert dish_names(page) == VEGAN
    assert focused(page) == "f-vegan"  # focus survives the re-render
    page.screenshot(path=str(screenshots / f"menu-vegan{'-csp' if csp else ''}.png"))

    # the assistant: arrow keys move between tabs
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "tab-menu"
    page.keyboard.press("ArrowRight")
    assert focused(page) == "tab-assistant"
    page.keyboard.press("Tab")
    assert focused(page) == "ask"
    page.keyboard.type("Anything vegan?")
    page.keyboard.press("Enter")
    cards = page.locator("stjarna-widget .card")
    cards.nth(1).wait_for(timeout=10000)
    suggested = set(page.locator("stjarna-widget .card h4").all_inner_texts())
    assert 2 <= len(suggested) <= 4 and suggested <= VEGAN
    page.screenshot(path=str(screenshots / f"assistant{'-csp' if csp else ''}.png"))

    # one tap adds a suggestion to the cart
    first = page.locator("stjarna-widget .card h4").first.inner_text()
    cards.first.get_by_role("button", name=f"Add {first} to cart").click()
    assert page.get_by_role("tab", name="Cart (1)").is_visible()

    # the cart: the server's total, then a pickup order and its code
    page.get_by_role("tab", name="Cart (1)").click()
    page.locator("stjarna-widget p.t", has_text=re.compile(r"^Total")).wait_for(timeout=10000)
    page.get_by_role("textbox", name=f"Note for the kitchen: {first}").fill("No cutlery, thanks")
    page.get_by_role("textbox", name="Name for pickup").fill("Alex")
    page.screenshot(path=str(screenshots / f"cart{'-csp' if csp else ''}.png"))
    page.get_by_role("button", name="Place pickup order").click()
    code_el = page.locator("stjarna-widget .code")
    code_el.wait_for(timeout=10000)
    code = code_el.inner_text()
    assert ORDER_CODE.match(code), code
    page.locator("stjarna-widget p.t", has_text="Received").wait_for(timeout=10000)
    page.screenshot(path=str(screenshots / f"order-placed{'-csp' if csp else ''}.png"))

    # only a session token and the cart (with its checkout state) are kept, in localStorage
    saved = stored(page)
    assert saved["cookie"] == "" and saved["session"] == 0
    assert list(saved["local"]) == [f"stjarna:{widget_restaurant}"]
    state = saved["local"][f"stjarna:{widget_restaurant}"]
    assert set(state) == {"token", "cart", "order", "attempt", "at"}
    assert state["cart"] == [] and state["order"] == code and state["attempt"] is None
    # the order is on the server, for this session only, with the note
    status = httpx.get(f"{api}/api/orders/{code}", params={"restaurantId": widget_restaurant},
                       headers={"X-Session-Token": state["token"]})
    assert status.status_code == 200, status.text
    assert status.json()["items"][0]["name"] == first
    assert status.json()["items"][0]["note"] == "No cutlery, thanks"

    # focus stays in the open panel; Escape closes it and gives focus back to the button
    for _ in range(25):
        page.keyboard.press("Tab")
        assert focused(page) not in (None, "fab")
    page.keyboard.press("Escape")
    assert page.get_by_role("dialog").is_hidden()
    assert focused(page) == "fab"

    # the kitchen accepts it; back on the site, the diner sees the new status (GET /api/orders/{code})
    stjarna(live, "orders", "set-status", code, "accepted", "--restaurant", widget_restaurant)
    page.reload()
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Cart").click()
    assert page.locator("stjarna-widget .code").inner_text() == code
    page.locator("stjarna-widget p.t", has_text="Accepted").wait_for(timeout=10000)
    assert errors == []
    page.close()


def test_the_widget_leaks_no_globals_and_no_styles(browser, live_server, host_site, widget_restaurant):
    bare, _ = open_page(browser, host_site.page("/bare", "<!doctype html><title>bare</title><p>bare</p>"))
    before = set(bare.evaluate("Object.getOwnPropertyNames(window)"))
    bare.close()
    page, errors = open_page(browser, host_site.page("/globals", host_page(live_server, widget_restaurant)))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Assistant").click()
    ask(page, "no nuts")
    page.locator("stjarna-widget .card").first.wait_for()
    assert set(page.evaluate("Object.getOwnPropertyNames(window)")) - before == {"Stjarna"}  # the JS API, only
    assert page.evaluate("document.styleSheets.length") == 0
    assert page.evaluate("document.querySelectorAll('style, link').length") == 0
    assert errors == []
    page.close()


def test_host_css_cannot_hide_or_restyle_the_widget(browser, live_server, host_site, widget_restaurant, screenshots):
    head = '<link rel="stylesheet" href="/host.css">'
    page, _ = open_page(browser, host_site.page("/hostile-css", host_page(live_server, widget_restaurant, head=head)))
    wait_ready(page)
    fab = page.get_by_role("button", name="Menu")
    assert fab.is_visible()
    fab.click()
    heading = page.locator("stjarna-widget h2")
    assert heading.is_visible()
    style = heading.evaluate("el => [getComputedStyle(el).fontSize, getComputedStyle(el).color]")
    assert style == ["17px", "rgb(255, 255, 255)"]
    box = page.locator("stjarna-widget").bounding_box()
    assert box is not None and box["x"] > 500  # still fixed at the bottom right
    page.screenshot(path=str(screenshots / "hostile-css.png"))
    page.close()


def test_a_site_that_is_not_allowed_shows_nothing_and_says_why(browser, live_server, host_site, widget_restaurant):
    """No launcher for the public, the reason on the console (more: test_widget_failures_browser.py)."""
    url = host_site.foreign_url("/not-allowed")
    host_site.page("/not-allowed", host_page(live_server, widget_restaurant))
    page, errors = open_page(browser, url)
    page.wait_for_function("() => document.readyState === 'complete'")
    for _ in range(150):
        if any(e.startswith("[stjarna]") for e in errors):
            break
        page.wait_for_timeout(100)
    ours = [e for e in errors if e.startswith("[stjarna]")]
    assert len(ours) == 1, errors
    assert f"http://localhost:{host_site.port}" in ours[0] and "allowedOrigins" in ours[0]
    assert page.locator("stjarna-widget").count() == 0
    assert stored(page)["local"] == {}
    page.close()


def test_server_chat_off_answers_locally_from_the_menu(browser, chat_off_server: Live, host_site, screenshots):
    """USE_SERVER_CHAT=false (and ORDERING_ENABLED=false) on the server: local answers, no ordering."""
    import_restaurant(chat_off_server, restaurant(WIDGET_RESTAURANT, [host_site.origin]))
    api = chat_off_server.url
    features = httpx.get(f"{api}/api/public/config", params={"restaurantId": WIDGET_RESTAURANT}).json()["features"]
    assert features == {"serverChat": False, "ordering": False}
    url = host_site.page("/chat-off", host_page(api, WIDGET_RESTAURANT), strict_csp(api))
    page, errors = open_page(browser, url)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Assistant").click()
    ask(page, "nut-free please")
    page.locator("stjarna-widget .msg.bot", has_text="Answered on this device").wait_for(timeout=10000)
    suggested = set(page.locator("stjarna-widget .card h4").all_inner_texts())
    assert len(suggested) >= 2 and not suggested & NUTS and "Chef's daily special" not in suggested
    reply = page.locator("stjarna-widget .msg.bot").last.inner_text()
    assert "staff" in reply  # the allergen caution, as the server's fallback says it
    ask(page, "and vegan?")  # a follow-up refines: still nut-free
    page.locator("stjarna-widget .msg.bot").nth(2).wait_for()
    last = set(page.locator("stjarna-widget .msg.bot").last.locator("h4").all_inner_texts())
    assert last and last <= VEGAN - NUTS
    assert not [u for u in requests if "/api/chat" in u]
    assert [u for u in requests if re.search(r"/widget/local\.\w+\.js$", u)]
    assert page.get_by_role("button", name=re.compile("^Add ")).count() == 0  # ordering is off
    page.screenshot(path=str(screenshots / "assistant-local.png"))
    page.get_by_role("tab", name="Cart").click()
    assert page.get_by_role("status").filter(has_text="Online ordering").inner_text() == (
        "Online ordering isn't available right now.")
    assert errors == []
    page.close()


def test_a_503_from_the_chat_api_switches_to_local_answers(browser, chat_off_server: Live, host_site):
    """The config said server chat is on (a cached config, say), the API says SERVER_CHAT_DISABLED."""
    import_restaurant(chat_off_server, restaurant(WIDGET_RESTAURANT, [host_site.origin]))
    api = chat_off_server.url
    page, _ = open_page(browser, "about:blank")

    def stale_config(route):
        response = route.fetch()
        body = response.json()
        body["features"]["serverChat"] = True
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/api/public/config*", stale_config)
    chats: list[int] = []
    page.on("response", lambda r: chats.append(r.status) if "/api/chat" in r.url and r.request.method == "POST"
            else None)
    page.goto(host_site.page("/chat-503", host_page(api, WIDGET_RESTAURANT)))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Assistant").click()
    ask(page, "something vegan")
    page.locator("stjarna-widget .msg.bot", has_text="Answered on this device").wait_for(timeout=10000)
    assert set(page.locator("stjarna-widget .card h4").all_inner_texts()) <= VEGAN
    ask(page, "a dessert")  # the rest of the visit stays local: no second 503
    page.locator("stjarna-widget .msg.bot").nth(2).wait_for()
    assert chats == [503]
    page.close()


def test_an_unreachable_chat_api_answers_locally(browser, live_server, host_site, widget_restaurant):
    page, errors = open_page(browser, "about:blank")
    page.route("**/api/chat*", lambda route: route.abort("connectionrefused"))
    page.goto(host_site.page("/chat-down", host_page(live_server, widget_restaurant)))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Assistant").click()
    ask(page, "gluten free")
    note = page.locator("stjarna-widget .msg.note")
    note.wait_for(timeout=10000)
    assert "can't be reached" in note.inner_text()
    page.locator("stjarna-widget .msg.bot", has_text="Answered on this device").wait_for()
    names = set(page.locator("stjarna-widget .card h4").all_inner_texts())
    assert names and not names & {"Roasted tomato soup", "Oat latte", "Kladdkaka", "Chef's daily special"}
    page.close()


def test_too_many_messages_say_when_to_try_again(browser, live_server, host_site, widget_restaurant):
    page, _ = open_page(browser, host_site.page("/rate", host_page(live_server, widget_restaurant)))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("tab", name="Assistant").click()
    notes = page.locator("stjarna-widget .msg.note")
    for n in range(1, 30):
        ask(page, f"vegan {n}")
        page.locator("stjarna-widget .msg.me").nth(n - 1).wait_for()
        page.wait_for_function("() => !document.querySelector('stjarna-widget').shadowRoot"
                               ".querySelector('form button').disabled")
        if notes.count():
            break
    assert re.fullmatch(r"Too many requests\. Try again in \d+ s\.", notes.first.inner_text())
    assert n == 16  # CHAT_RATE_LIMIT: 15 per 30 seconds per session
    page.close()


def test_closed_restaurant_shows_the_next_opening_and_refuses_orders(browser, live, host_site, screenshots):
    # past the ordering horizon (ORDER_HORIZON_HOURS, 48): no pickup slot to order for
    # (tests/e2e/test_widget_pickup_browser.py has ordering for later, and the server's word beating the clock)
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    key = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]
    import_restaurant(live, restaurant("widget-closed", [host_site.origin], timezone="UTC",
                                       hours={key: [["10:00", "11:00"]]}))
    page, errors = open_page(browser, host_site.page("/closed", host_page(live.url, "widget-closed")))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    assert page.locator("stjarna-widget .st").inner_text() == f"Closed · opens {day.strftime('%A')} 10:00"
    # the server says so (the config's `open`): a banner, and nothing can be added to a cart
    banner = page.locator("stjarna-widget .bn")
    assert banner.inner_text() == ("The restaurant is closed, so orders can't be placed now. "
                                   f"It opens {day.strftime('%A')} 10:00.")
    page.wait_for_function("document.querySelector('stjarna-widget').shadowRoot.querySelector('.add').disabled")
    assert page.get_by_role("button", name="Add Raspberry sorbet to cart").is_disabled()
    page.get_by_role("tab", name="Cart").click()
    assert banner.is_visible()
    page.screenshot(path=str(screenshots / "cart-closed.png"))
    assert errors == []
    page.close()


def test_swedish_at_320_pixels_with_reduced_motion(browser, live_server, host_site, widget_restaurant, screenshots):
    url = host_site.page("/sv", host_page(live_server, widget_restaurant, 'data-locale="sv" data-open="true"'))
    page, errors = open_page(browser, url, viewport={"width": 320, "height": 640}, reduced_motion="reduce",
                             has_touch=True)
    wait_ready(page)
    assert [t.strip() for t in page.get_by_role("tab").all_inner_texts()] == ["Meny", "Assistent", "Varukorg"]
    panel = page.get_by_role("dialog")
    box = panel.bounding_box()
    assert box == {"x": 0, "y": 0, "width": 320, "height": 640}
    assert panel.evaluate("el => getComputedStyle(el).animationName") == "none"
    view = page.locator("stjarna-widget .v")
    assert view.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.get_by_role("button", name="Nötfri").tap()
    assert "Burrata and peaches" not in dish_names(page)
    assert page.get_by_text("Dolda av dina filter: 3.").is_visible()
    # the daily special declares no allergens: it does not pass an allergen filter, it asks for the staff
    special = page.locator("stjarna-widget li", has_text="Chef's daily special")
    assert "Allergener ej angivna: fråga personalen" in special.inner_text()
    page.screenshot(path=str(screenshots / "menu-sv-320.png"))
    page.get_by_role("tab", name="Assistent").tap()
    ask_box = page.get_by_role("textbox", name="Fråga om menyn")
    ask_box.fill("något veganskt utan gluten")
    ask_box.press("Enter")
    page.locator("stjarna-widget .card").first.wait_for(timeout=10000)
    answer = page.locator("stjarna-widget .msg.bot").last
    assert "Här är" in answer.inner_text()
    # what it understood, in Swedish, as removable chips: the allergen first
    assert [b.get_attribute("aria-label") for b in answer.locator(".u button").all()] == [
        "Sluta undvika Gluten", "Ta bort Vegansk"]
    assert view.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.screenshot(path=str(screenshots / "assistant-sv-320.png"))
    assert errors == []
    page.close()


@pytest.mark.parametrize(("attrs", "message"), [
    ('data-endpoint="{api}"', "missing data-restaurant-id on the <script> tag"),
    ('data-restaurant-id="demo" data-endpoint="api.example.com"',
     'data-endpoint must be an absolute URL such as "https://api.example.com"; got "api.example.com"'),
    ('data-restaurant-id="demo" data-endpoint="http://api.example.com"', "data-endpoint must use https"),
    ('data-restaurant-id="demo" data-restaurant="other" data-endpoint="{api}"', "disagree"),
])
def test_the_loader_names_what_is_wrong(browser, live_server, host_site, attrs, message):
    tag = f'<script src="{live_server}/widget.js" {attrs.format(api=live_server)}></script>'
    body = f"<!doctype html><title>x</title>{tag}"
    page, errors = open_page(browser, host_site.page(f"/loader-{abs(hash(attrs))}", body))
    page.wait_for_load_state("load")
    assert any(e.startswith("[stjarna]") and message in e for e in errors), errors
    assert page.locator("stjarna-widget").count() == 0
    page.close()


def test_the_restaurant_alias_and_options(browser, live_server, host_site, widget_restaurant):
    attrs = f'data-restaurant="{widget_restaurant}" data-position="left" data-theme-color="#ffd700"'
    body = host_page(live_server, "", attrs).replace('data-restaurant-id="" ', "")
    page, errors = open_page(browser, host_site.page("/alias", body))
    wait_ready(page)
    fab = page.get_by_role("button", name="Menu")
    box = fab.bounding_box()
    assert box is not None and box["x"] < 100  # on the left
    colours = fab.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")
    assert colours == ["rgb(255, 215, 0)", "rgb(0, 0, 0)"]  # dark text on a light theme colour
    assert errors == []
    page.close()


def test_the_immutable_url_loads_the_widget(browser, live_server, host_site, widget_restaurant):
    """Loaded from its content-hashed URL, without data-endpoint: the API is the script's own origin."""
    path = httpx.head(f"{live_server}/widget.js").headers["x-widget-immutable-path"]
    body = (f'<!doctype html><title>x</title><script src="{live_server}{path}" '
            f'data-restaurant-id="{widget_restaurant}" async></script>')
    page, errors = open_page(browser, host_site.page("/immutable", body, strict_csp(live_server)))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    assert "Roasted tomato soup" in dish_names(page)
    assert errors == []
    page.close()


def test_an_item_that_became_unavailable_is_marked_and_blocks_the_order(browser, live, host_site):
    slug = "widget-avail"
    import_restaurant(live, restaurant(slug, [host_site.origin]))
    page, errors = open_page(browser, host_site.page("/avail", host_page(live.url, slug)))
    wait_ready(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Add Raspberry sorbet to cart").click()
    page.get_by_role("button", name="Add Oat latte to cart").click()
    # meanwhile the kitchen runs out of sorbet
    document = restaurant(slug, [host_site.origin])
    for section in document["sections"]:
        for item in section["items"]:
            if item["name"] == "Raspberry sorbet":
                item["available"] = False
    import_restaurant(live, document)
    page.get_by_role("tab", name="Cart (2)").click()
    alert = page.get_by_role("alert")
    alert.wait_for(timeout=10000)
    assert alert.inner_text() == "No longer available: Raspberry sorbet. Remove to continue."
    assert page.get_by_role("button", name="Place pickup order").is_disabled()
    page.get_by_role("button", name="Remove Raspberry sorbet").click()
    page.locator("stjarna-widget p.t", has_text=re.compile(r"^Total")).wait_for(timeout=10000)
    assert page.get_by_role("button", name="Place pickup order").is_enabled()
    page.close()
