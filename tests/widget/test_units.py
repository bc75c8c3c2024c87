"""Widget functions run under node: opening hours in the restaurant's timezone, the loader's
attribute validation, and the menu filter's verdicts."""

from __future__ import annotations

import pytest

NATTBAREN = {"tue": [["11:30", "14:00"], ["17:00", "22:00"]], "fri": [["11:30", "14:00"], ["17:00", "02:00"]],
             "sat": [["17:00", "02:00"]]}
SUNDAY_NIGHT = {"sun": [["22:00", "03:00"]], "wed": [["00:00", "24:00"]]}
# (hours, timezone, instant, open, next opening as [in days, weekday 0=Mon, time] or None)
HOURS = [
    (NATTBAREN, "Europe/Stockholm", "2026-11-24T11:00:00Z", True, None),  # Tue 12:00 local (CET)
    (NATTBAREN, "Europe/Stockholm", "2026-11-24T09:00:00Z", False, [0, 1, "11:30"]),  # Tue 10:00: later today
    (NATTBAREN, "Europe/Stockholm", "2026-11-24T14:00:00Z", False, [0, 1, "17:00"]),  # Tue 15:00: between ranges
    (NATTBAREN, "Europe/Stockholm", "2026-11-24T21:30:00Z", False, [3, 4, "11:30"]),  # Tue 22:30: Friday next
    (NATTBAREN, "Europe/Stockholm", "2026-11-28T00:30:00Z", True, None),  # Sat 01:30: Friday's overnight range
    (NATTBAREN, "Europe/Stockholm", "2026-11-28T01:30:00Z", False, [0, 5, "17:00"]),  # Sat 02:30: tonight
    (NATTBAREN, "Europe/Stockholm", "2026-11-29T00:30:00Z", True, None),  # Sun 01:30: Saturday's range
    (NATTBAREN, "Europe/Stockholm", "2026-11-29T02:00:00Z", False, [2, 1, "11:30"]),  # Sun 03:00: Tuesday
    (SUNDAY_NIGHT, "UTC", "2026-11-23T02:59:00Z", True, None),  # Mon 02:59: Sunday's range wraps the week
    (SUNDAY_NIGHT, "UTC", "2026-11-23T03:00:00Z", False, [2, 2, "00:00"]),
    (SUNDAY_NIGHT, "UTC", "2026-11-25T23:59:00Z", True, None),  # "24:00" ends the day
    (NATTBAREN, "America/New_York", "2026-11-24T17:00:00Z", True, None),  # Tue 12:00 in New York
    (NATTBAREN, "America/New_York", "2026-11-24T16:00:00Z", False, [0, 1, "11:30"]),  # 11:00 there
    (NATTBAREN, "Europe/Stockholm", "2026-03-27T23:30:00Z", True, None),  # Sat 00:30 CET (DST starts Sunday)
    (NATTBAREN, "Europe/Stockholm", "2026-07-03T15:30:00Z", True, None),  # Fri 17:30 CEST (15:30 UTC)
    ({}, "Europe/Stockholm", "2026-11-24T10:00:00Z", False, None),  # never open: no next opening
]


@pytest.fixture(scope="module")
def units(node_entry):
    return node_entry("units")


def test_opening_hours(units):
    cases = [{"hours": h, "timeZone": tz, "now": now} for h, tz, now, _, _ in HOURS]
    results = units({"hours": cases})["hours"]
    for (hours, tz, now, is_open, nxt), got in zip(HOURS, results, strict=True):
        want = None if nxt is None else {"inDays": nxt[0], "weekday": nxt[1], "time": nxt[2]}
        assert got == {"open": is_open, "next": want}, (now, tz, hours)


def test_an_unknown_timezone_gives_no_opening_state(units):
    assert units({"hours": [{"hours": NATTBAREN, "timeZone": "Mars/Olympus", "now": "2026-11-24T10:00:00Z"}]}) == {
        "hours": [None], "options": [], "verdicts": []}


SRC = "https://api.stjarna.dev/widget.js"
OPTIONS = [
    ({"data-restaurant-id": "demo"}, {"restaurantId": "demo", "endpoint": "https://api.stjarna.dev"}, "", ""),
    ({"data-restaurant": "Demo", "data-endpoint": "https://api.example.com/prod/"},
     {"restaurantId": "demo", "endpoint": "https://api.example.com/prod"}, "", ""),
    ({"data-restaurant-id": "demo", "data-endpoint": "http://127.0.0.1:8000"},
     {"endpoint": "http://127.0.0.1:8000"}, "", ""),
    ({"data-endpoint": "https://api.example.com"}, None, "missing data-restaurant-id", ""),
    ({"data-restaurant-id": "  "}, None, "missing data-restaurant-id", ""),
    ({"data-restaurant-id": "no spaces!"}, None, "data-restaurant-id must be the restaurant's slug", ""),
    ({"data-restaurant-id": "a", "data-restaurant": "b"}, None, "disagree", ""),
    ({"data-restaurant-id": "demo", "data-endpoint": "api.example.com"}, None,
     'data-endpoint must be an absolute URL such as "https://api.example.com"; got "api.example.com"', ""),
    ({"data-restaurant-id": "demo", "data-endpoint": "http://api.example.com"}, None, "must use https", ""),
    ({"data-restaurant-id": "demo", "data-endpoint": "ftp://api.example.com"}, None, "must use https", ""),
    ({"data-restaurant-id": "demo", "data-endpoint": "https://u:p@api.example.com"}, None, "user name", ""),
    ({"data-restaurant-id": "demo", "data-endpoint": "https://api.example.com/?a=1"}, None, "query string", ""),
    ({"data-restaurant-id": "demo", "data-locale": "sv", "data-position": "left", "data-open": "",
      "data-theme-color": "#abc"},
     {"locale": "sv", "position": "left", "open": True, "themeColor": "#abc"}, "", ""),
    ({"data-restaurant-id": "demo", "data-locale": "??", "data-position": "top", "data-open": "yes",
      "data-theme-color": "red;}"},
     {"locale": "en-GB", "position": "right", "open": False, "themeColor": None}, "",
     "data-locale|data-position|data-open|data-theme-color"),
]


