"""``stjarna tenant show|items|check|create|create-test``: support's view of a restaurant (docs/operations.md
"Support"). The work is done by shared/helpdesk/tenant.py and check.py, which the admin API calls
too. Changes are audited with their actor."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.cli.output import (
    EXIT_FAILED,
    actor,
    command,
    container,
    flag_text,
    group,
    money,
    print_json,
    read_json,
    report,
    table,
    with_json,
)

DEFAULT_API = "http://127.0.0.1:8000"


def _api(args: argparse.Namespace) -> str:
    """--endpoint, else STJARNA_API_URL (settings), else the local ``stjarna serve``."""
    from shared.helpdesk.check import endpoint

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
        *[(key, t[key].replace("\n", ", ")) for key in ("address", "phone", "website") if t.get(key)],
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
    print(table([(name, flag_text(f["value"]), f["source"]) for name, f in t["flags"].items()],
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
    from shared.helpdesk.tenant import show

    return report(args, show(container(), args.restaurant, audit_limit=args.audit), _print_show)


# -- tenant items ---------------------------------------------------------------------------------
def cmd_items(args: argparse.Namespace) -> int:
    from shared.helpdesk.items import question
    from shared.helpdesk.tenant import items

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
    from shared.helpdesk.check import origin, run_checks
    from shared.helpdesk.tenant import show
    from shared.tenants.refs import parse_ref

    base = _api(args)
    site = None if args.origin is None else origin(args.origin)
    ref = parse_ref(args.restaurant)
    c = container()
    tenant = show(c, ref, audit_limit=1)
    secret = c.settings.chat_probe_secret
    checks = run_checks(base, ref, tenant, site=site, probe_secret=secret and secret.get_secret_value())
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
    from shared.helpdesk.tenant import TenantSpec, create

    menu = None if args.menu is None else read_json(args.menu, "--menu")
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


# -- tenant create-test ---------------------------------------------------------------------------
def cmd_create_test(args: argparse.Namespace) -> int:
    from shared.db.seed import TEST_SLUG, ensure_test_restaurant

    result = ensure_test_restaurant(container().store, actor(args))
    if args.json:
        print_json(result)
        return 0
    what = ("created" if result["created"] else "restored") if result["changed"] else "already in place"
    print(f"{TEST_SLUG} ({result['restaurantId']}): {what}; live, menu version {result['version']}, "
          f"{result['items']} item(s), open every hour")
    print("the runbook's smoke checks (docs/operations.md) now answer, e.g.: curl -s "
          f"{_api(args)}/api/chat -H 'Content-Type: application/json' "
          "-d '{\"restaurantId\":\"test\",\"sessionToken\":\"test\",\"message\":\"test\"}'")
    return 0


def register(sub: Any) -> None:
    def with_endpoint(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--endpoint", metavar="URL",
                       help=f"the API's base URL (default: STJARNA_API_URL, else {DEFAULT_API})")
        return p

    tenant = group(sub, "tenant", "Support: look up, check and create restaurants.")
    show = with_json(command(tenant, "show", cmd_show, "A restaurant as support sees it (any status): settings, "
                             "open now, origins, flags, menu counts, today's orders, recent admin changes."),
                     "a report")
    show.add_argument("restaurant", help="slug or id")
    show.add_argument("--audit", type=int, default=10, choices=range(1, 501), metavar="1-500",
                      help="how many recent audit entries (default 10)")

    items = with_json(command(tenant, "items", cmd_items, "Which items diners see for a tag or allergen question, "
                              "and why the others do not show."), "a report")
    items.add_argument("restaurant", help="slug or id")
    items.add_argument("--tag", action="append", default=[], metavar="TAG",
                       help="items with this tag (a diet counts as the vocabulary says: vegetarian includes vegan)")
    items.add_argument("--allergen-free", action="append", default=[], metavar="ALLERGEN",
                       help="items declared free of this EU-14 allergen (nut-free: nuts,peanuts)")
    items.add_argument("--undeclared", action="store_true",
                       help="items whose allergens are not declared (never offered as free of anything)")
    items.add_argument("--name", help="only items whose name or key contains this")

    check = with_json(with_endpoint(command(tenant, "check", cmd_check, "Probe a restaurant end to end over HTTP: "
                                            "menu + ETag, config, chat, CORS for a website, the widget bundle. "
                                            "Exits 1 when any check fails.")), "a report")
    check.add_argument("restaurant", help="slug or id")
    check.add_argument("--origin", metavar="URL", help="the restaurant's website origin, e.g. https://their-site.example")

    create = with_json(with_endpoint(command(tenant, "create", cmd_create, "Create a restaurant (live with a menu, "
                                             "else draft) and print its embed snippet.")), "a report")
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

    create_test = with_json(with_endpoint(command(
        tenant, "create-test", cmd_create_test, "Create (or restore) the live 'test' restaurant the runbook's "
        "smoke checks name: a small menu from infra/seed/test.json, open every hour. Idempotent.")), "a report")
    create_test.add_argument("--actor", help="who is making the change (default: your user name)")
