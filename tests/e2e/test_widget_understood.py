"""What the assistant understood, in real Chromium: the removable chips under each answer (allergens
first), ``forget`` when one is removed, allergens on the suggestion cards and the allergen question
with its chips; with server chat and with the local responder (``USE_SERVER_CHAT=false``), at desktop
and phone width. Screenshots go to build/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import WIDGET_RESTAURANT, HostSite, Live, import_restaurant, restaurant
from tests.e2e.test_widget_browser import ask, host_page, open_page, wait_ready

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
EU14 = ["Gluten", "Crustaceans", "Eggs", "Fish", "Peanuts", "Soy", "Milk", "Tree nuts", "Celery", "Mustard",
        "Sesame", "Sulphites", "Lupin", "Molluscs"]


@pytest.fixture(params=["server", "local"])
def api(request, host_site: HostSite) -> tuple[str, bool]:
    """The API's URL and whether answers are local: server chat on (the live server), or off (the local
    responder answers)."""
    if request.param == "server":
        request.getfixturevalue("widget_restaurant")
        return request.getfixturevalue("live").url, False
    off: Live = request.getfixturevalue("chat_off_server")
    import_restaurant(off, restaurant(WIDGET_RESTAURANT, [host_site.origin]))
    return off.url, True


class Chat:
    """The assistant tab of an open widget, and the chat requests the page sent."""

    def __init__(self, browser, host_site: HostSite, api: str, path: str, **context: Any) -> None:
        self.page, self.errors = open_page(browser, host_site.page(path, host_page(api, WIDGET_RESTAURANT)), **context)
        self.sent: list[dict[str, Any]] = []
        self.page.on("request", lambda r: self.sent.append(r.post_data_json)
                     if "/api/chat" in r.url and r.method == "POST" else None)
        wait_ready(self.page)
        self.page.get_by_role("button", name="Menu").click()
        self.page.get_by_role("tab", name="Assistant").click()
        self.answers = self.page.locator("stjarna-widget .msg.bot")

    def answer(self, n: int):
        """The n-th answer (0 is the greeting), once it is there."""
        self.answers.nth(n).wait_for(timeout=10000)
        return self.answers.nth(n)

    def ask(self, message: str, n: int):
        ask(self.page, message)
        return self.answer(n)


def labels(answer, name: str) -> list[str]:
    """The remove buttons' accessible names under an answer starting with `name`, in order."""
    return [b.get_attribute("aria-label") for b in answer.get_by_role("button", name=re.compile("^" + name)).all()]


def allergen_lines(answer) -> list[str]:
    return answer.locator(".card .a").all_inner_texts()


def focused_label(page) -> str | None:
    return page.evaluate("""() => {
        const el = document.querySelector('stjarna-widget').shadowRoot.activeElement;
        return el ? el.getAttribute('aria-label') || el.textContent : null;
    }""")


