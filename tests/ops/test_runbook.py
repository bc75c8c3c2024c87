"""The operations runbook (``../shared/seeds/002_db5519e41479679d.txt``), pasted: every command of it is
read from the file (so an edit of the runbook is tested), its Vercel host swapped for a real ``stjarna
serve``'s URL and its ``YOUR_ID``/``THEIR_ID`` placeholders for a real restaurant, and run by ``bash``
with the real ``curl``. Each must show what the runbook says it shows. Commands that cannot apply to
this product (Vercel's and git's CLIs, SQL written for the old schema) are skipped here with the
reason, and listed in docs/operations.md ("The old Vercel runbook")."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.ops.conftest import Served, served
from tests.ops.runbook import Command, curl_format, read_runbook, runbook_commands

RESTAURANT = "demo"  # what the engineer puts for YOUR_ID / THEIR_ID: a real, live restaurant

try:
    TEXT = read_runbook()
    COMMANDS = runbook_commands(TEXT)
    MISSING = None
except FileNotFoundError as exc:
    TEXT, COMMANDS, MISSING = "", [], str(exc)

# Not ours: what each first word is, and what this product does instead (docs/operations.md says the same)
NOT_OURS = {
    "vercel": "Vercel's CLI: Stjarna runs on AWS Lambda; deploy/rollback with scripts/deploy, logs in CloudWatch "
              "(or a stjarna serve log), flags with `stjarna flags set` (docs/operations.md)",
    "git": "source control, not an operation of the running product (scripts/deploy deploys the checked-out commit)",
}
OLD_SQL = ("written for the Vercel version's jsonb columns: here menu_items.tags and .allergens are text[] "
           "(`@> '[\"vegan\"]'` is not valid for them); `stjarna tenant items <slug> --tag vegan` answers the "
           "question, with the reason for every item not shown")


def skip_reason(command: Command) -> str | None:
    if command.language == "sql":
        return OLD_SQL
    return NOT_OURS.get(command.text.split()[0])


def run(command: Command, server: Served, cwd: Path) -> str:
    text = command.against(server.url, RESTAURANT)
    assert "vercel.app" not in text
    done = subprocess.run(["bash", "-c", text], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{text}\nexit {done.returncode}: {done.stderr}"
    return done.stdout


def test_the_runbook_is_there_and_read():
    assert MISSING is None, MISSING
    runnable = [c for c in COMMANDS if skip_reason(c) is None]
    assert len(runnable) >= 10, [c.text for c in COMMANDS]
    assert any(c.text.startswith("for ") for c in runnable), "the rate-limit loop was not found"
    assert shutil.which("curl"), "the runbook's commands need the curl binary"


def _expect_rate_limit(command: Command, out: str) -> None:
    """'Should see mostly 200s, some 429s after 15 requests' (issue: exactly 15 x 200, then 429)."""
    total = int(re.search(r"\{1\.\.(\d+)\}", command.text).group(1))  # type: ignore[union-attr]
    after = int(re.search(r"after (\d+) requests", " ".join(command.after)).group(1))  # type: ignore[union-attr]
    codes = [line[-3:] for line in out.splitlines()]  # -w "%{http_code}\n" follows each body
    assert codes == ["200"] * after + ["429"] * (total - after), out


def _expect_headers(command: Command, out: str) -> None:
    status, *lines = out.strip().splitlines()
    assert status.split()[1] == "200", out
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    assert headers.get("etag")
    for note in command.after:
        if note.startswith("Should see: Cache-Control:"):
            expected = note.removeprefix("Should see: Cache-Control:").strip()
            assert expected in headers["cache-control"], (expected, headers["cache-control"])


def _expect_size(command: Command, out: str) -> None:
    limit = int(re.search(r"<(\d+)KB", " ".join(command.after)).group(1))  # type: ignore[union-attr]
    assert 1000 < int(out.strip()) < limit * 1024


def _expect_chat(command: Command, out: str) -> None:
    body = out
    if "@curl-format.txt" in command.text:
        body, _, timings = out.partition("time_namelookup:")
        assert "time_total:" in timings, out
    answer = json.loads(body)
    assert "error" not in answer, answer
    assert answer["reply"] and isinstance(answer["suggestions"], list)


def _expect_health(command: Command, out: str) -> None:
    assert json.loads(out)["status"] == "ok", out


def check(command: Command, out: str) -> None:
    text = command.text
    if text.startswith("for ") and "/api/chat" in text:
        _expect_rate_limit(command, out)
    elif text.startswith("curl -sI"):
        _expect_headers(command, out)
    elif "widget.js" in text and "wc -c" in text:
        _expect_size(command, out)
    elif "/api/chat" in text:
        _expect_chat(command, out)
    elif text.rstrip().endswith("/api/health"):
        _expect_health(command, out)
    else:
        pytest.fail(f"no expectation for this runbook command; add one to tests/ops/test_runbook.py: {text}")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.id)
def test_runbook_command(command: Command, ops_server: Served, tmp_path: Path):
    reason = skip_reason(command)
    if reason is not None:
        pytest.skip(f"not applicable to Stjarna: {reason}")
    if "@curl-format.txt" in command.text:
        (tmp_path / "curl-format.txt").write_text(curl_format(TEXT), encoding="utf-8")
    if command.text.startswith("for "):
        # the rate-limit verification counts from a fresh session: its own server, nothing sent before
        with served("stjarna-test-ratelimit-") as fresh:
            out = run(command, fresh, tmp_path)
    else:
        out = run(command, ops_server, tmp_path)
    check(command, out)


def test_the_runbook_smoke_body_is_accepted_as_is(ops_server: Served):
    """The body the runbook sends everywhere: restaurant `test` (live in every environment) and the
    4-character session token `test` (chat tokens guard nothing: 1-128 characters)."""
    body = '{"restaurantId":"test","sessionToken":"test","message":"test"}'
    done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{ops_server.url}/api/chat",
                           "-H", "Content-Type: application/json", "-d", body],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "200"
