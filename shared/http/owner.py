"""The owner's admin routes (docs/console.md, Roles): a restaurant's staff keys, its setup (embed snippet
and the tenant check's database-side verdicts), its allowed origins and its opening hours. Mounted by
shared/http/admin.py under /api/admin/ and /console/api/. An owner key acts on its own restaurant (another
is 404, as a missing one) and creates or revokes kitchen keys only; a kitchen key gets 403 FORBIDDEN; a
platform key may do everything, owner keys included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared import caching
from shared.admin.keys import AdminIdentity
from shared.camel import CamelModel
from shared.container import Container
from shared.errors import Forbidden, NotFound, RestaurantNotFound, ValidationFailed
from shared.http.inputs import json_object
from shared.http.operations import (
    ADMIN,
    ADMIN_OPERATION,
    NO_STORE,
    REQUEST_ID,
    ApiRoute,
    Operation,
    Reply,
    param,
    readable,
)
from shared.http.responses import JSONResponse
from shared.menus.document import HOURS_DESCRIPTION, Hours
from shared.tenants.lookup import restaurant_id
from shared.tenants.refs import UUID_RE
from shared.validation import validate

if TYPE_CHECKING:
    from shared.http.admin import Handler

SCHEMA = "shared.http.schemas.console"
BASE = "/api/admin/restaurants/{ref}"


class StaffKeyCreate(CamelModel):
    """``POST …/restaurants/{ref}/keys``: an owner creates kitchen keys; a platform key also owner keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, description="Who or what uses it, e.g. 'tablet by the pass'")
    role: Literal["kitchen", "owner"] = "kitchen"
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class OriginsChange(CamelModel):
    """``PUT …/restaurants/{ref}/origins``: every website that may embed the widget (the whole list)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_origins: list[str] = Field(min_length=1, max_length=50)


class HoursChange(CamelModel):
    """``PUT …/restaurants/{ref}/hours``: the restaurant's whole week (the menu format's ``hours``, checked
    by the same code as a menu document's); ``{}`` is closed all week."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)  # as a menu document

    hours: Hours = Field(description=HOURS_DESCRIPTION)


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": caching.NO_STORE})


def normalised_origins(entries: list[str]) -> list[str]:
    """As a menu document's ``allowedOrigins`` (shared/menus/document.py): each a valid origin or
    ``https://*.domain`` pattern, lower-cased, duplicates dropped."""
    from shared.tenants.origins import parse_pattern

    out: list[str] = []
    for i, entry in enumerate(entries):
        if parse_pattern(entry) is None:
            raise ValidationFailed([{"path": f"allowedOrigins.{i}", "message":
                                     f"{entry[:80]!r} is not an origin like https://site.example or https://*.example.com"}])
        if entry.strip().lower() not in out:
            out.append(entry.strip().lower())
    return out


