"""``stjarna serve``: the API, the widget and the demo page on one local web server."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from shared.cli.output import command, container


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # a normal exit: atexit handlers (the embedded database) run


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from shared.http.app import create_app

    # uvicorn re-raises a SIGTERM after its graceful shutdown with the handler that was there before;
    # with the default one the process dies without atexit, orphaning the embedded PostgreSQL.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    c = container()
    c.store.ping()  # start (embedded), migrate and seed now: fail at start, not on a request
    print(f"Stjarna {c.settings.version} on http://{args.host}:{args.port} "
          f"(store: {c.settings.store_kind}, kv: {c.settings.kv_kind}); "
          f"demo page: http://{args.host}:{args.port}/demo", file=sys.stderr, flush=True)
    uvicorn.run(create_app(container=c), host=args.host, port=args.port,
                log_level="warning", access_log=False, lifespan="off")
    return 0


def register(sub: Any) -> None:
    serve = command(sub, "serve", cmd_serve, "Run the API, the widget and the demo page.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
