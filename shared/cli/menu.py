"""``stjarna menu import|export|schema``: menus as JSON files (docs/menu-format.md)."""

from __future__ import annotations

import argparse
from typing import Any

from shared.cli.output import command, container, group, print_json, read_json


def cmd_menu_import(args: argparse.Namespace) -> int:
    from shared.menus.io import import_menu

    data = read_json(args.file)
    result = import_menu(container().store, data)
    verb = "created" if result["created"] else "updated"
    print(f"{verb} {result['slug']} ({result['restaurantId']}): menu version {result['version']}, "
          f"{result['sections']} sections, {result['items']} items")
    return 0


def cmd_menu_export(args: argparse.Namespace) -> int:
    from shared.menus.io import export_menu

    document = export_menu(container().store, args.restaurant)
    if args.output and args.output != "-":
        with open(args.output, "w", encoding="utf-8") as out:
            print_json(document, out)
    else:
        print_json(document)
    return 0


def cmd_menu_schema(args: argparse.Namespace) -> int:
    from shared.menus.document import json_schema

    print_json(json_schema())
    return 0


def register(sub: Any) -> None:
    menu = group(sub, "menu", "Import and export menus.")
    imp = command(menu, "import", cmd_menu_import,
                  "Create or update a restaurant and replace its menu from a JSON file (- for stdin).")
    imp.add_argument("file")
    exp = command(menu, "export", cmd_menu_export, "Write a restaurant's menu in the import format.")
    exp.add_argument("restaurant", help="slug or id")
    exp.add_argument("-o", "--output", help="file to write (default: stdout)")
    command(menu, "schema", cmd_menu_schema, "Print the JSON Schema of the menu format.")
