"""Database lifecycle: migrations and the embedded PostgreSQL for development."""

__all__: list[str] = []
