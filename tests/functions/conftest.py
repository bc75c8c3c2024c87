"""Lambda-level fixtures: the event samples in tests/events, a minimal Lambda context, an event
loop owned by the test (Mangum runs each invocation with ``loop.run_until_complete`` on the
current loop), and a handler factory around the ``seeded`` store."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mangum import Mangum

from shared.container import Container
from shared.kv.memory import MemoryKV
from shared.store.postgres import PostgresStore
from tests.conftest import make_settings

EVENTS = Path(__file__).resolve().parents[1] / "events"
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class LambdaContext:
    """The attributes of the real context object (Mangum only passes it along in the scope)."""

    function_name = "stjarna-test-menu"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-north-1:123456789012:function:stjarna-test-menu"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/stjarna-test-menu"
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def load_event(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((EVENTS / name).read_text(encoding="utf-8")))


@pytest.fixture
def context() -> LambdaContext:
    return LambdaContext()


@pytest.fixture
def event_loop_for_mangum() -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh current loop for Mangum, closed afterwards (no unclosed-loop ResourceWarning)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def handler_for(seeded: PostgresStore, event_loop_for_mangum: asyncio.AbstractEventLoop,
                ) -> Callable[..., tuple[Handler, Container]]:
    """``handler, container = handler_for("menu", **env)``: what ``functions/<group>.py`` builds,
    but around the seeded test database and an in-memory KV."""
    from shared.http.app import create_app

    def build(*groups: str, **env: str) -> tuple[Handler, Container]:
        container = Container(make_settings(**env), store=seeded, kv=MemoryKV())
        return Mangum(create_app(groups, container=container), lifespan="off"), container  # type: ignore[arg-type]

    return build
