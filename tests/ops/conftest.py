"""Real ``stjarna serve`` processes for the operations tests (each with its own embedded PostgreSQL,
migrations and seed, the ``test`` restaurant included), and the log file each one writes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import server_data_dir
from tests.support.serve_process import stjarna_serve
from tests.support.servers import closed_port

# what the engineer's shell must not bring into an embedded server under test
FOREIGN = ("DATABASE_URL", "SUPABASE_", "UPSTASH_", "MENU_", "USE_", "ORDER", "CHAT_", "AI_", "OPENAI_", "SENTRY_",
           "FLAGS_", "METRICS_", "STJARNA_ENV", "STJARNA_STAGE", "STJARNA_API_URL", "LOG_LEVEL")


@dataclass
class Served:
    url: str
    env: dict[str, str]
    root: Path
    log: Path


def serve_env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    env.update(STJARNA_DATA_DIR=str(root / "data"), **extra)
    return env


@contextmanager
def served(prefix: str, *, keep_log: Path | None = None, **extra: str) -> Iterator[Served]:
    """A ``stjarna serve`` on embedded defaults until the block ends; then stopped, its complete log
    (shutdown lines included) copied to ``keep_log`` when given, and its directory removed."""
    root = server_data_dir(prefix)
    env = serve_env(root, **extra)
    try:
        with stjarna_serve(closed_port(), env, root / "serve.log") as base:
            yield Served(base, env, root, root / "serve.log")
    finally:
        if keep_log is not None and (root / "serve.log").exists():
            shutil.copyfile(root / "serve.log", keep_log)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def ops_server() -> Iterator[Served]:
    with served("stjarna-test-ops-") as server:
        yield server
