"""The ``stjarna`` parser and ``main``: every command group registers itself, and the errors a
command raises become a message on stderr and an exit code (shared/cli/output.py lists them)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from shared.cli import audit, cache, db, flags, gdpr, keys, menu, openapi, orders, sentry, serve, tenant
from shared.cli.output import EXIT_REFUSED, EXIT_UNAVAILABLE, EXIT_USAGE
from shared.errors import ConfigError, ServiceUnavailable, StjarnaError, ValidationFailed

GROUPS = (serve, db, menu, openapi, orders, keys, flags, gdpr, tenant, cache, audit,  # in the order --help lists them
          sentry)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stjarna", description="Stjarna: menu, assistant and ordering widget.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except ValidationFailed as exc:
        print(f"error: {exc.code}: the input is invalid; nothing was changed.", file=sys.stderr)
        for err in exc.errors:
            print(f"  {err['path']}: {err['message']}", file=sys.stderr)
        return EXIT_REFUSED
    except (ConfigError, ServiceUnavailable) as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except StjarnaError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except FileNotFoundError as exc:
        print(f"error: no such file: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
