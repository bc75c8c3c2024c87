"""Two app instances (separate ``stjarna serve`` processes) sharing one real Redis through the Upstash
protocol bridge: together they never admit more chat requests than the limit for one session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import server_data_dir
from tests.contract.conftest import UPSTASH_TOKEN
from tests.e2e.conftest import free_port


def start_instance(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own handle
        return subprocess.Popen([str(Path(sys.executable).parent / "stjarna"), "serve", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_live(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text())
        time.sleep(0.1)


def test_two_instances_share_the_session_limit(seeded, database, upstash):
    url, _ = upstash
    root = server_data_dir("stjarna-test-instances-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPABASE_", "OPENAI_", "CHAT_"))}
    env.update({"DATABASE_URL": database, "UPSTASH_REDIS_REST_URL": url, "UPSTASH_REDIS_REST_TOKEN": UPSTASH_TOKEN,
                "KV_TIMEOUT_SECONDS": "5", "STJARNA_DATA_DIR": str(root),
                "CHAT_BURST": "20"})  # this test is about the shared window, not the in-flight bound
    ports = [free_port(), free_port()]
    procs = [start_instance(p, env, root / f"serve-{p}.log") for p in ports]
    try:
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for base, proc, port in zip(bases, procs, ports, strict=True):
            wait_live(base, proc, root / f"serve-{port}.log")
        payload = {"restaurantId": "demo", "sessionToken": "shared-session-1", "message": "Anything vegan?"}

        def post(n: int) -> int:
            return httpx.post(f"{bases[n % 2]}/api/chat", json=payload, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(post, range(40)))
        assert statuses.count(200) == 15, sorted(set(statuses))
        assert statuses.count(429) == 25
        health = httpx.get(f"{bases[0]}/api/health").json()
        assert health["checks"]["cache"]["status"] == "ok"  # the shared store answered throughout
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(root, ignore_errors=True)
