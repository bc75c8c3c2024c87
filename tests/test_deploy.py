"""scripts/deploy, as far as it can run here (no AWS): the dry run prints every step in order and bad
arguments are refused. The artefact itself (scripts/package) is built and run by tests/deploy/test_artefact.py."""

from __future__ import annotations

import subprocess

from shared.paths import REPO_ROOT

DEPLOY = str(REPO_ROOT / "scripts" / "deploy")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DEPLOY, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_dry_run_prints_the_steps_in_order():
    done = run("prod", "--dry-run", "--param", "alarmEmail=oncall@example.com")
    assert done.returncode == 0, done.stderr
    steps = [line[2:] for line in done.stderr.splitlines() if line.startswith("+ ")]
    assert steps == [
        "scripts/package --stage prod --param alarmEmail=oncall@example.com",  # npm ci, requirements, bytecode
        ".venv/bin/stjarna db migrate",
        "node_modules/.bin/serverless deploy --stage prod --package .serverless --param alarmEmail=oncall@example.com",
        ".venv/bin/stjarna tenant create-test",  # the live `test` restaurant the runbook names
        ".venv/bin/stjarna tenant check test --endpoint https://API",
    ]


def test_rollback_and_bad_arguments():
    done = run("dev", "--rollback", "1700000000000", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("+ ")] == [
        "+ scripts/package --deps", "+ node_modules/.bin/serverless rollback --stage dev --timestamp 1700000000000"]
    assert run("staging").returncode == 2
    assert run("dev", "--rollback").returncode == 2
    assert run("dev", "--bogus").returncode == 2
    assert run("dev", "--param", "alarmEmail").returncode == 2
