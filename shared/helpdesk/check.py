"""``stjarna tenant check``: the runbook's "chat not working" / "widget not loading" investigation as
one run of HTTP checks against a running API, each a PASS or FAIL with the reason.

1. tenant: what the database says (status; the allowlist the CORS verdict is explained with);
2. menu: ``GET /api/public/menu`` → 200 with an ETag, then ``If-None-Match`` → 304;
3. config: ``GET /api/public/config`` → 200 (shows the server-chat and ordering switches);
4. chat: ``POST /api/chat`` with the ``health-check`` session and ``X-Stjarna-Probe: CHAT_PROBE_SECRET``
   (a probe: stored nowhere, not counted against diners); without the secret, an ordinary chat turn;
5. cors: the menu with ``Origin`` must echo it in ``Access-Control-Allow-Origin`` and the chat's
   preflight must allow it; the reason comes from the allowlist rules (shared/tenants/origins.py);
6. widget: ``GET /widget.js`` → 200, under 35,000 bytes (``WIDGET_BUDGET_BYTES``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from shared.errors import ValidationFailed
from shared.identifiers import HEALTH_CHECK_SESSION, PROBE_HEADER
from shared.paths import WIDGET_BUDGET_BYTES
from shared.tenants.origins import explain, parse_origin

TIMEOUT_SECONDS = 10.0  # per request; no retries: a check reports what one attempt saw
PROBE_MESSAGE = "Anything vegan?"
_ENDPOINT_RE = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")

Verdict = Literal["PASS", "FAIL", "SKIP"]


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    verdict: Verdict
    detail: str

    @property
    def failed(self) -> bool:
        return self.verdict == "FAIL"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "verdict": self.verdict, "ok": not self.failed, "detail": self.detail}


def endpoint(raw: str) -> str:
    """The API's base URL, validated (``scheme://host[:port][/path]``), without a trailing slash."""
    value = raw.strip().rstrip("/")
    if not _ENDPOINT_RE.fullmatch(value):
        raise ValidationFailed([{"path": "endpoint", "message": f"{raw!r} is not an API base URL like "
                                 "https://api.example.com or http://127.0.0.1:8000"}])
    return value


def origin(raw: str) -> str:
    """A website origin as a browser sends it, validated."""
    if parse_origin(raw) is None:
        raise ValidationFailed([{"path": "origin", "message": f"{raw!r} is not a website origin: scheme://host[:port] "
                                 "with no path, as the browser sends it, e.g. https://their-site.example"}])
    return raw