def test_understood_chips_and_forget(browser, host_site, api, screenshots):
    url, local = api
    chat = Chat(browser, host_site, url, f"/understood-{local}")
    page = chat.page
    first = chat.ask("Allergies: nuts. Dessert?", 1)
    # the allergens first ("Avoiding:"), then the rest ("Understood:")
    assert labels(first, "Stop avoiding") == ["Stop avoiding Peanuts", "Stop avoiding Tree nuts"]
    assert labels(first, "Remove ") == ["Remove Desserts"]
    rows = first.locator(".u").all_inner_texts()
    assert [r.split(":")[0] for r in rows] == ["Avoiding", "Understood"]
    names = first.locator(".card h4").all_inner_texts()
    lines = allergen_lines(first)
    assert names and len(lines) == len(names)
    assert any(line.startswith("Contains: ") for line in lines), lines
    assert all(line.startswith("Contains: ") or line == "No listed allergens" for line in lines), lines
    assert not [line for line in lines if "nuts" in line.lower()]
    assert "Cardamom bun" not in names

    # the keyboard reaches the chip's remove button (backwards from the message box), with a visible ring
    page.get_by_role("textbox", name="Ask about the menu").focus()
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        if focused_label(page) == "Stop avoiding Tree nuts":
            break
    assert focused_label(page) == "Stop avoiding Tree nuts"
    ring = page.evaluate("""() => { const el = document.querySelector('stjarna-widget').shadowRoot.activeElement;
        const s = getComputedStyle(el);
        return [el.matches(':focus-visible'), s.outlineStyle, s.outlineWidth, s.boxShadow !== 'none']; }""")
    assert ring == [True, "solid", "2px", True]  # two tones: the outline and a box-shadow ring (styles.ts)
    page.keyboard.press("Enter")

    # a note instead of the diner's message again, then the new answer without tree nuts
    note = page.locator("stjarna-widget .msg.note")
    note.wait_for(timeout=10000)
    assert note.inner_text() == "No longer avoiding: Tree nuts"
    second = chat.answer(2)
    assert page.locator("stjarna-widget .msg.me").count() == 1
    assert labels(second, "Stop avoiding") == ["Stop avoiding Peanuts"]
    assert labels(second, "Remove ") == ["Remove Desserts"]
    assert not [line for line in allergen_lines(second) if "Peanuts" in line]
    if local:
        assert chat.sent == []
    else:
        assert [(s["message"], s["forget"]) for s in chat.sent] == [
            ("Allergies: nuts. Dessert?", []), ("Allergies: nuts. Dessert?", ["allergen:nuts"])]

    # removing a course: "Removed: Desserts", and the answer is no longer about desserts only
    second.get_by_role("button", name="Remove Desserts").click()
    page.locator("stjarna-widget .msg.note").nth(1).wait_for(timeout=10000)
    assert page.locator("stjarna-widget .msg.note").nth(1).inner_text() == "Removed: Desserts"
    third = chat.answer(3)
    assert labels(third, "Stop avoiding") == ["Stop avoiding Peanuts"]
    assert labels(third, "Remove ") == []
    if not local:
        assert chat.sent[-1]["forget"] == ["allergen:nuts", "course:dessert"]  # what was taken back stays so
    page.locator("stjarna-widget .msg.note").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"assistant-understood-{'local' if local else 'server'}.png"))
    assert chat.errors == []
    page.close()


def test_the_allergen_question_and_its_chips(browser, host_site, api, screenshots):
    url, local = api
    chat = Chat(browser, host_site, url, f"/question-{local}", viewport=PHONE, has_touch=True)
    page = chat.page
    question = chat.ask("I'm allergic to quinoa", 1)  # a word the vocabulary does not know (kiwi it does)
    assert "Which allergen" in question.inner_text()
    if local:
        assert "Answered on this device" in question.inner_text() and chat.sent == []
    assert question.locator(".card").count() == 0
    chips = question.locator(".chips button")
    assert chips.all_inner_texts() == [*EU14, "Start over"]
    # the 15 chips wrap inside the phone-wide panel: nothing sticks out, nothing scrolls sideways
    log = page.locator("stjarna-widget .log")
    assert log.evaluate("el => el.scrollWidth <= el.clientWidth")
    right = question.evaluate("el => el.getBoundingClientRect().right")
    assert max(b["x"] + b["width"] for b in (c.bounding_box() for c in chips.all())) <= right
    page.screenshot(path=str(screenshots / f"assistant-question-375-{'local' if local else 'server'}.png"))

    question.get_by_role("button", name="Sesame", exact=True).tap()
    answer = chat.answer(2)
    assert labels(answer, "Stop avoiding") == ["Stop avoiding Sesame"]
    lines = allergen_lines(answer)
    assert lines and not [line for line in lines if "Sesame" in line or "ask staff" in line]
    assert "Hummus with crudités" not in answer.locator(".card h4").all_inner_texts()
    assert chat.errors == []
    page.close()


