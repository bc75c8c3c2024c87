"""One contract for every KV adapter (MemoryKV, UpstashKV through the Upstash bridge)."""

from __future__ import annotations

import time

import pytest

from shared.errors import KVUnavailable
from tests.contract.conftest import KV_FAULT_TIMEOUT
from tests.support.redis_server import socket_path
from tests.support.servers import closed_port, serve
from tests.support.upstash_bridge import UpstashBridge


def test_get_set_delete(any_kv):
    assert any_kv.get("menu:a:1") is None
    any_kv.set("menu:a:1", "first", 60)
    assert any_kv.get("menu:a:1") == "first"
    any_kv.set("menu:a:1", "second", 60)
    assert any_kv.get("menu:a:1") == "second"
    any_kv.delete("menu:a:1")
    assert any_kv.get("menu:a:1") is None
    any_kv.delete("menu:a:1")  # deleting a missing key is fine


def test_keys_are_independent(any_kv):
    any_kv.set("k1", "one", 60)
    any_kv.set("k2", "two", 60)
    any_kv.delete("k1")
    assert (any_kv.get("k1"), any_kv.get("k2")) == (None, "two")


@pytest.mark.parametrize("value", ["", "OK", "PONG", "0", "null", '"etag"\n{"a": 1}', "Stjärna 🍜 ✓ 漢字 \u0000 end",
                                   "T0s="])
def test_values_round_trip_exactly(any_kv, value):
    any_kv.set("value", value, 60)
    assert any_kv.get("value") == value


def test_unicode_keys(any_kv):
    any_kv.set("menu:Stjärna:🍜", "yes", 60)
    assert any_kv.get("menu:Stjärna:🍜") == "yes"


def test_large_value(any_kv):
    value = ("åäö-menu-" * 25_000)[:200_000]
    any_kv.set("big", value, 60)
    assert any_kv.get("big") == value


def test_ttl_expiry(any_kv, kv_advance):
    any_kv.set("short", "gone soon", 1)
    any_kv.set("long", "stays", 60)
    assert any_kv.get("short") == "gone soon"
    kv_advance(1.1)
    assert any_kv.get("short") is None
    assert any_kv.get("long") == "stays"


def test_set_resets_the_ttl(any_kv, kv_advance):
    any_kv.set("key", "v1", 1)
    any_kv.set("key", "v2", 60)
    kv_advance(1.1)
    assert any_kv.get("key") == "v2"


def test_ping(any_kv):
    any_kv.ping()


def test_get_many(any_kv):
    any_kv.set("a", "1", 60)
    any_kv.set("c", "3", 60)
    assert any_kv.get_many(["a", "b", "c"]) == ["1", None, "3"]


def test_write_sets_and_counts_in_one_call(any_kv):
    any_kv.write(sets=[("ctx", "{}", 60)], counters=[("quota", 60), ("other", 60)])
    any_kv.write(counters=[("quota", 60)])
    assert any_kv.get_many(["ctx", "quota", "other"]) == ["{}", "2", "1"]
    any_kv.write()  # nothing to do is fine


def test_a_counter_keeps_the_ttl_it_was_created_with(any_kv, kv_advance):
    any_kv.write(counters=[("month", 1)])
    any_kv.write(counters=[("month", 60)])  # a later TTL does not extend the month
    assert any_kv.get("month") == "2"
    kv_advance(1.1)
    assert any_kv.get("month") is None
    any_kv.write(counters=[("month", 60)])
    assert any_kv.get("month") == "1"


# -- Upstash specifics: the TTL reaches Redis; faults become KVUnavailable, bounded in time ------
def test_upstash_ttl_reaches_redis(upstash, redis_server, new_upstash_kv):
    url, _ = upstash
    new_upstash_kv(url).set("menu:x:1", "body", 86400)
    assert 86390 <= redis_server.ttl("menu:x:1") <= 86400


def test_upstash_stopped_bridge_is_kv_unavailable(redis_server, new_upstash_kv):
    bridge = UpstashBridge(socket_path(redis_server), "token")
    with serve(bridge.app) as server:
        kv = new_upstash_kv(server.url, KV_FAULT_TIMEOUT, token="token")
        kv.set("key", "value", 60)
        server.stop()
        started = time.monotonic()
        for call in (kv.ping, lambda: kv.get("key"), lambda: kv.set("key", "v", 60), lambda: kv.delete("key")):
            with pytest.raises(KVUnavailable):
                call()
        assert time.monotonic() - started < 2 * KV_FAULT_TIMEOUT
    bridge.close()


def test_upstash_closed_port_is_kv_unavailable(new_upstash_kv):
    kv = new_upstash_kv(f"http://127.0.0.1:{closed_port()}", KV_FAULT_TIMEOUT)
    with pytest.raises(KVUnavailable):
        kv.get("key")


def test_upstash_slow_bridge_is_kv_unavailable_within_the_timeout(upstash, new_upstash_kv):
    url, bridge = upstash
    kv = new_upstash_kv(url, KV_FAULT_TIMEOUT)
    bridge.delay_seconds = 3 * KV_FAULT_TIMEOUT
    started = time.monotonic()
    with pytest.raises(KVUnavailable):
        kv.get("key")
    elapsed = time.monotonic() - started
    assert KV_FAULT_TIMEOUT * 0.9 <= elapsed < 2 * KV_FAULT_TIMEOUT


def test_upstash_bad_token_is_kv_unavailable(upstash, new_upstash_kv):
    url, _ = upstash
    with pytest.raises(KVUnavailable):
        new_upstash_kv(url, token="wrong").get("key")
