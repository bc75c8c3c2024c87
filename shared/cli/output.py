"""What every command of ``stjarna`` shares: the exit codes, the container, the actor recorded for a
change, the ``--json`` option, and reading and writing JSON, tables, money and times."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

import orjson

from shared.errors import ValidationFailed

# 0 success; 1 the request was refused (invalid input, unknown restaurant) or a check failed;
# 2 usage error; 3 a dependency is unavailable or the configuration is invalid.
EXIT_REFUSED, EXIT_USAGE, EXIT_UNAVAILABLE = 1, 2, 3
EXIT_FAILED = EXIT_REFUSED  # `tenant check`: at least one check failed

Handler = Callable[[argparse.Namespace], int]
T = TypeVar("T")


def command(parent: Any, name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
    """A subcommand of ``parent`` (a subparsers action) that runs ``handler``."""
    p: argparse.ArgumentParser = parent.add_parser(name, help=help_, description=help_)
    p.set_defaults(handler=handler)
    return p


def group(sub: Any, name: str, help_: str) -> Any:
    """A command group ``stjarna <name> …`` whose subcommands are required; add them with ``command``."""
    return sub.add_parser(name, help=help_).add_subparsers(dest=name, required=True)


def with_json(p: argparse.ArgumentParser, instead_of: str = "a table") -> argparse.ArgumentParser:
    p.add_argument("--json", action="store_true", help=f"print JSON instead of {instead_of}")
    return p


def container() -> Any:
    from shared.container import default_container

    return default_container()


def actor(args: argparse.Namespace) -> str:
    """Who a change is recorded as: ``cli:<--actor or the user name>``."""
    name = getattr(args, "actor", None) or getpass.getuser()
    return f"cli:{name}"


def print_json(data: Any, out: TextIO | None = None) -> None:
    (out or sys.stdout).write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def report(args: argparse.Namespace, data: T, render: Callable[[T], None]) -> int:
    """``data`` as JSON with ``--json``, else as ``render`` prints it."""
    if args.json:
        print_json(data)
    else:
        render(data)
    return 0


def read_json(source: str, label: str = "(file)") -> Any:
    """The JSON in the file ``source`` (``-``: stdin); invalid JSON is refused under ``label``."""
    raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed([{"path": label, "message": f"not valid JSON: {exc}"}]) from None


def visible(text: str) -> str:
    """``text`` with every control or text-direction character shown as ``\\uXXXX``: what a diner or a
    menu wrote cannot move the cursor, colour or reorder a terminal's line (kitchen notes, names)."""
    from shared.orders.requests import UNSAFE_TEXT

    return UNSAFE_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    """Left-aligned columns, two spaces apart; ``-`` for an empty cell; control characters shown escaped."""
    cells = [[str(h) for h in header]] + [["-" if v is None or v == "" else visible(str(v)) for v in row]
                                          for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def money(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency}"


def when(value: str | None) -> str | None:
    """A UTC ISO instant as ``YYYY-MM-DD HH:MM UTC``; any other value unchanged."""
    return None if value is None else value.replace("T", " ")[:16] + " UTC" if value.endswith("+00:00") else value


def flag_text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
