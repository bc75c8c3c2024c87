"""Feature flags: the layers and their precedence, caching, bad overrides, failing stores (a local
flags file and SSM Parameter Store under moto), and what the API does with them."""

from __future__ import annotations

import json
import logging

import boto3
import pytest
from moto import mock_aws

from shared.errors import ValidationFailed
from shared.flags import Flags, parse_value
from shared.flags.file import FileFlagStore
from shared.flags.ssm import SsmFlagStore
from tests.conftest import Ticks, make_settings
from tests.orders.conftest import new_key, order_body


@pytest.fixture
def file_store(tmp_path):
    return FileFlagStore(tmp_path / "flags.json")


def test_precedence_default_env_global_tenant(file_store):
    flags = Flags(make_settings(CHAT_RATE_LIMIT="20 per minute", USE_SERVER_CHAT="true"), file_store)
    file_store.put("AI_DEGRADED_MODE", "true", None)
    file_store.put("USE_SERVER_CHAT", "false", None)
    file_store.put("USE_SERVER_CHAT", "true", "demo")
    file_store.put("MENU_S_MAXAGE", "5", "demo")
    demo, other, everyone = flags.for_restaurant("demo"), flags.for_restaurant("nattbaren"), flags.for_restaurant()
    assert (demo["ORDERING_ENABLED"].value, demo["ORDERING_ENABLED"].source) == (True, "default")
    assert (demo["CHAT_RATE_LIMIT"].value, demo["CHAT_RATE_LIMIT"].source) == ("20 per minute", "env")
    assert (demo["AI_DEGRADED_MODE"].value, demo["AI_DEGRADED_MODE"].source) == (True, "global")
    assert (demo["USE_SERVER_CHAT"].value, demo["USE_SERVER_CHAT"].source) == (True, "tenant")
    assert (other["USE_SERVER_CHAT"].value, other["USE_SERVER_CHAT"].source) == (False, "global")
    assert (demo["MENU_S_MAXAGE"].value, other["MENU_S_MAXAGE"].value) == (5, 60)
    assert everyone == other  # no tenant layer for nattbaren


def test_values_are_cached_for_the_flag_cache_time(file_store):
    clock = Ticks()
    flags = Flags(make_settings(FLAGS_CACHE_SECONDS="30"), file_store, clock=clock)
    assert flags.value("USE_SERVER_CHAT", "demo") is True
    file_store.put("USE_SERVER_CHAT", "false", None)
    clock.now += 29
    assert flags.value("USE_SERVER_CHAT", "demo") is True and not flags.stale
    clock.now += 1
    assert flags.stale and flags.value("USE_SERVER_CHAT", "demo") is False


def test_bad_and_unknown_overrides_are_ignored_and_logged_once(file_store, caplog):
    file_store.put("CHAT_RATE_LIMIT", "lots", None)
    file_store.put("MENU_S_MAXAGE", "-5", "demo")
    file_store.put("NO_SUCH_FLAG", "true", None)
    flags = Flags(make_settings(), file_store)
    with caplog.at_level(logging.WARNING, logger="stjarna.flags"):
        for _ in range(3):
            values = flags.for_restaurant("demo")
            flags._computed.clear()  # recompute: the warnings must still come once
    assert (values["CHAT_RATE_LIMIT"].value, values["CHAT_RATE_LIMIT"].source) == ("15 per 30 seconds", "default")
    assert values["MENU_S_MAXAGE"].value == 60
    assert [r.flag for r in caplog.records] == ["CHAT_RATE_LIMIT", "NO_SUCH_FLAG", "MENU_S_MAXAGE"]


def test_a_failing_store_keeps_the_last_good_values(file_store, caplog):
    clock = Ticks()
    flags = Flags(make_settings(FLAGS_CACHE_SECONDS="1"), file_store, clock=clock)
    file_store.put("USE_SERVER_CHAT", "false", None)
    assert flags.value("USE_SERVER_CHAT") is False
    file_store.path.write_text("[not a flags file")
    with caplog.at_level(logging.WARNING, logger="stjarna.flags"):
        for _ in range(3):
            clock.now += 2
            assert flags.value("USE_SERVER_CHAT") is False  # the last good value, never an error
    assert flags.failing
    assert sum("unavailable" in r.getMessage() for r in caplog.records) == 1
    file_store.path.write_text(json.dumps({"global": {"USE_SERVER_CHAT": "true"}}))
    clock.now += 2
    assert flags.value("USE_SERVER_CHAT") is True and not flags.failing


