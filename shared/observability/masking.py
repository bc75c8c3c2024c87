"""Masking secrets in text and in named fields: one set of rules for log lines and Sentry events.

``mask_text`` replaces, anywhere in a string,
- the value of a secret-named pair: ``password=…``, ``token=…``, ``key: …``, ``sessionToken=…``,
  ``"apiKey": "…"``, ``Authorization: Bearer …`` (names as ``is_secret_name`` decides);
- ``Bearer <credential>``; admin keys ``stj_…``; OpenAI keys ``sk-…``;
- the password of a URL with credentials (``postgres://user:password@host``).

``is_secret_name`` decides by the name's last word (camelCase, snake_case, kebab-case and dotted names
are split into words): ``password``, ``secret``, ``token``, ``authorization``, ``cookie``… are always
secret; ``key`` is secret alone or after a word that makes it a credential (``apiKey``, ``admin_key``,
``Idempotency-Key``), not in ``kvKey`` or ``sortKey``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

MASK = "***"

_ALWAYS_SECRET = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "token", "auth", "authorization", "credential",
    "credentials", "cookie", "cookies", "signature", "pepper", "session", "apikey", "dsn",
})
_CREDENTIAL_KEY = frozenset({  # "<word> key" that names a credential
    "api", "admin", "idempotency", "secret", "access", "private", "session", "signing", "service",
    "master", "encryption", "license", "openai", "auth", "client", "role", "x",
})
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@functools.lru_cache(maxsize=1024)
def is_secret_name(name: str) -> bool:
    """Whether a field, header, parameter or cookie of this name carries a secret."""
    words = [w.lower() for w in _WORDS.findall(name)]
    if not words:
        return False
    last = words[-1]
    if last in _ALWAYS_SECRET:
        return True
    if last == "key":
        return len(words) == 1 or words[-2] in _CREDENTIAL_KEY
    return False


@functools.cache
def _pattern() -> re.Pattern[str]:
    """Compiled on first use (≈ 1 ms): a cold start that never masks anything does not pay it."""
    return re.compile(
        r"(?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/?#@\"'\\]*:)[^\s@/?#\"'\\]+@"  # scheme://user:PASSWORD@
        r"|(?P<bearer>\b[Bb]earer|\bBEARER)\s+[A-Za-z0-9._~+/=-]{6,}"  # Bearer CREDENTIAL
        r"|(?P<prefix>\bstj_(?=[A-Za-z0-9_-]{8,})|\bsk-(?=[A-Za-z0-9_-]{16,}))[A-Za-z0-9_-]+"  # admin, OpenAI keys
        r"|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)(?P<sep>[\"']?\s*[=:]\s*[\"']?)"  # name=value, "name": "value"
        r"(?P<value>(?:(?:[Bb]earer|[Bb]asic)\s+)?[^\s&\"'\\,;()<>{}\[\]]+)"
    )


def _replace(match: re.Match[str]) -> str:
    if match.group("url") is not None:
        return match.group("url") + MASK + "@"
    if match.group("bearer") is not None:
        return match.group("bearer") + " " + MASK
    if match.group("prefix") is not None:
        return match.group("prefix") + MASK
    name, sep = match.group("name"), match.group("sep")
    if is_secret_name(name):
        return name + sep + MASK
    return name + sep + mask_text(match.group("value"))  # the value may hold a key, a URL, a pair


def mask_text(text: str) -> str:
    """``text`` with every secret the rules above recognise replaced by ``***``."""
    # Every rule needs one of these substrings (a pair's = or :, a URL's ://, Bearer, stj_, sk-): most
    # text has none and is returned after a few substring tests instead of a regex pass.
    if ("=" not in text and ":" not in text and "stj_" not in text and "sk-" not in text
            and "earer" not in text and "EARER" not in text):
        return text
    return _pattern().sub(_replace, text)


def mask_fields(value: Any, name: str = "") -> Any:
    """A copy of a log field (or an event fragment) with secret-named fields replaced by ``***`` and
    every string masked; other values (numbers, booleans, None) unchanged."""
    if name and is_secret_name(name) and value is not None:
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_fields(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_fields(v) for v in value]
    return value
