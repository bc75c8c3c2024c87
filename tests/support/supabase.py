"""Prepare a PostgreSQL database the way a Supabase project is before our migrations run
(tests/support/supabase.sql): the API roles (``anon``, ``authenticated``, ``service_role`` with
``bypassrls``, ``authenticator`` that PostgREST logs in as) and Supabase's default privileges in
schema ``public``, which grant every new table, sequence and function to the API roles directly.

Only the test harness does this (tests/conftest.py, for the template every test database is cloned
from, the PostgREST bridge's included): the product's embedded database is never behind PostgREST,
so no request ever reaches it as ``anon``, and its migrations run on a vanilla PostgreSQL, which
tests/contract/test_grants.py checks too.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

SUPABASE_SQL = Path(__file__).with_name("supabase.sql")


def prepare_like_supabase(dsn: str) -> None:
    """Give the (empty) database ``dsn`` Supabase's roles and default privileges. Idempotent."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SUPABASE_SQL.read_bytes())
