"""POST /api/orders, /api/orders/quote and GET /api/orders/{code} through the app, on real Postgres."""

from __future__ import annotations

import re

import pytest

from tests.orders.conftest import SESSION, new_key, order_body

ALLOWED = "https://shop.stjarna.dev"  # the demo restaurant allows https://*.stjarna.dev


@pytest.fixture
def app(app_for, clock):
    return app_for(clock=clock)


def place(client, body, key=None, **headers):
    return client.post("/api/orders", json=body, headers={"Idempotency-Key": key or new_key(), **headers})


def test_an_order_is_priced_by_the_server_and_gets_a_readable_code(app, items, sql):
    client, _ = app
    r = place(client, order_body((items["demo/meatballs"], 2), (items["demo/sorbet"], 1)))
    assert r.status_code == 201, r.text
    order = r.json()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", order["orderCode"])
    assert order["status"] == "placed" and order["currency"] == "SEK" and order["pickupAt"] is None
    assert [(i["name"], i["quantity"], i["unitPriceCents"], i["lineTotalCents"]) for i in order["items"]] == [
        ("Swedish meatballs", 2, 18900, 37800), ("Raspberry sorbet", 1, 6500, 6500)]
    assert order["totalCents"] == 44300
    assert order["payment"] == {"method": "pay_at_pickup", "status": "due_at_pickup", "amountCents": 44300,
                                "currency": "SEK"}
    assert r.headers["Location"] == order["statusUrl"]
    assert order["statusUrl"].endswith(f"/api/orders/{order['orderCode']}?restaurantId={order['restaurantId']}")
    assert r.headers["Cache-Control"] == "no-store"
    # stored with price snapshots, the session only as a hash
    rows = sql("select session_hash, total_cents from orders")
    assert len(rows) == 1 and rows[0][1] == 44300 and SESSION not in rows[0][0]
    assert sql("select count(*) from order_items") == [(2,)]


@pytest.mark.parametrize("field", ["priceCents", "unitPriceCents", "totalCents", "price"])
def test_a_client_sent_price_is_refused(app, items, sql, field):
    client, _ = app
    body = order_body((items["demo/meatballs"], 1))
    target = body["items"][0] if field != "totalCents" else body
    target[field] = 1
    r = place(client, body)
    assert r.status_code == 422
    assert "prices come from the restaurant's menu" in r.json()["error"]["message"]
    assert sql("select count(*) from orders") == [(0,)]


def test_the_same_key_and_body_replay_the_one_order(app, items, sql):
    client, _ = app
    body, key = order_body((items["demo/hummus"], 3)), new_key()
    first = place(client, body, key)
    # the same order spelled differently: the restaurant by id, keys reordered
    again = client.post("/api/orders", headers={"Idempotency-Key": key},
                        json={"items": body["items"], "sessionToken": SESSION,
                              "restaurantId": first.json()["restaurantId"]})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    same = ("orderId", "orderCode", "items", "totalCents", "placedAt", "statusUrl")
    assert {k: again.json()[k] for k in same} == {k: first.json()[k] for k in same}
    assert sql("select count(*) from orders") == [(1,)]


def test_the_same_key_with_another_body_is_refused(app, items, sql):
    client, _ = app
    key = new_key()
    assert place(client, order_body((items["demo/hummus"], 1)), key).status_code == 201
    r = place(client, order_body((items["demo/hummus"], 2)), key)
    assert r.status_code == 409 and r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    other_session = place(client, order_body((items["demo/hummus"], 1), session="someone-else-123"), key)
    assert other_session.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert sql("select count(*) from orders") == [(1,)]


@pytest.mark.parametrize("key", [None, "short", "x" * 129, "has space1", "ünïcode-key".encode()])
def test_the_idempotency_key_is_required_and_checked(app, items, key):
    client, _ = app
    headers = {} if key is None else {"Idempotency-Key": key}
    r = client.post("/api/orders", json=order_body((items["demo/hummus"], 1)), headers=headers)
    assert r.status_code == 422
    assert [e["path"] for e in r.json()["error"]["errors"]] == ["headers.Idempotency-Key"]


def test_body_and_header_errors_are_reported_together(app):
    client, _ = app
    r = client.post("/api/orders", json={"restaurantId": "demo", "sessionToken": "x", "items": []})
    assert r.status_code == 422
    assert {e["path"] for e in r.json()["error"]["errors"]} == {"sessionToken", "items", "headers.Idempotency-Key"}


