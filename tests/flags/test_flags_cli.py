"""`stjarna flags list|set|unset`: validated, audited, written to the flags file (development) or SSM
(production, under moto); and, against a running `stjarna serve`, a flag set from the command line
turns server chat off within the flag cache time."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import orjson
import pytest
from moto import mock_aws

from shared import cli
from shared.container import default_container
from shared.menus.io import import_menu
from tests.conftest import seed_documents, server_data_dir
from tests.support.serve_process import stjarna_serve
from tests.support.servers import closed_port


@pytest.fixture
def seeded_cli(cli_env):
    for document in seed_documents():
        import_menu(default_container().store, document)
    return cli_env


def rebuild_container():
    """The CLI's container again, from the environment as changed by the test."""
    default_container().close()
    default_container.cache_clear()


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def audit(database):
    import psycopg

    with psycopg.connect(database) as conn:
        return conn.execute("select actor, action, details->>'flag', details->>'scope' from audit_log "
                            "where action like 'flag.%' order by id").fetchall()


def test_set_list_unset_with_the_flags_file(seeded_cli, capsys, tmp_path):
    code, out, _ = run(capsys, "flags", "set", "USE_SERVER_CHAT", "false", "--restaurant", "demo", "--actor", "ops")
    assert code == 0 and out.startswith("USE_SERVER_CHAT = false (restaurant demo, file:")
    assert "within 30 s" in out
    code, out, _ = run(capsys, "flags", "set", "chat_rate_limit", "10 per minute")
    assert code == 0
    stored = orjson.loads((tmp_path / "data" / "flags.json").read_bytes())
    assert stored == {"global": {"CHAT_RATE_LIMIT": "10 per minute"},
                      "tenants": {"demo": {"USE_SERVER_CHAT": "false"}}}

    code, out, _ = run(capsys, "flags", "list", "--restaurant", "demo")
    rows = {line.split()[0]: line.split()[1:3] for line in out.splitlines()[1:] if line.split()}
    assert rows["USE_SERVER_CHAT"] == ["false", "tenant"]
    assert rows["ORDERING_ENABLED"] == ["true", "default"]
    code, out, _ = run(capsys, "flags", "list", "--json")
    listed = orjson.loads(out)
    assert listed["flags"]["USE_SERVER_CHAT"] == {"value": True, "source": "default"}
    assert listed["flags"]["CHAT_RATE_LIMIT"] == {"value": "10 per minute", "source": "global"}

    assert run(capsys, "flags", "unset", "USE_SERVER_CHAT", "--restaurant", "demo")[0] == 0
    code, _, err = run(capsys, "flags", "unset", "USE_SERVER_CHAT", "--restaurant", "demo")
    assert code == 1 and "no restaurant demo override" in err
    me = f"cli:{getpass.getuser()}"
    assert audit(seeded_cli) == [("cli:ops", "flag.set", "USE_SERVER_CHAT", "demo"),
                                 (me, "flag.set", "CHAT_RATE_LIMIT", "global"),
                                 (me, "flag.unset", "USE_SERVER_CHAT", "demo")]


def test_a_restaurant_named_by_id_is_stored_under_its_slug(seeded_cli, capsys, tmp_path):
    rid = str(default_container().store.rpc("stjarna_resolve", {"p_ref": "nattbaren"}))
    code, out, _ = run(capsys, "flags", "set", "ORDERING_ENABLED", "false", "--restaurant", rid.upper())
    assert code == 0 and "restaurant nattbaren" in out
    stored = orjson.loads((tmp_path / "data" / "flags.json").read_bytes())
    assert stored["tenants"] == {"nattbaren": {"ORDERING_ENABLED": "false"}}


@pytest.mark.parametrize(("argv", "needle"), [
    (("flags", "set", "NO_SUCH_FLAG", "true"), "unknown flag 'NO_SUCH_FLAG'"),
    (("flags", "set", "CHAT_RATE_LIMIT", "lots"), "'lots': must be one rate limit"),
    (("flags", "set", "USE_SERVER_CHAT", "maybe"), "must be true or false"),
    (("flags", "set", "USE_SERVER_CHAT", "false", "--restaurant", "nowhere"), "RESTAURANT_NOT_FOUND"),
    (("flags", "list", "--restaurant", "Bad Slug!"), "RESTAURANT_ID_INVALID"),
])
def test_bad_input_changes_nothing(seeded_cli, capsys, tmp_path, argv, needle):
    code, _, err = run(capsys, *argv)
    assert code == 1 and needle in err
    assert not (tmp_path / "data" / "flags.json").exists()
    assert audit(seeded_cli) == []


def test_environment_only_flags_cannot_be_set_here(seeded_cli, capsys, monkeypatch):
    monkeypatch.setenv("FLAGS_BACKEND", "env")
    rebuild_container()
    code, _, err = run(capsys, "flags", "set", "USE_SERVER_CHAT", "false")
    assert code == 3 and "FLAGS_BACKEND=env" in err