def test_with_no_store_ever_readable_the_defaults_apply(tmp_path):
    broken = FileFlagStore(tmp_path)  # a directory: unreadable as a file
    flags = Flags(make_settings(), broken)
    assert flags.value("ORDERING_ENABLED") is True and flags.failing


@pytest.mark.parametrize(("name", "raw", "value"), [
    ("USE_SERVER_CHAT", "FALSE", False), ("AI_DEGRADED_MODE", "on", True), ("MENU_S_MAXAGE", "0", 0),
    ("CHAT_RATE_LIMIT", " 10 per minute ", "10 per minute"), ("ORDER_RATE_LIMIT", "3/minute", "3/minute"),
    ("use_server_chat", "true", True),
])
def test_values_parse(name, raw, value):
    assert parse_value(name, raw) == value


@pytest.mark.parametrize(("name", "raw", "message"), [
    ("USE_SERVER_CHAT", "maybe", "must be true or false"),
    ("CHAT_RATE_LIMIT", "lots", "must be one rate limit"),
    ("CHAT_RATE_LIMIT", "0 per minute", "must be one rate limit"),
    ("MENU_S_MAXAGE", "90000", "from 0 to 86400"),
    ("NOPE", "1", "unknown flag 'NOPE'"),
])
def test_bad_values_are_refused_with_the_reason(name, raw, message):
    with pytest.raises(ValidationFailed) as info:
        parse_value(name, raw)
    assert message in info.value.errors[0]["message"]


# -- SSM Parameter Store (moto) ---------------------------------------------------------------------
@pytest.fixture
def ssm(aws_env):
    with mock_aws():
        yield boto3.client("ssm")


def test_ssm_layers_and_paths(ssm):
    ssm.put_parameter(Name="/stjarna/test/flags/USE_SERVER_CHAT", Value="false", Type="String")
    ssm.put_parameter(Name="/stjarna/test/tenants/demo/flags/USE_SERVER_CHAT", Value="true", Type="String")
    ssm.put_parameter(Name="/stjarna/test/tenants/demo/flags/ORDER_RATE_LIMIT", Value="2 per minute", Type="String")
    ssm.put_parameter(Name="/stjarna/test/SUPABASE_SERVICE_ROLE_KEY", Value="secret", Type="SecureString")
    ssm.put_parameter(Name="/stjarna/prod/flags/USE_SERVER_CHAT", Value="true", Type="String")  # another stage
    for n in range(12):  # more than one page of GetParametersByPath
        ssm.put_parameter(Name=f"/stjarna/test/tenants/t{n}/flags/MENU_S_MAXAGE", Value=str(n), Type="String")
    store = SsmFlagStore("test", timeout_seconds=1)
    loaded = store.load()
    assert dict(loaded.global_) == {"USE_SERVER_CHAT": "false"}
    assert dict(loaded.tenants["demo"]) == {"USE_SERVER_CHAT": "true", "ORDER_RATE_LIMIT": "2 per minute"}
    assert loaded.tenants["t11"] == {"MENU_S_MAXAGE": "11"}
    flags = Flags(make_settings(STJARNA_STAGE="test"), store)
    assert flags.for_restaurant("demo")["USE_SERVER_CHAT"].source == "tenant"
    assert flags.value("USE_SERVER_CHAT", "nattbaren") is False

    store.put("AI_DEGRADED_MODE", "true", "demo")
    assert ssm.get_parameter(Name="/stjarna/test/tenants/demo/flags/AI_DEGRADED_MODE")["Parameter"]["Value"] == "true"
    assert store.delete("AI_DEGRADED_MODE", "demo") is True
    assert store.delete("AI_DEGRADED_MODE", "demo") is False


def test_ssm_unreachable_keeps_defaults_then_last_good(aws_env, caplog):
    from botocore.config import Config

    from tests.support.servers import closed_port

    client = boto3.client("ssm", endpoint_url=f"http://127.0.0.1:{closed_port()}",
                          config=Config(connect_timeout=0.5, read_timeout=0.5, retries={"max_attempts": 1}))
    clock = Ticks()
    flags = Flags(make_settings(USE_SERVER_CHAT="false"), SsmFlagStore("test", timeout_seconds=0.5, client=client),
                  clock=clock)
    with caplog.at_level(logging.WARNING, logger="stjarna.flags"):
        assert flags.value("USE_SERVER_CHAT") is False  # the environment layer: SSM never answered
        clock.now += 31
        assert flags.value("ORDERING_ENABLED") is True
    assert flags.failing
    assert sum("unavailable" in r.getMessage() for r in caplog.records) == 1


