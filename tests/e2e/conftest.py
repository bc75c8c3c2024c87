"""A real ``stjarna serve`` process on embedded defaults (its own embedded PostgreSQL, migrations,
seed), started once for the end-to-end and browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import server_data_dir
from tests.support.serve_process import stjarna_serve
from tests.support.servers import closed_port


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    root = server_data_dir("stjarna-test-serve-")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "SUPABASE_", "UPSTASH_", "MENU_", "USE_", "ORDERING_"))}
    env["STJARNA_DATA_DIR"] = str(root / "data")
    try:
        with stjarna_serve(closed_port(), env, root / "serve.log") as base:
            yield base
    finally:
        shutil.rmtree(root, ignore_errors=True)