def owner_routes(guarded: Callable[[Handler], Callable[[Request], Awaitable[Response]]]) -> list[ApiRoute]:
    def restaurant(c: Container, identity: AdminIdentity, ref: str, *roles: Literal["owner"]) -> dict[str, Any]:
        rid = restaurant_id(c.store, ref)
        identity.scope(rid, *roles)
        found: dict[str, Any] | None = c.store.rpc("stjarna_staff_restaurant", {"p_id": rid})
        if found is None:
            raise RestaurantNotFound()
        return found

    async def list_keys(request: Request, c: Container, identity: AdminIdentity) -> Response:
        def run() -> dict[str, Any]:
            rid = restaurant(c, identity, request.path_params["ref"], "owner")["id"]
            return {"keys": c.admin_keys.list(rid)}

        return _json(await run_in_threadpool(run))

    async def create_key(request: Request, c: Container, identity: AdminIdentity) -> Response:
        body = validate(StaffKeyCreate, json_object(await request.body()), root="(body)")

        def run() -> dict[str, Any]:
            rid = restaurant(c, identity, request.path_params["ref"], "owner")["id"]
            if body.role == "owner" and identity.role != "platform":
                raise Forbidden("Only a platform key creates owner keys (`stjarna keys create --role owner`).")
            expires = None if body.expires_in_days is None else timedelta(days=body.expires_in_days)
            key, record = c.admin_keys.create(body.name, identity.actor, expires, role=body.role, restaurant_id=rid)
            return {**record, "key": key}

        return _json(await run_in_threadpool(run), 201)

    async def revoke_key(request: Request, c: Container, identity: AdminIdentity) -> Response:
        key_id = request.path_params["key"].lower()

        def run() -> dict[str, Any]:
            rid = restaurant(c, identity, request.path_params["ref"], "owner")["id"]
            if not UUID_RE.fullmatch(key_id):
                raise NotFound("No key with that id.")
            # an owner revokes kitchen keys; an owner key (its own included) only a platform key
            return c.admin_keys.revoke(key_id, identity.actor, restaurant_id=rid,
                                       role=None if identity.role == "platform" else "kitchen")

        return _json(await run_in_threadpool(run))

    async def setup(request: Request, c: Container, identity: AdminIdentity) -> Response:
        from shared.helpdesk.check import endpoint
        from shared.helpdesk.tenant import embed_snippet

        found = await run_in_threadpool(restaurant, c, identity, request.path_params["ref"], "owner")
        api = endpoint(str(request.base_url))
        return _json({"restaurant": {k: found[k] for k in ("id", "slug", "name")}, "status": found["status"],
                      "embedSnippet": embed_snippet(api, found["slug"]), "allowedOrigins": found["allowedOrigins"],
                      "timezone": found["timezone"], "hours": found["hours"], "check": setup_checks(found)})

    async def set_origins(request: Request, c: Container, identity: AdminIdentity) -> Response:
        body = validate(OriginsChange, json_object(await request.body()), root="(body)")
        origins = normalised_origins(body.allowed_origins)

        def run() -> dict[str, Any]:
            rid = restaurant(c, identity, request.path_params["ref"], "owner")["id"]
            changed = c.store.rpc("stjarna_set_allowed_origins",
                                  {"p_restaurant_id": rid, "p_origins": origins, "p_actor": identity.actor})
            if changed is None:
                raise RestaurantNotFound()
            return {"allowedOrigins": changed["allowedOrigins"]}

        return _json(await run_in_threadpool(run))

    async def set_hours(request: Request, c: Container, identity: AdminIdentity) -> Response:
        body = validate(HoursChange, json_object(await request.body()), root="(body)")

        def run() -> dict[str, Any]:
            rid = restaurant(c, identity, request.path_params["ref"], "owner")["id"]
            changed = c.store.rpc("stjarna_set_hours",
                                  {"p_restaurant_id": rid, "p_hours": body.hours, "p_actor": identity.actor})
            if changed is None:
                raise RestaurantNotFound()
            return {"timezone": changed["timezone"], "hours": changed["hours"]}

        return _json(await run_in_threadpool(run))

    ref = param("ref", "path", {"type": "string"}, "The restaurant's slug or id (any status)")
    key = param("key", "path", {"type": "string"}, "The key's id")
    return [
        ApiRoute(f"{BASE}/keys", guarded(list_keys), methods=["GET"], operations=readable(
            f"{BASE}/keys", "AdminStaffKeys", "The restaurant's owner and kitchen keys (never a key or hash)",
            "admin", (ref, REQUEST_ID), (Reply(200, f"{SCHEMA}.StaffKeyList", NO_STORE),), (*ADMIN, 404),
            **ADMIN_OPERATION)),
        ApiRoute(f"{BASE}/keys", guarded(create_key), methods=["POST"], operations=[Operation(
            "POST", f"{BASE}/keys", "postAdminStaffKey", "Create a kitchen key (platform: or an owner key); "
            "the key is in the answer once", "admin", (ref, REQUEST_ID), body="shared.http.owner.StaffKeyCreate",
            replies=(Reply(201, f"{SCHEMA}.StaffKeyCreated", NO_STORE, "Created"),),
            errors=(*ADMIN, 404, 409, 422), **ADMIN_OPERATION)]),
        ApiRoute(f"{BASE}/keys/{{key}}", guarded(revoke_key), methods=["DELETE"], operations=[Operation(
            "DELETE", f"{BASE}/keys/{{key}}", "deleteAdminStaffKey",
            "Revoke a kitchen key of the restaurant (platform: any of its keys) at once", "admin",
            (ref, key, REQUEST_ID), replies=(Reply(200, f"{SCHEMA}.StaffKey", NO_STORE),),
            errors=(*ADMIN, 404), **ADMIN_OPERATION)]),
        ApiRoute(f"{BASE}/setup", guarded(setup), methods=["GET"], operations=readable(
            f"{BASE}/setup", "AdminRestaurantSetup", "The embed snippet, allowed origins and their check",
            "admin", (ref, REQUEST_ID), (Reply(200, f"{SCHEMA}.RestaurantSetup", NO_STORE),), (*ADMIN, 404),
            **ADMIN_OPERATION)),
        ApiRoute(f"{BASE}/origins", guarded(set_origins), methods=["PUT"], operations=[Operation(
            "PUT", f"{BASE}/origins", "putAdminOrigins", "Replace the websites that may embed the widget (audited)",
            "admin", (ref, REQUEST_ID), body="shared.http.owner.OriginsChange",
            replies=(Reply(200, f"{SCHEMA}.OriginsChanged", NO_STORE),), errors=(*ADMIN, 404, 422),
            **ADMIN_OPERATION)]),
        ApiRoute(f"{BASE}/hours", guarded(set_hours), methods=["PUT"], operations=[Operation(
            "PUT", f"{BASE}/hours", "putAdminHours", "Replace the restaurant's weekly opening hours (audited; "
            "the widget, chat, slots and orders follow within the menu cache bound)", "admin", (ref, REQUEST_ID),
            body="shared.http.owner.HoursChange", replies=(Reply(200, f"{SCHEMA}.HoursChanged", NO_STORE),),
            errors=(*ADMIN, 404, 422), **ADMIN_OPERATION)]),
    ]


def setup_checks(restaurant: dict[str, Any]) -> list[dict[str, Any]]:
    """What `stjarna tenant check` says without calling the API (shared/helpdesk/check.py): the tenant's
    status, and the allowlist's verdict for each allowed origin (a wildcard entry is judged on a sample
    host). The full HTTP run stays `stjarna tenant check SLUG --origin …`."""
    from shared.helpdesk.check import Check
    from shared.tenants.origins import explain

    slug, status = restaurant["slug"], restaurant["status"]
    out = [Check("tenant", "PASS", f"{slug} is live: the widget can load it") if status == "live" else
           Check("tenant", "FAIL", f"{slug} is {status}: not public, so the widget cannot load it")]
    entries = list(restaurant["allowedOrigins"])
    if not entries:
        out.append(Check("cors", "FAIL", "no allowed origins: the widget loads on no website"))
    for entry in entries:
        sample = entry.replace("://*.", "://www.", 1)
        reason = explain(sample, entries)
        out.append(Check("cors", "PASS" if reason.startswith("allowed") else "FAIL", f"{sample}: {reason}"))
    return [c.as_json() for c in out]
