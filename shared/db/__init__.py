"""Database lifecycle: migrations and the embedded PostgreSQL for development."""
