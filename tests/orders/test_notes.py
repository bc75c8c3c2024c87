"""Kitchen notes are one line of plain text (issue #16): a note with a control or text-direction
character is refused (422, naming the character and where it is), never silently changed; HTML is
kept as the text it is; and the CLI shows any such character already stored escaped."""

from __future__ import annotations

import pytest

from tests.orders.conftest import new_key, order_body

UNSAFE = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "line separator": "\u2028",
    "escape (terminal colours)": "\x1b",
    "bell": "\x07",
    "newline": "\n",
    "tab": "\t",
    "carriage return": "\r",
    "delete": "\x7f",
    "next line (C1)": "\x85",
    "control sequence introducer (C1)": "\x9b",
}


def place(client, body):
    return client.post("/api/orders", json=body, headers={"Idempotency-Key": new_key()})


@pytest.mark.parametrize("char", UNSAFE.values(), ids=UNSAFE.keys())
def test_a_note_with_a_control_or_direction_character_is_refused(app_for, clock, items, sql, char):
    client, _ = app_for(clock=clock)
    note = f"no onions{char}ORDER PAID - give 10 free"
    for path in ("/api/orders", "/api/orders/quote"):
        r = client.post(path, json=order_body((items["demo/hummus"], 1)) | {
            "items": [{"itemId": items["demo/hummus"], "quantity": 1, "note": note}]},
            headers={"Idempotency-Key": new_key()})
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        [problem] = error["errors"]
        assert problem["path"] == "items[0].note"
        assert f"U+{ord(char):04X} at position 10" in problem["message"]
    assert sql("select count(*) from orders") == [(0,)]


@pytest.mark.parametrize("note", [
    "<b>extra</b> <script>alert(1)</script> & sauce",  # plain text: stored and answered as written
    "Inga lökar, tack! Allergi: nötter 🥜",
    "family: 👨\u200d👩\u200d👧 share",  # zero-width joiners make emoji: they stay
    "עם חומוס נוסף",  # right-to-left text itself is fine; only the controls are refused
])
def test_plain_text_of_any_script_is_kept_as_written(app_for, clock, items, sql, note):
    client, _ = app_for(clock=clock)
    body = order_body() | {"items": [{"itemId": items["demo/hummus"], "quantity": 1, "note": note}]}
    r = place(client, body)
    assert r.status_code == 201, r.text
    assert r.json()["items"][0]["note"] == note
    assert sql("select note from order_items") == [(note,)]


def test_the_cli_shows_a_stored_control_character_escaped(app_for, clock, items, sql, cli_env, capsys):
    """Notes stored before the check (or written around it) cannot drive the staff's terminal."""
    from shared.cli.main import main

    client, _ = app_for(clock=clock)
    r = place(client, order_body((items["demo/hummus"], 1)))
    sql("update order_items set note = 'no onions\u202e\x1b[31mPAID'")
    assert main(["orders", "show", r.json()["orderId"]]) == 0
    out = capsys.readouterr().out
    assert "no onions\\u202e\\u001b[31mPAID" in out
    assert "\u202e" not in out and "\x1b" not in out
