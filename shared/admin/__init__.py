"""Admin access: API keys for ``/api/admin/…`` (docs/admin.md)."""

__all__: list[str] = []
