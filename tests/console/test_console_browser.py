"""The staff console in a real headless Chromium against a real ``stjarna serve`` (embedded defaults):
staff keys made with the CLI, diners' orders placed through the public API, the board on a tablet
(1024x768) and a phone (390x844). Screenshots go to build/screenshots/ (docs/console-board.png is one
of them, copied once)."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ROOT, Live, stjarna

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
_diners = itertools.count(1)


@pytest.fixture(scope="module")
def owner_key(live: Live) -> str:
    return staff_key(live, "owner", "owner-console-tests")  # at most two active owner keys per restaurant


# -- helpers -----------------------------------------------------------------------------------------------
def staff_key(server: Live, role: str, name: str | None = None) -> str:
    """``stjarna keys create --restaurant demo --role ROLE`` (a second process on the server's database)."""
    named = ("--name", name) if name else ()
    out = stjarna(server, "keys", "create", *named, "--restaurant", "demo", "--role", role, "--json")
    return str(json.loads(out)["key"])


def menu_items(server: Live) -> list[dict[str, Any]]:
    menu = httpx.get(f"{server.url}/api/public/menu", params={"restaurantId": "demo"}).json()
    return [item for section in menu["sections"] for item in section["items"]]


def place(server: Live, name: str, *, note: str | None = None, phone: str | None = None,
          item: int = 0) -> dict[str, Any]:
    """A diner's order through the public API (what the widget sends), with their session token."""
    token = f"console-diner-{next(_diners):04d}-{uuid.uuid4().hex[:8]}"
    line: dict[str, Any] = {"itemId": menu_items(server)[item]["id"], "quantity": 2}
    if note:
        line["note"] = note
    body: dict[str, Any] = {"restaurantId": "demo", "sessionToken": token, "items": [line], "pickupName": name}
    if phone:
        body["pickupPhone"] = phone
    r = httpx.post(f"{server.url}/api/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    return {**r.json(), "sessionToken": token}


def diner_view(order: dict[str, Any]) -> dict[str, Any]:
    r = httpx.get(order["statusUrl"], headers={"X-Session-Token": order["sessionToken"]})
    assert r.status_code == 200, r.text
    return dict(r.json())


def open_console(browser: Any, server: Live, viewport: dict[str, int], **context: Any) -> tuple[Any, list[str]]:
    """A page on /console, collecting CSP violations and script errors."""
    page = browser.new_page(viewport=viewport, **context)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and (
        "Content Security Policy" in m.text or "Refused" in m.text) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server.url}/console")
    return page, problems


def sign_in(page: Any, key: str) -> None:
    from playwright.sync_api import expect

    field = page.get_by_label("Staff key")
    field.fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#col-placed")).to_be_visible()


def card(page: Any, status: str, order: dict[str, Any]) -> Any:
    return page.locator(f".column-{status} [data-order='{order['orderCode']}']")


def rings(page: Any) -> int:
    return int(page.evaluate("() => Number(document.body.dataset.rings || 0)"))


def local_clock(iso: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(iso).astimezone(ZoneInfo("Europe/Stockholm")).strftime("%H:%M")


def axe_violations(page: Any) -> list[str]:
    if not AXE.exists():
        pytest.fail("widget/node_modules/axe-core is missing: run scripts/build-widget --deps")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in result
            if v["impact"] in {"serious", "critical"}]


# -- the kitchen's whole flow --------------------------------------------------------------------------------
def test_a_kitchen_tablet_takes_an_order_from_ring_to_pickup(browser, live, screenshots):
    from playwright.sync_api import expect

    key = staff_key(live, "kitchen")  # the "done when", verbatim
    page, problems = open_console(browser, live, TABLET)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.screenshot(path=str(screenshots / "console-signin-tablet.png"))
    field = page.get_by_label("Staff key")
    field.fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#col-placed")).to_be_visible()
    # the key is gone from the page and was never stored; the session cookie is HttpOnly
    assert page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    assert key not in page.content()
    cookie = next(c for c in page.context.cookies() if c["name"] == "stjarna_console")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console"
    assert key not in cookie["value"]
    # a kitchen key: no pause, no restaurant panel
    expect(page.get_by_role("button", name="Pause until resumed")).to_have_count(0)
    expect(page.get_by_role("button", name="Restaurant", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Test sound")).to_be_visible()  # the click on Sign in enabled it

    before = rings(page)
    first = place(live, "Alex", note="No onion, please", phone="+46 70 174 06 42")
    new = card(page, "placed", first)
    expect(new).to_be_visible(timeout=5000)  # polled every 3 s: the board rings within 5 s
    expect(new).to_have_class(re.compile(r"\bfresh\b"))
    expect(page).to_have_title("(1) Stjarna console")
    assert rings(page) > before
    expect(new).to_contain_text("Alex")
    expect(new).to_contain_text("+46701740642")
    expect(new).to_contain_text("Note: No onion, please")
    new.click()  # acknowledged: no highlight, no badge
    expect(new).not_to_have_class(re.compile(r"\bfresh\b"))
    expect(page).to_have_title("Stjarna console")

    new.get_by_role("button", name="Accept").click()
    dialog = page.get_by_role("dialog", name=f"Accept order {first['orderCode']}")
    expect(dialog).to_be_visible()
    for minutes in (10, 15, 20, 30):
        expect(dialog.get_by_role("button", name=f"{minutes} min")).to_be_visible()
    dialog.get_by_role("button", name="15 min").click()
    accepted = card(page, "accepted", first)
    expect(accepted).to_be_visible()
    seen = diner_view(first)
    assert seen["status"] == "accepted" and seen["readyAt"]
    expect(accepted).to_contain_text(f"Ready at {local_clock(seen['readyAt'])}")

    second = place(live, "Sam", note="Extra napkins", item=3)
    expect(card(page, "placed", second)).to_be_visible(timeout=5000)
    expect(card(page, "placed", second)).to_have_class(re.compile(r"\bfresh\b"))
    page.screenshot(path=str(screenshots / "console-board-tablet.png"))

    accepted.get_by_role("button", name="Start preparing").click()
    expect(card(page, "preparing", first)).to_be_visible()
    card(page, "preparing", first).get_by_role("button", name="Ready").click()
    expect(card(page, "ready", first)).to_be_visible()
    assert diner_view(first)["status"] == "ready"
    card(page, "ready", first).get_by_role("button", name="Picked up").click()
    expect(page.locator(f"[data-order='{first['orderCode']}']")).to_have_count(0)
    expect(page.locator(".recent")).to_contain_text(first["orderCode"])
    assert diner_view(first)["status"] == "picked_up"

    card(page, "placed", second).get_by_role("button", name="Cancel…").click()
    cancel = page.get_by_role("dialog", name=f"Cancel order {second['orderCode']}")
    cancel.get_by_role("button", name="Cancel order").click()  # no reason: refused in the dialog
    expect(cancel.get_by_role("alert")).to_have_text("Write a reason: the diner sees it.")
    cancel.get_by_label("Reason (the diner sees it)").fill("Out of oat milk, sorry")
    cancel.get_by_role("button", name="Cancel order").click()
    expect(page.locator(f".columns [data-order='{second['orderCode']}']")).to_have_count(0)
    seen = diner_view(second)
    assert seen["status"] == "cancelled" and seen["cancelReason"] == "Out of oat milk, sorry"
    expect(page).to_have_title("Stjarna console")
    # an idle board costs a 304: each poll names the version it has
    with page.expect_response(lambda r: r.url.endswith("/board") and r.status == 304, timeout=10_000) as idle:
        pass
    assert idle.value.request.headers["if-none-match"] == idle.value.headers["etag"]
    assert idle.value.headers["etag"].startswith('"board-')
    assert problems == []


def test_sound_waits_for_a_gesture_and_a_lost_session_shows_the_sign_in(browser, live):
    from playwright.sync_api import expect

    page, problems = open_console(browser, live, TABLET)
    sign_in(page, staff_key(live, "kitchen", "tablet-reload"))
    page.reload()  # a session from the cookie, no gesture yet: audio is still blocked
    button = page.get_by_role("button", name="Tap to enable sound")
    expect(button).to_be_visible()
    before = rings(page)
    order = place(live, "Robin")
    expect(card(page, "placed", order)).to_be_visible(timeout=5000)
    expect(page).to_have_title(re.compile(r"^\(\d+\) Stjarna console$"))
    assert rings(page) == before  # nothing played (the browser would refuse it)
    button.click()
    expect(page.get_by_role("button", name="Test sound")).to_be_visible()
    card(page, "placed", order).get_by_role("button", name="Cancel…").click()
    page.get_by_label("Reason (the diner sees it)").fill("Test order")
    page.get_by_role("button", name="Cancel order").click()
    expect(page.locator(f".columns [data-order='{order['orderCode']}']")).to_have_count(0)

    page.context.clear_cookies()  # what an idle timeout does: the next poll gets 401
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=5000)
    expect(page.get_by_role("alert")).to_contain_text("Signed out after inactivity")
    expect(page).to_have_title("Stjarna console")

    # a platform key signs in to one restaurant, named on the sign-in page
    platform = json.loads(stjarna(live, "keys", "create", "--name", "console-platform", "--json"))["key"]
    page.get_by_label("Staff key").fill(platform)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("restaurant")
    expect(page.get_by_label("Staff key")).to_have_value("")
    page.get_by_label("Staff key").fill(platform)
    page.get_by_label("Restaurant (platform keys only)").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Pause until resumed")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, staff_key(live, "kitchen", "tablet-signout"))
    cookie = next(c for c in page.context.cookies() if c["name"] == "stjarna_console")
    session = f"{live.url}/console/api/session"
    assert httpx.get(session, headers={"Cookie": f"stjarna_console={cookie['value']}"}).status_code == 200
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # ended on the server, not only forgotten by the browser
    assert httpx.get(session, headers={"Cookie": f"stjarna_console={cookie['value']}"}).status_code == 401
    assert problems == []


def test_two_tablets_and_a_lost_connection_never_double_send(browser, live):
    from playwright.sync_api import expect

    key = staff_key(live, "kitchen", "tablet-two")
    one, _ = open_console(browser, live, TABLET)
    two, problems = open_console(browser, live, TABLET)
    sign_in(one, key)
    sign_in(two, key)
    order = place(live, "Kim")
    expect(card(one, "placed", order)).to_be_visible(timeout=5000)
    expect(card(two, "placed", order)).to_be_visible(timeout=5000)
    patches: list[str] = []
    two.on("requestfinished", lambda r: patches.append(r.url) if r.method == "PATCH" else None)

    two.context.set_offline(True)
    expect(two.get_by_role("alert").filter(has_text="Offline")).to_be_visible(timeout=5000)
    card(two, "placed", order).get_by_role("button", name="Cancel…").click()
    two.get_by_label("Reason (the diner sees it)").fill("Kitchen closing")
    two.get_by_role("button", name="Cancel order").click()
    expect(two.locator(".message")).to_contain_text("when the connection is back")
    pending = card(two, "placed", order)
    expect(pending.get_by_role("button", name="Cancel…")).to_be_disabled()  # no second tap while waiting
    expect(pending.get_by_role("button", name="Accept")).to_be_disabled()

    card(one, "placed", order).get_by_role("button", name="Accept").click()  # the other tablet wins
    one.get_by_role("dialog").get_by_role("button", name="20 min").click()
    expect(card(one, "accepted", order)).to_be_visible()

    two.context.set_offline(False)
    expect(two.get_by_role("alert").filter(has_text="Offline")).to_be_hidden(timeout=5000)
    expect(two.locator(".message")).to_contain_text(
        f"Order {order['orderCode']} was changed on another device: it is accepted now.")
    expect(card(two, "accepted", order)).to_be_visible()
    assert len(patches) == 1, patches  # replayed once, with expectedStatus: it could not cancel the accepted order
    assert diner_view(order)["status"] == "accepted"
    card(one, "accepted", order).get_by_role("button", name="Cancel…").click()
    one.get_by_label("Reason (the diner sees it)").fill("Test order")
    one.get_by_role("button", name="Cancel order").click()
    expect(one.locator(f".columns [data-order='{order['orderCode']}']")).to_have_count(0)
    assert problems == []


# -- the owner: pause, sold out, the restaurant panel; the phone layout --------------------------------------
def test_an_owner_on_a_phone_pauses_marks_sold_out_and_sees_the_setup(browser, live, owner_key, screenshots):
    from playwright.sync_api import expect

    page, problems = open_console(browser, live, PHONE)
    sign_in(page, owner_key)
    # one column on a phone: nothing wider than the screen
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Pause 30 min").click()
    expect(page.locator(".pause")).to_contain_text("Ordering paused until")
    item = menu_items(live)[0]
    quote = {"restaurantId": "demo", "sessionToken": "console-quote-0001",
             "items": [{"itemId": item["id"], "quantity": 1}]}
    r = httpx.post(f"{live.url}/api/orders/quote", json=quote)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ORDERING_PAUSED"
    page.screenshot(path=str(screenshots / "console-board-phone.png"), full_page=True)
    page.get_by_role("button", name="Resume ordering").click()
    expect(page.locator(".pause")).to_contain_text("Taking orders")
    assert httpx.post(f"{live.url}/api/orders/quote", json=quote).status_code == 200

    page.get_by_role("button", name="Sold out", exact=True).click()
    page.get_by_label("Search the menu").fill(item["name"][:8])
    toggle = page.get_by_role("button", name=f"Sold out: {item['name']}")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=str(screenshots / "console-soldout-phone.png"), full_page=True)
    r = httpx.post(f"{live.url}/api/orders/quote", json=quote)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ITEM_UNAVAILABLE"
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert httpx.post(f"{live.url}/api/orders/quote", json=quote).status_code == 200

    page.get_by_role("button", name="Restaurant", exact=True).click()
    expect(page.locator(".snippet").first).to_contain_text('data-restaurant-id="demo"')
    expect(page.locator(".checks")).to_contain_text("tenant")
    page.get_by_label("New kitchen key, named").fill("bar tablet")
    page.get_by_role("button", name="Create key").click()
    shown = page.locator(".snippet").nth(1)
    expect(shown).to_contain_text("stj_")
    new_key = shown.inner_text().strip()
    expect(page.locator("table.keys")).to_contain_text("bar tablet")
    page.screenshot(path=str(screenshots / "console-restaurant-phone.png"), full_page=True)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Revoke bar tablet").click()
    expect(page.locator("table.keys")).not_to_contain_text("bar tablet")
    r = page.request.post(f"{live.url}/console/api/session", data={"key": new_key})
    assert r.status == 401  # revoked at once
    assert problems == []


def test_an_owner_edits_a_days_opening_hours_by_keyboard(browser, live, owner_key, screenshots):
    """The Opening hours editor (docs/console.md): a range added with the keyboard that overlaps the day's
    00:00-24:00 is refused with the server's 422 shown at that day; removing the old range and saving
    changes the menu's hours (the config's menu version moves). The demo's hours are put back after."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from playwright.sync_api import expect

    auth = {"Authorization": f"Bearer {owner_key}"}
    setup = httpx.get(f"{live.url}/api/admin/restaurants/demo/setup", headers=auth).json()
    original, version = setup["hours"], httpx.get(f"{live.url}/api/public/config",
                                                  params={"restaurantId": "demo"}).json()["menuVersion"]
    # a day three days from today: its hours do not decide whether the demo is open now (other tests order)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
        (datetime.now(UTC).astimezone(ZoneInfo(setup["timezone"])) + timedelta(days=3)).weekday()]
    name = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
            "sat": "Saturday", "sun": "Sunday"}[day]
    assert original[day] == [["00:00", "24:00"]]
    page, problems = open_console(browser, live, TABLET)
    try:
        sign_in(page, owner_key)
        page.get_by_role("button", name="Restaurant", exact=True).click()
        expect(page.get_by_role("heading", name="Opening hours")).to_be_visible()
        expect(page.get_by_label(f"{name}, range 1, opens")).to_have_value("00:00")

        def tab_to(locator: Any, key: str = "Tab") -> None:
            for _ in range(120):
                page.keyboard.press(key)
                if locator.evaluate("el => el === document.activeElement"):
                    return
            pytest.fail(f"Tab never reached {locator}")

        page.get_by_label(f"{name}, range 1, opens").focus()
        tab_to(page.get_by_role("button", name=f"Add range to {name}"))
        page.keyboard.press("Enter")
        expect(page.get_by_label(f"{name}, range 2, opens")).to_be_focused()
        page.keyboard.type("10:00")
        page.keyboard.press("Tab")
        page.keyboard.type("11:30")
        tab_to(page.get_by_role("button", name="Save opening hours"))
        page.keyboard.press("Enter")
        error = page.locator(f"#hours-{day}-error")
        expect(error).to_have_text("opening ranges overlap")
        expect(page.get_by_label(f"{name}, range 1, opens")).to_be_focused()
        expect(page.get_by_label(f"{name}, range 2, closes")).to_have_attribute("aria-invalid", "true")
        assert httpx.get(f"{live.url}/api/admin/restaurants/demo/setup", headers=auth).json()["hours"] == original
        page.screenshot(path=str(screenshots / "console-hours-error-tablet.png"), full_page=True)

        tab_to(page.get_by_role("button", name=f"Remove {name} range 1"))
        page.keyboard.press("Enter")
        expect(page.get_by_label(f"{name}, range 1, opens")).to_have_value("10:00")
        tab_to(page.get_by_role("button", name="Save opening hours"))
        page.keyboard.press("Enter")
        expect(page.locator(".hours .field-error")).to_have_count(0)
        expect(page.get_by_label(f"{name}, range 1, closes")).to_have_value("11:30")
        assert httpx.get(f"{live.url}/api/admin/restaurants/demo/setup", headers=auth).json()["hours"] == {
            **original, day: [["10:00", "11:30"]]}
        # the widget's side: the menu version moved, and the menu carries the day's new hours (cached up
        # to MENU_LOCAL_CACHE_SECONDS by the server: asked again until then)
        for _ in range(100):
            config = httpx.get(f"{live.url}/api/public/config", params={"restaurantId": "demo"}).json()
            menu = httpx.get(f"{live.url}/api/public/menu", params={"restaurantId": "demo"}).json()
            if config["menuVersion"] > version and menu["restaurant"]["hours"][day] == [["10:00", "11:30"]]:
                break
            page.wait_for_timeout(100)
        else:
            pytest.fail("the config and menu never showed the new hours")
        assert config["open"]["now"] is True  # today is untouched
        assert problems == []
    finally:
        page.close()
        r = httpx.put(f"{live.url}/api/admin/restaurants/demo/hours", headers=auth, json={"hours": original})
        assert r.status_code == 200, r.text


# -- keyboard and axe -------------------------------------------------------------------------------------
def test_everything_is_reachable_and_operable_by_keyboard(browser, live):
    from playwright.sync_api import expect

    page, problems = open_console(browser, live, TABLET)
    expect(page.get_by_label("Staff key")).to_be_focused()
    page.keyboard.type(staff_key(live, "kitchen", "tablet-keyboard"))
    page.keyboard.press("Enter")
    expect(page.locator("#col-placed")).to_be_visible()
    order = place(live, "Noor")
    fresh = card(page, "placed", order)
    expect(fresh).to_be_visible(timeout=5000)

    def tab_to(locator: Any, limit: int = 60, key: str = "Tab") -> None:
        for _ in range(limit):
            page.keyboard.press(key)
            if locator.evaluate("el => el === document.activeElement"):
                outline = locator.evaluate("el => getComputedStyle(el).outlineStyle")
                assert outline != "none", "focus is visible"
                return
        pytest.fail(f"Tab never reached {locator}")

    tab_to(fresh)
    page.keyboard.press("Enter")  # acknowledged by keyboard
    expect(fresh).not_to_have_class(re.compile(r"\bfresh\b"))
    accept = fresh.get_by_role("button", name="Accept")
    expect(accept).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="10 min")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(accept).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("dialog").get_by_role("button", name="15 min")).to_be_focused()
    page.keyboard.press("Enter")
    accepted = card(page, "accepted", order)
    expect(accepted).to_be_visible()
    tab_to(accepted.get_by_role("button", name="Start preparing"))
    page.keyboard.press("Enter")
    expect(card(page, "preparing", order)).to_be_visible()
    tab_to(card(page, "preparing", order).get_by_role("button", name="Cancel…"))
    page.keyboard.press("Enter")
    page.keyboard.type("Test order")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f".columns [data-order='{order['orderCode']}']")).to_have_count(0)
    tab_to(page.get_by_role("button", name="Sold out", exact=True), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sold out")).to_be_visible()
    toggle = page.get_by_role("button", name=re.compile("^Sold out: ")).first
    tab_to(toggle)
    page.keyboard.press("Space")  # sold out, and back
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    tab_to(page.get_by_role("button", name="Sign out"), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert problems == []


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_axe_finds_nothing_serious(browser, live, owner_key, viewport):
    from playwright.sync_api import expect

    # axe is injected as a script: the console's CSP would refuse it, so this context bypasses the CSP
    page, _ = open_console(browser, live, viewport, bypass_csp=True)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert axe_violations(page) == []
    sign_in(page, owner_key)
    order = place(live, "Axe")
    expect(card(page, "placed", order)).to_be_visible(timeout=5000)
    assert axe_violations(page) == []
    card(page, "placed", order).get_by_role("button", name="Accept").click()
    assert axe_violations(page) == []  # the dialog open
    page.get_by_role("button", name="Back").click()
    for view in ("Sold out", "Restaurant"):
        page.get_by_role("button", name=view, exact=True).click()
        expect(page.get_by_role("heading", name=view)).to_be_visible()
        assert axe_violations(page) == []
    page.get_by_role("button", name="Board", exact=True).click()
    card(page, "placed", order).get_by_role("button", name="Cancel…").click()
    page.get_by_label("Reason (the diner sees it)").fill("Test order")
    page.get_by_role("button", name="Cancel order").click()


def test_the_documentation_screenshot_is_the_tests_own():
    """docs/console-board.png is build/screenshots/console-board-tablet.png, copied once (docs/console.md)."""
    assert Path(ROOT / "docs" / "console-board.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
