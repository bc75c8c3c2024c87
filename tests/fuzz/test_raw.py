"""Raw-input fuzzing where schemathesis does not reach: requests built byte by byte and handed to the
app as an ASGI server would (what uvicorn and Mangum do), so nothing is cleaned up on the way in:
arbitrary Origin headers, bodies that are not UTF-8 or not JSON or gzip-declared or under the wrong
Content-Type, huge and duplicated and badly encoded query strings, junk Authorization headers next to
the valid admin key, duplicated headers, lying Content-Length.

Properties (with tests/fuzz/conftest.py's database and KV checks): no 5xx; every answer conforms to the
document (tests/openapi/conformance.py), errors in the documented shape with a documented code;
CORS never reflects an origin the restaurant did not allow; admin routes answer junk credentials
401 (or 429 after repeated failures) and nothing else."""

from __future__ import annotations

import gzip
import json
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import orjson
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import vocabulary
from shared.tenants.origins import compile_patterns, is_allowed, parse_origin
from tests.fuzz.conftest import ADMIN_KEY, ALLOWED_ORIGINS, CODES, DOCUMENT, EXAMPLES, FUZZ_SETTINGS, SESSION, World

RAW_SETTINGS = settings(FUZZ_SETTINGS, max_examples=EXAMPLES * 5)  # one test covers every route
OPERATIONS = sorted(DOCUMENT.operations())
BODY_OPERATIONS = [op for op in OPERATIONS if op[0] in {"POST", "PATCH"}]
CORS_OPERATIONS = [op for op in OPERATIONS if op[1].startswith(("/api/public/", "/api/chat", "/api/orders"))]
ADMIN_OPERATIONS = [op for op in OPERATIONS if op[1].startswith("/api/admin/")]


# -- driving the app as an ASGI server does ------------------------------------------------------------
@dataclass
class Raw:
    method: str
    path: str
    query: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)  # the chunks, as they arrive

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k == name), None)

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        body = b"".join(self.body)
        return (f"Raw({self.method} {self.path}?{self.query[:300]!r} headers={self.headers!r} "
                f"body[{len(body)}]={body[:300]!r})")


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes


async def _call(app: Any, raw: Raw) -> Answer:
    chunks = list(raw.body) or [b""]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": raw.method,
             "scheme": "http", "path": raw.path, "raw_path": quote(raw.path).encode(), "query_string": raw.query,
             "root_path": "", "headers": raw.headers, "client": ("203.0.113.7", 50123),
             "server": ("testserver", 80), "state": {}}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        await anyio.sleep(3600)  # a client that keeps the connection open: the app must not wait for it
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with anyio.fail_after(30):
        await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], httpx.Headers(start.get("headers", [])), body)


@pytest.fixture(scope="module")
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal() as p:
        yield p


def send(portal: BlockingPortal, world: World, raw: Raw) -> Answer:
    """Call the app and check every property that holds for any request."""
    before = world.snapshot()
    answer = portal.call(_call, world.app, raw)
    where = repr(raw)
    assert answer.status < 500, f"{answer.status} {answer.body[:500]!r} for {where}"
    if raw.method != "HEAD" and answer.status >= 400:
        error = orjson.loads(answer.body)["error"]
        assert error["code"] in CODES[answer.status], where
    try:
        DOCUMENT.check_parts(raw.method, raw.path, answer.status, answer.headers, answer.body)
    except AssertionError as exc:
        raise AssertionError(f"{exc} for {where}") from None
    world.check(raw.method, answer.status, before, where)
    return answer


# -- strategies -------------------------------------------------------------------------------------
latin1 = st.binary(max_size=60)
printable = st.text(string.printable, max_size=60).map(str.encode)


def header_values() -> st.SearchStrategy[bytes]:
    return st.one_of(latin1, printable, st.text(max_size=30).map(lambda t: t.encode("utf-8")),
                     st.binary(min_size=300, max_size=9000))


