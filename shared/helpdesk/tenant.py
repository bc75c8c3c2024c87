"""Support's operations on one restaurant: show it, ask why items do (not) show, create or update
it, purge its caches. The CLI (shared/cli/tenant.py, cache.py) and the admin API (shared/http/admin.py) call
these functions and only format what they return. Every status is looked up (draft and suspended
too: support needs them); the SQL lives in infra/migrations/0005_tenant_support.sql.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.errors import Conflict, RestaurantNotFound, ServiceUnavailable, ValidationFailed
from shared.helpdesk.cdn import CloudFrontInvalidator, restaurant_paths
from shared.helpdesk.items import Question, classify
from shared.tenants.refs import SLUG_RE, parse_ref

if TYPE_CHECKING:
    from shared.container import Container

DEFAULTS = {"currency": "SEK", "timezone": "Europe/Stockholm", "locale": "en"}


def _not_found(ref: str) -> RestaurantNotFound:
    return RestaurantNotFound(f"No restaurant {ref!r} (slug or id, any status).")


# -- show -------------------------------------------------------------------------------------------
def show(c: Container, ref: str, *, now: datetime | None = None, audit_limit: int = 10) -> dict[str, Any]:
    """Everything support asks about first: settings, open now, origins, effective flags, menu
    counts and last change, today's orders, recent audit entries."""
    ref = parse_ref(ref)
    at = now or datetime.now(UTC)
    summary: dict[str, Any] | None = c.store.rpc("stjarna_tenant_summary", {
        "p_ref": ref, "p_now": at.isoformat(), "p_audit_limit": audit_limit})
    if summary is None:
        raise _not_found(ref)
    opening = summary.pop("opening")
    flags = c.flags.for_restaurant(summary["slug"])
    return {**summary, "public": summary["status"] == "live", "at": at.isoformat(),
            "openNow": opening["open"], "nextOpeningAt": None if opening["open"] else opening["nextOpeningAt"],
            "flags": {name: {"value": v.value, "source": v.source} for name, v in flags.items()}}


# -- items ------------------------------------------------------------------------------------------
def items(c: Container, ref: str, q: Question) -> dict[str, Any]:
    """The restaurant's items against a question (shared/helpdesk/items.py)."""
    ref = parse_ref(ref)
    data = c.store.rpc("stjarna_tenant_items", {"p_ref": ref})
    if data is None:
        raise _not_found(ref)
    return classify(data, q)


# -- cache purge ------------------------------------------------------------------------------------
def purge(c: Container, ref: str, actor: str) -> dict[str, Any]:
    """Bump the menu version (audited): every instance and the KV serve the new version as soon as
    their local copy is rechecked (MENU_LOCAL_CACHE_SECONDS), this process at once. With
    CLOUDFRONT_DISTRIBUTION_ID set, also invalidate the restaurant's menu and config on the CDN;
    ``cdn`` is None without a distribution, and carries ``error`` when the invalidation failed (the
    version is bumped either way)."""
    ref = parse_ref(ref)
    result: dict[str, Any] | None = c.store.rpc("stjarna_cache_purge", {"p_ref": ref, "p_actor": actor})
    if result is None:
        raise _not_found(ref)
    from shared.container import Container

    menus = c.ready(Container.menus)
    if menus is not None:
        menus.forget()
    flags = c.flags.for_restaurant(result["slug"])
    result.update(localCacheSeconds=c.settings.menu_local_cache_seconds,
                  cdnMaxAgeSeconds=flags["MENU_S_MAXAGE"].value, cdn=None)
    distribution = c.settings.cloudfront_distribution_id
    if distribution:
        paths = restaurant_paths(result["restaurantId"], result["slug"])
        try:
            cdn = CloudFrontInvalidator(distribution).invalidate(
                paths, f"stjarna-purge-{result['restaurantId']}-{result['version']}")
        except ServiceUnavailable as exc:
            result["cdn"] = {"distributionId": distribution, "paths": paths, "error": exc.message}
        else:
            c.store.rpc("stjarna_audit", {"p_actor": actor, "p_action": "cache.invalidate",
                                          "p_restaurant_id": result["restaurantId"], "p_details": cdn})
            result["cdn"] = cdn
    return result


# -- create -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TenantSpec:
    """What ``tenant create`` was given. ``None`` means "not given": on an update the restaurant's
    current value stays, on a create the menu file's or the default applies."""

    slug: str
    name: str | None = None
    origins: Sequence[str] = ()
    currency: str | None = None
    timezone: str | None = None
    locale: str | None = None
    menu: Any = None  # a menu document (docs/menu-format.md) or {"sections": [...]}


def embed_snippet(api: str, slug: str) -> str:
    api = html.escape(api.rstrip("/"), quote=True)
    return f'<script src="{api}/widget.js" data-restaurant-id="{slug}" data-endpoint="{api}" async></script>'


def _menu_parts(menu: Any) -> tuple[dict[str, Any], list[Any] | None]:
    """(the file's restaurant fields, its sections) from a menu document or ``{"sections": [...]}``."""
    if menu is None:
        return {}, None
    if not isinstance(menu, dict) or not isinstance(menu.get("sections"), list):
        raise ValidationFailed([{"path": "menu", "message": "a menu document (docs/menu-format.md) or "
                                 "{\"sections\": [...]}: a JSON object with a sections list"}])
    restaurant = menu.get("restaurant")
    return (restaurant if isinstance(restaurant, dict) else {}), menu["sections"]


