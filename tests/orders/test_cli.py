"""The staff commands (`stjarna orders|keys|gdpr`) against a real database, as a support person or a
kitchen tablet runs them."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest

from shared import cli
from shared.container import default_container
from shared.menus.io import import_menu
from tests.conftest import seed_documents
from tests.orders.conftest import SESSION, new_key, order_body


@pytest.fixture
def placed(cli_env):
    """Two demo orders placed through the service the API uses."""
    from shared.orders.requests import OrderRequest

    c = default_container()
    for document in seed_documents():
        import_menu(c.store, document)
    rid = str(c.store.rpc("stjarna_resolve", {"p_ref": "demo"}))
    menu = c.store.rpc("stjarna_public_menu", {"p_restaurant_id": rid})
    item = menu["sections"][0]["items"][0]["id"]
    orders = []
    for session in (SESSION, "another-diner-1"):
        request = OrderRequest.model_validate(order_body((item, 2), session=session))
        orders.append(c.orders.place(rid, request, new_key(), ordering_enabled=True).order)
    return orders


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_orders_list_show_and_set_status(placed, capsys):
    code, out, _ = run(capsys, "orders", "list", "--restaurant", "demo", "--status", "placed")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["CODE", "STATUS", "PLACED", "PICKUP", "TOTAL", "ITEMS"]
    assert {placed[0]["orderCode"], placed[1]["orderCode"]} == {line.split()[0] for line in lines[1:3]}
    assert "asap" in lines[1] and "178.00 SEK" in lines[1] and lines[-1] == "2 order(s) with status placed"

    first = placed[0]["orderCode"]
    code, out, _ = run(capsys, "orders", "set-status", first.lower(), "accepted", "--restaurant", "demo",
                       "--actor", "anna")
    assert (code, out) == (0, f"order {first}: placed -> accepted\n")
    code, out, _ = run(capsys, "orders", "show", placed[0]["orderId"])
    assert code == 0 and "accepted" in out.splitlines()[0] and "cli:anna" in out
    code, out, _ = run(capsys, "orders", "list", "--restaurant", "demo", "--status", "accepted", "--json")
    assert [o["orderCode"] for o in orjson.loads(out)] == [first]


def test_refusals_exit_1_with_the_reason(placed, capsys):
    first = placed[0]["orderId"]
    code, _, err = run(capsys, "orders", "set-status", first, "picked_up")
    assert code == 1 and "INVALID_TRANSITION" in err and "placed cannot become picked_up" in err
    code, _, err = run(capsys, "orders", "set-status", first, "cancelled", "--from", "accepted")
    assert code == 1 and "ORDER_STATUS_CONFLICT" in err
    code, _, err = run(capsys, "orders", "show", "ABCDEF")
    assert code == 1 and "ORDER_NOT_FOUND" in err
    code, _, err = run(capsys, "orders", "list", "--restaurant", "nowhere")
    assert code == 1 and "RESTAURANT_NOT_FOUND" in err


def test_keys_create_list_revoke(cli_env, capsys):
    code, out, _ = run(capsys, "keys", "create", "--name", "support", "--expires-in-days", "90", "--json")
    created = orjson.loads(out)
    assert code == 0 and created["key"].startswith("stj_") and created["expiresAt"]
    run(capsys, "keys", "create", "--name", "kitchen")
    code, _, err = run(capsys, "keys", "create", "--name", "third")
    assert code == 1 and "TOO_MANY_ADMIN_KEYS" in err
    code, out, _ = run(capsys, "keys", "list")
    assert created["key"] not in out and "support" in out and out.count("active") == 2
    code, out, _ = run(capsys, "keys", "revoke", created["id"])
    assert code == 0 and out.startswith(f"revoked admin key {created['id']}")
    assert run(capsys, "keys", "revoke", "not-an-id")[0] == 1


def test_gdpr_erase(placed, capsys):
    code, _, err = run(capsys, "gdpr", "erase", "--restaurant", "demo")
    assert code == 2 and "--yes" in err
    code, out, _ = run(capsys, "gdpr", "erase", "--restaurant", "demo", "--session", SESSION)
    assert code == 0 and ("1 order(s), 1 line(s), 1 status event(s), with their pickup names and phones; "
                          "chat context erased") in out
    code, out, _ = run(capsys, "gdpr", "erase", "--restaurant", "demo", "--yes", "--json")
    assert orjson.loads(out)["orders"] == 1


def test_orders_expire(placed, capsys):
    code, out, _ = run(capsys, "orders", "expire")
    assert code == 0 and out == "expired 0 order(s) older than 12 h\n"


def test_the_installed_command_lists_orders(placed):
    bin_dir = os.path.dirname(sys.executable)
    done = subprocess.run([os.path.join(bin_dir, "stjarna"), "orders", "list", "--restaurant", "demo"],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy(), check=False)
    assert done.returncode == 0, done.stderr
    assert placed[0]["orderCode"] in done.stdout
