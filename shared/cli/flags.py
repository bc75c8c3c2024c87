"""``stjarna flags list|set|unset``: feature flags and limits, globally or for one restaurant
(docs/flags.md). Changes are audited with their actor."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from shared.cli.output import EXIT_REFUSED, actor, command, container, flag_text, group, print_json, table, with_json

if TYPE_CHECKING:
    from shared.flags import FlagName, FlagSet, FlagValue


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


_LOCAL_HOSTS = frozenset({"", "127.0.0.1", "localhost", "::1"})


def _host(location: str) -> str:
    """The host of a URL or of a libpq ``key=value`` DSN ('' for none: a local socket)."""
    if "://" in location:
        return (urlsplit(location).hostname or "").lower()
    found = re.search(r"(?:^|\s)host\s*=\s*'?([^'\s]*)", location)
    host = found.group(1).lower() if found else ""
    return "" if host.startswith("/") else host


def _production_hint(settings: Any) -> str | None:
    """Why this CLI looks pointed at a deployed stage (a database or API on another machine, or
    STJARNA_STAGE set), or None: then it is the local, embedded setup."""
    if settings.supabase_url and _host(settings.supabase_url) not in _LOCAL_HOSTS:
        return "SUPABASE_URL names a Supabase project"
    if settings.database_url and _host(settings.database_url.get_secret_value()) not in _LOCAL_HOSTS:
        return "DATABASE_URL names a database on another machine"
    if settings.api_url and _host(settings.api_url) not in _LOCAL_HOSTS:
        return f"STJARNA_API_URL={settings.api_url} is set"
    if "stage" in settings.model_fields_set:
        return f"STJARNA_STAGE={settings.stage} is set"
    return None


def _flag_store(c: Any) -> Any:
    """The store the servers read, for a change. Refused (``ConfigError``, exit 3) when it would be a local
    file no deployed server reads: the flags file is used implicitly (STJARNA_ENV is not production) while
    the CLI is pointed at a deployed stage. An explicit FLAGS_BACKEND=file is taken as meant."""
    from shared.errors import ConfigError

    settings = c.settings
    store = c.flags.store
    if store is None:
        raise ConfigError("FLAGS_BACKEND=env: flags come from the environment only; "
                          "use FLAGS_BACKEND=ssm (production) or file (development) to change them here.")
    hint = _production_hint(settings)
    if settings.flags_source == "file" and settings.flags_backend is None and hint is not None:
        raise ConfigError(
            f"refusing to change flags: {hint}, but STJARNA_ENV is not production, so the change would go to "
            f"the local file {store.where}, which no deployed server reads. For a deployed stage set "
            "STJARNA_ENV=production, STJARNA_STAGE and AWS credentials with AWS_REGION (flags are in SSM; "
            "docs/operations.md, \"The CLI against production\"); for a local stjarna serve unset "
            "DATABASE_URL/SUPABASE_URL/STJARNA_STAGE/STJARNA_API_URL (or set FLAGS_BACKEND=file). Nothing was changed.")
    return store


def _who_applies(c: Any, store: Any) -> str:
    wait = f"{c.settings.flags_cache_seconds:g} s (FLAGS_CACHE_SECONDS)"
    if c.settings.flags_source == "ssm":
        return f"every instance of stage {c.settings.stage} applies it within {wait}"
    return f"only the stjarna serve processes using this data directory apply it, within {wait}"


def server_view(values: FlagSet) -> tuple[dict[FlagName, FlagValue[Any]], list[str]]:
    """The flags as the servers compute them: code defaults and the flag store's overrides. A value this
    CLI's own environment sets (source ``env``) is replaced by the code default: the servers do not see
    this shell (serverless.yml sets no flag variable; a test checks it). Returns (values, those names)."""
    from shared.flags import SPECS, FlagValue
    from shared.settings import Settings

    shown: dict[FlagName, FlagValue[Any]] = {}
    shell: list[str] = []
    for name, value in values.items():
        if value.source == "env":
            shell.append(name)
            shown[name] = FlagValue(Settings.model_fields[SPECS[name].setting].default, "default")
        else:
            shown[name] = value
    return shown, shell


def cmd_flags_list(args: argparse.Namespace) -> int:
    c = container()
    slug, _ = _flag_scope(c, args.restaurant)
    flags = c.flags
    flags.refresh()
    values, shell = server_view(flags.for_restaurant(slug))
    where = flags.store.where if flags.store is not None else "none (FLAGS_BACKEND=env)"
    source = f"code defaults + overrides from {where}"
    if args.json:
        print_json({"restaurant": slug, "where": where, "source": source, "failing": flags.failing,
                    "ignoredFromThisShell": shell,
                    "flags": {name: {"value": v.value, "source": v.source} for name, v in values.items()}})
        return 0
    from shared.flags import SPECS

    rows = [(name, str(v.value).lower() if isinstance(v.value, bool) else v.value, v.source, SPECS[name].help)
            for name, v in values.items()]
    print(table(rows, ("FLAG", "VALUE", "SOURCE", "MEANING")))
    print(f"values as the servers compute them: {source}"
          + (" (UNREADABLE: showing the last good values)" if flags.failing else "")
          + (f"; restaurant {slug}" if slug else "; global view (add --restaurant for a tenant's)"))
    if shell:
        print(f"ignored: {', '.join(shell)} set in this shell's environment (the servers do not see it)")
    return 0


def cmd_flags_set(args: argparse.Namespace) -> int:
    from shared.flags import parse_value, spec

    c = container()
    name = spec(args.name).name
    text = flag_text(parse_value(name, args.value))
    store = _flag_store(c)  # refused before anything is looked up
    slug, rid = _flag_scope(c, args.restaurant)
    store.put(name, text, slug)
    c.store.rpc("stjarna_audit", {"p_actor": actor(args), "p_action": "flag.set", "p_restaurant_id": rid,
                                  "p_details": {"flag": name, "value": text, "scope": slug or "global",
                                                "where": store.where}})
    print(f"{name} = {text} ({'restaurant ' + slug if slug else 'global'}, {store.where}); {_who_applies(c, store)}")
    return 0


def cmd_flags_unset(args: argparse.Namespace) -> int:
    from shared.flags import spec

    c = container()
    name = spec(args.name).name
    store = _flag_store(c)  # refused before anything is looked up
    slug, rid = _flag_scope(c, args.restaurant)
    scope = "restaurant " + slug if slug else "global"
    if not store.delete(name, slug):
        print(f"error: {name} has no {scope} override; nothing changed", file=sys.stderr)
        return EXIT_REFUSED
    c.store.rpc("stjarna_audit", {"p_actor": actor(args), "p_action": "flag.unset", "p_restaurant_id": rid,
                                  "p_details": {"flag": name, "scope": slug or "global", "where": store.where}})
    print(f"{name}: {scope} override removed ({store.where}); the layer below applies: {_who_applies(c, store)}")
    return 0


def register(sub: Any) -> None:
    flag_cmds = group(sub, "flags", "Feature flags and limits: global or per restaurant (docs/flags.md).")
    fl = with_json(command(flag_cmds, "list", cmd_flags_list, "Each flag's value as the servers compute it (code "
                           "defaults + the flag store's overrides, not this shell's environment) and its source."))
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