def origins() -> st.SearchStrategy[bytes]:
    host = st.from_regex(r"\A[a-z0-9]{1,12}(\.[a-z0-9]{1,8}){0,2}\Z")
    return st.one_of(
        st.sampled_from([o.encode() for o in ALLOWED_ORIGINS]),
        st.sampled_from([b"null", b"", b"https://stjarna.dev", b"https://evil.example", b"http://testserver",
                         b"https://shop.stjarna.dev.attacker.net", b"https://SHOP.stjarna.dev", b"https://a.b.stjarna.dev",
                         b"http://localhost:8000/", b"http://localhost:80", b"http://localhost:8000@evil.example",
                         b"https://shop.stjarna.dev:443", b"https://*.stjarna.dev", b"http://[::1]:8000",
                         b"https://shop.stjarna.dev\x00.evil", b"https://xn--80ak6aa92e.stjarna.dev"]),
        st.builds(lambda scheme, h, port: f"{scheme}://{h}{port}".encode(), st.sampled_from(["http", "https", "ftp"]),
                  st.one_of(host, host.map(lambda h: f"{h}.stjarna.dev")),
                  st.sampled_from(["", ":443", ":8000", ":0", ":99999", ":"])),
        header_values())


def refs(world: World) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["demo", "nattbaren", "DEMO", world.restaurants["demo"],
                                      world.restaurants["nattbaren"].upper(), "nowhere", ""]),
                     st.text(max_size=70))


def queries(world: World) -> st.SearchStrategy[bytes]:
    pair = st.tuples(st.sampled_from([b"restaurantId", b"sessionToken", b"status", b"limit", b"auditLimit", b"tag",
                                      b"allergenFree", b"undeclared", b"name", b"x", b""]),
                     st.one_of(refs(world).map(lambda r: quote(r).encode()), st.binary(max_size=20),
                               st.sampled_from([b"%zz", b"%ff%fe", b"%00", b"+", b"%", b"demo;x=1", b"\xff",
                                                SESSION.encode(), b"vegan", b"nuts,gluten", b"\xc2\xb2", b"500",
                                                b"placed"])))
    joined = st.lists(pair, max_size=8).map(lambda ps: b"&".join(k + b"=" + v for k, v in ps))
    sane = st.sampled_from([b"status=placed&limit=5", b"limit=500", b"tag=vegan&tag=gluten-free", b"allergenFree=nuts",
                            b"undeclared=true", b"name=soup", b"auditLimit=2", b"sessionToken=" + SESSION.encode(),
                            b"restaurantId=demo", b"restaurantId=nattbaren"])
    return st.one_of(
        st.just(b""), st.just(b""), sane, sane, joined,
        st.integers(1, 40).map(lambda n: b"&".join([b"restaurantId=demo"] * n)),  # duplicated
        st.integers(4080, 4110).map(lambda n: (b"restaurantId=demo&pad=" + b"x" * n)[:n]),  # around the limit
        st.integers(1, 600).map(lambda n: b"&".join(b"p%d=%d" % (i, i) for i in range(n))),  # many
        st.binary(max_size=200),
        st.just(b"restaurantId"), st.just(b"=&&=demo&restaurantId=%64emo"),
    )


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False,
                        allow_infinity=False), st.text(max_size=40))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=12), inner, max_size=5)),
                        max_leaves=20)


_DROP = object()  # a mutation that removes the field