def test_set_in_ssm(seeded_cli, capsys, monkeypatch, aws_env):
    monkeypatch.setenv("FLAGS_BACKEND", "ssm")
    monkeypatch.setenv("STJARNA_STAGE", "test")
    rebuild_container()
    with mock_aws():
        code, out, _ = run(capsys, "flags", "set", "ORDERING_ENABLED", "off", "--restaurant", "nattbaren")
        assert code == 0 and "ssm:/stjarna/test/" in out
        ssm = boto3.client("ssm")
        value = ssm.get_parameter(Name="/stjarna/test/tenants/nattbaren/flags/ORDERING_ENABLED")["Parameter"]["Value"]
        assert value == "false"  # stored in its canonical form
        code, out, _ = run(capsys, "flags", "list", "--restaurant", "nattbaren", "--json")
        assert orjson.loads(out)["flags"]["ORDERING_ENABLED"] == {"value": False, "source": "tenant"}


def test_a_flag_set_from_the_cli_turns_server_chat_off_on_a_running_server():
    root = server_data_dir("stjarna-test-flags-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "USE_"))}
    env.update(STJARNA_DATA_DIR=str(root / "data"), FLAGS_CACHE_SECONDS="1")
    stjarna = str(Path(sys.executable).parent / "stjarna")
    body = {"restaurantId": "demo", "sessionToken": "flags-e2e-session", "message": "anything vegan?"}
    try:
        with stjarna_serve(closed_port(), env, root / "serve.log") as base:
            assert httpx.post(f"{base}/api/chat", json=body).status_code == 200
            done = subprocess.run([stjarna, "flags", "set", "USE_SERVER_CHAT", "false"], env=env,
                                  capture_output=True, text=True, timeout=60, check=False)
            assert done.returncode == 0, done.stderr
            deadline = time.monotonic() + 5  # FLAGS_CACHE_SECONDS (1 s) plus slack
            while (status := httpx.post(f"{base}/api/chat", json=body).status_code) == 200:
                assert time.monotonic() < deadline, "the flag did not reach the server in time"
                time.sleep(0.1)
            assert status == 503
            config = httpx.get(f"{base}/api/public/config", params={"restaurantId": "demo"}).json()
            assert config["features"]["serverChat"] is False
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("DATABASE_URL", "postgresql://ops:pw@db.stage.example.invalid:5432/postgres", "DATABASE_URL"),
    ("STJARNA_API_URL", "https://api.stjarna.example", "STJARNA_API_URL"),
    ("STJARNA_STAGE", "prod", "STJARNA_STAGE"),
])
def test_set_refuses_a_local_file_when_pointed_at_a_deployed_stage(seeded_cli, capsys, monkeypatch, tmp_path,
                                                                   variable, value, named):
    """An on-call engineer with production's DATABASE_URL but not STJARNA_ENV=production used to get a
    local flags file and "every instance applies it within 30 s": now a refusal that says what to set."""
    monkeypatch.setenv(variable, value)
    rebuild_container()
    for argv in (("flags", "set", "USE_SERVER_CHAT", "false"), ("flags", "unset", "USE_SERVER_CHAT")):
        code, out, err = run(capsys, *argv)
        assert code == 3 and out == ""
        assert "refusing to change flags" in err and named in err and "STJARNA_ENV=production" in err
        assert "Nothing was changed" in err
    assert not (tmp_path / "data" / "flags.json").exists()


def test_an_explicit_flags_file_is_taken_as_meant(seeded_cli, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("STJARNA_STAGE", "dev")
    monkeypatch.setenv("FLAGS_BACKEND", "file")
    rebuild_container()
    code, out, _ = run(capsys, "flags", "set", "USE_SERVER_CHAT", "false")
    assert code == 0 and "only the stjarna serve processes using this data directory" in out
    assert "every instance" not in out


def test_list_shows_the_servers_values_not_this_shells(seeded_cli, capsys, monkeypatch):
    """The old runbook says "set USE_SERVER_CHAT=false": in the operator's shell that changes nothing on
    the servers, so `flags list` must not show it as the value."""
    monkeypatch.setenv("USE_SERVER_CHAT", "false")
    rebuild_container()
    code, out, _ = run(capsys, "flags", "list")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:3] for line in out.splitlines()[1:] if line.split()}
    assert rows["USE_SERVER_CHAT"] == ["true", "default"]
    assert "values as the servers compute them: code defaults + overrides from file:" in out
    assert "ignored: USE_SERVER_CHAT set in this shell's environment" in out
    listed = orjson.loads(run(capsys, "flags", "list", "--json")[1])
    assert listed["flags"]["USE_SERVER_CHAT"] == {"value": True, "source": "default"}
    assert listed["ignoredFromThisShell"] == ["USE_SERVER_CHAT"]


def test_the_deployed_functions_set_no_flag_variable():
    """`flags list` leaves the environment layer out because the servers have none: serverless.yml sets
    no flag's variable (if it ever does, `flags list` must learn to show it)."""
    import re

    from shared.flags import SPECS
    from shared.paths import REPO_ROOT
    from shared.settings import Settings

    text = (REPO_ROOT / "serverless.yml").read_text(encoding="utf-8")
    variables = {Settings.model_fields[s.setting].alias or s.setting.upper() for s in SPECS.values()}
    assert variables >= {"USE_SERVER_CHAT", "MENU_S_MAXAGE"}
    assert not [v for v in variables if re.search(rf"^\s*{v}\s*:", text, re.MULTILINE)]
