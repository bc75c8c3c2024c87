"""schemathesis against the OpenAPI document: for every operation, generated requests that fit the
document (positive) and that break it (negative) — arbitrary JSON bodies, query strings, headers —
sent to the deployed app in process, on the real database.

Generation is steered half the time towards what exists (the seed restaurants by slug, id or odd
case; their items; placed orders; the admin key; allowed and foreign origins), so requests get past
the first check and reach the code behind it.

Properties of every answer: no 5xx; the answer conforms to the document (status, content type,
headers, body schema: schemathesis' conformance checks); an error carries a documented code for its
status; a rejected request (4xx) or a read changes nothing in the database, and a rejected one
nothing in the KV but failure counters and cache fills (tests/fuzz/conftest.py)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared import vocabulary
from shared.http.openapi import document
from tests.fuzz.conftest import ADMIN_KEY, CODES, FUZZ_SETTINGS, SESSION, World, current

schema = schemathesis.openapi.from_dict(document())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _world() -> World | None:
    """The running test's world; None while schemathesis collects (it draws explicit examples then)."""
    return current.world


def _refs(w: World | None) -> list[str]:
    """Restaurant references that exist; by id only once the database does (generation starts while
    schemathesis collects its explicit and coverage examples, before any fixture)."""
    ids = [] if w is None else [w.restaurants["demo"], w.restaurants["nattbaren"].upper()]
    return ["demo", "nattbaren", "DEMO", "Nattbaren", *ids]


def _steered(generated: Any, key: str, choices: list[Any]) -> st.SearchStrategy[Any]:
    """The generated mapping as it is, or with ``key`` set to one of ``choices`` (None: removed)."""
    if not isinstance(generated, dict):
        return st.just(generated)

    def with_choice(choice: Any) -> dict[str, Any]:
        out = {k: v for k, v in generated.items() if k != key}
        return out if choice is None else {**out, key: choice}

    return st.one_of(st.just(generated), st.sampled_from(choices).map(with_choice))


@schema.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    w = _world()
    if not isinstance(query, dict):
        return st.just(query)
    strategy = st.just(query)
    if "restaurantId" in _params(context, "query"):
        strategy = _steered(query, "restaurantId", [*_refs(w), " demo ", None, None])
    if "sessionToken" in _params(context, "query"):
        strategy = strategy.flatmap(lambda q: _steered(q, "sessionToken", [SESSION, "health-check"]))
    for name, known in (("tag", vocabulary.tags()), ("allergenFree", vocabulary.allergens())):
        if name in _params(context, "query"):
            codes = st.lists(st.sampled_from(known), max_size=3)
            strategy = strategy.flatmap(lambda q, n=name, c=codes: st.one_of(
                st.just(q), c.map(lambda v, n=n: {**q, n: v}), c.map(lambda v, n=n: {**q, n: ",".join(v)})))
    return strategy


@schema.hook
def flatmap_headers(context: Any, headers: Any) -> st.SearchStrategy[Any]:
    w = _world()
    headers = {} if headers is None else headers
    if not isinstance(headers, dict):
        return st.just(headers)
    strategy: st.SearchStrategy[Any] = st.just(headers)
    names = _params(context, "header")
    if "Origin" in names:
        strategy = strategy.flatmap(lambda h: _steered(h, "Origin", [
            "https://shop.stjarna.dev", "http://localhost:8000", "https://evil.example", "null", "http://testserver"]))
    if "X-Restaurant-ID" in names:
        strategy = strategy.flatmap(lambda h: _steered(h, "X-Restaurant-ID", _refs(w)))
    if "X-Session-Token" in names:
        strategy = strategy.flatmap(lambda h: _steered(h, "X-Session-Token", [SESSION]))
    return strategy


@schema.auth()
class AdminKey:
    """The admin key on every admin request but those schemathesis makes to test missing or bad
    credentials (tests/fuzz/test_raw.py fuzzes Authorization itself)."""

    def get(self, case: Any, context: Any) -> str:
        return ADMIN_KEY

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    w = _world()
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    choices = {"ref": _refs(w)}
    if w is not None:
        codes = [o["orderCode"] for o in w.orders] + [o["orderCode"].lower() for o in w.orders]
        choices.update(code=codes, order=[o["orderId"] for o in w.orders] + codes)
    strategy: st.SearchStrategy[Any] = st.just(path_parameters)
    for name, values in choices.items():
        if name in path_parameters:
            strategy = strategy.flatmap(lambda p, n=name, v=values: _steered(p, n, v))
    return strategy


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    w = _world()
    if isinstance(body, dict) and context.operation.path == "/api/admin/tenants":
        valid = st.fixed_dictionaries({"slug": st.from_regex(r"\Afuzz-[a-z0-9]{1,10}\Z"),
                                       "name": st.text(min_size=1, max_size=30),
                                       "allowedOrigins": st.just(["https://fuzz.example"])},
                                      optional={"update": st.booleans(), "currency": st.just("EUR")})
        return st.one_of(st.just(body), valid.map(lambda v: {**body, **v}))
    if not isinstance(body, dict) or context.operation.path not in {"/api/chat", "/api/orders", "/api/orders/quote"}:
        return st.just(body)
    strategy = _steered(body, "restaurantId", _refs(w))
    strategy = strategy.flatmap(lambda b: _steered(b, "sessionToken", [SESSION, "health-check"]))
    if w is not None and context.operation.path != "/api/chat":
        lines = st.lists(st.fixed_dictionaries({"itemId": st.sampled_from(w.items), "quantity": st.integers(-1, 21)},
                                               optional={"note": st.text(max_size=210)}), min_size=0, max_size=4)
        strategy = strategy.flatmap(lambda b: st.one_of(st.just(b), lines.map(lambda ls: {**b, "items": ls})))
    return strategy


def _params(context: Any, where: str) -> set[str]:
    operation = context.operation
    raw = schema.raw_schema["paths"][operation.path][operation.method.lower()]
    shared = schema.raw_schema["components"]["parameters"]
    names = set()
    for given in raw.get("parameters", []):
        param = shared[given["$ref"].rsplit("/", 1)[1]] if "$ref" in given else given
        if param["in"] == where:
            names.add(param["name"])
    return names


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation(case, world):
    before = world.snapshot()
    response = case.call(app=world.app)
    case.validate_response(response, checks=CHECKS)
    where = f"{case.method} {case.path}"
    json_body = response.headers.get("content-type", [""])[0].startswith("application/json")
    if response.status_code >= 400 and case.method != "HEAD" and json_body:
        error = response.json().get("error")
        if error is not None:
            assert error["code"] in CODES[response.status_code], f"{where}: {error['code']} for {response.status_code}"
    world.check(case.method, response.status_code, before, where)
