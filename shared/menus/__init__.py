"""Menus: the import/export document, and the cached public menu."""
