"""``stjarna audit list``: the audit trail, newest first: admin key creation and revocation, global and
per-restaurant flag changes, order status changes, erasures, cache purges, tenant changes. Filters:
``--restaurant`` (or ``--global``: rows that name no restaurant), ``--action`` (exact, or a family such
as ``flag`` or ``admin_key``), ``--since`` (an ISO time or ``30m``/``24h``/``7d`` ago), ``--limit``."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from shared.cli.output import command, container, group, print_json, table, when, with_json
from shared.errors import ValidationFailed

_AGO = re.compile(r"^([0-9]{1,6})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)?$")


def since(raw: str, now: datetime | None = None) -> datetime:
    """``30m``, ``24h``, ``7d`` (that long ago) or an ISO date/time (UTC unless it names an offset)."""
    text = raw.strip()
    ago = _AGO.fullmatch(text)
    if ago is not None:
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed([{"path": "--since", "message": f"{raw!r}: use 30m, 24h, 7d or an ISO time "
                                                                "such as 2026-12-01T08:00"}]) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def cmd_audit_list(args: argparse.Namespace) -> int:
    from shared.tenants.lookup import restaurant_id

    if args.action is not None and not _ACTION.fullmatch(args.action):
        raise ValidationFailed([{"path": "--action", "message": f"{args.action!r}: an action such as flag.set, "
                                                                 "or a family such as flag or admin_key"}])
    c = container()
    rid = restaurant_id(c.store, args.restaurant) if args.restaurant else None
    rows: list[dict[str, Any]] = list(c.store.rpc("stjarna_audit_list", {
        "p_restaurant_id": rid, "p_global_only": args.global_only, "p_action": args.action,
        "p_since": since(args.since).isoformat() if args.since else None, "p_limit": args.limit}))
    if args.json:
        print_json(rows)
        return 0
    print(table([(when(_utc(r["at"])), r["actor"], r["action"], r["restaurantSlug"] or ("-" if r["restaurantId"]
                  else "(global)"), orjson.dumps(r["details"]).decode()) for r in rows],
                ("AT", "ACTOR", "ACTION", "RESTAURANT", "DETAILS")))
    print(f"{len(rows)} row(s), newest first" + (f" (at most {args.limit}: raise --limit for more)"
                                                   if len(rows) == args.limit else ""))
    return 0


def _utc(value: str) -> str:
    """A timestamptz as JSON (``2026-12-06T01:02:03.45+00:00``) in the form ``when`` shortens."""
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


def register(sub: Any) -> None:
    audit = group(sub, "audit", "The audit trail: who changed what, when.")
    ls = with_json(command(audit, "list", cmd_audit_list,
                           "Audit rows, newest first: admin keys, flags, orders, erasures, purges, tenants."))
    scope = ls.add_mutually_exclusive_group()
    scope.add_argument("--restaurant", help="slug or id: that restaurant's rows only")
    scope.add_argument("--global", dest="global_only", action="store_true",
                       help="only rows that name no restaurant (admin keys, global flags)")
    ls.add_argument("--action", help="exact (flag.set) or a family (flag, admin_key, order, cache, tenant)")
    ls.add_argument("--since", help="30m, 24h, 7d (ago) or an ISO time (UTC unless an offset is given)")
    ls.add_argument("--limit", type=int, default=50, choices=range(1, 1001), metavar="1-1000")
