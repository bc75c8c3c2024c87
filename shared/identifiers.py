"""The identifiers the API, the domain and the CLI share, spelt once: restaurant slugs, UUIDs, opaque
tokens (session tokens, idempotency keys), order codes, and the probe session.

Patterns are regex text (for pydantic ``Field(pattern=...)`` and the OpenAPI document) anchored with
``^…$``; compile them where they are matched. Import-cheap: nothing from the rest of ``shared``.
"""

from __future__ import annotations

__all__ = [
    "DNS_LABEL",
    "HEALTH_CHECK_SESSION",
    "OPAQUE_ID_PATTERN",
    "ORDER_CODE_PATTERN",
    "PROBE_HEADER",
    "RESTAURANT_REF_PATTERN",
    "SLUG_PATTERN",
    "UUID_ANY_CASE_PATTERN",
    "UUID_PATTERN",
]

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# one label of a host name (at most 63 characters, lower case); a slug is one, so it can name a subdomain
DNS_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


def _any_case(pattern: str) -> str:
    return pattern.replace("a-f", "a-fA-F").replace("a-z", "a-zA-Z")


SLUG_PATTERN = f"^{DNS_LABEL}$"
UUID_PATTERN = f"^{_UUID}$"  # the canonical, lower-case form we store and answer with
UUID_ANY_CASE_PATTERN = f"^{_any_case(_UUID)}$"  # what a request may send (normalised to lower case)
# a restaurant reference in a request: its UUID or its slug, in any case (shared/tenants/refs.py)
RESTAURANT_REF_PATTERN = f"^(?:{_any_case(_UUID)}|{_any_case(DNS_LABEL)})$"
# order session tokens and idempotency keys: 8-128 URL-safe characters, opaque to us (a chat session
# token guards nothing and may be shorter: shared/chat/requests.py)
OPAQUE_ID_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"
# 6 characters without look-alikes (no 0/O, 1/I/L); diners may type them in lower case
ORDER_CODE_PATTERN = r"^[2-9A-HJKMNP-Z]{6}$"
# the session token of a monitoring probe: checked like a diner's request, stored nowhere; a request is
# a probe only with PROBE_HEADER equal to CHAT_PROBE_SECRET (shared/http/inputs.py is_probe)
HEALTH_CHECK_SESSION = "health-check"
PROBE_HEADER = "X-Stjarna-Probe"
