"""``stjarna keys create --restaurant SLUG --role ROLE``, ``keys list [--restaurant]`` and ``keys revoke``
for staff keys: the key printed once in the format the runbook shows, the scope in the listing and in
the audit trail."""

from __future__ import annotations

import orjson
import pytest

from shared import cli
from shared.container import default_container


@pytest.fixture
def seeded_cli(cli_env, capsys):
    assert cli.main(["db", "seed"]) == 0
    capsys.readouterr()
    return cli_env


def test_create_a_kitchen_key_of_a_restaurant(seeded_cli, capsys, sql):
    assert cli.main(["keys", "create", "--restaurant", "demo", "--role", "kitchen"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("created admin key ") and out[0].endswith("(kitchen key, kitchen of demo)")
    assert out[1].startswith("key: stj_") and len(out[1]) == len("key: ") + 47
    assert out[2].startswith("Store it now: it is not shown again.") and "/console" in out[2]
    identity = default_container().admin_keys.verify(out[1].removeprefix("key: "))
    demo = str(sql("select id from restaurants where slug = 'demo'")[0][0])
    assert identity is not None and (identity.role, identity.restaurant_id) == ("kitchen", demo)
    assert sql("select restaurant_id::text, details->>'role' from audit_log where action = 'admin_key.create'") == [
        (demo, "kitchen")]


def test_a_platform_key_prints_as_before(seeded_cli, capsys):
    assert cli.main(["keys", "create", "--name", "support-2026"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("created admin key ") and out[0].endswith("(support-2026)")
    assert out[2] == "Store it now: it is not shown again. Use it as 'Authorization: Bearer <key>'."


@pytest.mark.parametrize("argv", [
    ["--role", "kitchen", "--name", "x"],  # a staff key without its restaurant
    ["--restaurant", "demo", "--role", "platform"],
    [],  # a platform key without a name
])
def test_inconsistent_options_are_refused(seeded_cli, capsys, argv):
    assert cli.main(["keys", "create", *argv]) != 0
    assert "key:" not in capsys.readouterr().out


def test_an_unknown_restaurant_is_refused(seeded_cli, capsys):
    assert cli.main(["keys", "create", "--restaurant", "nowhere", "--role", "owner"]) != 0


def test_list_shows_role_and_restaurant_and_filters(seeded_cli, capsys):
    for argv in (["--name", "support"], ["--restaurant", "demo", "--role", "owner", "--name", "anna"],
                 ["--restaurant", "nattbaren", "--name", "bar tablet"]):
        assert cli.main(["keys", "create", *argv]) == 0
    capsys.readouterr()
    assert cli.main(["keys", "list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["ID", "NAME", "ROLE", "RESTAURANT"]
    assert cli.main(["keys", "list", "--restaurant", "demo", "--json"]) == 0
    listed = orjson.loads(capsys.readouterr().out)
    assert [(k["name"], k["role"], k["restaurant"]) for k in listed] == [("anna", "owner", "demo")]
    assert cli.main(["keys", "revoke", listed[0]["id"]]) == 0
    assert "revoked admin key" in capsys.readouterr().out