@pytest.mark.parametrize(("mutate", "path"), [
    (lambda b: b.update(items=[]), "items"),
    (lambda b: b.update(items=b["items"] * 51), "items"),
    (lambda b: b["items"][0].update(quantity=0), "items[0].quantity"),
    (lambda b: b["items"][0].update(quantity=21), "items[0].quantity"),
    (lambda b: b["items"][0].update(quantity="2"), "items[0].quantity"),
    (lambda b: b["items"][0].update(quantity=1.5), "items[0].quantity"),
    (lambda b: b["items"][0].update(note="n" * 201), "items[0].note"),
    (lambda b: b["items"][0].update(note="bell\x07"), "items[0].note"),
    (lambda b: b["items"][0].update(itemId="meatballs"), "items[0].itemId"),
    (lambda b: b.update(sessionToken="bad token!"), "sessionToken"),
    (lambda b: b.update(pickupAt="2026-11-24T18:00:00"), "pickupAt"),
    (lambda b: b.update(pickupAt="tomorrow"), "pickupAt"),
    (lambda b: b.update(items="all of it"), "items"),
])
def test_bad_input_names_the_field(app, items, sql, mutate, path):
    client, _ = app
    body = order_body((items["demo/hummus"], 1))
    mutate(body)
    r = place(client, body)
    assert r.status_code == 422, r.text
    assert path in [e["path"] for e in r.json()["error"]["errors"]]
    assert sql("select count(*) from orders") == [(0,)]


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_422(app, raw):
    client, _ = app
    r = client.post("/api/orders", content=raw, headers={"Idempotency-Key": new_key(),
                                                          "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_unknown_and_unavailable_items_are_all_named(app, items, sql):
    client, _ = app
    sql("update menu_items set available = false where key = 'salmon'")
    unknown = "00000000-0000-4000-8000-000000000000"
    body = order_body((items["demo/hummus"], 1), (items["demo/salmon"], 1), (unknown, 2),
                      (items["demo/semla"], 1), (items["nattbaren/" + _first(items, "nattbaren")], 1))
    r = place(client, body)
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "ITEM_UNAVAILABLE"
    reasons = {i["itemId"]: i["reason"] for i in error["items"]}
    assert reasons == {items["demo/salmon"]: "unavailable", unknown: "unknown", items["demo/semla"]: "unavailable",
                       items["nattbaren/" + _first(items, "nattbaren")]: "unknown"}  # another restaurant's item
    assert sql("select count(*) from orders") == [(0,)]


def _first(items, slug):
    return next(k.split("/")[1] for k in items if k.startswith(slug + "/"))


def test_ordering_turned_off_is_409_and_the_config_says_so(app_for, items, clock):
    client, _ = app_for(clock=clock, ORDERING_ENABLED="false")
    r = place(client, order_body((items["demo/hummus"], 1)))
    assert r.status_code == 409 and r.json()["error"]["code"] == "ORDERING_DISABLED"
    quote = client.post("/api/orders/quote", json=order_body((items["demo/hummus"], 1)))
    assert quote.json()["error"]["code"] == "ORDERING_DISABLED"
    assert client.get("/api/public/config?restaurantId=demo").json()["features"]["ordering"] is False


def test_a_replay_is_answered_even_after_ordering_was_turned_off(app_for, items, clock, seeded):
    client, _ = app_for(clock=clock)
    body, key = order_body((items["demo/hummus"], 1)), new_key()
    code = place(client, body, key).json()["orderCode"]
    off, _ = app_for(clock=clock, ORDERING_ENABLED="false")
    again = place(off, body, key)
    assert again.status_code == 201 and again.json()["orderCode"] == code


def test_the_quote_prices_like_an_order_and_stores_nothing(app, items, sql):
    client, _ = app
    body = order_body((items["demo/green-curry"], 2))
    r = client.post("/api/orders/quote", json=body)
    assert r.status_code == 200
    quote = r.json()
    assert quote["totalCents"] == 35000 and quote["status"] == "quote" and quote["probe"] is False
    assert "orderCode" not in quote and "orderId" not in quote
    assert sql("select count(*) from orders") == [(0,)]


def test_a_health_check_probe_runs_every_check_and_stores_nothing(app_for, clock, items, sql):
    client, _ = app_for(clock=clock, CHAT_PROBE_SECRET="probe-secret-for-tests")
    r = client.post("/api/orders", json=order_body((items["demo/hummus"], 1), session="health-check"),
                    headers={"X-Stjarna-Probe": "probe-secret-for-tests"})
    assert r.status_code == 200 and r.json()["probe"] is True and r.json()["totalCents"] == 9500
    assert sql("select count(*) from orders") == [(0,)]


def test_without_the_probe_secret_a_health_check_order_is_an_ordinary_order(app_for, clock, items, sql):
    client, _ = app_for(clock=clock, CHAT_PROBE_SECRET="probe-secret-for-tests")
    body = order_body((items["demo/hummus"], 1), session="health-check")
    r = client.post("/api/orders", json=body, headers={"X-Stjarna-Probe": "wrong-secret"})
    assert r.status_code == 422  # an ordinary order: it needs its Idempotency-Key
    r = place(client, body)
    assert r.status_code == 201 and "probe" not in r.json()
    assert sql("select count(*) from orders") == [(1,)]


def test_a_placed_order_keeps_its_prices_when_the_menu_changes(app, items, sql):
    client, _ = app
    placed = place(client, order_body((items["demo/meatballs"], 1))).json()
    sql("update menu_items set price_cents = 99900, name = 'Renamed' where key = 'meatballs'")
    sql("delete from menu_items where key = 'meatballs'")
    r = client.get(f"/api/orders/{placed['orderCode']}", params={"restaurantId": "demo", "sessionToken": SESSION})
    assert r.status_code == 200
    assert r.json()["items"][0]["unitPriceCents"] == 18900 and r.json()["items"][0]["name"] == "Swedish meatballs"


def test_orders_do_not_change_the_menu_version(app, items, sql):
    client, _ = app
    before = sql("select menu_version from restaurants where slug = 'demo'")
    place(client, order_body((items["demo/hummus"], 1)))
    assert sql("select menu_version from restaurants where slug = 'demo'") == before


def test_status_is_for_the_placing_session_only(app, items):
    client, _ = app
    code = place(client, order_body((items["demo/hummus"], 1))).json()["orderCode"]
    mine = client.get(f"/api/orders/{code.lower()}", params={"restaurantId": "demo", "sessionToken": SESSION})
    assert mine.status_code == 200
    assert mine.json()["history"] == [{"status": "placed", "at": mine.json()["placedAt"]}]
    assert "actor" not in mine.json()["history"][0]
    by_header = client.get(f"/api/orders/{code}?restaurantId=demo", headers={"X-Session-Token": SESSION})
    assert by_header.status_code == 200
    others = [
        client.get(f"/api/orders/{code}", params={"restaurantId": "demo", "sessionToken": "another-session"}),
        client.get("/api/orders/ABCDEF", params={"restaurantId": "demo", "sessionToken": SESSION}),
        client.get("/api/orders/not-a-code", params={"restaurantId": "demo", "sessionToken": SESSION}),
        client.get(f"/api/orders/{code}", params={"restaurantId": "nattbaren", "sessionToken": SESSION}),
    ]
    # one answer for "not yours" and "does not exist": nothing to enumerate
    assert {(r.status_code, r.json()["error"]["code"], r.json()["error"]["message"]) for r in others} == {
        (404, "ORDER_NOT_FOUND", "No such order for this session.")}
    missing = client.get(f"/api/orders/{code}", params={"restaurantId": "demo"})
    assert missing.status_code == 422 and missing.json()["error"]["errors"][0]["path"] == "sessionToken"


def test_cors_applies_to_orders_and_their_errors(app, items):
    client, _ = app
    ok = place(client, order_body((items["demo/hummus"], 1)), Origin=ALLOWED)
    assert ok.status_code == 201 and ok.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Location" in ok.headers["Access-Control-Expose-Headers"]
    refused = place(client, order_body(("00000000-0000-4000-8000-000000000000", 1)), Origin=ALLOWED)
    assert refused.status_code == 409 and refused.headers["Access-Control-Allow-Origin"] == ALLOWED
    foreign = place(client, order_body((items["demo/hummus"], 1)), Origin="https://evil.example")
    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign.headers
    preflight = client.options("/api/orders?restaurantId=demo", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, idempotency-key"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type, idempotency-key"
    assert preflight.headers["Access-Control-Allow-Origin"] == ALLOWED
    status_preflight = client.options("/api/orders/ABCDEF?restaurantId=demo", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-session-token"})
    assert status_preflight.headers["Access-Control-Allow-Headers"] == "x-session-token"


def test_orders_are_rate_limited_per_session_and_per_address(app_for, items, clock):
    client, _ = app_for(clock=clock, ORDER_RATE_LIMIT="2 per minute", ORDER_IP_RATE_LIMIT="3 per minute")
    body = order_body((items["demo/hummus"], 1))
    assert [place(client, body).status_code for _ in range(3)] == [201, 201, 429]
    limited = place(client, body)
    assert limited.json()["error"]["code"] == "RATE_LIMITED" and int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Limit"] == "2"
    # another session from the same address: the per-address limit (3) is what stops it
    other = order_body((items["demo/hummus"], 1), session="second-diner-01")
    assert [place(client, other).status_code for _ in range(2)] == [201, 429]
    assert place(client, other).headers["X-RateLimit-Limit"] == "3"


def test_an_unknown_restaurant_is_404_and_a_draft_one_too(app, items, sql):
    client, _ = app
    r = place(client, order_body((items["demo/hummus"], 1), restaurant="no-such-place"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "RESTAURANT_NOT_FOUND"
    sql("update restaurants set status = 'suspended' where slug = 'demo'")
    r = place(client, order_body((items["demo/hummus"], 1)))
    assert r.status_code == 404
