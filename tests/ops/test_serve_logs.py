"""A real ``stjarna serve`` log answers the runbooks' filters: every line it writes (start-up, uvicorn's
own messages, errors, shutdown) is JSON, levels are upper-case as AWS Lambda Powertools writes them so
``jq 'select(.level == "ERROR")'`` matches, and every line naming a restaurant names its slug too, so
the old runbook's ``grep "<restaurant>"`` (with ``vercel logs`` swapped for the log) finds a tenant's
lines however the requests named it."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.ops.conftest import serve_env, served
from tests.ops.runbook import read_runbook, runbook_commands
from tests.support.serve_process import child_process
from tests.support.servers import closed_port

ERRORS = 'select(.level == "ERROR")'


def jq(filter_: str, log: Path) -> list[dict[str, Any]]:
    """``jq -c FILTER < log`` with the jq binary when the machine has one, else the same in Python (only
    the ``select(.field == "value")`` form); either way a line that is not JSON fails."""
    text = log.read_text(encoding="utf-8")
    if shutil.which("jq"):
        done = subprocess.run(["jq", "-c", filter_], input=text, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, f"jq: {done.stderr}"
        return [json.loads(line) for line in done.stdout.splitlines()]
    field, _, value = filter_.removeprefix("select(.").removesuffix(")").partition(" == ")
    return [line for line in map(json.loads, text.splitlines()) if line.get(field) == json.loads(value)]


def _raw_garbage(base: str) -> None:
    """Bytes that are not HTTP: uvicorn answers 400 and logs a warning of its own."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        sock.recv(1024)


@pytest.fixture(scope="module")
def serve_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A stopped server's complete log, and demo's UUID. SENTRY_DSN is malformed (an ERROR line at
    start, as a bad deploy parameter would give); the requests name demo by slug, by UUID and by header,
    include client errors, rate limiting and bytes that are not HTTP."""
    log = tmp_path_factory.mktemp("logs") / "serve.log"
    with served("stjarna-test-logs-", keep_log=log, SENTRY_DSN="not-a-dsn") as server:
        url = server.url
        demo_id = httpx.get(f"{url}/api/public/config", params={"restaurantId": "demo"}).json()["restaurantId"]
        httpx.get(f"{url}/api/public/menu", params={"restaurantId": demo_id})
        httpx.get(f"{url}/api/public/menu", headers={"X-Restaurant-ID": demo_id})
        for _ in range(17):  # the 16th and 17th are 429s
            httpx.post(f"{url}/api/chat", json={"restaurantId": demo_id, "sessionToken": "t", "message": "vegan?"})
        httpx.post(f"{url}/api/chat", json={"sessionToken": "t2", "message": "hi"}, headers={"X-Restaurant-ID": "demo"})
        httpx.get(f"{url}/api/public/menu", params={"restaurantId": "no-such-place"})
        httpx.post(f"{url}/api/chat", content=b"{not json", headers={"Content-Type": "application/json"})
        _raw_garbage(url)
    return log, demo_id


def test_every_line_is_json_with_an_upper_case_level(serve_log):
    log, _ = serve_log
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 20
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError:
            pytest.fail(f"line {number} of the serve log is not JSON: {line!r}")
        assert record["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), record
        assert record["ts"].endswith("Z") and record["logger"]
    loggers = {json.loads(line)["logger"] for line in lines}
    assert {"stjarna.serve", "stjarna.access", "stjarna.chat"} <= loggers
    assert any(name.startswith("uvicorn") for name in loggers), "uvicorn's own warning (not HTTP) is JSON too"


def test_the_runbooks_error_filter_matches(serve_log):
    log, _ = serve_log
    errors = jq(ERRORS, log)
    assert errors, "jq 'select(.level == \"ERROR\")' found nothing"
    assert any("sentry not started" in e["msg"] for e in errors)
    assert all(e["level"] == "ERROR" for e in errors)


def test_the_start_up_line_is_json(serve_log):
    log, _ = serve_log
    started = [line for line in jq('select(.logger == "stjarna.serve")', log) if line["msg"].startswith("Stjarna ")]
    assert len(started) == 1 and "store: embedded" in started[0]["msg"]


def _filter(text: str, log: Path) -> list[str]:
    """The part after ``vercel logs |``, run by bash on our log instead of Vercel's stream."""
    done = subprocess.run(["bash", "-c", f"cat {log} | {text}"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.splitlines()


def test_the_old_runbooks_log_filters_find_our_lines(serve_log):
    """`vercel logs | grep …` from the runbook: the filters, exactly as printed, on a stjarna serve log
    (the restaurant placeholder named by its slug, the name support knows)."""
    log, demo_id = serve_log
    filters = [c.text.split("|", 1)[1].strip() for c in runbook_commands(read_runbook())
               if c.text.startswith("vercel logs |")]
    assert len(filters) == 3, filters
    by_tenant = next(f for f in filters if "YOUR_RESTAURANT_ID" in f)
    found = [json.loads(line) for line in _filter(by_tenant.replace("YOUR_RESTAURANT_ID", "demo"), log)]
    demo_access = [line for line in map(json.loads, log.read_text(encoding="utf-8").splitlines())
                   if line["logger"] == "stjarna.access" and line.get("restaurantId") == demo_id]
    assert len(demo_access) >= 21  # by UUID, by header, by slug: all of them resolved to demo's id
    assert all(line in found for line in demo_access)
    assert all(line["restaurantSlug"] == "demo" for line in found if line.get("restaurantId"))
    rate_limited = next(f for f in filters if "429" in f)
    assert sum(json.loads(line).get("status") == 429 for line in _filter(rate_limited, log)) == 2
    errors = next(f for f in filters if "error" in f)
    assert any(json.loads(line)["level"] == "ERROR" for line in _filter(errors, log))


def test_a_server_that_cannot_start_says_so_in_json(tmp_path):
    """A database that does not answer: the refusal is a JSON ERROR line and the exit code is 3."""
    env = serve_env(tmp_path, DATABASE_URL=f"postgresql://nobody:pw@127.0.0.1:{closed_port()}/none",
                    STORE_TIMEOUT_SECONDS="2")
    log = tmp_path / "serve.log"
    with pytest.raises(RuntimeError, match="did not start"), \
            child_process([_stjarna(), "serve", "--port", str(closed_port())], lambda: False,
                          name="stjarna serve", log=log, env=env, start_timeout=60):
        pass
    errors = jq(ERRORS, log)
    assert errors and errors[0]["logger"] == "stjarna.serve" and "did not start" in errors[0]["msg"]
    assert errors[0]["code"] == "STORE_UNAVAILABLE"


def _stjarna() -> str:
    return str(Path(sys.executable).parent / "stjarna")
