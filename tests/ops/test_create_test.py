"""The `test` restaurant the runbook's smoke checks name: `stjarna tenant create-test` creates it, leaves
it alone when it is in place (idempotent: no write, no audit row), puts it back when someone changed it;
its small menu takes a chat and an order; the embedded seed has it."""

from __future__ import annotations

import orjson
import psycopg

from shared import cli
from tests.orders.conftest import new_key

SMOKE = {"restaurantId": "test", "sessionToken": "test", "message": "test"}


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _audit(database):
    with psycopg.connect(database) as conn:
        return conn.execute("select actor, action, details->>'via' from audit_log where action like 'tenant.%' "
                            "order by id").fetchall()


def test_create_test_is_idempotent(cli_env, capsys):
    code, out, _ = _run(capsys, "tenant", "create-test", "--actor", "deploy")
    assert code == 0, out
    assert out.startswith("test (") and "created; live, menu version" in out and "2 item(s)" in out
    assert '{"restaurantId":"test","sessionToken":"test","message":"test"}' in out
    code, out, _ = _run(capsys, "tenant", "create-test", "--json")
    again = orjson.loads(out)
    assert code == 0 and again["changed"] is False and again["created"] is False
    assert _audit(cli_env) == [("cli:deploy", "tenant.create", "tenant create-test")]


def test_create_test_restores_a_changed_test_restaurant(cli_env, capsys):
    assert _run(capsys, "tenant", "create-test")[0] == 0
    with psycopg.connect(cli_env, autocommit=True) as conn:
        conn.execute("update restaurants set status = 'suspended' where slug = 'test'")
        conn.execute("delete from menu_items where restaurant_id = (select id from restaurants where slug = 'test')")
    code, out, _ = _run(capsys, "tenant", "create-test")
    assert code == 0 and "restored; live" in out
    with psycopg.connect(cli_env) as conn:
        status, items = conn.execute("select r.status, count(i.id) from restaurants r left join menu_items i on "
                                     "i.restaurant_id = r.id where r.slug = 'test' group by r.status").fetchone()
    assert (status, items) == ("live", 2)
    assert [row[1] for row in _audit(cli_env)] == ["tenant.create", "tenant.update"]


def test_the_test_restaurant_takes_a_chat_and_an_order(app_for, clock):
    client, _ = app_for(clock=clock)
    chat = client.post("/api/chat", json=SMOKE)
    assert chat.status_code == 200, chat.text
    assert chat.json()["reply"]
    menu = client.get("/api/public/menu", params={"restaurantId": "test"}).json()
    item = menu["sections"][0]["items"][0]["id"]
    order = client.post("/api/orders", json={"restaurantId": "test", "sessionToken": "smoke-test-0001",
                                             "items": [{"itemId": item, "quantity": 1}]},
                        headers={"Idempotency-Key": new_key()})
    assert order.status_code == 201, order.text
    assert order.json()["totalCents"] == 5000


def test_short_chat_tokens_are_accepted_but_order_tokens_stay_strict(app_for, clock):
    client, _ = app_for(clock=clock)
    assert client.post("/api/chat", json={**SMOKE, "sessionToken": "t"}).status_code == 200
    r = client.post("/api/orders/quote", json={"restaurantId": "test", "sessionToken": "test", "items": []})
    assert r.status_code == 422
    assert "sessionToken" in [e["path"] for e in r.json()["error"]["errors"]]
    status = client.get("/api/orders/ABCDEF", params={"restaurantId": "test", "sessionToken": "test"})
    assert status.status_code == 422
