"""``stjarna audit list``: the global rows (admin key creation and revocation, global flag changes) that
no other command showed, and per-restaurant ones, with the --restaurant/--global, --action, --since and
--limit filters, as a table and as JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from shared import cli
from shared.cli.audit import since


def run_json(capsys, *argv: str) -> list[dict]:
    capsys.readouterr()
    assert cli.main(["audit", "list", "--json", *argv]) == 0
    return orjson.loads(capsys.readouterr().out)


@pytest.fixture
def trail(cli_env, monkeypatch, capsys, sql) -> str:
    """Seeded; a key created and revoked; ORDERING_ENABLED set globally and for demo; a row from last week.
    Returns the key's id."""
    monkeypatch.setenv("FLAGS_BACKEND", "file")
    assert cli.main(["db", "seed"]) == 0
    capsys.readouterr()
    assert cli.main(["keys", "create", "--name", "support-2026", "--json"]) == 0
    key_id = orjson.loads(capsys.readouterr().out)["id"]
    assert cli.main(["keys", "revoke", key_id]) == 0
    assert cli.main(["flags", "set", "ORDERING_ENABLED", "false", "--actor", "anna"]) == 0
    assert cli.main(["flags", "set", "ORDERING_ENABLED", "true", "--restaurant", "demo", "--actor", "anna"]) == 0
    sql("insert into audit_log (at, actor, action, details) values (now() - interval '8 days', 'cli:old', "
        "'flag.unset', '{\"flag\": \"USE_SERVER_CHAT\"}')")
    capsys.readouterr()
    return str(key_id)


def test_global_rows_are_listed_newest_first(trail, capsys):
    rows = run_json(capsys, "--global")
    assert [r["action"] for r in rows] == ["flag.set", "admin_key.revoke", "admin_key.create", "flag.unset"]
    assert all(r["restaurantId"] is None for r in rows)
    assert rows[0]["actor"] == "cli:anna" and rows[0]["details"]["scope"] == "global"
    assert rows[1]["details"] == {"keyId": trail, "name": "support-2026"} == rows[2]["details"]


def test_every_row_by_default_and_one_restaurant_with_its_slug(trail, capsys):
    everything = run_json(capsys)
    assert {"flag.set", "admin_key.create", "admin_key.revoke", "flag.unset"} <= {r["action"] for r in everything}
    demo = run_json(capsys, "--restaurant", "demo")
    assert demo and all(r["restaurantSlug"] == "demo" for r in demo)
    assert [r["details"]["value"] for r in demo if r["action"] == "flag.set"] == ["true"]


def test_action_family_since_and_limit(trail, capsys):
    assert {r["action"] for r in run_json(capsys, "--action", "admin_key")} == {"admin_key.create",
                                                                                  "admin_key.revoke"}
    assert [r["action"] for r in run_json(capsys, "--action", "admin_key.revoke")] == ["admin_key.revoke"]
    assert [r["actor"] for r in run_json(capsys, "--global", "--action", "flag")][-1] == "cli:old"
    assert "cli:old" not in {r["actor"] for r in run_json(capsys, "--global", "--since", "7d")}
    assert len(run_json(capsys, "--global", "--limit", "2")) == 2


def test_the_table_names_global_rows(trail, capsys):
    assert cli.main(["audit", "list", "--global", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["AT", "ACTOR", "ACTION", "RESTAURANT", "DETAILS"]
    assert "admin_key.create" in out and "(global)" in lines[1] and "at most 3" in lines[-1]


def test_bad_filters_are_refused(trail, capsys):
    assert cli.main(["audit", "list", "--since", "last tuesday"]) == cli.EXIT_REFUSED
    assert "--since" in capsys.readouterr().err
    assert cli.main(["audit", "list", "--action", "drop table"]) == cli.EXIT_REFUSED
    assert cli.main(["audit", "list", "--restaurant", "nowhere"]) == cli.EXIT_REFUSED
    assert "RESTAURANT_NOT_FOUND" in capsys.readouterr().err


def test_since_reads_durations_and_iso_times():
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert since("30m", now) == now - timedelta(minutes=30)
    assert since("7d", now) == now - timedelta(days=7)
    assert since("2026-12-01T08:00") == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert since("2026-12-01T08:00+01:00").utcoffset() == timedelta(hours=1)
