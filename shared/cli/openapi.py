"""``stjarna openapi``: the API's OpenAPI document, as served at /api/openapi.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from shared.cli.output import command


def cmd_openapi(args: argparse.Namespace) -> int:
    from shared.http.openapi import served

    body, _ = served()
    if args.out and args.out != "-":
        Path(args.out).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def register(sub: Any) -> None:
    openapi = command(sub, "openapi", cmd_openapi,
                      "Write the API's OpenAPI 3.1 document (docs/openapi.json; served at /api/openapi.json).")
    openapi.add_argument("--out", help="file to write (default: stdout)")