def _item_count(sections: list[Any]) -> int:
    return sum(len(s.get("items") or []) for s in sections if isinstance(s, dict))


def _known_now(c: Container, *refs: str) -> None:
    """This process may have just answered "no such restaurant" for it (the menu cache's negative entries)."""
    from shared.container import Container

    menus = c.ready(Container.menus)
    if menus is not None:
        menus.forget_unknown(*refs)


def create(c: Container, spec: TenantSpec, actor: str, *, api: str, update: bool = False) -> dict[str, Any]:
    """Create a restaurant through the menu import (shared/menus/io.py) and return it with its embed
    snippet for ``api``. An existing slug is refused unless ``update``, which changes it (what is not
    given stays; without a menu its menu stays) or creates it when there is none. A new restaurant is
    live when it has menu items, else draft; an update makes a draft live only when it brings menu
    items, and never changes a suspended restaurant's status. Audited (``tenant.create`` /
    ``tenant.update``); ``notes`` say what still keeps the widget from working."""
    from shared.menus.document import parse_document
    from shared.menus.io import import_menu

    slug = spec.slug.strip().lower()
    if not SLUG_RE.fullmatch(slug):
        raise ValidationFailed([{"path": "slug", "message": "a-z, 0-9 and '-', at most 63, e.g. bistro-nord"}])
    file_restaurant, file_sections = _menu_parts(spec.menu)
    existing: dict[str, Any] | None = c.store.rpc("stjarna_export_menu", {"p_ref": slug})
    if existing is not None and not update:
        current = existing["restaurant"]
        raise Conflict(f"A restaurant with slug {slug!r} exists ({current['status']}, "
                       f"{_item_count(existing['sections'])} items); add --update (API: \"update\": true) to "
                       "change it, or choose another slug. Nothing was changed.")
    before = existing["restaurant"] if existing else {}
    notes: list[str] = []
    if file_restaurant.get("slug") not in (None, slug):
        notes.append(f"the menu file's restaurant.slug {file_restaurant['slug']!r} is ignored: "
                     f"the restaurant is {slug!r}")

    def pick(name: str, given: Any) -> Any:
        for value in (given, file_restaurant.get(name), before.get(name)):
            if value not in (None, ""):
                return value
        return DEFAULTS.get(name)

    origins = list(spec.origins) or list(file_restaurant.get("allowedOrigins") or before.get("allowedOrigins") or [])
    sections = file_sections if file_sections is not None else (existing["sections"] if existing else [])
    items = _item_count(sections)
    name = pick("name", spec.name)
    errors = []
    if name is None:
        errors.append({"path": "name", "message": "required to create a restaurant (--name)"})
    if not origins:
        errors.append({"path": "allowedOrigins", "message": "at least one website origin that will embed the "
                       "widget (--origin https://their-site.example)"})
    if errors:
        raise ValidationFailed(errors)

    status = "live" if items else "draft"
    if existing is not None:
        status = before["status"]
        if status == "draft" and file_sections is not None and items:
            status = "live"
    document = {
        "formatVersion": 1,
        "restaurant": {
            "slug": slug, "name": name, "currency": pick("currency", spec.currency),
            "locale": pick("locale", spec.locale), "timezone": pick("timezone", spec.timezone),
            "hours": pick("hours", None) or {}, "allowedOrigins": origins, "status": status,
            "themeColor": pick("themeColor", None), "greeting": pick("greeting", None),
            "address": pick("address", None), "phone": pick("phone", None), "website": pick("website", None)},
        "sections": sections,
    }
    restaurant = parse_document(document).to_store()["restaurant"]  # as stored: origins normalised
    result = import_menu(c.store, document)
    _known_now(c, slug, str(result["restaurantId"]))
    c.store.rpc("stjarna_audit", {
        "p_actor": actor, "p_action": "tenant.create" if result["created"] else "tenant.update",
        "p_restaurant_id": result["restaurantId"],
        "p_details": {"slug": slug, "status": status, "allowedOrigins": restaurant["allowedOrigins"],
                      "items": result["items"], "version": result["version"]}})
    if status == "draft" and not items:
        notes.append("draft: not public until it has menu items; add them with "
                     f"`stjarna tenant create --slug {slug} --update --menu FILE` (or `stjarna menu import`)")
    elif status == "draft":
        notes.append("draft: not public; it was a draft before and this update brought no menu: "
                     f"`stjarna tenant create --slug {slug} --update --menu FILE` publishes it")
    elif status == "suspended":
        notes.append("suspended: not public; its status was left as it is")
    if not restaurant["hours"]:
        notes.append("no opening hours: the widget shows Closed and orders are refused until hours are set "
                     "(restaurant.hours in a menu file, docs/menu-format.md)")
    return {"restaurantId": result["restaurantId"], "slug": slug, "name": restaurant["name"],
            "created": result["created"], "status": status, "version": result["version"],
            "sections": result["sections"], "items": result["items"],
            "allowedOrigins": restaurant["allowedOrigins"], "currency": restaurant["currency"],
            "timezone": restaurant["timezone"], "locale": restaurant["locale"],
            "embed": embed_snippet(api, slug), "endpoint": api.rstrip("/"), "notes": notes}
