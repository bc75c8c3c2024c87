"""The one way a handler module is built: the group's app wrapped by Mangum, lifespan off."""

from __future__ import annotations

import asyncio

from mangum import Mangum
from starlette.applications import Starlette

from shared.http.app import Group, create_app

# Mangum drives every invocation with asyncio.get_event_loop(), which is deprecated without a current
# loop from Python 3.12 on (the Lambda runtime is 3.12): give the process its one loop up front.
LOOP = asyncio.new_event_loop()
asyncio.set_event_loop(LOOP)


def build(group: Group) -> tuple[Starlette, Mangum]:
    app = create_app(groups=(group,))
    return app, Mangum(app, lifespan="off")
