"""Two app instances (separate ``stjarna serve`` processes) sharing one real Redis through the Upstash
protocol bridge: together they never admit more chat requests than the limit for one session."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import server_data_dir
from tests.contract.conftest import UPSTASH_TOKEN
from tests.support.serve_process import stjarna_serve
from tests.support.servers import closed_port


def test_two_instances_share_the_session_limit(seeded, database, upstash):
    url, _ = upstash
    root = server_data_dir("stjarna-test-instances-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPABASE_", "OPENAI_", "CHAT_"))}
    env.update({"DATABASE_URL": database, "UPSTASH_REDIS_REST_URL": url, "UPSTASH_REDIS_REST_TOKEN": UPSTASH_TOKEN,
                "KV_TIMEOUT_SECONDS": "5", "STJARNA_DATA_DIR": str(root),
                "CHAT_BURST": "20"})  # this test is about the shared window, not the in-flight bound
    ports = [closed_port(), closed_port()]
    try:
        with stjarna_serve(ports[0], env, root / "a.log") as a, stjarna_serve(ports[1], env, root / "b.log") as b:
            bases = [a, b]
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
        shutil.rmtree(root, ignore_errors=True)
