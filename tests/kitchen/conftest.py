"""The kitchen's routes in a tiny app built inline (shared/http/kitchen.py under the project's middleware
and error handlers) around the seeded store, with the identity a test chooses: a platform key, or a key
scoped to one restaurant as owner or kitchen. Keys and console sessions are tested in tests/admin and
tests/console; here only what each identity may do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from shared.admin.keys import AdminIdentity
from shared.container import Container
from shared.errors import StjarnaError
from shared.http.kitchen import Handler, kitchen_routes
from shared.http.middleware import RequestContextMiddleware
from shared.http.responses import error_response
from shared.kv.memory import MemoryKV
from shared.orders.requests import OrderRequest
from shared.orders.service import OrderService
from shared.store import Store
from tests.conftest import make_settings
from tests.contract.conftest import any_store, postgrest, postgrest_server  # noqa: F401 - every Store adapter
from tests.orders.conftest import SESSION, new_key, order_body

PLATFORM = AdminIdentity("00000000-0000-4000-8000-00000000000a", "ops")


class Recording:
    """The real store, recording which functions each request calls (the cost of a poll)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[str] = []

    def rpc(self, function: str, params: Mapping[str, Any]) -> Any:
        self.calls.append(function)
        return self.store.rpc(function, params)

    def close(self) -> None:
        pass


@dataclass
class Kitchen:
    client: TestClient
    container: Container
    store: Recording
    rid: str
    who: list[AdminIdentity] = field(default_factory=lambda: [PLATFORM])

    def act_as(self, role: str, restaurant_id: str | None = None) -> None:
        self.who[0] = PLATFORM if role == "platform" else AdminIdentity(
            "00000000-0000-4000-8000-00000000000b", f"{role} key", role, restaurant_id or self.rid)  # type: ignore[arg-type]

    @property
    def orders(self) -> OrderService:
        return self.container.orders

    def place(self, items: dict[str, str], *lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
        body = order_body(*((items[key], quantity) for key, quantity in lines), **extra)
        request = OrderRequest.model_validate(body)
        return self.orders.place(self.rid, request, new_key(), ordering_enabled=True, locale="en-SE").order


@pytest.fixture
def kitchen(seeded: Store, clock: Any, sql: Callable[..., list[tuple[Any, ...]]]) -> Kitchen:
    store = Recording(seeded)
    container = Container(make_settings(), store=store, kv=MemoryKV(), clock=clock)  # type: ignore[arg-type]
    who = [PLATFORM]

    def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(request, container, who[0])
        return endpoint

    async def stjarna_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StjarnaError)
        return error_response(exc, request.state.requestId, headers=exc.headers())

    routes = kitchen_routes(guarded)
    app = Starlette(routes=routes, exception_handlers={StjarnaError: stjarna_error}, middleware=[
        Middleware(RequestContextMiddleware, max_body_bytes=lambda: 65536,
                   route_paths={r.endpoint: r.path for r in routes if isinstance(r, Route)})])
    rid = str(sql("select id from restaurants where slug = 'demo'")[0][0])
    return Kitchen(TestClient(app, raise_server_exceptions=False), container, store, rid, who)


__all__ = ["SESSION", "Kitchen", "new_key", "order_body"]
