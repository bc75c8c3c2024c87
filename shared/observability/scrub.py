"""What leaves for Sentry: ``scrub_event`` (``before_send`` and ``before_send_transaction``) and
``scrub_breadcrumb`` (``before_breadcrumb``). Pure functions over Sentry's JSON-shaped dicts; no
``sentry_sdk`` import.

The request is rebuilt field by field:
- ``data`` (the JSON body): only fields on ``BODY_FIELDS`` keep their value; everything else, above all
  the chat ``message``, ``sessionToken`` and free-text order notes, becomes ``[Filtered]``; a body
  that is not JSON is dropped;
- ``headers``: ``Authorization``, ``Cookie``, ``Idempotency-Key``, client addresses and every header
  with a secret-looking name become ``[Filtered]``; ``Referer`` loses its query; the rest is masked;
- ``query_string``: the values of secret-named parameters (``token``, ``key``, ``sessionToken``,
  ``password``, ``secret``…) become ``[Filtered]``; the rest is masked;
- ``cookies`` are dropped.
Then the whole event (exception messages, breadcrumbs, tags, contexts, spans) is walked: every value
removed from the request above is cut out wherever else it appears, secret-named fields are replaced,
every string is masked (stj_ admin keys, sk- keys, Bearer credentials, URL passwords, ``name=value``
pairs with secret names), and client addresses (``PII_FIELDS``) are removed. If scrubbing fails,
Sentry drops the event (fail closed).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote

from shared.observability.masking import is_secret_name, mask_text

FILTERED = "[Filtered]"
# Body fields worth keeping on an error report: identifiers and quantities, never free text.
BODY_FIELDS = frozenset({
    "restaurantId", "items", "itemId", "quantity", "pickupAt", "paymentMethod", "status", "from", "to",
    "locale", "currency",
})
DROP_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "idempotency-key", "x-forwarded-for",
    "x-real-ip", "forwarded", "cf-connecting-ip", "true-client-ip", "x-client-ip", "x-amz-security-token",
})
# Client addresses (our log lines name the client of a failed admin login): personal data for Sentry.
PII_FIELDS = frozenset({"client", "clientIp", "ip", "ipAddress", "remoteAddr", "REMOTE_ADDR"})
_SKIP = frozenset({"_meta", "sdk"})  # Sentry's own annotations and SDK description: no user values
_MIN_SECRET = 6  # shorter removed values are not cut out of other strings (too many false hits)


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:  # noqa: ARG001
    secrets: set[str] = set()
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = _scrub_request(request, secrets)
    cut = sorted((s for s in secrets if len(s) >= _MIN_SECRET), key=len, reverse=True)
    return {key: value if key in _SKIP or key == "request" else _walk(value, key, cut)
            for key, value in event.items()}


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:  # noqa: ARG001
    return {key: _walk(value, key, []) for key, value in crumb.items()}


# -- the request -----------------------------------------------------------------------------------
def _scrub_request(request: dict[str, Any], secrets: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in request.items():
        if key == "data":
            out[key] = _body(value, secrets) if isinstance(value, dict | list) else FILTERED
        elif key == "headers" and isinstance(value, dict):
            out[key] = {name: _header(str(name), v, secrets) for name, v in value.items()}
        elif key == "query_string":
            out[key] = _query(value, secrets)
        elif key == "cookies":
            _collect(value, secrets)
            out[key] = FILTERED
        elif key in {"env", "_meta"}:
            continue  # client address (only sent with PII on), annotations of removed values
        else:
            out[key] = _walk(value, key, [])
    return out


def _body(value: Any, secrets: set[str], name: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _body(v, secrets, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_body(v, secrets, name) for v in value]
    if name in BODY_FIELDS and not isinstance(value, str):
        return value  # numbers, booleans, null
    if name in BODY_FIELDS and isinstance(value, str):
        return mask_text(value)
    _collect(value, secrets)
    return FILTERED


def _header(name: str, value: Any, secrets: set[str]) -> Any:
    lowered = name.lower()
    if lowered in DROP_HEADERS or is_secret_name(name):
        _collect(value, secrets)
        return FILTERED
    if not isinstance(value, str):
        return _walk(value, name, [])
    if lowered == "referer":
        value = value.split("?", 1)[0].split("#", 1)[0]
    return mask_text(value)


def _query(value: Any, secrets: set[str]) -> Any:
    """A query string (ASGI) or a parameter dict (the Lambda event): secret-named values removed."""
    if isinstance(value, dict):
        return {k: _param(str(k), v, secrets) for k, v in value.items()}
    if not isinstance(value, str):
        return FILTERED
    pairs = parse_qsl(value, keep_blank_values=True)
    return "&".join(f"{quote(k, safe='')}={quote(str(_param(k, v, secrets)), safe='[]*')}" for k, v in pairs)


def _param(name: str, value: Any, secrets: set[str]) -> Any:
    if is_secret_name(name):
        _collect(value, secrets)
        return FILTERED
    return mask_text(value) if isinstance(value, str) else value


def _collect(value: Any, secrets: set[str]) -> None:
    """Remember the strings removed from the request, to cut them out of the rest of the event."""
    if isinstance(value, str):
        if value and value != FILTERED:
            secrets.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _collect(v, secrets)
    elif isinstance(value, list | tuple):
        for v in value:
            _collect(v, secrets)


# -- everything else -------------------------------------------------------------------------------
def _walk(value: Any, name: str, cut: list[str]) -> Any:
    if name and (name in PII_FIELDS or is_secret_name(name)) and isinstance(value, str | int | float) \
            and not isinstance(value, bool):
        return FILTERED
    if isinstance(value, str):
        for secret in cut:
            if secret in value:
                value = value.replace(secret, FILTERED)
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _walk(v, str(k), cut) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, "", cut) for v in value]
    return value
