"""A real ``stjarna serve`` process on embedded defaults (its own embedded PostgreSQL, migrations,
seed), started once for the end-to-end and browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import server_data_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    port = free_port()
    root = server_data_dir("stjarna-test-serve-")
    data_dir = root / "data"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "MENU_", "USE_", "ORDERING_"))}
    env["STJARNA_DATA_DIR"] = str(data_dir)
    log = (data_dir.parent / "serve.log").open("wb")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "stjarna"), "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("stjarna serve did not start:\n" + (data_dir.parent / "serve.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)
