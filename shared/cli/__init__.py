"""``stjarna``: the product's command line. One module per command group (serve, db, menu, openapi,
orders, keys, flags, gdpr, tenant, cache, audit, sentry), the helpers they share in output.py, the parser and
``main`` in main.py.

Exit codes: 0 success; 1 the request was refused (invalid input, unknown restaurant) or a check
failed; 2 usage error; 3 a dependency is unavailable or the configuration is invalid.
"""

from shared.cli.main import build_parser, main
from shared.cli.output import EXIT_REFUSED, EXIT_UNAVAILABLE, EXIT_USAGE

__all__ = ["EXIT_REFUSED", "EXIT_UNAVAILABLE", "EXIT_USAGE", "build_parser", "main"]
