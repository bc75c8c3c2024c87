"""Child processes for tests and benchmarks: ``child_process`` starts one, waits until it is ready and
stops it; ``stjarna_serve`` / ``stjarna_process`` run a real ``stjarna serve`` with it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def child_process(argv: Sequence[str], ready: Callable[[], bool], *, name: str, log: Path,
                  env: Mapping[str, str] | None = None, cwd: Path | None = None, start_timeout: float = 60,
                  stop_timeout: float = 20) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``argv`` (stdout and stderr to ``log``) until ``ready()`` is true (a transport error counts
    as not yet); yield the process; terminate it afterwards (killed after ``stop_timeout``). A process
    that exits or is not ready within ``start_timeout`` raises with its log."""
    with log.open("wb") as out:  # the child keeps its own handle
        proc = subprocess.Popen(list(argv), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if ready():
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()  # nothing to do if it has ended (a test killed it)
        try:
            proc.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def stjarna_serve(port: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """Run ``stjarna serve --port PORT`` with ``env`` (output to ``log``) until it answers
    ``/api/health/live``; yield its base URL; terminate it afterwards."""
    with stjarna_process(port, env, log) as (base, _):
        yield base


@contextmanager
def stjarna_process(port: int, env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``stjarna_serve`` that also yields the process, for a test that kills it (tests/faults)."""
    base = f"http://127.0.0.1:{port}"
    with child_process([str(Path(sys.executable).parent / "stjarna"), "serve", "--port", str(port)],
                       lambda: httpx.get(f"{base}/api/health/live", timeout=1).status_code == 200,
                       name="stjarna serve", log=log, env=env) as proc:
        yield base, proc
