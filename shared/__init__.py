"""Stjarna's domain core and its adapters, importable without AWS.

Modules here import no vendor SDK at module level except the HTTP layer's Starlette and orjson;
adapters load their clients lazily (see ``shared.container``).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