def _error(response: httpx.Response) -> tuple[str, str]:
    """(code, message) of an error body, or the status line when the body is not ours."""
    try:
        body = response.json()["error"]
        return str(body["code"]), str(body["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}", response.reason_phrase


class _Run:
    def __init__(self, client: httpx.Client, base: str, ref: str, tenant: dict[str, Any],
                 probe_secret: str | None = None) -> None:
        self.client, self.base, self.ref, self.tenant = client, base, ref, tenant
        self.probe_secret = probe_secret

    def url(self, path: str) -> str:
        return self.base + path

    def failure(self, response: httpx.Response) -> str:
        code, message = _error(response)
        text = f"{response.status_code} {code}: {message}"
        if code == "RESTAURANT_NOT_FOUND":
            status = self.tenant["status"]
            text += (f" (the database says {status}: only live restaurants are public)" if status != "live" else
                     " (the database says live: is the endpoint the API of this database's environment?)")
        return text

    def guarded(self, name: str, run: Callable[[], Check]) -> Check:
        try:
            return run()
        except httpx.HTTPError as exc:
            return Check(name, "FAIL", f"no answer from {self.base}: {type(exc).__name__} ({exc}); is the API "
                         "running there? (--endpoint, STJARNA_API_URL)")
        except (ValueError, TypeError, AttributeError, KeyError):  # a body that is not our JSON: not this API
            return Check(name, "FAIL", f"{self.base} answered with a body that is not Stjarna's JSON: is the "
                         "endpoint this API?")

    # -- the checks ------------------------------------------------------------------------------
    def tenant_check(self) -> Check:
        t = self.tenant
        if t["status"] == "live":
            return Check("tenant", "PASS", f"{t['slug']} ({t['id']}) is live in the database, menu version "
                         f"{t['menu']['version']}, {t['menu']['published']} item(s) published")
        return Check("tenant", "FAIL", f"{t['slug']} ({t['id']}) is {t['status']}: not public, so the widget "
                     "cannot load it (a menu import with status live publishes it)")

    def menu(self) -> Check:
        params = {"restaurantId": self.ref}
        first = self.client.get(self.url("/api/public/menu"), params=params)
        if first.status_code != 200:
            return Check("menu", "FAIL", self.failure(first))
        etag = first.headers.get("etag")
        body = first.json()
        count = sum(len(s.get("items") or []) for s in body.get("sections") or [])
        summary = (f"200, version {body.get('version')}, {count} item(s), {len(first.content) / 1024:.1f} KB, "
                   f"Cache-Control: {first.headers.get('cache-control')}")
        if not etag:
            return Check("menu", "FAIL", summary + "; no ETag: browsers and the CDN cannot revalidate")
        again = self.client.get(self.url("/api/public/menu"), params=params, headers={"If-None-Match": etag})
        if again.status_code != 304:
            return Check("menu", "FAIL", f"{summary}; If-None-Match: {etag} answered {again.status_code}, not 304")
        return Check("menu", "PASS", f"{summary}; ETag {etag} → 304 on revalidation")

    def config(self) -> Check:
        response = self.client.get(self.url("/api/public/config"), params={"restaurantId": self.ref})
        if response.status_code != 200:
            return Check("config", "FAIL", self.failure(response))
        features = response.json().get("features", {})
        switches = ", ".join(f"{name} {'on' if on else 'OFF'}" for name, on in features.items())
        return Check("config", "PASS", f"200, {switches}")

    def chat(self) -> Check:
        started = time.perf_counter()
        headers = {PROBE_HEADER: self.probe_secret} if self.probe_secret else {}
        response = self.client.post(self.url("/api/chat"), headers=headers, json={
            "restaurantId": self.ref, "sessionToken": HEALTH_CHECK_SESSION, "message": PROBE_MESSAGE})
        ms = round((time.perf_counter() - started) * 1000)
        if response.status_code == 200:
            body = response.json()
            kind = "" if self.probe_secret else " (not a probe: CHAT_PROBE_SECRET is not set, so a diner's turn)"
            return Check("chat", "PASS", f"200 in {ms} ms, source {body.get('source')}, "
                         f"{len(body.get('suggestions') or [])} suggestion(s) for {PROBE_MESSAGE!r}{kind}")
        detail = self.failure(response)
        code, _ = _error(response)
        if code == "SERVER_CHAT_DISABLED":
            detail += (f"; USE_SERVER_CHAT is off (the widget answers locally): "
                       f"stjarna flags list --restaurant {self.tenant['slug']}")
        elif response.status_code == 429:
            limit = "HEALTH_CHECK_RATE_LIMIT" if self.probe_secret else "CHAT_RATE_LIMIT"
            detail += f"; retry after {response.headers.get('retry-after', '?')} s ({limit})"
        return Check("chat", "FAIL", detail)

    def cors(self, site: str | None) -> Check:
        entries = list(self.tenant["allowedOrigins"])
        if site is None:
            if not entries:
                return Check("cors", "FAIL", "the restaurant has no allowed origins: the widget loads on no website "
                             "(add one: stjarna tenant create --slug SLUG --update --origin https://their-site.example)")
            return Check("cors", "SKIP", f"no --origin given; allowed: {', '.join(entries)}")
        same = parse_origin(site) == parse_origin(_origin_of(self.base))
        reason = explain(site, entries)
        if same and not reason.startswith("allowed"):
            reason = "the API's own origin (same-origin requests need no allowlist entry)"
        headers = {"Origin": site}
        menu = self.client.get(self.url("/api/public/menu"), params={"restaurantId": self.ref}, headers=headers)
        if menu.status_code == 403:
            return Check("cors", "FAIL", f"{site} refused (403 {_error(menu)[0]}): {reason}. Add the exact origin "
                         f"(scheme, host and port) to allowedOrigins: stjarna tenant create --slug "
                         f"{self.tenant['slug']} --update --origin … (every origin to keep)")
        if menu.status_code != 200:
            return Check("cors", "FAIL", f"cannot judge: the menu answers {self.failure(menu)}; the allowlist says "
                         f"{site}: {reason}")
        echoed = menu.headers.get("access-control-allow-origin")
        if echoed != site and not (same and echoed is None):
            return Check("cors", "FAIL", f"200 but Access-Control-Allow-Origin is {echoed!r}, not {site!r}: "
                         "the browser discards the answer")
        preflight = self.client.options(self.url("/api/chat"), params={"restaurantId": self.ref}, headers={
            **headers, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
        allowed = preflight.headers.get("access-control-allow-origin")
        if preflight.status_code != 204 or not (allowed == site or (same and allowed is None)):
            return Check("cors", "FAIL", f"the menu allows {site} but the chat preflight answered "
                         f"{preflight.status_code} with Access-Control-Allow-Origin {allowed!r}")
        return Check("cors", "PASS", f"{site}: {reason}; the menu echoes it in Access-Control-Allow-Origin and "
                     "the chat preflight allows it")

    def widget(self) -> Check:
        response = self.client.get(self.url("/widget.js"))
        if response.status_code != 200:
            return Check("widget", "FAIL", f"GET /widget.js answered {response.status_code}")
        size = len(response.content)
        detail = (f"{size:,} of the {WIDGET_BUDGET_BYTES:,} bytes budget "
                  f"({response.headers.get('content-type')})")
        return Check("widget", "PASS" if size < WIDGET_BUDGET_BYTES else "FAIL",
                     detail if size < WIDGET_BUDGET_BYTES else "over budget: " + detail)


def _origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def run_checks(base: str, ref: str, tenant: dict[str, Any], *, site: str | None = None,
               client: httpx.Client | None = None, probe_secret: str | None = None) -> list[Check]:
    """Every check, in order. ``tenant`` is the database's view of the restaurant (``support.show``);
    ``site`` the website origin to judge; ``probe_secret`` (``CHAT_PROBE_SECRET``) makes the chat check a
    probe. Never raises for what the API answers: a failure is a FAIL."""
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    run = _Run(http, endpoint(base), ref, tenant, probe_secret)
    try:
        return [run.tenant_check(), run.guarded("menu", run.menu), run.guarded("config", run.config),
                run.guarded("chat", run.chat), run.guarded("cors", lambda: run.cors(site)),
                run.guarded("widget", run.widget)]
    finally:
        if own:
            http.close()
