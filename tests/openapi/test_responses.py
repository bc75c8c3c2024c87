"""The response models are true: representative requests to every operation of the document (success
and error cases) against the real app on the real database, each answer checked against the
document (tests/openapi/conformance.py: status documented, body schema, headers, error shape).

The table below declares what each step must answer; a test checks the table reaches every
operation of the document with at least one success and one error, so a new route needs both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import psycopg
import pytest
from starlette.testclient import TestClient

from shared.container import Container
from shared.http.app import create_app
from shared.http.openapi import document
from shared.kv.memory import MemoryKV
from shared.store.postgres import PostgresStore
from tests.conftest import make_settings
from tests.openapi.conformance import Document
from tests.support.servers import closed_port

SESSION = "diner-session-0001"
OTHER = "someone-else-0002"
ALLOWED = "https://shop.stjarna.dev"
TENANTS = "/api/admin/tenants"
CONFORM = Document(document())


@dataclass
class World:
    client: TestClient
    auth: dict[str, str]
    items: dict[str, str]
    ids: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    lose_database: Callable[[], None] = lambda: None
    orders: list[dict[str, Any]] = field(default_factory=list)
    keys: int = 0

    def body(self, *keys: str, restaurant: str = "demo", session: str = SESSION, **extra: Any) -> dict[str, Any]:
        lines = [{"itemId": self.items[f"{restaurant}/{k}"], "quantity": 1} for k in keys or ("hummus",)]
        return {"restaurantId": restaurant, "sessionToken": session, "items": lines, **extra}

    def key(self) -> dict[str, str]:
        self.keys += 1
        return {"Idempotency-Key": f"openapi-key-{self.keys:04d}"}

    def place(self, *keys: str, **extra: Any) -> httpx.Response:
        r = self.client.post("/api/orders", json=self.body(*keys, **extra), headers=self.key())
        if r.status_code == 201:
            self.orders.append(r.json())
        return r

    def last(self) -> dict[str, Any]:
        if not self.orders:
            assert self.place().status_code == 201
        return self.orders[-1]

    def etag(self, url: str) -> dict[str, str]:
        return {"If-None-Match": self.client.get(url).headers["etag"]}


Call = Callable[[World], httpx.Response]


@dataclass(frozen=True)
class Step:
    method: str
    path: str  # the document's path template
    status: int
    call: Call


def get(path: str, status: int, url: str, **kw: Any) -> Step:
    return Step("GET", path, status, lambda w: w.client.get(url, **kw))


def head(path: str, status: int, url: str, **kw: Any) -> Step:
    return Step("HEAD", path, status, lambda w: w.client.head(url, **kw))


def options(path: str, status: int, url: str, origin: str | None = ALLOWED) -> Step:
    headers = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, x-evil"}
    if origin:
        headers["Origin"] = origin
    return Step("OPTIONS", path, status, lambda w: w.client.options(url, headers=headers))


MENU, CONFIG = "/api/public/menu", "/api/public/config"
ORDERS, QUOTE, STATUS = "/api/orders", "/api/orders/quote", "/api/orders/{code}"
ADMIN_ORDERS, ADMIN_ORDER = "/api/admin/orders", "/api/admin/orders/{order}"
SLOTS = "/api/public/pickup-slots"


def public_steps(path: str) -> list[Step]:
    url = f"{path}?restaurantId=demo"
    return [
        get(path, 200, url), get(path, 200, url, headers={"Origin": ALLOWED}),
        get(path, 200, path, headers={"X-Restaurant-ID": "DEMO"}),
        Step("GET", path, 304, lambda w: w.client.get(url, headers=w.etag(url))),
        head(path, 200, url), Step("HEAD", path, 304, lambda w: w.client.head(url, headers=w.etag(url))),
        get(path, 400, path), get(path, 400, f"{path}?restaurantId=no_such!"),
        get(path, 400, f"{path}?restaurantId=demo&restaurantId=demo"), get(path, 404, f"{path}?restaurantId=nowhere"),
        get(path, 403, url, headers={"Origin": "https://evil.example"}),
        head(path, 404, f"{path}?restaurantId=nowhere"),
        get(path, 414, f"{path}?restaurantId=demo&pad={'x' * 5000}"),
        get(path, 413, url, headers={"Content-Length": str(10**7)}),
        get(path, 400, url, headers={"Content-Length": "many"}),
        options(path, 204, url), options(path, 204, url, origin=None), options(path, 403, url, "null"),
        options(path, 400, path),
    ]


def chat(status: int, body: Any = None, url: str = "/api/chat", **kw: Any) -> Step:
    def call(w: World) -> httpx.Response:
        sent = body if body is not None else {"restaurantId": "demo", "sessionToken": SESSION,
                                              "message": "something vegan?"}
        return w.client.post(url, json=sent, **kw)
    return Step("POST", "/api/chat", status, call)


def admin(method: str, path: str, status: int, url: str | Callable[[World], str], json: Any = None,
          auth: bool = True) -> Step:
    def call(w: World) -> httpx.Response:
        target = url(w) if callable(url) else url
        return w.client.request(method, target, json=json, headers=w.auth if auth else {})
    return Step(method, path, status, call)


def stale(step: Step) -> Step:
    """The step after the database is lost (the app keeps its last good menu)."""
    def call(w: World) -> httpx.Response:
        w.lose_database()
        response = step.call(w)
        assert step.status >= 400 or "x-menu-stale" in response.headers or step.path != MENU, response.headers
        return response
    return Step(step.method, step.path, step.status, call)


def status_url(w: World, code: str | None = None) -> str:
    return f"/api/orders/{code or w.last()['orderCode']}?restaurantId=demo"


def by_id(w: World) -> str:
    return f"/api/admin/orders/{w.last()['orderId']}"


SAME_KEY = {"Idempotency-Key": "same-key-1"}
ORDER_STEPS = [
    Step("POST", ORDERS, 201, lambda w: w.place()),
    Step("POST", ORDERS, 201, lambda w: w.client.post(ORDERS, json=w.body(), headers=SAME_KEY)),
    Step("POST", ORDERS, 201, lambda w: w.client.post(ORDERS, json=w.body(), headers=SAME_KEY)),  # a replay
    Step("POST", ORDERS, 409, lambda w: w.client.post(ORDERS, json=w.body("burrata"), headers=SAME_KEY)),
    Step("POST", ORDERS, 200, lambda w: w.client.post(ORDERS, json=w.body(session="health-check"),
                                                      headers={"X-Stjarna-Probe": "probe-secret-for-tests"})),
    Step("POST", ORDERS, 409, lambda w: w.place("semla")),
    Step("POST", ORDERS, 409, lambda w: w.place("burgare", restaurant="nattbaren",
                                                pickupAt="2026-11-24T14:00:00+00:00")),
    Step("POST", ORDERS, 422, lambda w: w.client.post(ORDERS, json=w.body())),
    Step("POST", ORDERS, 422, lambda w: w.client.post(ORDERS, json={**w.body(), "totalCents": 1}, headers=w.key())),
    Step("POST", ORDERS, 422, lambda w: w.client.post(ORDERS, content=b"[1, 2", headers=w.key())),
    Step("POST", ORDERS, 404, lambda w: w.client.post(ORDERS, json=w.body(restaurant="demo") | {
        "restaurantId": "nowhere"}, headers=w.key())),
    Step("POST", ORDERS, 403, lambda w: w.client.post(ORDERS, json=w.body(), headers={**w.key(), "Origin": "null"})),
    Step("POST", ORDERS, 400, lambda w: w.client.post(f"{ORDERS}?restaurantId=nattbaren", json=w.body(),
                                                      headers=w.key())),
    options(ORDERS, 204, f"{ORDERS}?restaurantId=demo"), options(ORDERS, 400, ORDERS),
    Step("POST", QUOTE, 200, lambda w: w.client.post(QUOTE, json=w.body("hummus", "salmon"),
                                                     headers={"Origin": ALLOWED})),
    Step("POST", QUOTE, 409, lambda w: w.client.post(QUOTE, json=w.body("semla"))),
    Step("POST", QUOTE, 422, lambda w: w.client.post(QUOTE, json={"restaurantId": "demo", "items": []})),
    options(QUOTE, 204, f"{QUOTE}?restaurantId=demo"), options(QUOTE, 404, f"{QUOTE}?restaurantId=nowhere"),
    Step("GET", STATUS, 200, lambda w: w.client.get(status_url(w), headers={"X-Session-Token": SESSION})),
    Step("HEAD", STATUS, 200, lambda w: w.client.head(status_url(w) + f"&sessionToken={SESSION}")),
    Step("GET", STATUS, 404, lambda w: w.client.get(status_url(w) + f"&sessionToken={OTHER}")),
    Step("GET", STATUS, 404, lambda w: w.client.get(status_url(w, "ZZZZZZ") + f"&sessionToken={SESSION}")),
    Step("GET", STATUS, 422, lambda w: w.client.get(status_url(w))),
    Step("HEAD", STATUS, 422, lambda w: w.client.head(status_url(w))),
    options(STATUS, 204, "/api/orders/ABCDEF?restaurantId=demo"),
    options(STATUS, 403, "/api/orders/ABCDEF?restaurantId=demo", "http://localhost:9999"),
]

ADMIN_STEPS = [
    Step("GET", ADMIN_ORDERS, 200, lambda w: (w.last(), w.client.get(f"{ADMIN_ORDERS}?restaurantId=demo",
                                                                     headers=w.auth))[1]),
    admin("HEAD", ADMIN_ORDERS, 200, f"{ADMIN_ORDERS}?restaurantId=demo&status=placed&limit=5"),
    admin("GET", ADMIN_ORDERS, 401, f"{ADMIN_ORDERS}?restaurantId=demo", auth=False),
    admin("HEAD", ADMIN_ORDERS, 401, f"{ADMIN_ORDERS}?restaurantId=demo", auth=False),
    admin("GET", ADMIN_ORDERS, 400, ADMIN_ORDERS), admin("GET", ADMIN_ORDERS, 404, f"{ADMIN_ORDERS}?restaurantId=x"),
    admin("GET", ADMIN_ORDERS, 422, f"{ADMIN_ORDERS}?restaurantId=demo&limit=0"),
    admin("GET", ADMIN_ORDER, 200, by_id), admin("HEAD", ADMIN_ORDER, 200, by_id),
    admin("GET", ADMIN_ORDER, 200, lambda w: f"/api/admin/orders/{w.last()['orderCode']}?restaurantId=demo"),
    admin("GET", ADMIN_ORDER, 404, "/api/admin/orders/ABCDEF"), admin("HEAD", ADMIN_ORDER, 404, "/api/admin/orders/x"),
    admin("GET", ADMIN_ORDER, 400, "/api/admin/orders/ABCDEF?restaurantId=no!"),
    admin("PATCH", ADMIN_ORDER, 200, by_id, {"status": "accepted", "expectedStatus": "placed"}),
    admin("PATCH", ADMIN_ORDER, 409, by_id, {"status": "placed"}),
    admin("PATCH", ADMIN_ORDER, 409, by_id, {"status": "ready", "expectedStatus": "placed"}),
    admin("PATCH", ADMIN_ORDER, 422, by_id, {"status": "eaten"}),
    admin("PATCH", ADMIN_ORDER, 404, "/api/admin/orders/00000000-0000-4000-8000-000000000000", {"status": "accepted"}),
    admin("PATCH", ADMIN_ORDER, 401, by_id, {"status": "accepted"}, auth=False),
    admin("POST", TENANTS, 201, TENANTS, {"slug": "new-place", "name": "New", "allowedOrigins": ["https://n.example"]}),
    admin("POST", TENANTS, 200, TENANTS, {"slug": "new-place", "update": True, "name": "Renamed"}),
    admin("POST", TENANTS, 409, TENANTS, {"slug": "demo"}),
    admin("POST", TENANTS, 422, TENANTS, {"slug": "other-place"}),
    admin("POST", TENANTS, 422, TENANTS, {"slug": "Not A Slug", "nme": 1}),
    admin("GET", f"{TENANTS}/{{ref}}", 200, f"{TENANTS}/demo?auditLimit=3"),
    admin("HEAD", f"{TENANTS}/{{ref}}", 200, f"{TENANTS}/nattbaren"),
    admin("GET", f"{TENANTS}/{{ref}}", 404, f"{TENANTS}/nowhere"),
    admin("GET", f"{TENANTS}/{{ref}}", 400, f"{TENANTS}/NO!"),
    admin("GET", f"{TENANTS}/{{ref}}", 422, f"{TENANTS}/demo?auditLimit=x"),
    admin("HEAD", f"{TENANTS}/{{ref}}", 422, f"{TENANTS}/demo?auditLimit=501"),
    admin("GET", f"{TENANTS}/{{ref}}/items", 200, f"{TENANTS}/demo/items?tag=vegan&allergenFree=nuts,gluten"),
    admin("GET", f"{TENANTS}/{{ref}}/items", 200, f"{TENANTS}/demo/items?undeclared=true&name=a"),
    admin("HEAD", f"{TENANTS}/{{ref}}/items", 200, f"{TENANTS}/demo/items"),
    admin("GET", f"{TENANTS}/{{ref}}/items", 422, f"{TENANTS}/demo/items?tag=carnivore"),
    admin("HEAD", f"{TENANTS}/{{ref}}/items", 404, f"{TENANTS}/nowhere/items"),
    admin("POST", f"{TENANTS}/{{ref}}/cache-purge", 200, f"{TENANTS}/demo/cache-purge"),
    admin("POST", f"{TENANTS}/{{ref}}/cache-purge", 404, f"{TENANTS}/nowhere/cache-purge"),
]

# -- the owner's routes (shared/http/owner.py) ------------------------------------------------------------
STAFF = "/api/admin/restaurants/{ref}"
NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"


def key_to_revoke(w: World) -> str:
    made = w.client.post("/api/admin/restaurants/demo/keys", json={"name": "to revoke"}, headers=w.auth)
    return f"/api/admin/restaurants/demo/keys/{made.json()['id']}"


OWNER_STEPS = [
    admin("GET", f"{STAFF}/keys", 200, "/api/admin/restaurants/demo/keys"),
    admin("HEAD", f"{STAFF}/keys", 200, "/api/admin/restaurants/demo/keys"),
    admin("GET", f"{STAFF}/keys", 404, "/api/admin/restaurants/nowhere/keys"),
    admin("HEAD", f"{STAFF}/keys", 404, "/api/admin/restaurants/nowhere/keys"),
    admin("POST", f"{STAFF}/keys", 201, "/api/admin/restaurants/demo/keys", {"name": "tablet", "expiresInDays": 30}),
    admin("POST", f"{STAFF}/keys", 422, "/api/admin/restaurants/demo/keys", {"name": "", "role": "chef"}),
    admin("POST", f"{STAFF}/keys", 404, "/api/admin/restaurants/nowhere/keys", {"name": "tablet"}),
    admin("DELETE", f"{STAFF}/keys/{{key}}", 200, key_to_revoke),
    admin("DELETE", f"{STAFF}/keys/{{key}}", 404, f"/api/admin/restaurants/demo/keys/{NO_SUCH_ID}"),
    admin("GET", f"{STAFF}/setup", 200, "/api/admin/restaurants/demo/setup"),
    admin("HEAD", f"{STAFF}/setup", 200, "/api/admin/restaurants/demo/setup"),
    admin("GET", f"{STAFF}/setup", 404, "/api/admin/restaurants/nowhere/setup"),
    admin("HEAD", f"{STAFF}/setup", 404, "/api/admin/restaurants/nowhere/setup"),
    admin("PUT", f"{STAFF}/origins", 200, "/api/admin/restaurants/demo/origins",
          {"allowedOrigins": [ALLOWED, "https://*.stjarna.dev"]}),
    admin("PUT", f"{STAFF}/origins", 422, "/api/admin/restaurants/demo/origins", {"allowedOrigins": ["ftp://x"]}),
    admin("PUT", f"{STAFF}/origins", 404, "/api/admin/restaurants/nowhere/origins", {"allowedOrigins": [ALLOWED]}),
    # the demo's own hours (open round the clock): the steps after it still order
    admin("PUT", f"{STAFF}/hours", 200, "/api/admin/restaurants/demo/hours",
          {"hours": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}),
    admin("PUT", f"{STAFF}/hours", 422, "/api/admin/restaurants/demo/hours", {"hours": {"mon": [["9:00", "17:00"]]}}),
    admin("PUT", f"{STAFF}/hours", 404, "/api/admin/restaurants/nowhere/hours", {"hours": {}}),
]


# -- the kitchen's routes (shared/http/kitchen.py) ----------------------------------------------------------
def kitchen_order(w: World) -> str:
    return f"/api/admin/restaurants/demo/orders/{w.last()['orderId']}"


def new_order(w: World) -> str:
    """A new order to accept (its own key: the console's copy of the world counts keys from the start)."""
    placed = w.client.post(ORDERS, json=w.body(), headers={"Idempotency-Key": f"kitchen-{len(w.orders):04d}"})
    assert placed.status_code == 201 and "idempotent-replayed" not in placed.headers, placed.text
    w.orders.append(placed.json())
    return kitchen_order(w)


def salmon(w: World) -> str:
    return f"/api/admin/restaurants/demo/items/{w.items['demo/salmon']}"


KITCHEN_STEPS = [
    admin("GET", f"{STAFF}/board", 200, "/api/admin/restaurants/demo/board"),
    admin("HEAD", f"{STAFF}/board", 200, "/api/admin/restaurants/demo/board"),
    Step("GET", f"{STAFF}/board", 304, lambda w: w.client.get("/api/admin/restaurants/demo/board", headers={
        **w.auth, "If-None-Match": w.client.get("/api/admin/restaurants/demo/board", headers=w.auth).headers["etag"]})),
    admin("GET", f"{STAFF}/board", 404, "/api/admin/restaurants/nowhere/board"),
    admin("HEAD", f"{STAFF}/board", 404, "/api/admin/restaurants/nowhere/board"),
    admin("PATCH", f"{STAFF}/orders/{{order}}", 200, new_order,
          {"status": "accepted", "expectedStatus": "placed", "readyInMinutes": 15}),
    admin("PATCH", f"{STAFF}/orders/{{order}}", 409, kitchen_order, {"status": "ready", "expectedStatus": "placed"}),
    admin("PATCH", f"{STAFF}/orders/{{order}}", 422, kitchen_order, {"status": "preparing", "readyInMinutes": 15}),
    admin("PATCH", f"{STAFF}/orders/{{order}}", 404, f"/api/admin/restaurants/demo/orders/{NO_SUCH_ID}",
          {"status": "accepted"}),
    admin("GET", f"{STAFF}/items", 200, "/api/admin/restaurants/demo/items?q=salmon"),
    admin("HEAD", f"{STAFF}/items", 200, "/api/admin/restaurants/demo/items"),
    admin("GET", f"{STAFF}/items", 422, f"/api/admin/restaurants/demo/items?q={'x' * 81}"),
    admin("HEAD", f"{STAFF}/items", 404, "/api/admin/restaurants/nowhere/items"),
    admin("PATCH", f"{STAFF}/items/{{item}}", 200, salmon, {"available": False, "until": "next_opening"}),
    admin("PATCH", f"{STAFF}/items/{{item}}", 200, salmon, {"available": True}),
    admin("PATCH", f"{STAFF}/items/{{item}}", 422, salmon, {"available": True, "until": "next_opening"}),
    admin("PATCH", f"{STAFF}/items/{{item}}", 404, f"/api/admin/restaurants/demo/items/{NO_SUCH_ID}",
          {"available": False}),
    admin("PUT", f"{STAFF}/pause", 200, "/api/admin/restaurants/demo/pause", {"minutes": 15}),
    Step("POST", ORDERS, 409, lambda w: w.client.post(  # ORDERING_PAUSED, with resumesAt
        ORDERS, json=w.body(), headers={"Idempotency-Key": "kitchen-paused-0001"})),
    Step("POST", QUOTE, 409, lambda w: w.client.post(QUOTE, json=w.body())),
    admin("PUT", f"{STAFF}/pause", 422, "/api/admin/restaurants/demo/pause", {"minutes": 45}),
    admin("PUT", f"{STAFF}/pause", 404, "/api/admin/restaurants/nowhere/pause", {"minutes": None}),
    admin("DELETE", f"{STAFF}/pause", 200, "/api/admin/restaurants/demo/pause"),
    admin("DELETE", f"{STAFF}/pause", 404, "/api/admin/restaurants/nowhere/pause"),
]


# -- the console (shared/http/console_session.py): every admin step again under /console/api/ ------------
CONSOLE_SESSION, OWN = "/console/api/session", "https://testserver"


class ConsoleClient:
    """What an admin step calls, sent under /console/api/ with the console's session cookie and CSRF
    token instead of the key (a step without the key: without the cookie either)."""

    def __init__(self, w: World) -> None:
        app = w.client.app
        self.signed_in = TestClient(app, base_url=OWN, raise_server_exceptions=False)
        self.anonymous = TestClient(app, base_url=OWN, raise_server_exceptions=False)
        key = w.auth["Authorization"].removeprefix("Bearer ")
        answer = self.signed_in.post(CONSOLE_SESSION, json={"key": key, "restaurant": "demo"})
        assert answer.status_code == 200, answer.text
        self.auth = {"X-Stjarna-CSRF": answer.json()["csrfToken"], "Origin": OWN}

    def request(self, method: str, url: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        signed = bool(headers) and "X-Stjarna-CSRF" in (headers or {})
        client = self.signed_in if signed else self.anonymous
        return client.request(method, url.replace("/api/admin/", "/console/api/", 1), headers=headers, **kw)

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def head(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("HEAD", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)


_consoles: dict[int, tuple[World, ConsoleClient]] = {}


def in_console(w: World) -> World:
    if id(w) not in _consoles or _consoles[id(w)][0] is not w:
        _consoles[id(w)] = (w, ConsoleClient(w))
    console = _consoles[id(w)][1]
    return replace(w, client=console, auth=console.auth)  # type: ignore[arg-type]


def console(step: Step) -> Step:
    return Step(step.method, step.path.replace("/api/admin/", "/console/api/", 1), step.status,
                lambda w: step.call(in_console(w)))


def session(method: str, status: int, signed: bool = True, **kw: Any) -> Step:
    def call(w: World) -> httpx.Response:
        client = in_console(w).client
        assert isinstance(client, ConsoleClient)
        return (client.signed_in if signed else client.anonymous).request(method, CONSOLE_SESSION, **kw)
    return Step(method, CONSOLE_SESSION, status, call)


CONSOLE_STEPS = [  # and, prepended below, every step of the "admin" scenario under /console/api/
    Step("PATCH", "/console/api/orders/{order}", 403, lambda w: in_console(w).client.request(
        "PATCH", by_id(w), json={"status": "ready"}, headers={"X-Stjarna-CSRF": "wrong", "Origin": OWN})),
    session("GET", 200), session("HEAD", 200), session("GET", 401, signed=False), session("HEAD", 401, signed=False),
    Step("POST", CONSOLE_SESSION, 200, lambda w: in_console(w).client.anonymous.post(  # type: ignore[union-attr]
        CONSOLE_SESSION, json={"key": w.auth["Authorization"].removeprefix("Bearer "), "restaurant": "demo"})),
    session("POST", 401, signed=False, json={"key": "stj_wrong"}),
    session("POST", 422, signed=False, json={"key": "stj_wrong", "extra": 1}),
    session("POST", 403, signed=False, json={"key": "stj_wrong"}, headers={"Origin": "https://evil.example"}),
    session("DELETE", 403, headers={"X-Stjarna-CSRF": "wrong"}),
    Step("DELETE", CONSOLE_SESSION, 204, lambda w: in_console(w).client.signed_in.delete(  # type: ignore[union-attr]
        CONSOLE_SESSION, headers=in_console(w).auth)),
]

LONG_QUERY = f"?q={'x' * 5000}"
DOC = "/api/openapi.json"
HEALTH_STEPS = [
    *(s for p in ("/api/health", "/api/health/live", "/api/health/ready", DOC)
      for s in (get(p, 200, p), head(p, 200, p), get(p, 414, p + LONG_QUERY), head(p, 414, p + LONG_QUERY))),
    Step("GET", DOC, 304, lambda w: w.client.get(DOC, headers=w.etag(DOC))),
    Step("HEAD", DOC, 304, lambda w: w.client.head(DOC, headers=w.etag(DOC))),
]


def console_script() -> str:
    from shared.http.console_site import load

    return f"/console/{load().script_name}"


def hashed(w: World) -> str:
    return w.client.get("/widget.js").headers["x-widget-immutable-path"]


WIDGET_STEPS = [
    get("/widget.js", 200, "/widget.js"), head("/widget.js", 200, "/widget.js"),
    Step("GET", "/widget.js", 304, lambda w: w.client.get("/widget.js", headers=w.etag("/widget.js"))),
    Step("HEAD", "/widget.js", 304, lambda w: w.client.head("/widget.js", headers=w.etag("/widget.js"))),
    get("/widget.js", 414, f"/widget.js?v={'x' * 5000}"), head("/widget.js", 414, f"/widget.js?v={'x' * 5000}"),
    Step("GET", "/widget/{name}", 200, lambda w: w.client.get(hashed(w))),
    Step("HEAD", "/widget/{name}", 200, lambda w: w.client.head(hashed(w))),
    Step("GET", "/widget/{name}", 304, lambda w: w.client.get(hashed(w), headers=w.etag(hashed(w)))),
    Step("HEAD", "/widget/{name}", 304, lambda w: w.client.head(hashed(w), headers=w.etag(hashed(w)))),
    get("/widget/{name}", 404, "/widget/widget.0000000000000000.js"), head("/widget/{name}", 404, "/widget/x.js"),
    get("/console", 200, "/console"), head("/console", 200, "/console"),
    get("/console", 414, f"/console?v={'x' * 5000}"), head("/console", 414, f"/console?v={'x' * 5000}"),
    Step("GET", "/console/{name}", 200, lambda w: w.client.get(console_script())),
    Step("HEAD", "/console/{name}", 200, lambda w: w.client.head(console_script())),
    Step("GET", "/console/{name}", 304, lambda w: w.client.get(console_script(), headers=w.etag(console_script()))),
    get("/console/{name}", 404, "/console/console.0000000000000000.js"), head("/console/{name}", 404, "/console/x.js"),
]

SCENARIOS: dict[str, tuple[dict[str, str], list[Step]]] = {
    "menu": ({}, public_steps(MENU)),
    "config": ({}, public_steps(CONFIG)),
    "chat": ({}, [
        chat(200), chat(200, url="/api/chat?restaurantId=DEMO", headers={"Origin": ALLOWED}),
        chat(422, {"restaurantId": "demo", "sessionToken": "x", "message": ""}), chat(422, [1]),
        chat(400, url="/api/chat?restaurantId=nattbaren"), chat(400, {"sessionToken": SESSION, "message": "hi"}),
        chat(404, {"restaurantId": "nowhere", "sessionToken": SESSION, "message": "hi"}),
        chat(403, headers={"Origin": "https://evil.example"}),
        Step("POST", "/api/chat", 413, lambda w: w.client.post("/api/chat", content=b"x" * 70_000)),
        options("/api/chat", 204, "/api/chat?restaurantId=demo"),
        options("/api/chat", 403, "/api/chat?restaurantId=demo", "https://evil.example"),
    ]),
    "chat off": ({"USE_SERVER_CHAT": "false"}, [chat(503)]),
    "chat limited": ({"CHAT_RATE_LIMIT": "1 per minute", "CHAT_BURST": "1"}, [chat(200), chat(429)]),
    "orders": ({"CHAT_PROBE_SECRET": "probe-secret-for-tests"}, ORDER_STEPS),
    "ordering off": ({"ORDERING_ENABLED": "false"}, [
        Step("POST", ORDERS, 409, lambda w: w.place()),
        Step("POST", QUOTE, 409, lambda w: w.client.post(QUOTE, json=w.body()))]),
    "orders limited": ({"ORDER_RATE_LIMIT": "1 per minute", "QUOTE_RATE_LIMIT": "1 per minute"}, [
        Step("POST", ORDERS, 201, lambda w: w.place()), Step("POST", ORDERS, 429, lambda w: w.place()),
        Step("POST", QUOTE, 200, lambda w: w.client.post(QUOTE, json=w.body())),
        Step("POST", QUOTE, 429, lambda w: w.client.post(QUOTE, json=w.body())),
        Step("GET", STATUS, 429, lambda w: w.client.get(status_url(w) + f"&sessionToken={SESSION}")),
    ]),
    "pickup slots": ({"PICKUP_SLOT_CAPACITY": "2"}, [
        get(SLOTS, 200, f"{SLOTS}?restaurantId=demo", headers={"Origin": ALLOWED}),
        head(SLOTS, 200, f"{SLOTS}?restaurantId=demo"), get(SLOTS, 400, SLOTS),
        get(SLOTS, 404, f"{SLOTS}?restaurantId=nowhere"), head(SLOTS, 404, f"{SLOTS}?restaurantId=nowhere"),
        get(SLOTS, 403, f"{SLOTS}?restaurantId=demo", headers={"Origin": "https://evil.example"}),
        options(SLOTS, 204, f"{SLOTS}?restaurantId=demo"), options(SLOTS, 403, f"{SLOTS}?restaurantId=demo", "null"),
    ]),
    "admin": ({}, [*ADMIN_STEPS, *OWNER_STEPS, *KITCHEN_STEPS]),
    "admin auth limit": ({"ADMIN_AUTH_MAX_FAILURES": "1"}, [
        admin("GET", ADMIN_ORDERS, 401, f"{ADMIN_ORDERS}?restaurantId=demo", auth=False),
        admin("GET", ADMIN_ORDERS, 429, f"{ADMIN_ORDERS}?restaurantId=demo", auth=False),
        admin("HEAD", ADMIN_ORDERS, 429, f"{ADMIN_ORDERS}?restaurantId=demo", auth=False),
        admin("GET", ADMIN_ORDERS, 200, f"{ADMIN_ORDERS}?restaurantId=demo"),  # a valid key is never locked out
    ]),
    "health": ({}, HEALTH_STEPS),
    "widget": ({}, WIDGET_STEPS),
    "database lost": ({"MENU_LOCAL_CACHE_SECONDS": "0"}, [
        get(MENU, 200, f"{MENU}?restaurantId=demo"), get(CONFIG, 200, f"{CONFIG}?restaurantId=demo"),
        stale(get(MENU, 200, f"{MENU}?restaurantId=demo")), stale(head(MENU, 200, f"{MENU}?restaurantId=demo")),
        stale(get(CONFIG, 200, f"{CONFIG}?restaurantId=demo")), stale(get("/api/health", 503, "/api/health")),
        stale(chat(200)), stale(Step("POST", ORDERS, 503, lambda w: w.place())),
    ]),
    "database down": ({"STORE": "down"}, [
        get("/api/health", 503, "/api/health"), head("/api/health", 503, "/api/health"),
        get("/api/health/ready", 503, "/api/health/ready"), head("/api/health/ready", 503, "/api/health/ready"),
        get(MENU, 503, f"{MENU}?restaurantId=demo"), get(CONFIG, 503, f"{CONFIG}?restaurantId=demo"),
        options(MENU, 503, f"{MENU}?restaurantId=demo"), chat(503),
        Step("POST", ORDERS, 503, lambda w: w.client.post(ORDERS, json={"restaurantId": "demo"})),
        admin("GET", ADMIN_ORDERS, 503, f"{ADMIN_ORDERS}?restaurantId=demo"),
    ]),
}


# one handler, two ways in: the admin scenario's steps again with the console session
SCENARIOS["console"] = ({}, [*(console(s) for s in SCENARIOS["admin"][1]), *CONSOLE_STEPS])


@pytest.fixture
def world(request, app_for, items, sql, clock, pg_uri, database):
    env, _ = SCENARIOS[request.param]
    env = dict(env)
    down = env.pop("STORE", None) == "down"
    client, container = app_for(clock=clock, **env)
    key, _ = container.admin_keys.create("openapi", "cli:test")
    if down:
        store = PostgresStore(f"host=127.0.0.1 port={closed_port()} dbname=x user=x connect_timeout=2",
                              timeout_seconds=1)
        broken = Container(make_settings(**env), store=store, kv=MemoryKV())
        client = TestClient(create_app(container=broken), raise_server_exceptions=False)
    ids = dict(sql("select slug, id::text from restaurants"))
    name = psycopg.conninfo.conninfo_to_dict(database)["dbname"]

    def lose_database() -> None:  # no new connections, and the app's own is cut
        with psycopg.connect(pg_uri, autocommit=True) as conn:
            conn.execute(f"alter database {name} allow_connections false")
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))

    return World(client, {"Authorization": f"Bearer {key}"}, items, ids, SCENARIOS[request.param][1], lose_database)


@pytest.mark.parametrize("world", list(SCENARIOS), indirect=True)
def test_every_answer_conforms_to_the_document(world):
    for step in world.steps:
        response = step.call(world)
        where = f"{step.method} {step.path}"
        assert response.status_code == step.status, f"{where}: {response.status_code} {response.text[:300]}"
        assert response.request.method == step.method
        template, _ = CONFORM.operation(step.method, response.request.url.path)
        assert template == step.path, where
        CONFORM.check(response)


def test_the_table_reaches_every_operation_with_a_success_and_an_error():
    reached: dict[tuple[str, str], set[int]] = {}
    for _, steps in SCENARIOS.values():
        for step in steps:
            reached.setdefault((step.method, step.path), set()).add(step.status)
    missing = {op for op in CONFORM.operations() if not any(s < 400 for s in reached.get(op, ()))}
    assert missing == set(), "operations without a success case"
    missing = {op for op in CONFORM.operations() if not any(s >= 400 for s in reached.get(op, ()))}
    assert missing == set(), "operations without an error case"
    for (method, path), statuses in reached.items():
        _, op = CONFORM.operation(method, path.replace("{", "").replace("}", ""))
        assert {str(s) for s in statuses} <= set(op["responses"]), (method, path)


def _tampered(response: httpx.Response, *, body: Any = None, drop: str | None = None,
              status: int | None = None) -> httpx.Response:
    headers = {k: v for k, v in response.headers.items() if k != drop and k != "content-length"}
    return httpx.Response(status or response.status_code, headers=headers, request=response.request,
                          **({"json": body} if body is not None else {"content": response.content}))


def test_the_checker_catches_an_answer_that_differs(client):
    from tests.openapi.conformance import Nonconforming

    menu = CONFORM.check(client.get(f"{MENU}?restaurantId=demo"))
    body = menu.json()
    item = body["sections"][0]["items"][0]
    changed: list[Any] = [
        {**body, "extra": 1}, {**body, "version": "22"},
        {**body, "sections": [{**body["sections"][0], "items": [{**item, "allergens": ["chocolate"]}]}]},
        {**body, "sections": [{**body["sections"][0], "items": [{**item, "priceCents": 1.5}]}]},
    ]
    for tampered in changed:
        with pytest.raises(Nonconforming):
            CONFORM.check(_tampered(menu, body=tampered))
    for drop in ("etag", "x-menu-version", "x-request-id"):
        with pytest.raises(Nonconforming, match="required header"):
            CONFORM.check(_tampered(menu, drop=drop))
    with pytest.raises(Nonconforming, match="not documented"):
        CONFORM.check(_tampered(menu, status=201))
    error = client.get(f"{MENU}?restaurantId=nowhere")
    with pytest.raises(Nonconforming, match="requestId"):
        CONFORM.check(_tampered(error, body={"error": {**error.json()["error"], "requestId": "other"}}))
