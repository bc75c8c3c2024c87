"""``stjarna serve``: the API, the widget and the demo page on one local web server.

Every line it writes is a JSON log line (shared/observability/logs.py): the start-up line, uvicorn's
own messages and a failure to start alike, so ``stjarna serve 2>&1 | jq`` never meets plain text."""

from __future__ import annotations

import argparse
import logging
import signal
from typing import Any

from shared.cli.output import EXIT_UNAVAILABLE, command, container
from shared.errors import StjarnaError


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # a normal exit: atexit handlers (the embedded database) run


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from shared.http.app import create_app

    # uvicorn re-raises a SIGTERM after its graceful shutdown with the handler that was there before;
    # with the default one the process dies without atexit, orphaning the embedded PostgreSQL.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    from shared.observability.logs import ensure_logging, server_log_config

    ensure_logging()
    logging.captureWarnings(True)  # a Python warning is a JSON line too (through the root logger)
    log = logging.getLogger("stjarna.serve")
    try:
        c = container()
        from shared.settings import ALL_NEEDS

        c.settings.require(ALL_NEEDS)  # production: every problem at once, before anything starts
        c.store.ping()  # start (embedded), migrate and seed now: fail at start, not on a request
    except StjarnaError as exc:
        log.error("stjarna serve did not start: %s: %s", exc.code, exc.message,  # noqa: TRY400 - no traceback
                  extra={"code": exc.code})
        return EXIT_UNAVAILABLE
    log.info("Stjarna %s on http://%s:%s (store: %s, kv: %s); demo page: http://%s:%s/demo",
             c.settings.version, args.host, args.port, c.settings.store_kind, c.settings.kv_kind,
             args.host, args.port)
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: any local process could then choose the
    # client address every per-IP limit and the admin lockout count. Only the proxies named here are trusted.
    trusted = args.forwarded_allow_ips
    uvicorn.run(create_app(container=c), host=args.host, port=args.port, log_config=server_log_config(),
                log_level="warning", access_log=False, lifespan="off",
                proxy_headers=trusted is not None, forwarded_allow_ips=trusted)
    return 0


def register(sub: Any) -> None:
    serve = command(sub, "serve", cmd_serve, "Run the API, the widget and the demo page.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--forwarded-allow-ips", metavar="IPS", default=None,
                       help="trust X-Forwarded-For/-Proto from these proxy addresses (comma-separated, as "
                            "uvicorn's option); default: trust no forwarding headers")
