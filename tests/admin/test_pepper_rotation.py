"""Rotating ADMIN_KEY_PEPPER (docs/operations.md, Rotating secrets): keys made under pepper A still
authenticate once B is the pepper and A the previous one, and are re-hashed under B on first use (an
audited change); after the window (no previous pepper) the re-hashed keys still work and the ones
nobody used do not, until re-issued."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from shared.admin.keys import AdminKeys

PEPPER_A = "pepper-A-Jq8vT2mXw5LzR9cN4bKd7HsE"
PEPPER_B = "pepper-B-Yp3gF6nVa1QeU8tMk0WcZ5rD"


def digest(pepper: str, key: str) -> str:
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def keys_under_a(seeded) -> tuple[str, str]:
    made = AdminKeys(seeded, PEPPER_A)
    used, _ = made.create("used-during-rotation", "cli:test")
    idle, _ = made.create("idle-during-rotation", "cli:test")
    return used, idle


def status(client, key: str) -> int:
    return client.get("/api/admin/orders", params={"restaurantId": "demo"},
                      headers={"Authorization": f"Bearer {key}"}).status_code


def test_keys_survive_a_rotation_and_unused_ones_stop_after_the_window(app_for, keys_under_a, sql):
    used, idle = keys_under_a
    before, _ = app_for(("admin",), ADMIN_KEY_PEPPER=PEPPER_A)
    assert status(before, used) == 200

    just_b, _ = app_for(("admin",), ADMIN_KEY_PEPPER=PEPPER_B)  # switching without a window: locked out
    assert status(just_b, used) == 401

    during, _ = app_for(("admin",), ADMIN_KEY_PEPPER=PEPPER_B, ADMIN_KEY_PEPPER_PREVIOUS=PEPPER_A)
    assert status(during, used) == 200
    hashes = dict(sql("select name, key_hash from admin_keys"))
    assert hashes["used-during-rotation"] == digest(PEPPER_B, used)  # re-hashed on first use
    assert hashes["idle-during-rotation"] == digest(PEPPER_A, idle)
    assert status(during, used) == 200  # now by the current pepper
    rehashed = sql("select actor, details->>'name' from audit_log where action = 'admin_key.rehash'")
    assert [name for _, name in rehashed] == ["used-during-rotation"]  # once, audited

    after, _ = app_for(("admin",), ADMIN_KEY_PEPPER=PEPPER_B)  # the window is over
    assert status(after, used) == 200
    assert status(after, idle) == 401  # never used in the window: re-issue it (keys create, then revoke)


def test_the_previous_pepper_never_creates_or_shadows(seeded, sql):
    keys = AdminKeys(seeded, PEPPER_B, previous=PEPPER_A)
    key, record = keys.create("new", "cli:test")
    assert sql("select key_hash from admin_keys where id = %s", record["id"]) == [(digest(PEPPER_B, key),)]
    assert keys.verify(key) is not None
    assert AdminKeys(seeded, PEPPER_A).verify(key) is None
    assert keys.verify("stj_" + "x" * 43) is None
