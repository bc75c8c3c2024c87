"""The client's address every per-IP limit and the admin lockout count (shared/http/inputs.py
``client_ip``, shared/ratelimit/addresses.py): behind the CDN, CloudFront-Viewer-Address and only with the
distribution's secret origin header; IPv6 counted per /64; never a client's X-Forwarded-For, including
through a real ``stjarna serve``; and every error answer of a public route uncacheable for a CDN."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from shared.http.inputs import viewer_address
from shared.ratelimit.addresses import Pseudonyms, limit_address
from tests.conftest import server_data_dir
from tests.support.serve_process import child_process
from tests.support.servers import closed_port

SECRET = "cdn-origin-secret-for-tests"
CHAT = "/api/chat"


@pytest.mark.parametrize(("value", "ip"), [
    ("198.51.100.10:46532", "198.51.100.10"),
    ("2001:db8:85a3::8a2e:370:7334:443", "2001:db8:85a3::8a2e:370:7334"),  # CloudFront's IPv6 form: no brackets
    ("2001:0DB8:0000:0000:0000:0000:0000:0001:8080", "2001:db8::1"),  # normalised
    ("[2001:db8::1]:443", "2001:db8::1"),
    (" 203.0.113.5:1 ", "203.0.113.5"),
    ("198.51.100.10", None), ("198.51.100.10:", None), ("198.51.100.10:x", None), ("evil.example:443", None),
    ("", None), ("2001:db8::1", None),  # no port: the last group would be taken for one, leaving "2001:db8:"
])
def test_the_viewer_address_is_parsed_as_cloudfront_writes_it(value, ip):
    assert viewer_address(value) == ip


def test_ipv6_is_counted_per_64_and_hashes_are_keyed():
    assert limit_address("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert limit_address("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64"
    assert limit_address("2001:db8:1:3::1") != limit_address("2001:db8:1:2::1")
    assert limit_address("::ffff:198.51.100.1") == "198.51.100.1" and limit_address("198.51.100.1") == "198.51.100.1"
    assert limit_address("testclient") == "testclient"
    one, other = Pseudonyms("secret-one"), Pseudonyms("secret-two")
    assert one.address("198.51.100.1") != other.address("198.51.100.1")  # unkeyed, 2^32 hashes would reverse it
    import hashlib

    assert one.digest("198.51.100.1") != hashlib.blake2b(b"198.51.100.1", digest_size=12).hexdigest()


def _ask(client, n: int, headers: dict[str, str]) -> int:
    body = {"restaurantId": "demo", "sessionToken": f"address-session-{n}", "message": "vegan?"}
    return client.post(CHAT, json=body, headers=headers).status_code


@pytest.fixture
def behind_cdn(app_for):
    """The app with a CDN configured and 2 chats per minute per client address."""
    return app_for(CDN_ORIGIN_SECRET=SECRET, CHAT_IP_RATE_LIMIT="2 per minute")[0]


def test_behind_the_cdn_each_viewer_has_its_own_limit(behind_cdn):
    """Before: every viewer behind one CloudFront edge shared the edge's sourceIp, so one attacker
    could spend a whole edge's chat budget."""
    def viewer(address: str) -> dict[str, str]:
        return {"X-Origin-Verify": SECRET, "CloudFront-Viewer-Address": address}

    assert [_ask(behind_cdn, n, viewer("203.0.113.1:1000")) for n in range(3)] == [200, 200, 429]
    assert _ask(behind_cdn, 3, viewer("203.0.113.2:1000")) == 200  # same edge, another viewer
    # an IPv6 viewer rotating inside its /64 is one address
    assert [_ask(behind_cdn, 10 + n, viewer(f"2001:db8:7:7::{n + 1}:443")) for n in range(3)] == [200, 200, 429]
    assert _ask(behind_cdn, 20, viewer("2001:db8:7:8::1:443")) == 200  # the next /64


@pytest.mark.parametrize("secret", [None, "wrong-origin-secret-value", SECRET + "x", SECRET[:-1]])
def test_without_the_origin_secret_the_viewer_header_is_ignored(behind_cdn, secret):
    """Anyone reaching the origin directly can send CloudFront-Viewer-Address: rotating it must not
    rotate the address the limits count."""
    headers = {} if secret is None else {"X-Origin-Verify": secret}
    statuses = [_ask(behind_cdn, n, {**headers, "CloudFront-Viewer-Address": f"203.0.113.{n}:443"})
                for n in range(3)]
    assert statuses == [200, 200, 429]


def test_without_a_cdn_configured_the_viewer_header_is_ignored(app_for):
    client, _ = app_for(CHAT_IP_RATE_LIMIT="2 per minute")
    headers = [{"X-Origin-Verify": SECRET, "CloudFront-Viewer-Address": f"203.0.113.{n}:443",
                "X-Forwarded-For": f"198.51.100.{n}"} for n in range(3)]
    assert [_ask(client, n, h) for n, h in enumerate(headers)] == [200, 200, 429]