def mutated(base: st.SearchStrategy[dict[str, Any]], wild: dict[str, st.SearchStrategy[Any]],
            most: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """A valid body with up to ``most`` fields replaced by wild values (or removed): deep paths are
    reached by valid requests with one thing wrong, not by requests with everything wrong."""
    fields = sorted(wild)
    change = st.sampled_from(fields).flatmap(lambda f: st.tuples(st.just(f), st.one_of(wild[f], st.just(_DROP))))

    def apply(pair: tuple[dict[str, Any], list[tuple[str, Any]]]) -> dict[str, Any]:
        body, changes = pair
        for name, value in changes:
            if name.startswith("items[0]."):
                lines = body.get("items")
                if isinstance(lines, list) and lines and isinstance(lines[0], dict):
                    key = name.removeprefix("items[0].")
                    first = {k: v for k, v in lines[0].items() if k != key}
                    body = {**body, "items": [first if value is _DROP else {**first, key: value}, *lines[1:]]}
                continue
            body = {k: v for k, v in body.items() if k != name} if value is _DROP else {**body, name: value}
        return body

    return st.tuples(base, st.lists(change, max_size=most)).map(apply)


def order_bodies(world: World) -> st.SearchStrategy[dict[str, Any]]:
    line = st.fixed_dictionaries({"itemId": st.sampled_from(world.items), "quantity": st.integers(1, 20)},
                                 optional={"note": st.text(max_size=20)})
    base = st.fixed_dictionaries({
        "restaurantId": st.sampled_from(["demo", "DEMO", world.restaurants["demo"], "nattbaren"]),
        "sessionToken": st.sampled_from([SESSION, "health-check", "another-session-9"]),
        "items": st.lists(line, min_size=1, max_size=3)})
    pickups = st.one_of(
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-11-24T14:00:00",
                         "tomorrow", "2026-02-30T10:00:00Z", "", "2026-11-24T18:00:00+01:00"]),
        st.text(max_size=30), json_values())
    return mutated(base, {
        "restaurantId": st.one_of(refs(world), json_values()), "sessionToken": st.one_of(st.text(max_size=130),
                                                                                         json_values()),
        "items": st.one_of(json_values(), st.lists(line, min_size=49, max_size=52), st.just([])),
        "pickupAt": pickups, "totalCents": st.integers(), "extra": json_values(), "message": st.text(max_size=520),
        "items[0].itemId": st.one_of(st.sampled_from(world.items).map(str.upper), st.uuids().map(str),
                                     st.text(max_size=40), json_values()),
        "items[0].quantity": st.one_of(st.integers(-2, 22), st.sampled_from([1.0, "1", True, None, 2**70, -(2**70)])),
        "items[0].note": st.one_of(st.text(max_size=210), st.sampled_from(["\x00", "a\nb", "\u2028", "é" * 200]),
                                   json_values()),
        "items[0].priceCents": st.integers(0, 10),
    })


WORDS = ("vegan", "vegetarian", "gluten-free", "without", "no", "nuts", "milk", "under", "below", "max", "kr", "sek",
         "€", "$", "cheapest", "dessert", "drinks", "spicy", "not", "mild", "och", "utan", "billigaste", "än", "and",
         "or", "?", "!", "0", "1", "99", "1e309", "99999999999999999999", "-5", "0,5", "٣", "²", "\u202e", "🌶")
messages = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)


def chat_bodies(world: World) -> st.SearchStrategy[dict[str, Any]]:
    base = st.fixed_dictionaries({"restaurantId": st.sampled_from(["demo", "nattbaren", world.restaurants["demo"]]),
                                  "sessionToken": st.sampled_from([SESSION, "health-check"]),
                                  "message": st.sampled_from(["vegan?", "something without nuts under 100 kr",
                                                              "och efterrätt", "cheapest"])})
    return mutated(base, {"restaurantId": refs(world), "sessionToken": st.text(max_size=130),
                          "message": st.one_of(messages, messages, st.text(max_size=520),
                                               st.text(min_size=490, max_size=510), json_values()),
                          "extra": json_values()})


