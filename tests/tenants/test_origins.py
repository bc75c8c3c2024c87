from __future__ import annotations

import pytest

from shared.tenants.origins import compile_patterns, explain, is_allowed, parse_origin, parse_pattern

PATTERNS = compile_patterns(["https://*.example.com", "http://localhost:8000", "https://bistro.example"])


@pytest.mark.parametrize(("origin", "allowed"), [
    ("https://a.example.com", True),
    ("https://a.b.example.com", True),
    ("https://A.Example.COM", True),
    ("https://example.com", False),  # the wildcard never matches the bare domain
    ("https://evil.example.com.attacker.net", False),
    ("https://evilexample.com", False),
    ("https://a.example.com.", False),
    ("http://a.example.com", False),  # scheme must match
    ("https://a.example.com:8443", False),  # port must match
    ("https://bistro.example:443", True),  # default port written out
    ("http://localhost:8000", True),
    ("http://localhost", False),
    ("null", False),
    ("", False),
    ("https://bistro.example/", False),
    ("https://user:pw@bistro.example", False),
    ("https://bistro.example\n", False),
    ("file://bistro.example", False),
    ("https://" + "a" * 300 + ".example.com", False),
])
def test_matching(origin, allowed):
    assert is_allowed(origin, PATTERNS) is allowed


@pytest.mark.parametrize("entry", ["https://*.com", "https://*", "*.example.com", "https://a.*.example.com",
                                   "https://example.com/path", "ftp://example.com", "https://ex ample.com",
                                   "https://example.com:0", "https://example.com:70000"])
def test_malformed_patterns_are_rejected(entry):
    assert parse_pattern(entry) is None


def test_compile_skips_malformed_entries_instead_of_widening():
    assert compile_patterns(["https://*.com", "https://ok.example"]) == (parse_pattern("https://ok.example"),)


def test_ipv6_and_ports():
    assert parse_origin("http://[::1]:8000") is not None
    assert parse_origin("http://127.0.0.1:8000").port == 8000  # type: ignore[union-attr]


def test_explain_gives_the_reason():
    entries = ["https://*.example.com"]
    assert explain("https://a.example.com", entries) == "allowed by 'https://*.example.com'"
    assert "not matched" in explain("https://other.net", entries)
    assert "not a valid" in explain("null", entries)
    assert "no allowed origins" in explain("https://a.example.com", [])
