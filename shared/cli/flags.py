"""``stjarna flags list|set|unset``: feature flags and limits, globally or for one restaurant
(docs/flags.md). Changes are audited with their actor."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shared.cli.output import EXIT_REFUSED, actor, command, container, flag_text, group, print_json, table, with_json


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


def cmd_flags_set(args: argparse.Namespace) -> int:
    from shared.flags import parse_value, spec

    c = container()
    name = spec(args.name).name
    text = flag_text(parse_value(name, args.value))
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
        return EXIT_REFUSED
    c.store.rpc("stjarna_audit", {"p_actor": actor(args), "p_action": "flag.unset", "p_restaurant_id": rid,
                                  "p_details": {"flag": name, "scope": slug or "global", "where": store.where}})
    print(f"{name}: {scope} override removed ({store.where}); the layer below applies within "
          f"{c.settings.flags_cache_seconds:g} s")
    return 0


def register(sub: Any) -> None:
    flag_cmds = group(sub, "flags", "Feature flags and limits: global or per restaurant (docs/flags.md).")
    fl = with_json(command(flag_cmds, "list", cmd_flags_list, "Each flag's effective value and where it comes from."))
    fl.add_argument("--restaurant", help="slug or id: that restaurant's view (its overrides applied)")
    fs = command(flag_cmds, "set", cmd_flags_set, "Override a flag, globally or for one restaurant.")
    fs.add_argument("name")
    fs.add_argument("value")
    fs.add_argument("--restaurant", help="slug or id (default: global)")
    fs.add_argument("--actor", help="who is making the change (default: your user name)")
    fu = command(flag_cmds, "unset", cmd_flags_unset, "Remove an override (the layer below applies).")
    fu.add_argument("name")
    fu.add_argument("--restaurant", help="slug or id (default: global)")
    fu.add_argument("--actor", help="who is making the change (default: your user name)")
