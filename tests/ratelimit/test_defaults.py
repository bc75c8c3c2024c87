"""The rate limits' defaults have one source, shared/settings.py: the limiter's defaults are read from
it, and the documentation's tables (docs/ratelimits.md, docs/operations.md) state the same values."""

from __future__ import annotations

import re

import pytest

from shared.paths import REPO_ROOT
from shared.ratelimit import DEFAULT_BURST, DEFAULT_CHAT_LIMIT, DEFAULT_HEALTH_LIMIT, DEFAULT_IP_LIMIT
from shared.settings import Settings

DEFAULTS = {f.alias: str(f.default) for f in Settings.model_fields.values()
            if f.alias and (f.alias.endswith("_RATE_LIMIT") or f.alias == "CHAT_BURST")}


def test_the_limiter_defaults_are_the_settings():
    assert (DEFAULT_CHAT_LIMIT, DEFAULT_IP_LIMIT, DEFAULT_HEALTH_LIMIT, str(DEFAULT_BURST)) == (
        DEFAULTS["CHAT_RATE_LIMIT"], DEFAULTS["CHAT_IP_RATE_LIMIT"], DEFAULTS["HEALTH_CHECK_RATE_LIMIT"],
        DEFAULTS["CHAT_BURST"])


def documented(doc: str) -> dict[str, str]:
    """``setting -> default`` from a doc's table rows: one or more `SETTING` names, and in another cell
    as many comma-separated defaults."""
    found: dict[str, str] = {}
    for line in (REPO_ROOT / "docs" / doc).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        for i, cell in enumerate(cells):
            names = re.findall(r"`([A-Z_]+)`", cell)
            if names and all(n in DEFAULTS for n in names) and re.fullmatch(r"(`[A-Z_]+`,?\s*)+", cell):
                values = cells[i - 1] if doc == "ratelimits.md" else cells[i + 1]
                found.update(zip(names, (v.strip(" `") for v in values.split(",")), strict=True))
    return found


@pytest.mark.parametrize("doc", ["ratelimits.md", "operations.md"])
def test_the_docs_state_the_settings_defaults(doc):
    assert documented(doc) == DEFAULTS
