"""Issue #4's "done when", as written: with `stjarna serve` running on embedded defaults, a curl-like
POST of an order for the demo restaurant returns a code, repeating it with the same Idempotency-Key
returns the same code, and `stjarna orders list --restaurant demo` (a second process, attached to the
same embedded database) shows it; a staff member accepts it and the diner sees the new status."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import server_data_dir
from tests.support.serve_process import stjarna_serve
from tests.support.servers import closed_port

STJARNA = str(Path(sys.executable).parent / "stjarna")


def test_order_with_curl_and_see_it_in_the_staff_list():
    root = server_data_dir("stjarna-test-orders-")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "ORDER", "USE_"))}
    env["STJARNA_DATA_DIR"] = str(root / "data")

    def stjarna(*argv: str) -> str:
        done = subprocess.run([STJARNA, *argv], env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        with stjarna_serve(closed_port(), env, root / "serve.log") as base:
            menu = httpx.get(f"{base}/api/public/menu", params={"restaurantId": "demo"}).json()
            item = menu["sections"][0]["items"][0]
            body = {"restaurantId": "demo", "sessionToken": "curl-session-01",
                    "items": [{"itemId": item["id"], "quantity": 2}]}
            headers = {"Idempotency-Key": "curl-order-0001"}
            first = httpx.post(f"{base}/api/orders", json=body, headers=headers)
            assert first.status_code == 201, first.text
            code = first.json()["orderCode"]
            again = httpx.post(f"{base}/api/orders", json=body, headers=headers)
            assert again.status_code == 201 and again.json()["orderCode"] == code

            listed = stjarna("orders", "list", "--restaurant", "demo")
            assert code in listed and f"2x {item['name']}" in listed
            stjarna("orders", "set-status", code, "accepted", "--restaurant", "demo", "--actor", "kitchen")
            status = httpx.get(first.json()["statusUrl"], headers={"X-Session-Token": "curl-session-01"})
            assert status.json()["status"] == "accepted"
    finally:
        shutil.rmtree(root, ignore_errors=True)
