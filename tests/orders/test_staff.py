"""Staff side: the status machine, concurrent changes, expiry, GDPR erasure (service over real
Postgres), and the admin API behind hashed, rotating keys."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest

from shared.admin.keys import AdminKeys
from shared.errors import InvalidTransition, OrderNotFound, OrderStatusConflict, TooManyAdminKeys
from shared.orders.requests import STATUSES, OrderRequest
from shared.orders.service import OrderService
from shared.store.postgres import PostgresStore
from tests.conftest import make_settings
from tests.orders.conftest import SESSION, new_key, order_body

FORWARD = {("placed", "accepted"), ("accepted", "preparing"), ("preparing", "ready"), ("ready", "picked_up")}
LEGAL = FORWARD | {(s, "cancelled") for s in ("placed", "accepted", "preparing")} | {
    (s, "expired") for s in ("placed", "accepted", "preparing", "ready")}
# the shortest way to reach each status from "placed"
PATH = {"placed": [], "accepted": ["accepted"], "preparing": ["accepted", "preparing"],
        "ready": ["accepted", "preparing", "ready"], "picked_up": ["accepted", "preparing", "ready", "picked_up"],
        "cancelled": ["cancelled"], "expired": ["expired"]}


@pytest.fixture
def service(seeded, clock):
    return OrderService(seeded, make_settings(), clock=clock)


@pytest.fixture
def rid(sql):
    return str(sql("select id from restaurants where slug = 'demo'")[0][0])


def place(service, rid, items, session=SESSION, **extra):
    request = OrderRequest.model_validate(order_body((items["demo/hummus"], 1), session=session, **extra))
    return service.place(rid, request, new_key(), ordering_enabled=True).order


@pytest.mark.parametrize(("start", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_the_status_machine(service, rid, items, sql, start, target):
    order = place(service, rid, items)
    for step in PATH[start]:
        service.set_status(order["orderId"], step, "staff:test")
    if (start, target) in LEGAL:
        updated = service.set_status(order["orderId"], target, "staff:anna")
        assert updated["status"] == target
        assert updated["history"][-1] == {"status": target, "at": updated["updatedAt"], "actor": "staff:anna"}
        assert sql("select actor, action, details->>'to' from audit_log order by id desc limit 1") == [
            ("staff:anna", "order.status", target)]
    else:
        with pytest.raises(InvalidTransition) as info:
            service.set_status(order["orderId"], target, "staff:anna")
        assert info.value.details == {"from": start, "to": target}
        assert service.staff_order(None, order["orderId"])["status"] == start


def test_every_transition_is_recorded_with_time_and_actor(service, rid, items, clock):
    order = place(service, rid, items)
    for step, who in (("accepted", "staff:anna"), ("preparing", "staff:bo"), ("ready", "staff:bo")):
        clock.at += timedelta(minutes=5)
        service.set_status(order["orderId"], step, who)
    history = service.staff_order(None, order["orderId"])["history"]
    assert [(h["status"], h["actor"]) for h in history] == [
        ("placed", "diner"), ("accepted", "staff:anna"), ("preparing", "staff:bo"), ("ready", "staff:bo")]
    assert len({h["at"] for h in history}) == 4


def test_of_two_concurrent_changes_one_wins(seeded, database, service, rid, items, clock):
    order = place(service, rid, items)
    stores = [PostgresStore(database, timeout_seconds=10) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def act(store, target):
        barrier.wait()
        try:
            outcomes.append(OrderService(store, make_settings(), clock=clock).set_status(
                order["orderId"], target, "staff:x", expected="placed")["status"])
        except OrderStatusConflict as exc:
            outcomes.append(exc)

    targets = ("accepted", "cancelled")
    threads = [threading.Thread(target=act, args=pair) for pair in zip(stores, targets, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    winners = [o for o in outcomes if isinstance(o, str)]
    losers = [o for o in outcomes if isinstance(o, OrderStatusConflict)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].details == {"status": winners[0]}
    assert len(service.staff_order(None, order["orderId"])["history"]) == 2


def test_the_same_change_twice_is_refused_the_second_time(service, rid, items):
    order = place(service, rid, items)
    service.set_status(order["orderId"], "accepted", "staff:a")
    with pytest.raises(InvalidTransition):
        service.set_status(order["orderId"], "accepted", "staff:b")


def test_unknown_orders_are_not_found(service, rid):
    for ref in ("00000000-0000-4000-8000-000000000000", "not-an-id"):
        with pytest.raises(OrderNotFound):
            service.set_status(ref, "accepted", "staff:a")
    with pytest.raises(OrderNotFound):
        service.staff_order(rid, "ZZZZZZ")
    with pytest.raises(OrderNotFound):
        service.staff_order(None, "ABCDEF")  # a code needs its restaurant


def test_open_orders_expire_after_their_pickup_time(service, rid, items, clock):
    old = place(service, rid, items)
    ready = place(service, rid, items)
    for step in PATH["ready"]:
        service.set_status(ready["orderId"], step, "staff:a")
    done = place(service, rid, items)
    for step in PATH["picked_up"]:
        service.set_status(done["orderId"], step, "staff:a")
    clock.at += timedelta(hours=11)
    fresh = place(service, rid, items)
    clock.at += timedelta(hours=1, minutes=1)  # 12 h (ORDER_EXPIRE_AFTER_HOURS) after the first three
    assert service.expire() == 2
    states = {o["orderId"]: o["status"] for o in service.list(rid)}
    assert states == {old["orderId"]: "expired", ready["orderId"]: "expired", done["orderId"]: "picked_up",
                      fresh["orderId"]: "placed"}
    assert service.staff_order(None, old["orderId"])["history"][-1]["actor"] == "system:expiry"
    assert service.expire() == 0


def test_listing_filters_by_status_newest_first(service, rid, items, clock):
    first = place(service, rid, items)
    clock.at += timedelta(minutes=1)
    second = place(service, rid, items)
    service.set_status(first["orderId"], "accepted", "staff:a")
    assert [o["orderId"] for o in service.list(rid)] == [second["orderId"], first["orderId"]]
    assert [o["orderId"] for o in service.list(rid, "placed")] == [second["orderId"]]
    assert service.list(rid, "ready") == []


def test_gdpr_erasure_of_a_session_and_of_a_restaurant(service, rid, items, sql):
    mine = place(service, rid, items)
    place(service, rid, items, session="other-diner-1")
    place(service, rid, items, session="other-diner-1")
    counts = service.erase(rid, SESSION, "cli:dpo")
    assert counts == {"orders": 1, "orderItems": 1, "orderEvents": 1}
    with pytest.raises(OrderNotFound):
        service.staff_order(None, mine["orderId"])
    assert service.erase(rid, None, "cli:dpo") == {"orders": 2, "orderItems": 2, "orderEvents": 2}
    assert sql("select count(*) from orders") == [(0,)]
    assert sql("select actor, details->>'scope' from audit_log where action = 'gdpr.erase' order by id") == [
        ("cli:dpo", "session"), ("cli:dpo", "restaurant")]


# -- admin keys and the admin API -----------------------------------------------------------------
@pytest.fixture
def keys(seeded):
    return AdminKeys(seeded, "test-pepper")


def test_keys_are_stored_hashed_and_two_may_be_active(keys, sql):
    first, record = keys.create("support", "cli:test")
    assert first.startswith("stj_") and len(first) > 40
    stored = sql("select key_hash from admin_keys")
    assert len(stored) == 1 and first not in stored[0][0] and stored[0][0] == keys.digest(first)
    second, _ = keys.create("kitchen", "cli:test")
    with pytest.raises(TooManyAdminKeys):
        keys.create("third", "cli:test")
    assert keys.verify(first).key_id == record["id"] and keys.verify(second) is not None
    keys.revoke(record["id"], "cli:test")
    assert keys.verify(first) is None  # revoked: refused at once
    keys.create("third", "cli:test")  # room again
    assert [k["active"] for k in keys.list()] == [False, True, True]
    assert AdminKeys(keys.store, "another-pepper").verify(second) is None  # the pepper is part of the hash
    actions = [a for (a,) in sql("select action from audit_log order by id")]
    assert actions == ["admin_key.create", "admin_key.create", "admin_key.revoke", "admin_key.create"]


def test_an_expired_key_is_refused(keys, sql):
    key, record = keys.create("temp", "cli:test", expires_in=timedelta(days=1))
    assert keys.verify(key) is not None
    sql("update admin_keys set expires_at = now() - interval '1 second'")
    assert keys.verify(key) is None
    assert keys.list()[0]["active"] is False


@pytest.fixture
def admin(app_for, clock):
    client, container = app_for(clock=clock, ADMIN_AUTH_MAX_FAILURES="3")
    key, _ = container.admin_keys.create("test", "cli:test")
    return client, container, {"Authorization": f"Bearer {key}"}


def test_staff_move_an_order_through_the_admin_api(admin, items, sql):
    client, container, auth = admin
    placed = client.post("/api/orders", json=order_body((items["demo/hummus"], 1)),
                         headers={"Idempotency-Key": new_key()}).json()
    listed = client.get("/api/admin/orders?restaurantId=demo&status=placed", headers=auth)
    assert listed.status_code == 200 and [o["orderCode"] for o in listed.json()["orders"]] == [placed["orderCode"]]
    url = f"/api/admin/orders/{placed['orderId']}"
    r = client.patch(url, json={"status": "accepted", "expectedStatus": "placed"}, headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    key_id = sql("select id::text from admin_keys")[0][0]
    assert r.json()["history"][-1]["actor"] == f"admin-key:{key_id}"
    assert sql("select actor from audit_log where action = 'order.status'") == [(f"admin-key:{key_id}",)]
    stale = client.patch(url, json={"status": "cancelled", "expectedStatus": "placed"}, headers=auth)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "ORDER_STATUS_CONFLICT"
    illegal = client.patch(url, json={"status": "picked_up"}, headers=auth)
    assert illegal.status_code == 409 and illegal.json()["error"]["code"] == "INVALID_TRANSITION"
    bad = client.patch(url, json={"status": "eaten"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["error"]["errors"][0]["path"] == "status"
    by_code = client.get(f"/api/admin/orders/{placed['orderCode']}?restaurantId=demo", headers=auth)
    assert by_code.status_code == 200 and by_code.json()["orderId"] == placed["orderId"]
    missing = client.patch("/api/admin/orders/00000000-0000-4000-8000-000000000000",
                           json={"status": "accepted"}, headers=auth)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ORDER_NOT_FOUND"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer stj_wrong", "Basic dXNlcjpwYXNz",
                                    "bearer stj_" + "x" * 300])
def test_a_missing_or_wrong_key_is_401_without_a_hint(admin, header):
    client, _, _ = admin
    headers = {} if header is None else {"Authorization": header}
    r = client.get("/api/admin/orders?restaurantId=demo", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "UNAUTHORIZED"
    assert r.json()["error"]["message"] == "A valid admin key is required (Authorization: Bearer <key>)."
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="stjarna-admin"'


def test_repeated_failures_are_rate_limited_before_the_key_is_checked(admin, caplog):
    client, _, auth = admin
    wrong = {"Authorization": "Bearer stj_wrong-key-guess"}
    for _ in range(3):
        assert client.get("/api/admin/orders?restaurantId=demo", headers=wrong).status_code == 401
    limited = client.get("/api/admin/orders?restaurantId=demo", headers=wrong)  # not even checked
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert sum(r.getMessage() == "admin authentication failed" for r in caplog.records) == 3
    # others' failures never lock out a valid key (tests/security/test_lockout.py)
    assert client.get("/api/admin/orders?restaurantId=demo", headers=auth).status_code == 200


def test_admin_routes_have_no_cors(admin):
    client, _, auth = admin
    r = client.get("/api/admin/orders?restaurantId=demo", headers={**auth, "Origin": "https://shop.stjarna.dev"})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    preflight = client.options("/api/admin/orders", headers={"Origin": "https://shop.stjarna.dev",
                                                            "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 405 and "Access-Control-Allow-Origin" not in preflight.headers


def test_admin_listing_validates_its_query(admin):
    client, _, auth = admin
    assert client.get("/api/admin/orders?restaurantId=demo&status=eaten", headers=auth).status_code == 422
    assert client.get("/api/admin/orders?restaurantId=demo&limit=0", headers=auth).status_code == 422
    assert client.get("/api/admin/orders", headers=auth).json()["error"]["code"] == "RESTAURANT_CONTEXT_MISSING"
    assert client.get("/api/admin/orders?restaurantId=nope", headers=auth).status_code == 404


def test_the_scheduled_function_expires_orders(cli_env, monkeypatch):
    """functions/expire_orders.handler as EventBridge calls it, on the process's container."""
    from datetime import UTC, datetime

    from shared.container import default_container
    from shared.menus.io import import_menu
    from tests.conftest import seed_documents

    monkeypatch.setenv("ORDER_EXPIRE_AFTER_HOURS", "1")
    default_container().close()
    default_container.cache_clear()
    c = default_container()
    for document in seed_documents():
        import_menu(c.store, document)
    rid = str(c.store.rpc("stjarna_resolve", {"p_ref": "demo"}))
    item = c.store.rpc("stjarna_public_menu", {"p_restaurant_id": rid})["sections"][0]["items"][0]["id"]
    old = OrderService(c.store, c.settings, clock=lambda: datetime(2026, 1, 1, 12, tzinfo=UTC))
    placed = place(old, rid, {"demo/hummus": item})
    from functions.expire_orders import handler

    assert handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None) == {
        "expired": 1, "piiErased": 0, "itemsAvailableAgain": 0}
    assert c.orders.staff_order(None, placed["orderId"])["history"][-1] == {
        "status": "expired", "at": c.orders.staff_order(None, placed["orderId"])["updatedAt"],
        "actor": "system:expiry"}
    assert handler({}, None) == {"expired": 0, "piiErased": 0, "itemsAvailableAgain": 0}
