"""Admin access: API keys for ``/api/admin/…`` (docs/admin.md)."""
