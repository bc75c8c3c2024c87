"""Support commands of ``stjarna``: ``tenant show|items|check|create`` and ``cache purge``
(docs/operations.md "Support"). Each prints a readable report, or JSON with ``--json``; the work is
done by shared/tenants/support.py and check.py, which the admin API calls too. Changes are audited
with the actor ``cli:<user>`` (or ``--actor``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from shared.admin.cli import actor, container, money, print_json, table

Add = Callable[[Any, str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
DEFAULT_API = "http://127.0.0.1:8000"
EXIT_FAILED, EXIT_UNAVAILABLE = 1, 3


def _api(args: argparse.Namespace) -> str:
    """--endpoint, else STJARNA_API_URL (settings), else the local ``stjarna serve``."""
    from shared.tenants.check import endpoint

    return endpoint(args.endpoint or container().settings.api_url or DEFAULT_API)


def _local(value: str | None, timezone: str, fmt: str = "%a %d %b %H:%M") -> str:
    """An ISO instant as the restaurant's wall-clock time, with the UTC instant beside it."""
    if value is None:
        return "-"
    at = datetime.fromisoformat(value)
    return f"{at.astimezone(ZoneInfo(timezone)).strftime(fmt)} {timezone} ({_utc(value)})"


def _utc(value: str | None) -> str:
    if value is None:
        return "-"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")


def _flag_text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# -- tenant show ----------------------------------------------------------------------------------
def _print_show(t: dict[str, Any]) -> None:
    tz = t["timezone"]
    if t["openNow"]:
        opening = f"open now ({datetime.fromisoformat(t['at']).astimezone(ZoneInfo(tz)):%H:%M} local)"
    elif t["nextOpeningAt"]:
        opening = f"closed; opens {_local(t['nextOpeningAt'], tz)}"
    else:
        opening = "closed; no opening hours in the coming week"
    menu, orders = t["menu"], t["ordersToday"]
    by_status = ", ".join(f"{status} {n}" for status, n in sorted(orders["byStatus"].items()))
    rows = [
        ("status", f"{t['status']}" + (" (public)" if t["public"] else " (not public: the widget cannot load it)")
         + f", plan {t['plan']}"),
        ("hours", f"{opening}; timezone {tz}"),
        ("locale", f"{t['locale']}, currency {t['currency']}"),
        ("origins", ", ".join(t["allowedOrigins"]) or "NONE: the widget loads on no website"),
        ("menu", f"version {menu['version']}, last change {_utc(menu['lastChangeAt'])}"),
        ("items", f"{menu['items']} in {menu['sections']} section(s) ({menu['activeSections']} active): "
                  f"{menu['available']} available, {menu['published']} published, {menu['vegan']} vegan-tagged, "
                  f"{menu['undeclaredAllergens']} with undeclared allergens"),
        ("orders today", f"{orders['total']}" + (f" ({by_status})" if by_status else "")
         + f" since {_local(orders['since'], tz, '%H:%M %a %d %b')}"),
    ]
    print(f"{t['slug']}: {t['name']} ({t['id']})")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    print()
    print(table([(name, _flag_text(f["value"]), f["source"]) for name, f in t["flags"].items()],
                 ("FLAG", "VALUE", "SOURCE")))
    print()
    if t["audit"]:
        print("recent admin changes:")
        print(table([(_utc(a["at"]), a["actor"], a["action"], _details(a["details"])) for a in t["audit"]],
                     ("AT", "ACTOR", "ACTION", "DETAILS")))
    else:
        print("recent admin changes: none")


def _details(details: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v}" for k, v in details.items())
    return text if len(text) <= 90 else text[:89] + "…"


def cmd_show(args: argparse.Namespace) -> int:
    from shared.tenants.support import show

    tenant = show(container(), args.restaurant, audit_limit=args.audit)
    if args.json:
        print_json(tenant)
    else:
        _print_show(tenant)
    return 0


