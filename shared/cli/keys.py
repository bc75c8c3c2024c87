"""``stjarna keys create|list|revoke``: admin API keys (docs/admin.md). Changes are audited with
their actor."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from shared.cli.output import actor, command, container, group, print_json, report, table, when, with_json


def cmd_keys_create(args: argparse.Namespace) -> int:
    expires = None if args.expires_in_days is None else timedelta(days=args.expires_in_days)
    key, record = container().admin_keys.create(args.name, actor(args), expires)
    if args.json:
        print_json({**record, "key": key})
        return 0
    print(f"created admin key {record['id']} ({record['name']})"
          + (f", expires {when(record['expiresAt'])}" if record["expiresAt"] else ""))
    print(f"key: {key}")
    print("Store it now: it is not shown again. Use it as 'Authorization: Bearer <key>'.")
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    keys = container().admin_keys.list()
    if args.json:
        print_json(keys)
        return 0
    rows = [(k["id"], k["name"], "active" if k["active"] else ("revoked" if k["revokedAt"] else "expired"),
             when(k["createdAt"]), when(k["lastUsedAt"]), when(k["expiresAt"])) for k in keys]
    print(table(rows, ("ID", "NAME", "STATE", "CREATED", "LAST USED", "EXPIRES")))
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from shared.errors import NotFound
    from shared.tenants.refs import UUID_RE

    if not UUID_RE.fullmatch(args.id.lower()):
        raise NotFound("No admin key with that id (see `stjarna keys list`).")
    record = container().admin_keys.revoke(args.id.lower(), actor(args))
    return report(args, record, lambda r: print(f"revoked admin key {r['id']} ({r['name']})"))


def register(sub: Any) -> None:
    keys = group(sub, "keys", "Admin API keys (at most two active).")
    create = with_json(command(keys, "create", cmd_keys_create, "Create an admin key; it is printed once."))
    create.add_argument("--name", required=True, help="who or what uses it, e.g. 'support-2026'")
    create.add_argument("--expires-in-days", type=int, choices=range(1, 3651), metavar="DAYS")
    with_json(command(keys, "list", cmd_keys_list, "Every admin key (never the key itself)."))
    revoke = with_json(command(keys, "revoke", cmd_keys_revoke, "Revoke an admin key at once."))
    revoke.add_argument("id")
