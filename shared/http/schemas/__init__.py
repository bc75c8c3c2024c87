"""The API's answers as pydantic models, one module per route module: the source of the OpenAPI
document's schemas (shared/http/openapi.py). The handlers do not build their answers through these
models (the menu is assembled in SQL and served as cached bytes); tests/openapi proves every real
answer matches them.

Request models live with their domain (``shared/chat/requests.py``, ``shared/orders/requests.py``,
``shared/http/admin.py``). Imported only by the generator: never on a request's path.
"""

from shared.http.schemas.errors import error_codes, error_models

__all__ = ["error_codes", "error_models"]
