"""Issue #6's "done when", as written: with `stjarna serve` running on embedded defaults (what
`scripts/serve` runs), `stjarna tenant check demo --origin http://127.0.0.1:8000` passes, a website
that is not allowed fails with the reason, and `stjarna cache purge demo` (another process, attached to
the same embedded database) gives the running server a new menu ETag."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import server_data_dir
from tests.support.serve_process import stjarna_serve
from tests.support.servers import closed_port

STJARNA = str(Path(sys.executable).parent / "stjarna")


def test_tenant_check_and_cache_purge_against_stjarna_serve():
    root = server_data_dir("stjarna-test-tenants-")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "USE_", "CLOUDFRONT_", "STJARNA_API_URL"))}
    env["STJARNA_DATA_DIR"] = str(root / "data")

    def stjarna(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([STJARNA, *argv], env=env, capture_output=True, text=True, timeout=120, check=False)

    try:
        with stjarna_serve(closed_port(), env, root / "serve.log") as base:
            env["STJARNA_API_URL"] = base
            done = stjarna("tenant", "check", "demo", "--origin", "http://127.0.0.1:8000")
            assert done.returncode == 0, done.stdout + done.stderr
            assert [line.split()[:2] for line in done.stdout.splitlines()[:-1]] == [
                ["PASS", "tenant"], ["PASS", "menu"], ["PASS", "config"], ["PASS", "chat"], ["PASS", "cors"],
                ["PASS", "widget"]]

            refused = stjarna("tenant", "check", "demo", "--origin", "https://their-site.example")
            assert refused.returncode == 1
            assert "FAIL  cors    https://their-site.example refused (403 ORIGIN_NOT_ALLOWED)" in refused.stdout

            etag = httpx.get(f"{base}/api/public/menu", params={"restaurantId": "demo"}).headers["etag"]
            purged = stjarna("cache", "purge", "demo")
            assert purged.returncode == 0, purged.stderr
            deadline = time.monotonic() + 10  # the server rechecks its copy every MENU_LOCAL_CACHE_SECONDS (2 s)
            while True:
                again = httpx.get(f"{base}/api/public/menu", params={"restaurantId": "demo"},
                                  headers={"If-None-Match": etag})
                if again.status_code == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert again.status_code == 200 and again.headers["etag"] != etag
            assert f"-> {again.json()['version']} (audited)" in purged.stdout
    finally:
        shutil.rmtree(root, ignore_errors=True)
