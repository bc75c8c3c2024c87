"""The container builds each service lazily, once, under one re-entrant lock: whichever is asked for
first, in whatever order and from however many threads, it is built once and without deadlocking
(building chat asks for the KV); on the event loop, ``built`` hands over a ready service
at once and builds the others in a worker thread."""

from __future__ import annotations

import asyncio
import threading

import pytest

from shared.container import Container
from shared.flags import Flags
from shared.flags.file import FileFlagStore
from shared.kv.memory import MemoryKV
from tests.conftest import Ticks, make_settings

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


def test_threads_racing_for_a_service_get_one_instance(seeded):
    container = Container(make_settings(), store=seeded, kv=MemoryKV())
    start, seen = threading.Barrier(8), []

    def read() -> None:
        start.wait()
        seen.append(container.chat)

    threads = [threading.Thread(target=read, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert len(seen) == 8 and all(service is seen[0] for service in seen)
        assert container.ready(Container.kv) is not None  # built for chat, on the way
    finally:
        container.close()


def test_built_hands_over_ready_services_and_builds_the_others_off_the_loop(seeded):
    container = Container(make_settings(), store=seeded, kv=MemoryKV())
    threads: list[str] = []

    async def get_menus() -> object:
        threads.append(threading.current_thread().name)
        return await container.built(Container.menus)

    try:
        assert container.ready(Container.menus) is None
        first = asyncio.run(get_menus())
        assert container.ready(Container.menus) is first is container.menus
        assert asyncio.run(get_menus()) is first
        container._menus = None  # the seam tests use to have a service built again
        assert container.ready(Container.menus) is None and container.menus is not first
    finally:
        container.close()


def test_stale_flags_are_not_ready_and_are_refreshed_on_use(tmp_path):
    clock, store = Ticks(), FileFlagStore(tmp_path / "flags.json")
    settings = make_settings(FLAGS_CACHE_SECONDS="30")
    container = Container(settings, kv=MemoryKV(), flags=Flags(settings, store, clock=clock))
    assert container.ready(Container.flags) is None  # never read yet: reading would do I/O
    store.put("USE_SERVER_CHAT", "false", None)
    flags = asyncio.run(container.built(Container.flags))
    assert container.ready(Container.flags) is flags and not flags.stale
    assert flags.value("USE_SERVER_CHAT") is False
    clock.now += 30
    assert container.ready(Container.flags) is None
    store.delete("USE_SERVER_CHAT", None)
    assert container.flags is flags and not flags.stale and flags.value("USE_SERVER_CHAT") is True
