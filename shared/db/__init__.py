"""Database lifecycle: migrations, seeding, and the embedded PostgreSQL for development."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = ["prepare_embedded"]
_log = logging.getLogger("stjarna.db")


def prepare_embedded(settings: Settings) -> str:
    """Start (or attach to) the embedded PostgreSQL, migrate it and seed the demo restaurants; its DSN."""
    from shared.db.embedded import embedded_dsn
    from shared.db.migrate import migrate
    from shared.db.seed import seed_if_empty

    dsn = embedded_dsn(settings.data_dir)
    applied = migrate(dsn)
    if applied:
        _log.info("applied migrations: %s", ", ".join(applied))
    seed_if_empty(dsn)
    return dsn
