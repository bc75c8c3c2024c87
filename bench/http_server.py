"""The server side of bench/menu_http_bench.py: one uvicorn process, run as ``stjarna serve`` runs it
(one worker, ``log_level="warning"``, no uvicorn access log, lifespan off), serving either the product's
menu app or the floor app.

``python bench/http_server.py menu|floor PORT DSN SLUG [SLUG ...]``

* ``menu``: ``create_app(("menu",))`` around the bench's PostgreSQL, ``MENU_LOCAL_CACHE_SECONDS=30`` (the
  maximum: warm requests never revalidate within a round), an in-memory KV, the JSON access log on,
  written to /dev/null (as in bench/menu_bench.py: formatting and writing the line are paid);
* ``floor``: a bare Starlette route returning the same pre-built bytes per restaurant (read once, at
  start, through the same menu service), with ``ETag`` and a 304 for a matching ``If-None-Match``.
"""

from __future__ import annotations

import os
import sys

from floor import floor_app

PATH = "/api/public/menu"


def main(kind: str, port: int, dsn: str, slugs: list[str]) -> None:
    import uvicorn

    from shared.container import Container
    from shared.http.app import create_app
    from shared.kv.memory import MemoryKV
    from shared.observability.logs import configure_logging
    from shared.settings import load_settings
    from shared.store.postgres import PostgresStore

    settings = load_settings({"STJARNA_DATA_DIR": "/nonexistent", "MENU_LOCAL_CACHE_SECONDS": "30"})
    container = Container(settings, store=PostgresStore(dsn, timeout_seconds=10), kv=MemoryKV())
    configure_logging("INFO", stream=open(os.devnull, "w"))  # noqa: SIM115 - for the process's life
    if kind == "menu":
        app = create_app(("menu",), container=container)
    else:
        menus = {slug: container.menus.menu(slug)[0] for slug in slugs}
        app = floor_app({slug: (menu.body, menu.etag) for slug, menu in menus.items()}, PATH)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:])
