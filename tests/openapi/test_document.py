"""The OpenAPI document itself: a valid OpenAPI 3.1 document; every route the deployed app serves is in
it (and nothing else); docs/openapi.json is what the generator writes; every code of the error tree
is documented under its status with its details (and docs/errors.md lists them); the document is
served at /api/openapi.json with an ETag, to any origin."""

from __future__ import annotations

import re

import jsonschema
import pytest
import schemathesis
from starlette.routing import Route

from shared import cli, errors
from shared.http.app import DEPLOYED_GROUPS, create_app
from shared.http.openapi import document, render, served
from shared.http.responses import error_body
from shared.paths import REPO_ROOT
from tests.openapi.conformance import Document, Nonconforming

REGENERATE = "stjarna openapi --out docs/openapi.json"


@pytest.fixture(scope="module")
def doc():
    return document()


def test_is_a_valid_openapi_31_document(doc):
    assert doc["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI 3.1 meta-schema
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_is_deterministic(doc):
    assert render(document()) == render(doc)


def _app_routes() -> set[tuple[str, str]]:
    keys = set()
    for route in create_app(DEPLOYED_GROUPS).routes:
        assert isinstance(route, Route) and route.methods
        keys.update((method, re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)) for method in route.methods)
    return keys


def test_every_route_of_the_deployed_app_is_documented_and_nothing_else(doc):
    documented = Document(doc).operations()
    served_routes = _app_routes()
    assert served_routes - documented == set(), "served but not in shared/http/openapi.py"
    assert documented - served_routes == set(), "documented but not served"


def test_path_parameters_match_the_routes(doc):
    for path, item in doc["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", path))
        for method, op in item.items():
            params = [Document(doc).resolve(p) for p in op.get("parameters", [])]
            assert {p["name"] for p in params if p["in"] == "path"} == names, (method, path)


