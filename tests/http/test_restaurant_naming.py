"""How a request names its restaurant: ``restaurantId`` in the query string or the JSON body, or the
``X-Restaurant-ID`` header, on every tenant route (GET and POST alike); two that disagree are refused
with ``RESTAURANT_ID_CONFLICT`` rather than one silently winning (docs/api.md)."""

from __future__ import annotations

import pytest

from tests.orders.conftest import new_key, order_body


@pytest.fixture
def app(app_for, clock):
    return app_for(clock=clock)


def _chat(client, body, **kw):
    return client.post("/api/chat", json={"sessionToken": "naming-01", "message": "vegan?", **body}, **kw)


def test_chat_takes_the_restaurant_from_the_header(client):
    """The 400 RESTAURANT_CONTEXT_MISSING says "send X-Restaurant-ID": sending it must work."""
    r = _chat(client, {}, headers={"X-Restaurant-ID": "demo"})
    assert r.status_code == 200, r.text
    assert r.json()["suggestions"]
    assert _chat(client, {}, headers={"X-Restaurant-ID": "DEMO"}).status_code == 200  # case-insensitive, as in GET


def test_chat_with_the_header_and_the_same_restaurant_in_the_body(client):
    demo_id = client.get("/api/public/config", params={"restaurantId": "demo"}).json()["restaurantId"]
    assert _chat(client, {"restaurantId": "demo"}, headers={"X-Restaurant-ID": "demo"}).status_code == 200
    assert _chat(client, {"restaurantId": demo_id.upper()}, headers={"X-Restaurant-ID": demo_id}).status_code == 200


@pytest.mark.parametrize(("body", "url", "headers"), [
    ({"restaurantId": "demo"}, "/api/chat", {"X-Restaurant-ID": "nattbaren"}),
    ({}, "/api/chat?restaurantId=demo", {"X-Restaurant-ID": "nattbaren"}),
    ({"restaurantId": "demo"}, "/api/chat?restaurantId=nattbaren", {}),
])
def test_two_names_that_disagree_are_a_clear_400(client, body, url, headers):
    r = client.post(url, json={"sessionToken": "naming-01", "message": "hi", **body}, headers=headers)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "RESTAURANT_ID_CONFLICT"
    assert "X-Restaurant-ID" in error["message"]


def test_get_routes_refuse_a_disagreeing_header_too(client):
    r = client.get("/api/public/menu", params={"restaurantId": "demo"}, headers={"X-Restaurant-ID": "nattbaren"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "RESTAURANT_ID_CONFLICT"
    same = client.get("/api/public/menu", params={"restaurantId": "demo"}, headers={"X-Restaurant-ID": "Demo"})
    assert same.status_code == 200


def test_nothing_names_it_is_still_context_missing(client):
    r = _chat(client, {}, headers={"X-Restaurant-ID": "  "})
    assert r.status_code == 400 and r.json()["error"]["code"] == "RESTAURANT_CONTEXT_MISSING"


def test_a_bad_header_is_refused_even_when_the_body_names_it(client):
    r = _chat(client, {"restaurantId": "demo"}, headers={"X-Restaurant-ID": "not a slug!"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "RESTAURANT_ID_INVALID"


def test_quote_and_order_take_the_restaurant_from_the_header(app, items):
    client, _ = app
    body = order_body((items["demo/hummus"], 1))
    del body["restaurantId"]
    quote = client.post("/api/orders/quote", json=body, headers={"X-Restaurant-ID": "demo"})
    assert quote.status_code == 200, quote.text
    assert quote.json()["totalCents"] == 9500
    placed = client.post("/api/orders", json=body, headers={"X-Restaurant-ID": "demo", "Idempotency-Key": new_key()})
    assert placed.status_code == 201, placed.text
    wrong = client.post("/api/orders/quote", json={**body, "restaurantId": "nattbaren"},
                        headers={"X-Restaurant-ID": "demo"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "RESTAURANT_ID_CONFLICT"
