"""``stjarna sentry test``: send one event to the configured Sentry project and print its id, so
"is Sentry receiving?" has an answer (search the id in Sentry). Without ``SENTRY_DSN``: a refusal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shared.cli.output import EXIT_USAGE, command, container, group, report, with_json


def cmd_sentry_test(args: argparse.Namespace) -> int:
    from shared.observability.sentry import send_test_event

    settings = container().settings
    if settings.sentry_dsn is None:
        print("error: SENTRY_DSN is not set: nothing was sent. Set it to the project's DSN (Sentry: "
              "Settings → Projects → Client Keys) in this environment and run again.", file=sys.stderr)
        return EXIT_USAGE
    event_id = send_test_event(settings, timeout=args.timeout)
    environment = settings.sentry_environment or settings.stage
    return report(args, {"eventId": event_id, "environment": environment}, lambda _: print(
        f"sent test event {event_id} (environment {environment}, level info, tag stjarnaTest:true)\n"
        f"Sentry is receiving if Issues → search '{event_id}' finds it within a minute."))


def register(sub: Any) -> None:
    sentry = group(sub, "sentry", "Sentry: check that events arrive.")
    test = with_json(command(sentry, "test", cmd_sentry_test,
                             "Send one test event to SENTRY_DSN's project and print its id."))
    test.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                      help="how long to wait for the event to leave (default 10)")
