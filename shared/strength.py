"""Is a secret strong enough for production? Each check says why not, in words that never repeat the
value (they end up in logs). The rules (docs/operations.md, "Secrets"):

- a secret we generate ourselves (the admin-key pepper, the client-hash secret): not the public
  development default, at least ``min_length`` characters, at least 10 distinct ones, no character
  more than a quarter of the value, not a shorter string repeated, not a run such as ``abcd…``, and no
  placeholder word (``changeme``, ``placeholder``…). ``openssl rand -base64 32`` passes every time;
- a key someone else issues (Supabase, Upstash): no placeholder word and long enough;
- an OpenAI key: no whitespace, no placeholder word or ellipsis, ``sk-`` first when it goes to
  OpenAI itself, and at least 20 characters, 10 distinct, after the ``sk-…-`` prefix.
"""

from __future__ import annotations

import itertools
import re

# Words a real (random) secret contains by chance at most once in tens of millions: six letters or more,
# or a delimiter, an ellipsis or angle brackets. Shorter ones ("xxx", "todo") turn up in about one random
# key in 700 (tests/security/test_production_config.py); "sk-xxxx…" and the like fail the other rules.
PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "placeholder", "example", "replace", "your-", "your_",
                     "...", "\u2026", "<", ">")
MIN_DISTINCT = 10
_OPENAI_PREFIX = re.compile(r"^sk-(?:[a-z]+-)?")


def placeholder_word(value: str) -> str | None:
    lowered = value.lower()
    return next((word for word in PLACEHOLDER_WORDS if word in lowered), None)


def weak_secret(value: str, *, min_length: int = 32, dev_default: str | None = None) -> str | None:
    """Why ``value`` is too weak for a secret we generate ourselves, or None."""
    if dev_default is not None and value == dev_default:
        return "is the public development default; set a random value"
    word = placeholder_word(value)
    if word is not None:
        return f"looks like a placeholder (contains {word!r}); set a random value"
    if len(value) < min_length:
        return f"is {len(value)} characters long; use at least {min_length} random ones"
    distinct = len(set(value))
    if distinct < MIN_DISTINCT:
        return f"has only {distinct} distinct characters; use a random value"
    if max(value.count(ch) for ch in set(value)) * 4 > len(value):
        return "is mostly one repeated character; use a random value"
    if value in (value + value)[1:-1]:
        return "is a shorter string repeated; use a random value"
    steps = sum(1 for a, b in itertools.pairwise(value) if abs(ord(b) - ord(a)) == 1)
    if steps * 2 > len(value) - 1:
        return "is a run of consecutive characters; use a random value"
    return None


def weak_token(value: str, *, min_length: int = 16) -> str | None:
    """Why ``value`` cannot be a key another service issued (Supabase, Upstash), or None."""
    word = placeholder_word(value)
    if word is not None:
        return f"looks like a placeholder (contains {word!r})"
    if len(value.strip()) < min_length:
        return f"is {len(value.strip())} characters long; a real one is longer"
    return None


def weak_openai_key(value: str, *, official: bool) -> str | None:
    """Why ``value`` is not a usable OpenAI key, or None. ``official``: it goes to api.openai.com
    (whose keys start with ``sk-``); an OpenAI-compatible server may issue any shape."""
    if any(ch.isspace() for ch in value):
        return "contains whitespace"
    word = placeholder_word(value)
    if word is not None:
        return f"looks like a placeholder (contains {word!r})"
    if official and not value.startswith("sk-"):
        return "does not look like an OpenAI key (they start with 'sk-')"
    body = _OPENAI_PREFIX.sub("", value, count=1)
    if len(body) < 20:
        return f"is too short for an API key ({len(body)} characters after the prefix)"
    if len(set(body)) < MIN_DISTINCT:
        return f"has only {len(set(body))} distinct characters; not a real key"
    return None
