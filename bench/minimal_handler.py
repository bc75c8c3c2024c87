"""The floor for handler import time: what any Starlette-on-Lambda menu handler must import.

Only starlette.applications, starlette.routing, starlette.responses (through bench/floor.py, the floor
app of every bench), mangum and orjson; one route, one Mangum handler (lifespan off, like
functions/menu.py). Used by bench/import_bench.py.
"""

import orjson
from floor import floor_app
from mangum import Mangum

BODY = orjson.dumps({"ok": True})

app = floor_app(BODY, "/api/public/menu")
handler = Mangum(app, lifespan="off")
