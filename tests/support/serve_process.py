"""A real ``stjarna serve`` process for end-to-end tests: started, waited for, stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def stjarna_serve(port: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """Run ``stjarna serve --port PORT`` with ``env`` (output to ``log``) until it answers
    ``/api/health/live``; yield its base URL; terminate it afterwards."""
    with stjarna_process(port, env, log) as (base, _):
        yield base


@contextmanager
def stjarna_process(port: int, env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``stjarna_serve`` that also yields the process, for a test that kills it (tests/faults)."""
    with log.open("wb") as out:  # the child keeps its own handle
        proc = subprocess.Popen([str(Path(sys.executable).parent / "stjarna"), "serve", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
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
                raise RuntimeError("stjarna serve did not start:\n" + log.read_text())
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()  # nothing to do if the test killed it
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