def test_ingredient_chips_and_forget(browser, host_site, api, screenshots):
    """Ingredients under "Understood:" ("with chicken", "No onion"), an allergy outside the EU-14 in the
    amber row ("Not declared: garlic"), each removable with forget ``ingredient:<key>``."""
    url, local = api
    chat = Chat(browser, host_site, url, f"/ingredients-{local}")
    page = chat.page
    first = chat.ask("Something with chicken, no onion please", 1)
    assert labels(first, "Remove ") == ["Remove with chicken", "Remove No onion"]
    chips = [text.split("\n")[0] for text in first.locator(".u:not(.ua) span").all_inner_texts()]
    assert chips == ["with chicken", "No onion"]
    assert first.locator(".card h4").all_inner_texts() == ["Chicken shawarma plate"]
    first.get_by_role("button", name="Remove No onion").click()
    page.locator("stjarna-widget .msg.note").first.wait_for(timeout=10000)
    assert page.locator("stjarna-widget .msg.note").first.inner_text() == "Removed: No onion"
    second = chat.answer(2)
    assert labels(second, "Remove ") == ["Remove with chicken"]
    if not local:
        assert [s["forget"] for s in chat.sent] == [[], ["ingredient:onion"]]

    third = chat.ask("I'm allergic to garlic", 3)
    assert "declares only the 14" in third.inner_text() and third.locator(".card").count() == 0
    assert [t.split("\n")[0] for t in third.locator(".ua span").all_inner_texts()] == ["Not declared: garlic"]
    assert labels(third, "Stop avoiding") == ["Stop avoiding garlic"]
    page.screenshot(path=str(screenshots / f"assistant-ingredients-{'local' if local else 'server'}.png"))
    third.get_by_role("button", name="Stop avoiding garlic").click()
    page.locator("stjarna-widget .msg.note").nth(1).wait_for(timeout=10000)
    assert page.locator("stjarna-widget .msg.note").nth(1).inner_text() == "No longer avoiding: garlic"
    fourth = chat.answer(4)
    assert labels(fourth, "Stop avoiding") == []
    if local:
        assert chat.sent == []
    else:
        assert chat.sent[-1]["forget"] == ["ingredient:garlic"]
    assert chat.errors == []
    page.close()


CONTRAST = """(els) => els.map((el) => {
    const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    let bg = el;  // the first ancestor with an opaque background
    while (getComputedStyle(bg).backgroundColor.startsWith('rgba(0, 0, 0, 0)')) bg = bg.parentElement;
    const [a, b] = [lum(getComputedStyle(el).color), lum(getComputedStyle(bg).backgroundColor)];
    return [el.textContent, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
})"""


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_many_chips_look_right_and_are_readable(browser, live, host_site, widget_restaurant, screenshots, viewport):
    context = {"viewport": viewport, "has_touch": True} if viewport else {}
    chat = Chat(browser, host_site, live.url, f"/many-chips-{bool(viewport)}", **context)
    page = chat.page
    answer = chat.ask("I'm allergic to nuts, milk and gluten. Something vegan and not spicy under 200 kr?", 1)
    avoided = labels(answer, "Stop avoiding")
    rest = labels(answer, "Remove ")
    assert len(avoided) >= 3 and len(avoided) + len(rest) >= 5, (avoided, rest)
    # phone width: the chips wrap, nothing overflows the panel or the answer's bubble
    assert page.locator("stjarna-widget .log").evaluate("el => el.scrollWidth <= el.clientWidth")
    bubble = answer.bounding_box()
    for chip in answer.locator(".u span").all():
        box = chip.bounding_box()
        assert box["x"] >= bubble["x"] and box["x"] + box["width"] <= bubble["x"] + bubble["width"]
        assert box["height"] < 40  # one line per chip
    # the remove buttons are big enough to tap (WCAG 2.2: 24 px)
    for button in answer.locator(".u button").all():
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
    # allergen chips look different from the rest (they are safety information)
    style = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).fontWeight]"
    assert answer.locator(".ua span").first.evaluate(style) != answer.locator(".u:not(.ua) span").first.evaluate(style)
    # contrast of every chip and follow-up chip: at least 4.5:1
    chips = page.locator("stjarna-widget").locator(".u span, .u button, .chips button, .msg.me")
    ratios = chips.evaluate_all(CONTRAST)
    assert ratios and all(ratio >= 4.5 for _, ratio in ratios), ratios
    answer.locator(".u").first.scroll_into_view_if_needed()
    name = "phone-375" if viewport else "desktop"
    page.screenshot(path=str(screenshots / f"assistant-chips-{name}.png"))
    assert chat.errors == []
    page.close()