def test_loader_attributes(units):
    cases = [{"attrs": attrs, "src": SRC, "locale": "en-GB"} for attrs, _, _, _ in OPTIONS]
    for (attrs, want, error, warnings), got in zip(OPTIONS, units({"options": cases})["options"], strict=True):
        if want is None:
            assert got["options"] is None, attrs
            assert any(error in e for e in got["errors"]), (attrs, got["errors"])
        else:
            assert got["errors"] == [], attrs
            assert {k: got["options"][k] for k in want} == want, attrs
        for name in filter(None, warnings.split("|")):
            assert any(w.startswith(name) for w in got["warnings"]), (name, got["warnings"])
        if not warnings:
            assert got["warnings"] == [], attrs


def item(tags, allergens, declared=True):
    return {"id": "x", "name": "x", "priceCents": 100, "tags": tags, "allergens": allergens,
            "allergensDeclared": declared}


VERDICTS = [
    (item(["vegan"], []), ["vegan"], [], "pass"),
    (item(["vegan"], []), ["vegetarian"], [], "pass"),  # vegetarian accepts vegan
    (item(["vegetarian"], []), ["vegan"], [], "hide"),
    (item([], []), ["vegetarian"], [], "hide"),  # diets need an explicit tag
    (item(["vegan"], ["gluten"]), ["vegan"], ["gluten"], "hide"),
    (item([], ["nuts"]), [], ["nuts", "peanuts"], "hide"),
    (item([], ["milk"]), [], ["nuts", "peanuts"], "pass"),
    (item([], [], declared=False), [], ["gluten"], "ask"),  # undeclared: never passes an allergen filter
    (item(["vegan"], [], declared=False), ["vegan"], [], "pass"),  # no allergen filter: no question
    (item([], [], declared=False), ["vegan"], ["milk"], "hide"),
]


def test_menu_filter_verdicts(units):
    cases = [{"item": i, "diets": d, "avoid": a} for i, d, a, _ in VERDICTS]
    assert units({"verdicts": cases})["verdicts"] == [v for *_, v in VERDICTS]


@pytest.mark.parametrize(("html_lang", "browser", "expected"), [
    ("sv", "en-US", "sv"), ("de-AT", "sv", "de"), ("FR", "en", "fr"), ("es-419", "en", "es"),
    ("", "sv-SE", "sv"), ("  ", "de", "de"), ("not a tag!", "fr-CA", "fr"), ("pt-BR", "sv", "en"),
    ("", "", "en"), ("x", "y", "en"),
])
def test_the_language_from_the_page_then_the_browser(units, html_lang, browser, expected):
    """Without data-locale: <html lang>, then navigator.language; a language the widget lacks is English."""
    assert units({"languages": [[html_lang, browser]]})["languages"] == [expected]


@pytest.mark.parametrize(("src", "base"), [
    ("https://api.example.com/widget.js", "https://api.example.com/widget/"),
    ("https://api.example.com/widget.js?v=3#x", "https://api.example.com/widget/"),
    ("https://api.example.com/widget/widget.0123456789abcdef.js", "https://api.example.com/widget/"),
    ("https://cdn.example.com/stjarna/v2/widget.js", "https://cdn.example.com/stjarna/v2/widget/"),
    ("http://localhost:8000/widget.js", "http://localhost:8000/widget/"),
])
def test_the_chunks_are_beside_the_loader_not_at_the_endpoint(units, src, base):
    assert units({"bases": [src]})["bases"] == [base]


def test_the_retry_backoff_doubles_with_jitter_and_honours_retry_after(units):
    """1, 2, 4, 8, 16 s, then 30 s at most, each within ±25 %; a 429's Retry-After when longer (#18, defect 4)."""
    cases = [[n, None, r] for n in range(8) for r in (0, 0.5, 1)] + [[0, 7, 0.5], [5, 7, 0.5]]
    got = units({"backoffs": cases})["backoffs"]
    for (n, _, r), seconds in zip(cases[:-2], got[:-2], strict=True):
        assert seconds == pytest.approx(min(2 ** n, 30) * (0.75 + r / 2)), (n, r, seconds)
    assert got[-2:] == [7, 30]
