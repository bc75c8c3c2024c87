"""``stjarna keys create|list|revoke``: admin API keys, platform-wide or per restaurant with a role
(docs/admin.md). Changes are audited with their actor (and the key's restaurant)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from shared.admin.keys import ROLES
from shared.cli.output import actor, command, container, group, print_json, report, table, when, with_json


def cmd_keys_create(args: argparse.Namespace) -> int:
    from shared.errors import ValidationFailed
    from shared.tenants.lookup import restaurant_id

    c = container()
    role = args.role or ("kitchen" if args.restaurant else "platform")
    if role != "platform" and args.restaurant is None:
        raise ValidationFailed([{"path": "restaurant", "message": f"a {role} key belongs to one restaurant: "
                                 "--restaurant SLUG"}])
    if role == "platform" and args.restaurant is not None:
        raise ValidationFailed([{"path": "role", "message": "a key of one restaurant is --role owner or kitchen"}])
    if role == "platform" and args.name is None:
        raise ValidationFailed([{"path": "name", "message": "--name is required for a platform key "
                                 "(who or what uses it, e.g. 'support-2026')"}])
    rid = None if args.restaurant is None else restaurant_id(c.store, args.restaurant)
    name = args.name or f"{role} key"
    expires = None if args.expires_in_days is None else timedelta(days=args.expires_in_days)
    key, record = c.admin_keys.create(name, actor(args), expires, role=role, restaurant_id=rid)
    if args.json:
        print_json({**record, "key": key})
        return 0
    scope = "" if role == "platform" else f", {role} of {record['restaurant']}"
    print(f"created admin key {record['id']} ({record['name']}{scope})"
          + (f", expires {when(record['expiresAt'])}" if record["expiresAt"] else ""))
    print(f"key: {key}")
    if role == "platform":
        print("Store it now: it is not shown again. Use it as 'Authorization: Bearer <key>'.")
    else:
        print("Store it now: it is not shown again. Sign in with it at /console, or use it as "
              "'Authorization: Bearer <key>'.")
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from shared.tenants.lookup import restaurant_id

    c = container()
    keys = c.admin_keys.list(None if args.restaurant is None else restaurant_id(c.store, args.restaurant))
    if args.json:
        print_json(keys)
        return 0
    rows = [(k["id"], k["name"], k["role"], k["restaurant"] or "-",
             "active" if k["active"] else ("revoked" if k["revokedAt"] else "expired"),
             when(k["createdAt"]), when(k["lastUsedAt"]), when(k["expiresAt"])) for k in keys]
    print(table(rows, ("ID", "NAME", "ROLE", "RESTAURANT", "STATE", "CREATED", "LAST USED", "EXPIRES")))
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from shared.errors import NotFound
    from shared.tenants.refs import UUID_RE

    if not UUID_RE.fullmatch(args.id.lower()):
        raise NotFound("No admin key with that id (see `stjarna keys list`).")
    record = container().admin_keys.revoke(args.id.lower(), actor(args))
    return report(args, record, lambda r: print(f"revoked admin key {r['id']} ({r['name']})"))


def register(sub: Any) -> None:
    keys = group(sub, "keys", "Admin API keys: platform keys (at most two active) and staff keys per restaurant "
                 "(owner: 2, kitchen: 20 active).")
    create = with_json(command(keys, "create", cmd_keys_create, "Create an admin key; it is printed once."))
    create.add_argument("--name", help="who or what uses it, e.g. 'support-2026' or 'tablet by the pass' "
                        "(required for a platform key)")
    create.add_argument("--restaurant", metavar="SLUG", help="a staff key of this restaurant (slug or id)")
    create.add_argument("--role", choices=ROLES, help="platform (default), or with --restaurant owner or "
                        "kitchen (default kitchen)")
    create.add_argument("--expires-in-days", type=int, choices=range(1, 3651), metavar="DAYS")
    listing = with_json(command(keys, "list", cmd_keys_list, "Every admin key (never the key itself)."))
    listing.add_argument("--restaurant", metavar="SLUG", help="only this restaurant's keys")
    revoke = with_json(command(keys, "revoke", cmd_keys_revoke, "Revoke an admin key at once."))
    revoke.add_argument("id")