def test_two_viewer_headers_are_not_trusted(behind_cdn):
    statuses = [behind_cdn.post(CHAT, json={"restaurantId": "demo", "sessionToken": f"two-headers-{n}",
                                            "message": "vegan?"},
                                headers=[("X-Origin-Verify", SECRET), ("CloudFront-Viewer-Address", f"203.0.113.{n}:1"),
                                         ("CloudFront-Viewer-Address", f"198.51.100.{n}:1")]).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]  # the peer's address, shared by all three


# -- public errors are never cached by a CDN ------------------------------------------------------------
@pytest.mark.parametrize(("method", "url", "headers", "body", "status"), [
    ("GET", "/api/public/menu?restaurantId=demo", {"Origin": "https://evil.example"}, None, 403),
    ("GET", "/api/public/menu?restaurantId=no-such-place", {}, None, 404),
    ("GET", "/api/public/config?restaurantId=demo", {"Origin": "https://evil.example"}, None, 403),
    ("GET", "/api/public/config?restaurantId=no-such-place", {}, None, 404),
    ("GET", "/api/public/menu", {}, None, 400),
    ("GET", "/api/public/nothing-here", {}, None, 404),
    ("POST", CHAT, {"Origin": "https://evil.example"}, {"restaurantId": "demo", "sessionToken": "cache-s-1",
                                                        "message": "hi"}, 403),
    ("POST", CHAT, {}, {"restaurantId": "demo", "sessionToken": "!", "message": "hi"}, 422),
    ("POST", "/api/orders", {}, {"restaurantId": "no-such-place"}, 404),
    ("OPTIONS", "/api/orders?restaurantId=demo", {"Origin": "https://evil.example",
                                                   "Access-Control-Request-Method": "POST"}, None, 403),
    ("GET", "/widget.js.map", {}, None, 404),
    ("DELETE", "/api/public/menu?restaurantId=demo", {}, None, 405),
])
def test_every_public_error_is_uncacheable_and_varies_by_origin(client, method, url, headers, body, status):
    """Before: a 403 for one origin carried no Cache-Control or Vary; a CDN could store it and serve it
    to the restaurant's real site."""
    r = client.request(method, url, headers=headers, json=body)
    assert r.status_code == status
    assert r.headers["cache-control"] == "no-store"
    assert "Origin" in [v.strip() for v in r.headers["vary"].split(",")]


def test_successes_keep_their_cache_headers(client):
    r = client.get("/api/public/menu?restaurantId=demo")
    assert r.status_code == 200 and "s-maxage" in r.headers["cache-control"] and r.headers["vary"] == "Origin"


# -- stjarna serve trusts no forwarding header unless told ------------------------------------------
def _serve(port: int, env: dict[str, str], log: Path, *extra: str):
    base = f"http://127.0.0.1:{port}"
    return child_process([str(Path(sys.executable).parent / "stjarna"), "serve", "--port", str(port), *extra],
                         lambda: httpx.get(f"{base}/api/health/live", timeout=1).status_code == 200,
                         name="stjarna serve", log=log, env=env)


@pytest.mark.parametrize(("extra", "rotated"), [((), False), (("--forwarded-allow-ips", "127.0.0.1"), True)])
def test_stjarna_serve_ignores_x_forwarded_for_unless_told(seeded, database, extra, rotated):
    """Before: uvicorn's default trusted X-Forwarded-For from 127.0.0.1, so any local process could rotate
    the client address and escape every per-IP limit."""
    root = server_data_dir("stjarna-test-forwarded-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPABASE_", "OPENAI_", "CHAT_", "UPSTASH_",
                                                                     "FORWARDED_"))}
    env.update({"DATABASE_URL": database, "STJARNA_DATA_DIR": str(root), "CHAT_IP_RATE_LIMIT": "2 per minute"})
    port = closed_port()
    try:
        with _serve(port, env, root / "serve.log", *extra), httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            statuses = [_ask(http, n, {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(4)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert statuses == ([200] * 4 if rotated else [200, 200, 429, 429])


def test_the_cdn_cannot_be_bypassed_through_execute_api_in_prod():
    """serverless.yml: prod disables API Gateway's default execute-api endpoint (the custom domain, the
    CDN's origin, is the way in; a direct request there carries no origin secret and counts its own
    sourceIp)."""
    import yaml

    from shared.paths import REPO_ROOT

    config = yaml.safe_load((REPO_ROOT / "serverless.yml").read_text(encoding="utf-8"))
    assert config["provider"]["httpApi"]["disableDefaultEndpoint"] == "${param:disableDefaultApiEndpoint}"
    assert config["params"]["prod"]["disableDefaultApiEndpoint"] is True
