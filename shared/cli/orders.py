"""``stjarna orders list|show|set-status|expire``: what a kitchen tablet or support person runs.
Every change is recorded with its actor in the order's history."""

from __future__ import annotations

import argparse
from typing import Any

from shared.cli.output import actor, command, container, group, money, print_json, report, table, when, with_json
from shared.orders.requests import STATUSES


def cmd_orders_list(args: argparse.Namespace) -> int:
    from shared.tenants.lookup import restaurant_id

    c = container()
    orders = c.orders.list(restaurant_id(c.store, args.restaurant), args.status, args.limit)
    if args.json:
        print_json(orders)
        return 0
    rows = [(o["orderCode"], o["status"], when(o["placedAt"]), when(o["pickupAt"]) or "asap",
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
    print(f"placed {when(order['placedAt'])}, pickup {when(order['pickupAt']) or 'as soon as possible'}, "
          f"payment {order['paymentMethod']}")
    rows = [(i["quantity"], i["name"], money(i["unitPriceCents"], order["currency"]),
             money(i["lineTotalCents"], order["currency"]), i["note"]) for i in order["items"]]
    print(table(rows, ("QTY", "ITEM", "UNIT", "LINE", "NOTE")))
    print(f"total {money(order['totalCents'], order['currency'])}")
    print(table([(when(h["at"]), h["status"], h.get("actor")) for h in order.get("history", [])],
                ("AT", "STATUS", "BY")))


def cmd_orders_show(args: argparse.Namespace) -> int:
    return report(args, _staff_order(container(), args.order, args.restaurant), _print_order)


def cmd_orders_set_status(args: argparse.Namespace) -> int:
    c = container()
    order = _staff_order(c, args.order, args.restaurant)
    updated = c.orders.set_status(order["orderId"], args.status, actor(args), expected=args.expected)
    return report(args, updated, lambda u: print(f"order {u['orderCode']}: {order['status']} -> {u['status']}"))


def cmd_orders_expire(args: argparse.Namespace) -> int:
    c = container()
    count = c.orders.expire(actor(args))
    hours = c.settings.order_expire_after_hours
    return report(args, {"expired": count}, lambda _: print(f"expired {count} order(s) older than {hours} h"))


def register(sub: Any) -> None:
    orders = group(sub, "orders", "Pickup orders: list, show, change status.")
    ls = with_json(command(orders, "list", cmd_orders_list, "A restaurant's orders, newest first."))
    ls.add_argument("--restaurant", required=True, help="slug or id")
    ls.add_argument("--status", choices=STATUSES)
    ls.add_argument("--limit", type=int, default=50, choices=range(1, 501), metavar="1-500")
    show = with_json(command(orders, "show", cmd_orders_show, "One order with its status history."))
    show.add_argument("order", help="order id, or order code with --restaurant")
    show.add_argument("--restaurant", help="slug or id (needed with a code)")
    st = with_json(command(orders, "set-status", cmd_orders_set_status,
                           "Move an order: placed > accepted > preparing > ready > picked_up, or cancelled/expired."))
    st.add_argument("order", help="order id, or order code with --restaurant")
    st.add_argument("status", choices=STATUSES)
    st.add_argument("--restaurant", help="slug or id (needed with a code)")
    st.add_argument("--from", dest="expected", choices=STATUSES,
                    help="only if the order is in this status now (refused if someone changed it meanwhile)")
    st.add_argument("--actor", help="who is making the change (default: your user name)")
    exp = with_json(command(orders, "expire", cmd_orders_expire,
                            "Expire open orders not picked up ORDER_EXPIRE_AFTER_HOURS after their pickup time."))
    exp.add_argument("--actor", default="expiry", help="recorded as the actor (default: expiry)")
