"""The ``stjarna`` command line, against a real database (DATABASE_URL) and as a real process."""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import orjson
import pytest

from shared import cli
from shared.container import default_container
from tests.conftest import seed_documents


@pytest.fixture
def env(cli_env):
    return cli_env


def write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(orjson.dumps(data) if not isinstance(data, bytes) else data)
    return str(path)


def test_import_then_export_round_trip(env, tmp_path, capsys):
    doc = seed_documents()[1]
    assert cli.main(["menu", "import", write(tmp_path, "m.json", doc)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("created nattbaren (") and "4 items" in out
    assert cli.main(["menu", "import", write(tmp_path, "m.json", doc)]) == 0
    assert capsys.readouterr().out.startswith("updated nattbaren")
    assert cli.main(["menu", "export", "nattbaren", "-o", str(tmp_path / "out.json")]) == 0
    exported = orjson.loads((tmp_path / "out.json").read_bytes())
    assert exported["restaurant"]["hours"]["fri"] == [["11:30", "14:00"], ["17:00", "02:00"]]
    assert [i["key"] for i in exported["sections"][1]["items"]] == ["burgare", "veggo-burgare"]


def test_invalid_file_names_every_bad_path_and_exits_1(env, tmp_path, capsys):
    doc = copy.deepcopy(seed_documents()[0])
    doc["restaurant"]["currency"] = "kronor"
    doc["sections"][1]["items"][0]["tags"] = ["vegn"]
    assert cli.main(["menu", "import", write(tmp_path, "bad.json", doc)]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "nothing was changed" in err
    assert "restaurant.currency:" in err and "sections[1].items[0].tags: unknown tag 'vegn'" in err
    assert default_container().store.rpc("stjarna_resolve", {"p_ref": "demo"}) is None


def test_not_json_and_missing_file(env, tmp_path, capsys):
    assert cli.main(["menu", "import", write(tmp_path, "x.json", b"{nope")]) == cli.EXIT_REFUSED
    assert "(file): not valid JSON" in capsys.readouterr().err
    assert cli.main(["menu", "import", str(tmp_path / "missing.json")]) == cli.EXIT_USAGE


def test_export_unknown_restaurant(env, capsys):
    assert cli.main(["menu", "export", "nowhere"]) == cli.EXIT_REFUSED
    assert "RESTAURANT_NOT_FOUND" in capsys.readouterr().err


@pytest.mark.parametrize(("env", "needle"), [
    ({"MENU_S_MAXAGE": "soon"}, "MENU_S_MAXAGE"),
    ({"DATABASE_URL": "postgresql://postgres@/postgres?host=/nonexistent-dir", "STORE_TIMEOUT_SECONDS": "1"},
     "STORE_UNAVAILABLE"),
])
def test_bad_configuration_and_unreachable_database_exit_3(monkeypatch, capsys, env, needle):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    default_container.cache_clear()
    try:
        assert cli.main(["menu", "export", "demo"]) == cli.EXIT_UNAVAILABLE
    finally:
        default_container.cache_clear()
    assert needle in capsys.readouterr().err


def test_db_migrate_is_idempotent_and_seed_imports(env, capsys):
    assert cli.main(["db", "migrate"]) == 0
    assert "nothing (up to date)" in capsys.readouterr().out
    assert cli.main(["db", "seed"]) == 0
    out = capsys.readouterr().out
    assert "demo: version" in out and "nattbaren: version" in out


def test_installed_entry_point_runs_as_a_process(env, tmp_path):
    bin_dir = os.path.dirname(sys.executable)
    doc = write(tmp_path, "m.json", seed_documents()[0])
    run_env = {**os.environ, "DATABASE_URL": env}
    done = subprocess.run([os.path.join(bin_dir, "stjarna"), "menu", "import", doc],
                          capture_output=True, text=True, env=run_env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "created demo" in done.stdout
    usage = subprocess.run([os.path.join(bin_dir, "stjarna"), "menu"], capture_output=True, text=True,
                           timeout=60, check=False)
    assert usage.returncode == 2 and "usage:" in usage.stderr
