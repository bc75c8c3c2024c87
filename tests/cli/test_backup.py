"""``stjarna db backup|restore``: the restore drill (back up, wipe, restore: the menus and orders read
through the store are identical), a restore that refuses a non-empty database without --force and
changes nothing, --force replacing current content, and a file that is not an archive."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from shared import cli
from shared.container import Container, default_container
from shared.kv.memory import MemoryKV
from shared.orders.requests import OrderRequest
from shared.store.postgres import PostgresStore
from shared.tenants.lookup import restaurant_id
from tests.conftest import make_settings
from tests.orders.conftest import new_key, order_body


def snapshot(dsn: str) -> dict[str, Any]:
    """What the product reads: each restaurant's exported menu and public menu, its orders with their
    history, the admin keys (never their secrets) and the audit trail."""
    store = PostgresStore(dsn, timeout_seconds=5)
    try:
        c = Container(make_settings(), store=store, kv=MemoryKV())
        seen: dict[str, Any] = {"keys": c.admin_keys.list(),
                                "audit": store.rpc("stjarna_audit_list", {"p_limit": 1000})}
        for slug in ("demo", "nattbaren"):
            rid = restaurant_id(store, slug)
            orders = c.orders.list(rid, None, 500)
            seen[slug] = {"export": store.rpc("stjarna_export_menu", {"p_ref": slug}),
                          "public": store.rpc("stjarna_public_menu", {"p_restaurant_id": rid}),
                          "orders": [c.orders.staff_order(rid, o["orderId"]) for o in orders]}
        return seen
    finally:
        store.close()


@pytest.fixture
def busy(seeded, items, clock, database) -> str:
    """The test database with orders (one moved along) and an admin key."""
    c = Container(make_settings(), store=seeded, kv=MemoryKV(), clock=clock)
    rid = restaurant_id(seeded, "demo")
    for item, quantity in (("demo/hummus", 2), ("demo/hummus", 1)):
        request = OrderRequest.model_validate(order_body((items[item], quantity)))
        placed = c.orders.place(rid, request, new_key(), ordering_enabled=True).order
    c.orders.set_status(placed["orderId"], "accepted", "staff:test")
    c.admin_keys.create("drill", "cli:test")
    return database


@pytest.fixture
def empty_database(pg_uri: str) -> Iterator[str]:
    """A new database with nothing in it (a new project)."""
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute("create database restore_target template template0")
    yield make_conninfo(pg_uri, dbname="restore_target")
    with psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute("drop database restore_target with (force)")


@pytest.fixture
def stjarna(monkeypatch, tmp_path) -> Callable[..., int]:
    """Run ``stjarna`` against ``dsn`` (DATABASE_URL)."""
    monkeypatch.setenv("STJARNA_DATA_DIR", str(tmp_path / "data"))

    def run(dsn: str, *argv: str) -> int:
        monkeypatch.setenv("DATABASE_URL", dsn)
        default_container.cache_clear()
        try:
            return cli.main(list(argv))
        finally:
            default_container.cache_clear()

    return run


def test_restore_drill_back_up_wipe_restore_everything_is_identical(busy, empty_database, stjarna, tmp_path,
                                                                    capsys, sql):
    before = snapshot(busy)
    assert len(before["demo"]["orders"]) == 2
    archive = tmp_path / "stjarna.dump"
    assert stjarna(busy, "db", "backup", str(archive)) == 0
    assert "(restaurants 3, menu_items " in capsys.readouterr().out
    assert stjarna(empty_database, "db", "restore", str(archive)) == 0  # a new, empty database
    out = capsys.readouterr().out
    assert out.startswith(f"restoring {archive} (database ") and "orders 2" in out.splitlines()[-1]
    assert snapshot(empty_database) == before

    sql("drop schema public cascade; create schema public")  # the wipe, in place
    assert stjarna(busy, "db", "restore", str(archive)) == 0
    assert snapshot(busy) == before
    with psycopg.connect(busy) as conn:
        grants = conn.execute("select has_function_privilege('anon', 'stjarna_place_order(jsonb, timestamptz)', "
                              "'execute')").fetchone()
    assert grants == (False,)  # revokes came back with the functions


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(busy, stjarna, tmp_path, capsys, sql):
    archive = tmp_path / "stjarna.dump"
    assert stjarna(busy, "db", "backup", str(archive)) == 0
    sql("update menu_items set price_cents = price_cents + 100")
    changed = snapshot(busy)
    capsys.readouterr()
    assert stjarna(busy, "db", "restore", str(archive)) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "is not empty (restaurants 3, menu_items" in err and "nothing was changed" in err and "--force" in err
    assert snapshot(busy) == changed


def test_force_replaces_the_current_content_with_the_archive(busy, stjarna, tmp_path, capsys, sql):
    archive = tmp_path / "stjarna.dump"
    before = snapshot(busy)
    assert stjarna(busy, "db", "backup", str(archive)) == 0
    sql("update menu_items set price_cents = price_cents + 100")
    sql("delete from order_events; delete from order_items; delete from orders")
    assert stjarna(busy, "db", "restore", str(archive), "--force") == 0
    out = capsys.readouterr().out
    assert "--force: replacing what is there now" in out and "flush the KV's 'menu:*' keys" in out
    assert snapshot(busy) == before


def test_backup_does_not_overwrite_a_file_and_restore_refuses_a_non_archive(busy, empty_database, stjarna,
                                                                            tmp_path, capsys):
    existing = tmp_path / "keep.txt"
    existing.write_text("precious")
    assert stjarna(busy, "db", "backup", str(existing)) == cli.EXIT_REFUSED
    assert existing.read_text() == "precious"
    assert stjarna(empty_database, "db", "restore", str(existing)) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "BACKUP_FAILED" in err and "is not a pg_dump custom-format archive" in err
    assert stjarna(empty_database, "db", "restore", str(tmp_path / "missing.dump")) == cli.EXIT_USAGE


def test_an_unreachable_database_exits_3_without_a_traceback(stjarna, tmp_path, capsys):
    down = "postgresql://postgres@/postgres?host=/nonexistent-dir"
    assert stjarna(down, "db", "backup", str(tmp_path / "x.dump")) == cli.EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert "STORE_UNAVAILABLE" in err and "Traceback" not in err and not (tmp_path / "x.dump").exists()
