"""BLOCKED_CLIENTS: a listed client (IPv4 or IPv6, address or CIDR) is answered 403 CLIENT_BLOCKED before
any work, on every route of an app that does work; a restaurant's own list adds to the global one for
its routes only; a change applies within FLAGS_CACHE_SECONDS; the address is the one the app derives
(CloudFront-Viewer-Address behind the CDN); invalid lists are refused when the flag is set."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from shared import cli
from shared.container import Container, default_container
from shared.errors import ConfigError, ValidationFailed
from shared.flags import Flags, parse_value
from shared.flags.file import FileFlagStore
from shared.http.app import create_app
from shared.kv.memory import MemoryKV
from shared.networks import blocked, normalise_networks
from shared.settings import load_settings
from tests.conftest import Ticks, make_settings

ABUSER = "203.0.113.7"
NEIGHBOUR = "203.0.113.200"  # same /24, not listed
CHAT = {"restaurantId": "demo", "sessionToken": "blocking-test-01", "message": "something vegan?"}


@pytest.fixture
def world(seeded, tmp_path):
    """(client for an address, the flags file, the flags' clock); flags cached for 30 s."""
    clock = Ticks()
    store = FileFlagStore(tmp_path / "flags.json")
    settings = make_settings(STJARNA_DATA_DIR=str(tmp_path), FLAGS_CACHE_SECONDS="30",
                             CDN_ORIGIN_SECRET="origin-secret-0123456789abcdef")
    container = Container(settings, store=seeded, kv=MemoryKV(), flags=Flags(settings, store, clock=clock))
    app = create_app(container=container)

    def client(address: str) -> TestClient:
        return TestClient(app, base_url="http://testserver", raise_server_exceptions=False, client=(address, 50000))

    return client, store, clock


def assert_blocked(r) -> None:
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "CLIENT_BLOCKED"
    assert "access-control-allow-origin" not in r.headers


def test_a_globally_listed_client_is_refused_everywhere_before_any_work(world, log_lines):
    client, store, clock = world
    store.put("BLOCKED_CLIENTS", normalise_networks(f"{ABUSER}, 2001:db8::/32"), None)
    abuser, neighbour = client(ABUSER), client(NEIGHBOUR)
    for r in (abuser.get("/api/public/menu", params={"restaurantId": "demo"}),
              abuser.get("/api/public/menu", params={"restaurantId": "nowhere"}),  # not even resolved: no 404
              abuser.post("/api/chat", json=CHAT),
              abuser.post("/api/orders/quote", content=b"{not json"),  # not even parsed: no 422
              abuser.get("/api/admin/orders", params={"restaurantId": "demo"}),  # no 401 either
              abuser.get("/api/health"),
              client("2001:db8:7::1").get("/api/public/menu", params={"restaurantId": "demo"}),
              client(f"::ffff:{ABUSER}").get("/api/public/config", params={"restaurantId": "demo"})):
        assert_blocked(r)
    assert neighbour.get("/api/public/menu", params={"restaurantId": "demo"}).status_code == 200
    assert neighbour.post("/api/chat", json=CHAT).status_code == 200
    assert client("2001:db9::1").get("/api/health").status_code == 200
    assert abuser.get("/api/health/live").status_code == 200  # liveness: no settings, no flags, no work
    lines = [line for line in log_lines() if line.get("status") == 403]
    assert lines and all(line["outcome"] == "blocked" for line in lines)


def test_a_restaurants_list_blocks_its_routes_only_and_adds_to_the_global_one(world):
    client, store, _ = world
    store.put("BLOCKED_CLIENTS", "198.51.100.0/24", "demo")
    store.put("BLOCKED_CLIENTS", ABUSER, None)
    listed = client("198.51.100.23")
    assert_blocked(listed.get("/api/public/menu", params={"restaurantId": "demo"}))
    assert_blocked(listed.options("/api/chat", params={"restaurantId": "demo"},
                                  headers={"Origin": "https://demo.example", "Access-Control-Request-Method": "POST"}))
    assert_blocked(listed.post("/api/chat", json=CHAT))
    assert listed.get("/api/public/menu", params={"restaurantId": "nattbaren"}).status_code == 200
    assert listed.get("/api/health").status_code == 200
    assert_blocked(client(ABUSER).get("/api/public/menu", params={"restaurantId": "demo"}))  # global still applies


def test_changes_apply_within_the_flag_cache_time(world):
    client, store, clock = world
    abuser = client(ABUSER)
    assert abuser.get("/api/health").status_code == 200
    store.put("BLOCKED_CLIENTS", "203.0.113.0/24", None)
    clock.now += 29
    assert abuser.get("/api/health").status_code == 200  # cached for FLAGS_CACHE_SECONDS
    clock.now += 1
    assert_blocked(abuser.get("/api/health"))
    store.delete("BLOCKED_CLIENTS", None)
    clock.now += 30
    assert abuser.get("/api/health").status_code == 200


def test_behind_the_cdn_the_viewer_address_is_the_one_checked(world):
    client, store, _ = world
    store.put("BLOCKED_CLIENTS", ABUSER, None)
    edge = client("130.176.0.10")  # a CloudFront edge
    via_cdn = {"X-Origin-Verify": "origin-secret-0123456789abcdef", "CloudFront-Viewer-Address": f"{ABUSER}:443"}
    assert_blocked(edge.get("/api/health", headers=via_cdn))
    forged = {"CloudFront-Viewer-Address": f"{NEIGHBOUR}:443"}  # without the secret: the peer counts
    assert client(ABUSER).get("/api/health", headers=forged).status_code == 403
    neighbour_via_cdn = {**via_cdn, "CloudFront-Viewer-Address": f"{NEIGHBOUR}:1"}
    assert edge.get("/api/health", headers=neighbour_via_cdn).status_code == 200


def test_the_widget_alone_never_loads_flags(tmp_path):
    app = create_app(("widget",), container=lambda: pytest.fail("the widget function built the container"))
    r = TestClient(app, client=(ABUSER, 1)).get("/widget.js")
    assert r.status_code in {200, 404}


@pytest.mark.parametrize(("raw", "message"), [
    ("198.51.100.7/24", "did you mean 198.51.100.0/24?"),
    ("203.0.113.7, example.com", "'example.com' is not an IP address or CIDR network"),
    ("0.0.0.0/0", "wider than /8"),
    ("2000::/8", "wider than /16"),
    (", ".join(f"10.0.{i // 256}.{i % 256}" for i in range(501)), "at most 500"),
])
def test_invalid_lists_are_refused_when_the_flag_is_set(raw, message, cli_env, monkeypatch, capsys):
    with pytest.raises(ValidationFailed) as refused:
        parse_value("BLOCKED_CLIENTS", raw)
    assert message in refused.value.errors[0]["message"]
    monkeypatch.setenv("FLAGS_BACKEND", "file")
    default_container.cache_clear()
    assert cli.main(["flags", "set", "BLOCKED_CLIENTS", raw]) == cli.EXIT_REFUSED
    assert message in capsys.readouterr().err
    with pytest.raises(ConfigError, match="BLOCKED_CLIENTS"):
        load_settings({"BLOCKED_CLIENTS": raw})


def test_lists_are_normalised_and_matched():
    text = parse_value("blocked_clients", " 203.0.113.7,198.51.100.0/24\n2001:DB8::/32 203.0.113.7 ")
    assert text == "203.0.113.7, 198.51.100.0/24, 2001:db8::/32"
    assert blocked("198.51.100.255", text) and blocked("2001:db8:ffff::1", text) and blocked("::ffff:203.0.113.7", text)
    assert not blocked("198.51.101.0", text) and not blocked("2001:db9::1", text) and not blocked("testclient", text)
    assert not blocked(ABUSER, "")
    edges = normalise_networks("10.0.0.0/8, 192.0.2.128/25, 2001:db8::1, 2001:db8:ff00::/40")
    assert [blocked(ip, edges) for ip in ("10.255.255.255", "11.0.0.0", "192.0.2.127", "192.0.2.128",
                                            "2001:db8::1", "2001:db8::2", "2001:db8:ffff::", "2001:db8:fe00::")] == [
        True, False, False, True, True, False, True, False]
