"""Upstash (Redis) down, slow, paused or answering garbage, through the whole app: the fault proxy sits
between the app and the Upstash bridge over a real redis-server, and a lying Upstash answers HTTP 200
with malformed JSON or the wrong types. The outcomes of docs/faults.md: rate limits degrade to this
instance's memory and are still enforced, the menu cache is bypassed (menus come from Postgres), chat
answers without its context, orders are placed exactly once, health says degraded, and no diner ever
sees a 5xx. When the fault clears, the shared state is used again."""

from __future__ import annotations

import pytest

from shared.ratelimit.limiter import DEFAULT_BACKOFF_SECONDS
from tests.orders.conftest import new_key, order_body

MENU = "/api/public/menu?restaurantId=nattbaren"  # never loaded before the fault: no local copy
PROXY_FAULTS = {
    "refused": lambda proxy: proxy.refuse(),
    "slow": lambda proxy: proxy.latency(60),  # far past KV_TIMEOUT_SECONDS
    "paused": lambda proxy: proxy.blackhole(),
    "garbage": lambda proxy: proxy.garbage(),  # random bytes instead of HTTP
    "corrupted": lambda proxy: proxy.corrupt(),  # the bridge's replies scrambled on the way
}
LIES = {  # HTTP 200 from "Upstash", every time
    "truncated-json": b'{"result": "',  # (any body that is not JSON: a gateway's HTML page alike)
    "null": b"null",
    "array-not-object": b"[1, 2, 3]",
    "no-result": b"{}",
    "object-result": b'{"result": {"a": 1}}',
    "number-result": b'{"result": 7}',
    "short-array-result": b'{"result": [0]}',
    "wrong-string": b'{"result": "OK"}',
}
ENV = {"CHAT_RATE_LIMIT": "1 per 30 seconds", "HEALTH_CACHE_SECONDS": "0"}  # health: each call checks anew


def chat(client, session, message="anything vegan?"):
    return client.post("/api/chat", json={"restaurantId": "demo", "sessionToken": session, "message": message})


def diners_through_the_fault(client, sql, items):
    """What diners do while the KV fails, and what they must get."""
    answers = []
    menu = client.get(MENU)
    answers.append(menu)
    assert menu.status_code == 200 and menu.json()["restaurant"]["slug"] == "nattbaren"

    chats = [chat(client, "kv-fault-session") for _ in range(2)]
    answers += chats
    assert [c.status_code for c in chats] == [200, 429]  # the limit still holds, per instance
    assert chats[0].json()["reply"] and chats[0].json()["suggestions"]

    key, body = new_key(), order_body((items["demo/hummus"], 1))
    placed = client.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    again = client.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    answers += [placed, again]
    assert placed.status_code == 201 and again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["orderId"] == placed.json()["orderId"]
    assert sql("select count(*) from orders") == [(1,)]

    health = client.get("/api/health")
    answers.append(health)
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["checks"]["cache"]["status"] == "degraded"
    assert all(a.status_code < 500 for a in answers)
    return menu


@pytest.mark.parametrize("fault", PROXY_FAULTS)
def test_kv_fault_then_shared_state_again(fault, app_from_env, database, kv_proxy, redis_kv, limiter_clock,
                                          items, sql):
    client, _ = app_from_env(database, f"http://127.0.0.1:{kv_proxy.port}", **ENV)
    assert chat(client, "warm-up-session").status_code == 200  # the clients are built and connected
    redis_kv.flushall()

    PROXY_FAULTS[fault](kv_proxy)
    during = diners_through_the_fault(client, sql, items)
    if fault != "corrupted":  # (corrupted: the requests reach Redis, the replies are scrambled)
        assert redis_kv.keys("*") == []  # nothing reached Redis

    kv_proxy.pass_through()
    limiter_clock.now += DEFAULT_BACKOFF_SECONDS + 1  # the limiter tries the shared store again
    assert chat(client, "after-the-fault").status_code == 200
    other, _ = app_from_env(database, f"http://127.0.0.1:{kv_proxy.port}", **ENV)  # another instance
    after = other.get(MENU)
    assert after.status_code == 200 and after.headers["ETag"] == during.headers["ETag"]
    keys = {k.decode() for k in redis_kv.keys("*")}
    assert any(k.startswith("stjarna:rl:") for k in keys)  # rate limits shared again
    assert any(k.startswith("chat:ctx:") for k in keys)  # chat context kept again
    assert any(k.startswith("menu:") for k in keys)  # menus cached for every instance again
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["checks"]["cache"]["status"] == "ok"


@pytest.mark.parametrize("lie", LIES)
def test_kv_answering_nonsense(lie, app_from_env, database, lying_upstash, items, sql):
    url, liar = lying_upstash
    liar.body = LIES[lie]
    client, _ = app_from_env(database, url, **ENV)
    diners_through_the_fault(client, sql, items)