# -- what the API does with them ----------------------------------------------------------------
@pytest.fixture
def flagged(app_for, tmp_path, clock):
    """An app whose flags file is in tmp_path (read on every request: FLAGS_CACHE_SECONDS=0; health
    reports each change at once: HEALTH_CACHE_SECONDS=0)."""
    client, container = app_for(clock=clock, STJARNA_DATA_DIR=str(tmp_path), FLAGS_CACHE_SECONDS="0",
                                HEALTH_CACHE_SECONDS="0")
    return client, FileFlagStore(tmp_path / "flags.json")


def chat(client, restaurant="demo", session="flag-session-1"):
    return client.post("/api/chat", json={"restaurantId": restaurant, "sessionToken": session,
                                          "message": "anything vegan?"})


def test_server_chat_off_for_one_restaurant(flagged):
    client, store = flagged
    store.put("USE_SERVER_CHAT", "false", "demo")
    off = chat(client)
    assert off.status_code == 503 and off.json()["error"]["code"] == "SERVER_CHAT_DISABLED"
    assert client.get("/api/public/config?restaurantId=demo").json()["features"]["serverChat"] is False
    assert chat(client, "nattbaren").status_code == 200
    store.delete("USE_SERVER_CHAT", "demo")
    assert chat(client).status_code == 200


def test_rate_limits_change_without_a_deploy(flagged):
    client, store = flagged
    store.put("CHAT_RATE_LIMIT", "2 per minute", "demo")
    statuses = [chat(client).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert chat(client, session="flag-session-2").headers["X-RateLimit-Limit"] == "2"
    assert chat(client, "nattbaren").headers["X-RateLimit-Limit"] == "15"


def test_ordering_off_and_order_limits_per_restaurant(flagged, items):
    client, store = flagged
    store.put("ORDER_RATE_LIMIT", "1 per minute", None)
    body = order_body((items["demo/hummus"], 1))
    assert [client.post("/api/orders", json=body, headers={"Idempotency-Key": new_key()}).status_code
            for _ in range(2)] == [201, 429]
    store.put("ORDERING_ENABLED", "false", "demo")
    r = client.post("/api/orders", json=order_body((items["demo/hummus"], 1), session="other-diner-9"),
                    headers={"Idempotency-Key": new_key()})
    assert r.json()["error"]["code"] == "ORDERING_DISABLED"


def test_menu_cache_numbers_are_flags(flagged):
    client, store = flagged
    default = client.get("/api/public/menu?restaurantId=demo")
    assert default.headers["Cache-Control"] == "public, s-maxage=60, stale-while-revalidate=300"
    store.put("MENU_S_MAXAGE", "0", "demo")
    store.put("MENU_STALE_WHILE_REVALIDATE", "30", None)
    changed = client.get("/api/public/menu?restaurantId=demo")
    assert changed.headers["Cache-Control"] == "public, s-maxage=0"  # no CDN copy: no stale one either
    assert changed.headers["ETag"] == default.headers["ETag"]  # same bytes, same ETag
    other = client.get("/api/public/menu?restaurantId=nattbaren")
    assert other.headers["Cache-Control"] == "public, s-maxage=60, stale-while-revalidate=30"


def test_ai_degraded_mode_flag_reaches_health(flagged):
    client, store = flagged
    store.put("AI_DEGRADED_MODE", "true", None)
    checks = client.get("/api/health").json()["checks"]
    assert checks["ai"]["reason"] == "AI_DEGRADED_MODE" and checks["flags"]["source"] == "file"
    store.path.write_text("{broken")
    body = client.get("/api/health").json()
    assert body["checks"]["flags"]["status"] == "degraded" and body["status"] == "degraded"


def test_each_name_is_typed_as_what_it_parses_to():
    from typing import get_args

    from shared.flags import SPECS, BoolFlag, CountFlag, FlagName, LimitFlag, SecondsFlag

    assert set(get_args(FlagName)) == set(SPECS)
    values = Flags(make_settings(), None).for_restaurant()
    for names, kind in ((BoolFlag, bool), (LimitFlag, str), (SecondsFlag, int), (CountFlag, int)):
        assert all(type(values[name].value) is kind for name in get_args(names))
