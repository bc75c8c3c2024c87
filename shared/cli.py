"""``stjarna``: the product's command line (serve, database, menus; orders, keys and GDPR in
shared/admin/cli.py).

Exit codes: 0 success; 1 the request was refused (invalid input, unknown restaurant);
2 usage error; 3 a dependency is unavailable or the configuration is invalid.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import orjson

from shared.errors import ConfigError, ServiceUnavailable, StjarnaError, ValidationFailed

EXIT_REFUSED, EXIT_USAGE, EXIT_UNAVAILABLE = 1, 2, 3


def _container() -> Any:
    from shared.container import default_container

    return default_container()


def _dump(data: Any, out: TextIO) -> None:
    out.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # a normal exit: atexit handlers (the embedded database) run


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from shared.http.app import create_app

    # uvicorn re-raises a SIGTERM after its graceful shutdown with the handler that was there before;
    # with the default one the process dies without atexit, orphaning the embedded PostgreSQL.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    container = _container()
    container.store.ping()  # start (embedded), migrate and seed now: fail at start, not on a request
    print(f"Stjarna {container.settings.version} on http://{args.host}:{args.port} "
          f"(store: {container.settings.store_kind}, kv: {container.settings.kv_kind}); "
          f"demo page: http://{args.host}:{args.port}/demo", file=sys.stderr, flush=True)
    uvicorn.run(create_app(container=container), host=args.host, port=args.port,
                log_level="warning", access_log=False, lifespan="off")
    return 0


def cmd_db_migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import migrate

    settings = _container().settings
    if settings.store_kind == "supabase" and settings.database_url is None:
        print("Migrations need a direct Postgres connection: set DATABASE_URL to the project's "
              "connection string (Supabase: Project Settings → Database) and run again.", file=sys.stderr)
        return EXIT_USAGE
    if settings.database_url is not None:
        applied = migrate(settings.database_url.get_secret_value())
    else:
        from shared.db.embedded import embedded_dsn

        applied = migrate(embedded_dsn(settings.data_dir))
    print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    return 0


def cmd_db_seed(args: argparse.Namespace) -> int:
    from shared.db.seed import SEED_DIR
    from shared.menus.io import import_menu

    store = _container().store
    for path in sorted(SEED_DIR.glob("*.json")):
        result = import_menu(store, orjson.loads(path.read_bytes()))
        print(f"{result['slug']}: version {result['version']}, {result['items']} items")
    return 0


def _read_json(source: str) -> Any:
    raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed([{"path": "(file)", "message": f"not valid JSON: {exc}"}]) from None


def cmd_menu_import(args: argparse.Namespace) -> int:
    from shared.menus.io import import_menu

    data = _read_json(args.file)
    result = import_menu(_container().store, data)
    verb = "created" if result["created"] else "updated"
    print(f"{verb} {result['slug']} ({result['restaurantId']}): menu version {result['version']}, "
          f"{result['sections']} sections, {result['items']} items")
    return 0


def cmd_menu_export(args: argparse.Namespace) -> int:
    from shared.menus.io import export_menu

    document = export_menu(_container().store, args.restaurant)
    if args.output and args.output != "-":
        with open(args.output, "w", encoding="utf-8") as out:
            _dump(document, out)
    else:
        _dump(document, sys.stdout)
    return 0


def cmd_menu_schema(args: argparse.Namespace) -> int:
    from shared.menus.document import json_schema

    _dump(json_schema(), sys.stdout)
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    from shared.http.openapi import served

    body, _ = served()
    if args.out and args.out != "-":
        Path(args.out).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stjarna", description="Stjarna: menu, assistant and ordering widget.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(parent: Any, name: str, handler: Callable[[argparse.Namespace], int], help_: str) -> Any:
        p = parent.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    serve = add(sub, "serve", cmd_serve, "Run the API, the widget and the demo page.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    db = sub.add_parser("db", help="Database: migrations and seed data.").add_subparsers(dest="db", required=True)
    add(db, "migrate", cmd_db_migrate, "Apply pending migrations (infra/migrations).")
    add(db, "seed", cmd_db_seed, "Import the seed restaurants (infra/seed) — creates or updates them.")

    menu = sub.add_parser("menu", help="Import and export menus.").add_subparsers(dest="menu", required=True)
    imp = add(menu, "import", cmd_menu_import,
              "Create or update a restaurant and replace its menu from a JSON file (- for stdin).")
    imp.add_argument("file")
    exp = add(menu, "export", cmd_menu_export, "Write a restaurant's menu in the import format.")
    exp.add_argument("restaurant", help="slug or id")
    exp.add_argument("-o", "--output", help="file to write (default: stdout)")
    add(menu, "schema", cmd_menu_schema, "Print the JSON Schema of the menu format.")
    openapi = add(sub, "openapi", cmd_openapi,
                  "Write the API's OpenAPI 3.1 document (docs/openapi.json; served at /api/openapi.json).")
    openapi.add_argument("--out", help="file to write (default: stdout)")

    from shared.admin.cli import register
    from shared.tenants.cli import register as register_tenants

    register(sub, add)
    register_tenants(sub, add)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