def tenant_bodies() -> st.SearchStrategy[dict[str, Any]]:
    item = st.fixed_dictionaries(
        {"name": st.text(max_size=130), "priceCents": st.integers(-1, 10**8)},
        optional={"tags": st.lists(st.sampled_from([*vocabulary.tags(), "x"]), max_size=3),
                  "allergens": st.lists(st.sampled_from([*vocabulary.allergens(), "x"]), max_size=3),
                  "allergensDeclared": st.booleans(), "key": st.text(max_size=85), "description": st.text(max_size=20)})
    section = st.fixed_dictionaries({"name": st.text(min_size=1, max_size=130), "items": st.lists(item, max_size=3)},
                                    optional={"key": st.text(max_size=85), "active": st.booleans()})
    base = st.fixed_dictionaries({"slug": st.from_regex(r"\Afuzz-[a-z0-9]{1,8}\Z"),
                                  "name": st.text(min_size=1, max_size=40),
                                  "allowedOrigins": st.just(["https://fuzz.example"])},
                                 optional={"update": st.booleans()})
    return mutated(base, {
        "slug": st.one_of(st.sampled_from(["demo", "nattbaren", "Demo", "-x-"]), st.text(max_size=70)),
        "name": st.one_of(st.text(max_size=130), json_values()),
        "allowedOrigins": st.lists(st.one_of(st.sampled_from(["https://*.fuzz.example", "https://*.com", "null"]),
                                             st.text(max_size=40)), max_size=3),
        "currency": st.sampled_from(["EUR", "SEK", "eur", "EURO", ""]),
        "timezone": st.sampled_from(["Europe/Stockholm", "UTC", "Mars/Base", ""]), "locale": st.text(max_size=12),
        "update": json_values(),
        "endpoint": st.one_of(st.sampled_from(["https://api.fuzz.example", "javascript:alert(1)"]),
                              st.text(max_size=40)),
        "menu": st.one_of(json_values(), st.fixed_dictionaries({"sections": st.lists(section, max_size=2)},
                                                               optional={"restaurant": json_values()})),
    })