def test_admin_routes_need_the_admin_key_and_no_other_route_does(doc):
    scheme = doc["components"]["securitySchemes"]["adminKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    cookie = doc["components"]["securitySchemes"]["consoleSession"]
    assert (cookie["type"], cookie["in"], cookie["name"]) == ("apiKey", "cookie", "stjarna_console")
    # signing in and out needs no session (sign-in takes the key in its body)
    open_console = {("post", "/console/api/session"), ("delete", "/console/api/session")}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            admin = path.startswith("/api/admin/")
            console = path.startswith("/console/api/") and (method, path) not in open_console
            assert (op.get("security") == [{"adminKey": []}]) == admin, (method, path)
            assert (op.get("security") == [{"consoleSession": []}]) == console, (method, path)
            if admin or console:
                assert "401" in op["responses"], (method, path)


def test_every_admin_operation_is_also_a_console_operation(doc):
    """One handler, two ways in (shared/http/admin.py): /api/admin/X is also /console/api/X."""
    admin = {(m, p.removeprefix("/api/admin")) for p, item in doc["paths"].items() for m in item
             if p.startswith("/api/admin/")}
    console = {(m, p.removeprefix("/console/api")) for p, item in doc["paths"].items() for m in item
               if p.startswith("/console/api/") and p != "/console/api/session"}
    assert admin == console


def test_docs_openapi_json_is_what_the_generator_writes():
    committed = (REPO_ROOT / "docs" / "openapi.json").read_bytes()
    assert committed == served()[0], f"docs/openapi.json is out of date: run `{REGENERATE}`"


def test_the_cli_writes_the_document(tmp_path, capsys):
    out = tmp_path / "openapi.json"
    assert cli.main(["openapi", "--out", str(out)]) == 0
    assert out.read_bytes() == served()[0]
    assert cli.main(["openapi"]) == 0
    assert capsys.readouterr().out.encode() == served()[0]


# -- the error tree -----------------------------------------------------------------------------------
SAMPLES = {  # the errors whose constructors take their details
    errors.RestaurantClosed: lambda: errors.RestaurantClosed("2026-11-24T16:00:00+00:00"),
    errors.ItemUnavailable: lambda: errors.ItemUnavailable([{"itemId": "x", "reason": "unknown"}]),
    errors.InvalidTransition: lambda: errors.InvalidTransition("ready", "placed"),
    errors.OrderStatusConflict: lambda: errors.OrderStatusConflict("accepted", "placed"),
    errors.ValidationFailed: lambda: errors.ValidationFailed([{"path": "message", "message": "too long"}]),
    errors.RateLimited: lambda: errors.RateLimited(retry_after=3, limit=15, reset_at=1e9),
    errors.RestaurantBusy: lambda: errors.RestaurantBusy(retry_after=3, limit=30, reset_at=1e9),
    errors.TooManyItems: lambda: errors.TooManyItems(1000, 50),
    errors.TooManyOpenOrders: lambda: errors.TooManyOpenOrders(3, 3),
    errors.OrderTotalTooHigh: lambda: errors.OrderTotalTooHigh(520000000, 500000, "SEK"),
    errors.PickupSlotFull: lambda: errors.PickupSlotFull("2026-11-24T17:00:00+00:00", 4),
}


def _error_schema(doc, status):
    return {"$ref": f"#/components/schemas/Error{status}"}


@pytest.mark.parametrize("cls", [getattr(errors, name) for name in errors.__all__], ids=lambda c: c.code)
def test_every_error_code_is_documented_under_its_status(doc, cls):
    error = SAMPLES.get(cls, cls)()
    Document(doc).validate(error_body(error, "req-1"), _error_schema(doc, error.status), cls.__name__)
    for status in {e.status for e in (getattr(errors, n) for n in errors.__all__)} - {error.status}:
        with pytest.raises(Nonconforming):  # the schemas are not permissive: a code fits its status only
            Document(doc).validate(error_body(error, "req-1"), _error_schema(doc, status), cls.__name__)


@pytest.mark.parametrize("body", [
    {"error": {"code": "NOT_FOUND", "message": "m"}},  # no requestId
    {"error": {"code": "NOT_FOUND", "message": "m", "requestId": "r", "hint": "x"}},  # an undocumented field
    {"error": {"code": "NOT_A_CODE", "message": "m", "requestId": "r"}},
    {"code": "NOT_FOUND", "message": "m", "requestId": "r"},  # not wrapped
])
def test_the_error_schema_refuses_other_shapes(doc, body):
    with pytest.raises(Nonconforming):
        Document(doc).validate(body, _error_schema(doc, 404), "404")


def test_missing_details_are_refused(doc):
    body = error_body(errors.ValidationFailed([{"path": "x", "message": "y"}]), "r")
    del body["error"]["errors"]
    with pytest.raises(Nonconforming):
        Document(doc).validate(body, _error_schema(doc, 422), "422")


def test_docs_errors_md_lists_every_code(doc):
    listed = set(re.findall(r"^\| \d{3} \| `([A-Z_]+)` \|", (REPO_ROOT / "docs/errors.md").read_text(), re.M))
    assert listed == {getattr(errors, name).code for name in errors.__all__}


# -- the route --------------------------------------------------------------------------------------
def test_served_at_api_openapi_json_cached_with_an_etag_to_any_origin(app_for):
    client, _ = app_for(("health",))
    conform = Document(document())
    r = conform.check(client.get("/api/openapi.json", headers={"Origin": "https://anyone.example"}))
    assert r.status_code == 200 and r.content == served()[0]
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["cache-control"] == "public, max-age=300, s-maxage=300"
    etag = r.headers["etag"]
    again = conform.check(client.get("/api/openapi.json", headers={"If-None-Match": etag}))
    assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
    head = conform.check(client.head("/api/openapi.json"))
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag


def test_the_health_function_does_not_import_the_generator_until_asked():
    import subprocess
    import sys

    code = ("import sys; import functions.health as h; "
            "print(any(m in sys.modules for m in ('shared.http.openapi', 'shared.http.schemas', 'pydantic')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert out.stdout.strip() == "False"
