"""``stjarna gdpr erase``: diner data requests (the orders go, and with them their pickup names and phones;
the scheduled function erases those by itself ORDER_PII_RETENTION_DAYS after an order finished). The
erasure is audited with its actor."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shared.cli.output import EXIT_USAGE, actor, command, container, group, print_json, with_json


def cmd_gdpr_erase(args: argparse.Namespace) -> int:
    from shared.chat.pipeline import context_key
    from shared.errors import KVUnavailable
    from shared.tenants.lookup import restaurant_id

    if args.session is None and not args.yes:
        print("error: this erases every diner's orders of the restaurant; add --yes to confirm, or name one "
              "--session", file=sys.stderr)
        return EXIT_USAGE
    c = container()
    rid = restaurant_id(c.store, args.restaurant)
    counts = c.orders.erase(rid, args.session, actor(args))
    chat = "expires within CHAT_CONTEXT_TTL_SECONDS"
    if args.session is not None:
        try:
            c.kv.delete(context_key(rid, args.session))
            chat = "erased"
        except KVUnavailable:
            chat = "not erased (KV unavailable); it expires within CHAT_CONTEXT_TTL_SECONDS"
    if args.json:
        print_json({**counts, "chatContext": chat})
        return 0
    scope = "session" if args.session else "restaurant"
    print(f"erased the {scope}'s diner data: {counts['orders']} order(s), {counts['orderItems']} line(s), "
          f"{counts['orderEvents']} status event(s), with their pickup names and phones; chat context {chat}")
    return 0


def register(sub: Any) -> None:
    gdpr = group(sub, "gdpr", "Diner data requests.")
    erase = with_json(command(gdpr, "erase", cmd_gdpr_erase,
                              "Erase one session's diner data, or (with --yes) all of a restaurant's."))
    erase.add_argument("--restaurant", required=True, help="slug or id")
    erase.add_argument("--session", help="the diner's session token")
    erase.add_argument("--yes", action="store_true", help="confirm erasing every diner's data of the restaurant")
