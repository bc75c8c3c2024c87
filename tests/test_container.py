"""The container builds each service lazily under one lock: whichever is asked for first, in whatever
order, it is built without deadlocking (a property that takes the lock must not call another that does)."""

from __future__ import annotations

import threading

import pytest

from shared.container import Container
from shared.kv.memory import MemoryKV
from tests.conftest import make_settings

SERVICES = ("chat", "flags", "menus", "limiter", "orders", "admin_keys", "store", "kv")


@pytest.mark.parametrize("first", SERVICES)
def test_any_service_can_be_built_first(seeded, first):
    container = Container(make_settings(), store=seeded, kv=MemoryKV())
    built: list[str] = []

    def build_all() -> None:
        for name in (first, *SERVICES):
            getattr(container, name)
            built.append(name)

    worker = threading.Thread(target=build_all, daemon=True)  # a deadlock must not hang the suite
    worker.start()
    worker.join(timeout=30)
    try:
        assert not worker.is_alive(), f"deadlocked building {SERVICES[len(built) - 1] if built else first}"
        assert len(built) == len(SERVICES) + 1
    finally:
        if not worker.is_alive():
            container.close()
