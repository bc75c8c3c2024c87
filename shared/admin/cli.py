"""Staff commands of ``stjarna``: orders (what a kitchen tablet or support person runs), admin keys,
feature flags and GDPR erasure. Each prints a readable table, or JSON with ``--json``; every change is recorded with
its actor (``cli:<user>`` or ``--actor``) in the order history and the audit log."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import orjson

from shared.orders.models import STATUSES

Add = Callable[[Any, str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def container() -> Any:
    from shared.container import default_container

    return default_container()


def actor(args: argparse.Namespace) -> str:
    name = getattr(args, "actor", None) or getpass.getuser()
    return f"cli:{name}"


def print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    """Left-aligned columns, two spaces apart; ``-`` for an empty cell."""
    cells = [[str(h) for h in header]] + [["-" if v is None or v == "" else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def money(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency}"


def _when(value: str | None) -> str | None:
    return None if value is None else value.replace("T", " ")[:16] + " UTC" if value.endswith("+00:00") else value


# -- orders ---------------------------------------------------------------------------------------
def cmd_orders_list(args: argparse.Namespace) -> int:
    from shared.tenants.lookup import restaurant_id

    c = container()
    orders = c.orders.list(restaurant_id(c.store, args.restaurant), args.status, args.limit)
    if args.json:
        print_json(orders)
        return 0
    rows = [(o["orderCode"], o["status"], _when(o["placedAt"]), _when(o["pickupAt"]) or "asap",
             money(o["totalCents"], o["currency"]),
             ", ".join(f"{i['quantity']}x {i['name']}" for i in o["items"])) for o in orders]
    print(table(rows, ("CODE", "STATUS", "PLACED", "PICKUP", "TOTAL", "ITEMS")))
    print(f"{len(orders)} order(s)" + (f" with status {args.status}" if args.status else ""))
    return 0


def _staff_order(c: Any, ref: str, restaurant: str | None) -> dict[str, Any]:
    from shared.tenants.lookup import restaurant_id

    rid = restaurant_id(c.store, restaurant) if restaurant else None
    order: dict[str, Any] = c.orders.staff_order(rid, ref)
    return order


def _print_order(order: dict[str, Any]) -> None:
    print(f"order {order['orderCode']} ({order['orderId']}): {order['status']}")
    print(f"placed {_when(order['placedAt'])}, pickup {_when(order['pickupAt']) or 'as soon as possible'}, "
          f"payment {order['paymentMethod']}")
    rows = [(i["quantity"], i["name"], money(i["unitPriceCents"], order["currency"]),
             money(i["lineTotalCents"], order["currency"]), i["note"]) for i in order["items"]]
    print(table(rows, ("QTY", "ITEM", "UNIT", "LINE", "NOTE")))
    print(f"total {money(order['totalCents'], order['currency'])}")
    print(table([(_when(h["at"]), h["status"], h.get("actor")) for h in order.get("history", [])],
                ("AT", "STATUS", "BY")))


def cmd_orders_show(args: argparse.Namespace) -> int:
    order = _staff_order(container(), args.order, args.restaurant)
    if args.json:
        print_json(order)
    else:
        _print_order(order)
    return 0


def cmd_orders_set_status(args: argparse.Namespace) -> int:
    c = container()
    order = _staff_order(c, args.order, args.restaurant)
    updated = c.orders.set_status(order["orderId"], args.status, actor(args), expected=args.expected)
    if args.json:
        print_json(updated)
    else:
        print(f"order {updated['orderCode']}: {order['status']} -> {updated['status']}")
    return 0


def cmd_orders_expire(args: argparse.Namespace) -> int:
    c = container()
    count = c.orders.expire(actor(args))
    hours = c.settings.order_expire_after_hours
    if args.json:
        print_json({"expired": count})
    else:
        print(f"expired {count} order(s) older than {hours} h")
    return 0


# -- admin keys -----------------------------------------------------------------------------------
def cmd_keys_create(args: argparse.Namespace) -> int:
    expires = None if args.expires_in_days is None else timedelta(days=args.expires_in_days)
    key, record = container().admin_keys.create(args.name, actor(args), expires)
    if args.json:
        print_json({**record, "key": key})
        return 0
    print(f"created admin key {record['id']} ({record['name']})"
          + (f", expires {_when(record['expiresAt'])}" if record["expiresAt"] else ""))
    print(f"key: {key}")
    print("Store it now: it is not shown again. Use it as 'Authorization: Bearer <key>'.")
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    keys = container().admin_keys.list()
    if args.json:
        print_json(keys)
        return 0
    rows = [(k["id"], k["name"], "active" if k["active"] else ("revoked" if k["revokedAt"] else "expired"),
             _when(k["createdAt"]), _when(k["lastUsedAt"]), _when(k["expiresAt"])) for k in keys]
    print(table(rows, ("ID", "NAME", "STATE", "CREATED", "LAST USED", "EXPIRES")))
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from shared.errors import NotFound
    from shared.tenants.refs import UUID_RE

    if not UUID_RE.fullmatch(args.id.lower()):
        raise NotFound("No admin key with that id (see `stjarna keys list`).")
    record = container().admin_keys.revoke(args.id.lower(), actor(args))
    if args.json:
        print_json(record)
    else:
        print(f"revoked admin key {record['id']} ({record['name']})")
    return 0


# -- flags ----------------------------------------------------------------------------------------
def _flag_scope(c: Any, restaurant: str | None) -> tuple[str | None, str | None]:
    """(slug, id) of the restaurant named (any status), or (None, None) for the global layer."""
    if restaurant is None:
        return None, None
    from shared.tenants.lookup import restaurant_id
    from shared.tenants.refs import UUID_RE, parse_ref

    ref = parse_ref(restaurant)
    rid = restaurant_id(c.store, ref)
    if not UUID_RE.fullmatch(ref):  # named by its slug
        return ref, rid
    exported = c.store.rpc("stjarna_export_menu", {"p_ref": rid})  # named by id: its slug keys the flags
    return str(exported["restaurant"]["slug"]), rid


def _flag_store(c: Any) -> Any:
    from shared.errors import ConfigError

    store = c.flags.store
    if store is None:
        raise ConfigError("FLAGS_BACKEND=env: flags come from the environment only; "
                          "use FLAGS_BACKEND=ssm (production) or file (development) to change them here.")
    return store


def cmd_flags_list(args: argparse.Namespace) -> int:
    c = container()
    slug, _ = _flag_scope(c, args.restaurant)
    flags = c.flags
    flags.refresh()
    values = flags.for_restaurant(slug)
    where = flags.store.where if flags.store is not None else "environment only"
    if args.json:
        print_json({"restaurant": slug, "where": where, "failing": flags.failing,
               "flags": {name: {"value": v.value, "source": v.source} for name, v in values.items()}})
        return 0
    from shared.flags import SPECS

    rows = [(name, str(v.value).lower() if isinstance(v.value, bool) else v.value, v.source, SPECS[name].help)
            for name, v in values.items()]
    print(table(rows, ("FLAG", "VALUE", "SOURCE", "MEANING")))
    print(f"overrides: {where}" + (" (UNREADABLE: showing the last good values)" if flags.failing else "")
          + (f"; restaurant {slug}" if slug else "; global view (add --restaurant for a tenant's)"))
    return 0


def _flag_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def cmd_flags_set(args: argparse.Namespace) -> int:
    from shared.flags import parse_value, spec

    c = container()
    name = spec(args.name).name
    text = _flag_text(parse_value(name, args.value))
    slug, rid = _flag_scope(c, args.restaurant)
    store = _flag_store(c)
    store.put(name, text, slug)
    c.store.rpc("stjarna_audit", {"p_actor": actor(args), "p_action": "flag.set", "p_restaurant_id": rid,
                                  "p_details": {"flag": name, "value": text, "scope": slug or "global",
                                                "where": store.where}})
    wait = c.settings.flags_cache_seconds
    print(f"{name} = {text} ({'restaurant ' + slug if slug else 'global'}, {store.where}); "
          f"every instance applies it within {wait:g} s (FLAGS_CACHE_SECONDS)")
    return 0


def cmd_flags_unset(args: argparse.Namespace) -> int:
    from shared.flags import spec

    c = container()
    name = spec(args.name).name
    slug, rid = _flag_scope(c, args.restaurant)
    store = _flag_store(c)
    scope = "restaurant " + slug if slug else "global"
    if not store.delete(name, slug):
        print(f"error: {name} has no {scope} override; nothing changed", file=sys.stderr)
        return 1
    c.store.rpc("stjarna_audit", {"p_actor": actor(args), "p_action": "flag.unset", "p_restaurant_id": rid,
                                  "p_details": {"flag": name, "scope": slug or "global", "where": store.where}})
    print(f"{name}: {scope} override removed ({store.where}); the layer below applies within "
          f"{c.settings.flags_cache_seconds:g} s")
    return 0


# -- GDPR -----------------------------------------------------------------------------------------
def cmd_gdpr_erase(args: argparse.Namespace) -> int:
    from shared.chat.pipeline import context_key
    from shared.errors import KVUnavailable
    from shared.tenants.lookup import restaurant_id

    if args.session is None and not args.yes:
        print("error: this erases every diner's orders of the restaurant; add --yes to confirm, or name one "
              "--session", file=sys.stderr)
        return 2
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
          f"{counts['orderEvents']} status event(s); chat context {chat}")
    return 0


def register(sub: Any, add: Add) -> None:
    def with_json(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return p

    orders = sub.add_parser("orders", help="Pickup orders: list, show, change status.").add_subparsers(
        dest="orders", required=True)
    ls = with_json(add(orders, "list", cmd_orders_list, "A restaurant's orders, newest first."))
    ls.add_argument("--restaurant", required=True, help="slug or id")
    ls.add_argument("--status", choices=STATUSES)
    ls.add_argument("--limit", type=int, default=50, choices=range(1, 501), metavar="1-500")
    show = with_json(add(orders, "show", cmd_orders_show, "One order with its status history."))
    show.add_argument("order", help="order id, or order code with --restaurant")
    show.add_argument("--restaurant", help="slug or id (needed with a code)")
    st = with_json(add(orders, "set-status", cmd_orders_set_status,
                       "Move an order: placed > accepted > preparing > ready > picked_up, or cancelled/expired."))
    st.add_argument("order", help="order id, or order code with --restaurant")
    st.add_argument("status", choices=STATUSES)
    st.add_argument("--restaurant", help="slug or id (needed with a code)")
    st.add_argument("--from", dest="expected", choices=STATUSES,
                    help="only if the order is in this status now (refused if someone changed it meanwhile)")
    st.add_argument("--actor", help="who is making the change (default: your user name)")
    exp = with_json(add(orders, "expire", cmd_orders_expire,
                        "Expire open orders not picked up ORDER_EXPIRE_AFTER_HOURS after their pickup time."))
    exp.add_argument("--actor", default="expiry", help="recorded as the actor (default: expiry)")

    keys = sub.add_parser("keys", help="Admin API keys (at most two active).").add_subparsers(
        dest="keys", required=True)
    create = with_json(add(keys, "create", cmd_keys_create, "Create an admin key; it is printed once."))
    create.add_argument("--name", required=True, help="who or what uses it, e.g. 'support-2026'")
    create.add_argument("--expires-in-days", type=int, choices=range(1, 3651), metavar="DAYS")
    with_json(add(keys, "list", cmd_keys_list, "Every admin key (never the key itself)."))
    revoke = with_json(add(keys, "revoke", cmd_keys_revoke, "Revoke an admin key at once."))
    revoke.add_argument("id")

    flags = sub.add_parser("flags", help="Feature flags and limits: global or per restaurant (docs/flags.md).")
    flag_cmds = flags.add_subparsers(dest="flags", required=True)
    fl = with_json(add(flag_cmds, "list", cmd_flags_list, "Each flag's effective value and where it comes from."))
    fl.add_argument("--restaurant", help="slug or id: that restaurant's view (its overrides applied)")
    fs = add(flag_cmds, "set", cmd_flags_set, "Override a flag, globally or for one restaurant.")
    fs.add_argument("name")
    fs.add_argument("value")
    fs.add_argument("--restaurant", help="slug or id (default: global)")
    fs.add_argument("--actor", help="who is making the change (default: your user name)")
    fu = add(flag_cmds, "unset", cmd_flags_unset, "Remove an override (the layer below applies).")
    fu.add_argument("name")
    fu.add_argument("--restaurant", help="slug or id (default: global)")
    fu.add_argument("--actor", help="who is making the change (default: your user name)")

    gdpr = sub.add_parser("gdpr", help="Diner data requests.").add_subparsers(dest="gdpr", required=True)
    erase = with_json(add(gdpr, "erase", cmd_gdpr_erase,
                          "Erase one session's diner data, or (with --yes) all of a restaurant's."))
    erase.add_argument("--restaurant", required=True, help="slug or id")
    erase.add_argument("--session", help="the diner's session token")
    erase.add_argument("--yes", action="store_true", help="confirm erasing every diner's data of the restaurant")