# -- tenant items ---------------------------------------------------------------------------------
def cmd_items(args: argparse.Namespace) -> int:
    from shared.tenants.items import question
    from shared.tenants.support import items

    q = question(args.tag, args.allergen_free, undeclared=args.undeclared, name=args.name)
    found = items(container(), args.restaurant, q)
    if args.json:
        print_json(found)
        return 0
    r = found["restaurant"]
    what = found["description"]
    print(f"{r['slug']}: {r['name']} ({r['status']}, menu version {r['menuVersion']})")
    print(f"\nshown ({what}): {len(found['shown'])} item(s)")
    if found["shown"]:
        print(table([(i["section"], i["name"], money(i["priceCents"], r["currency"]),
                       ", ".join(i["allergens"]) if i["allergensDeclared"] else "not declared (ask staff)",
                       ", ".join(i["tags"])) for i in found["shown"]],
                     ("SECTION", "ITEM", "PRICE", "ALLERGENS", "TAGS")))
    print(f"\nnot shown ({what}): {len(found['notShown'])} item(s)")
    if found["notShown"]:
        print(table([(i["section"], i["name"], "; ".join(reason["text"] for reason in i["reasons"]))
                      for i in found["notShown"]], ("SECTION", "ITEM", "WHY NOT")))
    if found["unlisted"]:
        print(f"\n({found['unlisted']} item(s) with declared allergens are not listed)")
    return 0


# -- tenant check ---------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from shared.tenants.check import origin, run_checks
    from shared.tenants.refs import parse_ref
    from shared.tenants.support import show

    base = _api(args)
    site = None if args.origin is None else origin(args.origin)
    ref = parse_ref(args.restaurant)
    tenant = show(container(), ref, audit_limit=1)
    checks = run_checks(base, ref, tenant, site=site)
    failed = [c for c in checks if c.failed]
    if args.json:
        print_json({"restaurant": tenant["slug"], "restaurantId": tenant["id"], "endpoint": base, "origin": site,
               "ok": not failed, "checks": [c.as_json() for c in checks]})
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{c.verdict}  {c.name.ljust(width)}  {c.detail}")
        skipped = sum(c.verdict == "SKIP" for c in checks)
        passed = len(checks) - len(failed) - skipped
        print(f"{len(failed)} failed, " * bool(failed) + f"{passed} passed" + f", {skipped} skipped" * bool(skipped)
              + f" of {len(checks)} checks against {base}")
    return EXIT_FAILED if failed else 0


# -- tenant create --------------------------------------------------------------------------------
def cmd_create(args: argparse.Namespace) -> int:
    from shared.errors import ValidationFailed
    from shared.tenants.support import TenantSpec, create

    menu = None
    if args.menu is not None:
        raw = sys.stdin.buffer.read() if args.menu == "-" else Path(args.menu).read_bytes()
        try:
            menu = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ValidationFailed([{"path": "--menu", "message": f"not valid JSON: {exc}"}]) from None
    spec = TenantSpec(slug=args.slug, name=args.name, origins=tuple(args.origin or ()), currency=args.currency,
                      timezone=args.timezone, locale=args.locale, menu=menu)
    result = create(container(), spec, actor(args), api=_api(args), update=args.update)
    if args.json:
        print_json(result)
        return 0
    verb = "created" if result["created"] else "updated"
    print(f"{verb} {result['slug']} ({result['restaurantId']}): {result['status']}, menu version {result['version']}, "
          f"{result['sections']} section(s), {result['items']} item(s)")
    print(f"allowed origins: {', '.join(result['allowedOrigins'])}")
    for note in result["notes"]:
        print(f"note: {note}")
    print("\nembed on the restaurant's website:")
    print(result["embed"])
    origin_arg = f" --origin {result['allowedOrigins'][0]}" if "*" not in result["allowedOrigins"][0] else ""
    print(f"\ncheck it: stjarna tenant check {result['slug']}{origin_arg} --endpoint {result['endpoint']}")
    return 0