def encoded(data: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[bytes, list[tuple[bytes, bytes]]]]:
    """A body and its framing headers: JSON as UTF-8 (the normal case), then every way it can be wrong."""
    def framing(value: Any, how: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        text = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")  # big ints too
        json_type = [(b"content-type", b"application/json")]
        if how == "utf-8":
            return text, json_type
        if how == "gzip":
            return gzip.compress(text), [*json_type, (b"content-encoding", b"gzip")]
        if how == "gzip-declared":
            return text, [*json_type, (b"content-encoding", b"gzip")]
        if how == "utf-16":
            return text.decode().encode("utf-16"), [(b"content-type", b"application/json; charset=utf-16")]
        if how == "latin-1":
            return text.decode().encode("latin-1", "replace"), [(b"content-type", b"application/json; charset=latin-1")]
        if how == "bom":
            return b"\xef\xbb\xbf" + text, json_type
        if how == "form":
            return b"restaurantId=demo&message=hi", [(b"content-type", b"application/x-www-form-urlencoded")]
        if how == "text":
            return text, [(b"content-type", b"text/plain")]
        if how == "truncated":
            return text[: max(1, len(text) // 2)], json_type
        return text, []  # no content type at all

    return st.one_of(
        st.tuples(data, st.sampled_from(["utf-8"] * 8 + ["gzip", "gzip-declared", "utf-16", "latin-1", "bom", "form",
                                                        "text", "truncated", "none"])).map(lambda p: framing(*p)),
        *[st.tuples(data, st.just("utf-8")).map(lambda p: framing(*p))] * 4,
        st.tuples(st.binary(max_size=300), st.just([(b"content-type", b"application/json")])),
        st.sampled_from([(b"[" * 5000 + b"]" * 5000, []), (b'{"a":' * 2000 + b"1" + b"}" * 2000, []),
                         (b'{"restaurantId":"demo","restaurantId":"nattbaren"}', []), (b'{"a":1e400}', []),
                         (b'{"a":"\\ud800"}', []), (b'{"a":"\\u0000"}', []), (b"", []), (b"null", []),
                         (b'"demo"', []), (b"\xff\xfe{\x00}\x00", []), (b"{" + b" " * 70_000 + b"}", [])]),
    )


def bodies(world: World, path: str) -> st.SearchStrategy[tuple[bytes, list[tuple[bytes, bytes]]]]:
    if path in {"/api/orders", "/api/orders/quote"}:
        return encoded(st.one_of(order_bodies(world), order_bodies(world), chat_bodies(world), json_values()))
    if path == "/api/chat":
        return encoded(st.one_of(chat_bodies(world), chat_bodies(world), order_bodies(world), json_values()))
    if path == "/api/admin/tenants":
        return encoded(st.one_of(tenant_bodies(), json_values()))
    if path == "/api/admin/orders/{order}":
        status = st.sampled_from(["placed", "accepted", "preparing", "ready", "picked_up", "cancelled", "expired", "x"])
        return encoded(st.one_of(st.fixed_dictionaries({"status": status}, optional={"expectedStatus": status}),
                                 json_values()))
    return encoded(json_values())


def path_for(world: World, template: str) -> st.SearchStrategy[str]:
    codes = [o["orderCode"] for o in world.orders]
    values = {"code": st.sampled_from([*codes, *(c.lower() for c in codes), "ZZZZZZ"]),
              "order": st.sampled_from([*(o["orderId"] for o in world.orders), *codes]),
              "ref": st.sampled_from(["demo", "nattbaren", world.restaurants["demo"], "NOWHERE"]),
              "name": st.sampled_from(["widget.js", "widget.0000000000000000.js", "local.AKAOZ2IQ.js", ".."])}
    segment = st.text(st.characters(exclude_characters="/?#", exclude_categories=["Cs"]), min_size=1, max_size=40)
    out = st.just(template)
    for name, choices in values.items():
        if "{" + name + "}" in template:
            out = out.flatmap(lambda t, n=name, c=choices: st.one_of(c, segment).map(
                lambda v, t=t, n=n: t.replace("{" + n + "}", v)))
    return out


def auths() -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    valid = f"Bearer {ADMIN_KEY}".encode()
    junk = st.one_of(
        header_values(),
        st.text(max_size=250).map(lambda t: b"Bearer " + t.encode("utf-8", "surrogatepass")),
        st.text(string.ascii_letters + string.digits + "-_", max_size=250).map(lambda t: b"Bearer stj_" + t.encode()),
        st.sampled_from([b"Bearer", b"Bearer ", b"Basic Zm9vOmJhcg==", b"Bearer stj_", b"bearer",
                         valid[:-1], valid + b"x", b"Bearer  " + valid[7:] + b"\x00", valid.upper()]))
    return st.one_of(st.just([]), junk.map(lambda v: [(b"authorization", v)]),
                     junk.map(lambda v: [(b"authorization", v), (b"authorization", valid)]))


def other_headers(world: World) -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    name = st.sampled_from([b"x-request-id", b"if-none-match", b"x-restaurant-id", b"idempotency-key",
                            b"x-session-token", b"access-control-request-method", b"access-control-request-headers",
                            b"host", b"accept", b"accept-encoding", b"x-forwarded-for", b"cookie"])
    value = st.one_of(header_values(), refs(world).map(str.encode), st.just(SESSION.encode()),
                      st.just(b"W/\"x\", *"), st.just(b"content-type, idempotency-key, x-evil"))
    return st.lists(st.tuples(name, value), max_size=5)


@st.composite
def requests(draw: st.DrawFn, world: World, operations: list[tuple[str, str]]) -> Raw:
    method, template = draw(st.sampled_from(operations))
    raw = Raw(method, draw(path_for(world, template)), draw(queries(world)))
    if method not in {"POST", "PATCH"} and draw(st.booleans()):
        raw.query = b"restaurantId=" + draw(st.sampled_from([b"demo", b"nattbaren", b"DEMO"])) + (
            b"&" + raw.query if raw.query else b"")
    body, framing = draw(bodies(world, template)) if method in {"POST", "PATCH"} or draw(st.booleans()) else (b"", [])
    raw.headers = [*framing, *draw(other_headers(world))]
    allowed = st.sampled_from([o.encode() for o in ALLOWED_ORIGINS])
    origin = draw(st.one_of(st.none(), st.none(), allowed, origins()))
    if origin is not None:
        raw.headers.append((b"origin", origin))
    if template.startswith("/api/admin/"):
        raw.headers += draw(st.one_of(st.just([(b"authorization", f"Bearer {ADMIN_KEY}".encode())]), auths()))
    elif draw(st.booleans()):
        raw.headers += draw(auths())
    if method == "POST" and template == "/api/orders" and draw(st.integers(0, 3)):
        raw.headers.append((b"idempotency-key", draw(st.from_regex(r"\A[A-Za-z0-9_-]{8,20}\Z")).encode()))
    length = draw(st.sampled_from(["exact", "exact", "none", "short", "long", "garbage", "huge", "negative"]))
    lengths = {"exact": str(len(body)).encode(), "short": str(max(0, len(body) - 3)).encode(),
               "long": str(len(body) + 50).encode(), "garbage": b"12abc", "huge": b"99999999999999999999",
               "negative": b"-1"}
    if length in lengths:
        raw.headers.append((b"content-length", lengths[length]))
    raw.body = _chunks(body, draw(st.integers(1, 4)))
    return raw


def _chunks(body: bytes, parts: int) -> list[bytes]:
    size = max(1, -(-len(body) // parts))
    return [body[i:i + size] for i in range(0, len(body), size)] or [b""]


# -- the properties -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def allowlists(world: World) -> dict[str, Any]:
    rows = world.conn.execute("select slug, allowed_origins from restaurants where slug in ('demo', 'nattbaren')")
    return {slug: compile_patterns(list(origins)) for slug, origins in rows.fetchall()}


@RAW_SETTINGS
@given(data=st.data())
def test_any_request_to_any_route(world, portal, data):
    send(portal, world, data.draw(requests(world, OPERATIONS)))


@RAW_SETTINGS
@given(data=st.data())
def test_cors_reflects_only_an_allowed_origin(world, portal, allowlists, data):
    """An arbitrary Origin to a tenant route naming a restaurant in the query: the answer carries
    Access-Control-Allow-Origin only for an origin on that restaurant's allowlist, and then exactly it."""
    raw = data.draw(requests(world, CORS_OPERATIONS))
    slug = data.draw(st.sampled_from(sorted(allowlists)))
    raw.query = b"restaurantId=" + slug.encode() + (b"&" + raw.query if raw.query else b"")
    origin = data.draw(origins())
    raw.headers = [(k, v) for k, v in raw.headers if k not in {b"origin", b"x-restaurant-id"}] + [(b"origin", origin)]
    answer = send(portal, world, raw)
    reflected = answer.headers.get("access-control-allow-origin")
    if reflected is not None:
        assert reflected.encode("latin-1") == origin, raw
        parsed = parse_origin(origin.decode("latin-1"))
        assert parsed is not None and is_allowed(parsed, allowlists[slug]), raw
    elif answer.status < 400:  # served without CORS headers: only to this API's own origin (the Host)
        host = raw.header(b"host")
        own = None if host is None else parse_origin("http://" + host.decode("latin-1"))
        assert own is not None and parse_origin(origin.decode("latin-1")) == own, raw


@RAW_SETTINGS
@given(data=st.data())
def test_admin_routes_refuse_every_credential_but_the_key(world, portal, data):
    raw = data.draw(requests(world, ADMIN_OPERATIONS))
    raw.headers = [(k, v) for k, v in raw.headers if k != b"authorization"] + data.draw(auths())
    first = raw.header(b"authorization")
    before = world.fingerprint()
    answer = send(portal, world, raw)
    scheme, _, token = (first or b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or token.strip() != ADMIN_KEY:
        assert answer.status in {401, 429, 413, 414, 400}, raw  # refused before or at the key check
        assert world.fingerprint() == before
        if answer.status == 401:
            assert answer.headers["www-authenticate"] == 'Bearer realm="stjarna-admin"'


@RAW_SETTINGS
@given(data=st.data())
def test_bodies_in_every_encoding(world, portal, data):
    raw = data.draw(requests(world, BODY_OPERATIONS))
    send(portal, world, raw)


NEAR_VALID = {"/api/orders": order_bodies, "/api/orders/quote": order_bodies, "/api/chat": chat_bodies,
              "/api/admin/tenants": lambda w: tenant_bodies()}


@RAW_SETTINGS
@given(data=st.data())
def test_well_framed_bodies_with_a_few_fields_wrong(world, portal, data):
    """Valid requests with up to three fields wrong (or pushed to a bound), well framed: what reaches
    the validation, the pricing and the database."""
    path = data.draw(st.sampled_from(sorted(NEAR_VALID)))
    body = json.dumps(data.draw(NEAR_VALID[path](world))).encode()  # stdlib json: big integers too
    headers = [(b"content-type", b"application/json")]
    if path == "/api/orders":
        headers.append((b"idempotency-key", data.draw(st.from_regex(r"\A[A-Za-z0-9_-]{8,16}\Z")).encode()))
    if path.startswith("/api/admin/"):
        headers.append((b"authorization", f"Bearer {ADMIN_KEY}".encode()))
    send(portal, world, Raw("POST", path, headers=headers, body=[body]))


def test_a_valid_request_through_the_raw_driver_is_accepted(world, portal):
    """The driver itself is sound: a well-formed order is placed and a menu read answers 200."""
    menu = send(portal, world, Raw("GET", "/api/public/menu", b"restaurantId=demo"))
    assert menu.status == 200 and orjson.loads(menu.body)["restaurant"]["slug"] == "demo"
    body = orjson.dumps({"restaurantId": "demo", "sessionToken": SESSION,
                         "items": [{"itemId": world.orders[0]["items"][0]["itemId"], "quantity": 2}]})
    placed = send(portal, world, Raw("POST", "/api/orders", headers=[
        (b"content-type", b"application/json"), (b"idempotency-key", b"raw-driver-0001")], body=[body[:7], body[7:]]))
    assert placed.status == 201, placed.body


def test_the_properties_notice_a_change(world):
    """The database and KV checks can fail: a rejected request that changed anything would be caught."""
    before = world.snapshot()
    world.conn.execute("update menu_items set name = name || ' ' where id = %s", (world.items[0],))
    try:
        with pytest.raises(AssertionError, match="changed tables"):
            world.check("POST", 422, before, "probe")
        with pytest.raises(AssertionError, match="changed tables"):
            world.check("GET", 200, before, "probe")  # a read never writes
        world.check("POST", 201, before, "probe")  # an accepted write may
    finally:
        world.conn.execute("update menu_items set name = rtrim(name) where id = %s", (world.items[0],))
    before = world.snapshot()
    world.kv.set("chat:ctx:probe", "{}", 60)
    try:
        with pytest.raises(AssertionError, match="changed KV key 'chat:ctx:probe'"):
            world.check("POST", 429, before, "probe")
    finally:
        world.kv.delete("chat:ctx:probe")
    world.kv.set("menu:probe:1", "etag\nbody", 60)
    before = world.snapshot()
    world.kv.set("menu:probe:1", "etag\nanother body", 60)
    with pytest.raises(AssertionError, match="changed KV key 'menu:probe:1'"):
        world.check("GET", 404, before, "probe")  # a cached menu body never changes
    world.kv.delete("menu:probe:1")
