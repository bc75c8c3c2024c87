"""The floor for handler import time: what any Starlette-on-Lambda menu handler must import.

Only starlette.applications, starlette.routing, starlette.responses, mangum and orjson; one route,
one Mangum handler (lifespan off, like functions/menu.py). Used by bench/import_bench.py.
"""

import orjson
from mangum import Mangum
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = orjson.dumps({"ok": True})


async def menu(_request: object) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/api/public/menu", menu, methods=["GET", "HEAD"])])
handler = Mangum(app, lifespan="off")
