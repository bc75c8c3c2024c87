"""App instances like separate Lambda instances: ``instances(count, env, logs)`` starts real ``stjarna serve``
processes at once; ``upstash_bridge_process()`` runs a real redis-server behind the Upstash REST bridge in a
process of its own; ``instance_env`` is the environment that makes instances share one PostgreSQL and
that Redis. Used by the load driver (tests/support/load.py)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from tests.support.redis_server import redis_server, socket_path
from tests.support.serve_process import child_process, stjarna_serve
from tests.support.servers import closed_port

REPO = Path(__file__).resolve().parents[2]
TOKEN = "load-test-upstash-token"

_BRIDGE_MAIN = """
import sys
import uvicorn
sys.path.insert(0, sys.argv[1])
from tests.support.upstash_bridge import UpstashBridge
app = UpstashBridge(sys.argv[2], sys.argv[3]).app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[4]), log_level="warning", access_log=False, lifespan="off")
"""


@contextmanager
def upstash_bridge_process() -> Iterator[str]:
    """A real redis-server and the Upstash REST bridge in front of it, in a process of its own (so
    it does not share a GIL with the driver); yields the bridge's URL (token ``TOKEN``)."""
    with redis_server() as client, tempfile.TemporaryDirectory(prefix="stjarna-bridge-") as folder:
        port = closed_port()
        url = f"http://127.0.0.1:{port}"
        with child_process([sys.executable, "-c", _BRIDGE_MAIN, str(REPO), socket_path(client), TOKEN, str(port)],
                           lambda: httpx.post(url, json=["PING"], headers={"Authorization": f"Bearer {TOKEN}"},
                                              timeout=1).status_code == 200,
                           name="the Upstash bridge", log=Path(folder) / "bridge.log", start_timeout=30,
                           stop_timeout=10):
            yield url


def instance_env(dsn: str, kv_url: str, data_dir: Path, extra: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """The process environment of one instance: this machine's, less every Stjarna setting it may
    carry, plus the shared database and KV."""
    from shared.settings import Settings

    names = {f.alias.upper() for f in Settings.model_fields.values() if f.alias}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update({"DATABASE_URL": dsn, "UPSTASH_REDIS_REST_URL": kv_url, "UPSTASH_REDIS_REST_TOKEN": TOKEN,
                "STJARNA_DATA_DIR": str(data_dir),
                # the test rig (N servers, PostgreSQL, Redis, its bridge and the driver on 2 cores) must
                # not turn an overloaded moment into a KV timeout: the limiter would degrade to memory
                "KV_TIMEOUT_SECONDS": "5"})
    env.update(dict(extra))
    return env


@contextmanager
def instances(count: int, env: dict[str, str], logs: Path) -> Iterator[list[str]]:
    """``count`` ``stjarna serve`` processes started at once; yields their base URLs."""
    managers = [stjarna_serve(closed_port(), env, logs / f"instance-{n}.log") for n in range(count)]
    with ExitStack() as stack:
        with ThreadPoolExecutor(count) as pool:
            futures = [pool.submit(m.__enter__) for m in managers]
        bases: list[str] = []
        failures: list[BaseException] = []
        for manager, future in zip(managers, futures, strict=True):
            error = future.exception()
            if error is None:
                bases.append(future.result())
                stack.push(manager.__exit__)
            else:
                failures.append(error)
        if failures:
            raise failures[0]
        yield bases