# -- cache purge ----------------------------------------------------------------------------------
def cmd_purge(args: argparse.Namespace) -> int:
    from shared.tenants.support import purge

    result = purge(container(), args.restaurant, actor(args))
    cdn = result["cdn"]
    failed = cdn is not None and "error" in cdn
    if args.json:
        print_json(result)
        return EXIT_UNAVAILABLE if failed else 0
    print(f"{result['slug']}: menu version {result['previousVersion']} -> {result['version']} (audited); every "
          f"instance serves the new version within {result['localCacheSeconds']:g} s, through a new KV key and ETag")
    if cdn is None:
        print(f"CDN: no CLOUDFRONT_DISTRIBUTION_ID; CDN copies are revalidated within s-maxage "
              f"({result['cdnMaxAgeSeconds']} s)")
    elif failed:
        print(f"CDN: invalidation FAILED: {cdn['error']}; the CDN serves its copies for up to "
              f"{result['cdnMaxAgeSeconds']} s; run the purge again", file=sys.stderr)
    else:
        print(f"CDN: CloudFront {cdn['distributionId']} invalidation {cdn['invalidationId']} ({cdn['status']}) "
              f"for {', '.join(cdn['paths'])}")
    return EXIT_UNAVAILABLE if failed else 0


def register(sub: Any, add: Add) -> None:
    def with_json(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--json", action="store_true", help="print JSON instead of a report")
        return p

    def with_endpoint(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--endpoint", metavar="URL",
                       help=f"the API's base URL (default: STJARNA_API_URL, else {DEFAULT_API})")
        return p

    tenant = sub.add_parser("tenant", help="Support: look up, check and create restaurants.").add_subparsers(
        dest="tenant", required=True)
    show = with_json(add(tenant, "show", cmd_show, "A restaurant as support sees it (any status): settings, "
                         "open now, origins, flags, menu counts, today's orders, recent admin changes."))
    show.add_argument("restaurant", help="slug or id")
    show.add_argument("--audit", type=int, default=10, choices=range(1, 501), metavar="1-500",
                      help="how many recent audit entries (default 10)")

    items = with_json(add(tenant, "items", cmd_items, "Which items diners see for a tag or allergen question, "
                          "and why the others do not show."))
    items.add_argument("restaurant", help="slug or id")
    items.add_argument("--tag", action="append", default=[], metavar="TAG",
                       help="items with this tag (a diet counts as the vocabulary says: vegetarian includes vegan)")
    items.add_argument("--allergen-free", action="append", default=[], metavar="ALLERGEN",
                       help="items declared free of this EU-14 allergen (nut-free: nuts,peanuts)")
    items.add_argument("--undeclared", action="store_true",
                       help="items whose allergens are not declared (never offered as free of anything)")
    items.add_argument("--name", help="only items whose name or key contains this")

    check = with_json(with_endpoint(add(tenant, "check", cmd_check, "Probe a restaurant end to end over HTTP: "
                                        "menu + ETag, config, chat, CORS for a website, the widget bundle. "
                                        "Exits 1 when any check fails.")))
    check.add_argument("restaurant", help="slug or id")
    check.add_argument("--origin", metavar="URL", help="the restaurant's website origin, e.g. https://their-site.example")

    create = with_json(with_endpoint(add(tenant, "create", cmd_create, "Create a restaurant (live with a menu, "
                                         "else draft) and print its embed snippet.")))
    create.add_argument("--slug", required=True, help="a-z, 0-9 and '-', e.g. bistro-nord")
    create.add_argument("--name", help="the restaurant's name (required to create)")
    create.add_argument("--origin", action="append", metavar="URL",
                        help="a website that embeds the widget (repeat for more; replaces the list on --update)")
    create.add_argument("--currency", help="ISO 4217 (default SEK)")
    create.add_argument("--timezone", help="IANA time zone (default Europe/Stockholm)")
    create.add_argument("--locale", help="e.g. sv-SE (default en)")
    create.add_argument("--menu", metavar="FILE",
                        help="a menu file (docs/menu-format.md): its sections, hours, theme and greeting")
    create.add_argument("--update", action="store_true", help="change the restaurant if the slug exists")
    create.add_argument("--actor", help="who is making the change (default: your user name)")

    cache = sub.add_parser("cache", help="Caches: force a restaurant's new menu version everywhere.").add_subparsers(
        dest="cache", required=True)
    purge = with_json(add(cache, "purge", cmd_purge, "Bump a restaurant's menu version (audited) and, with "
                          "CLOUDFRONT_DISTRIBUTION_ID, invalidate its menu and config on the CDN."))
    purge.add_argument("restaurant", help="slug or id")
    purge.add_argument("--actor", help="who is making the change (default: your user name)")
