"""What SupabaseStore does when something other than PostgREST answers: Supabase's gateway or a
proxy in front of it (502/504 HTML pages when a project is paused, restarting or unreachable).

Both must surface as StoreUnavailable (503), never as data or a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from shared.errors import StoreUnavailable
from shared.store.supabase import SupabaseStore
from tests.support.servers import serve


async def _bad_gateway(request: Request) -> Response:
    return HTMLResponse("<html><body>502 Bad Gateway</body></html>", status_code=502)


async def _html_ok(request: Request) -> Response:
    return HTMLResponse("<html><body>Sign in</body></html>", status_code=200)


@pytest.fixture
def gateway_store() -> Iterator[SupabaseStore]:
    app = Starlette(routes=[Route("/rest/v1/rpc/stjarna_ping", _bad_gateway, methods=["POST"]),
                            Route("/rest/v1/rpc/stjarna_restaurant_head", _html_ok, methods=["POST"])])
    with serve(app) as server:
        store = SupabaseStore(server.url, "key", timeout_seconds=2)
        yield store
        store.close()


def test_gateway_error_page_is_store_unavailable(gateway_store):
    with pytest.raises(StoreUnavailable):
        gateway_store.ping()


def test_non_json_success_is_store_unavailable(gateway_store):
    with pytest.raises(StoreUnavailable):
        gateway_store.rpc("stjarna_restaurant_head", {"p_ref": "demo"})
