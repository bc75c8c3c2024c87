"""Menus: the import/export document (``document``, ``io``) and the public menu's cache (``cache``)."""

__all__: list[str] = []
