"""The HTTP layer (Starlette): ``app`` builds the app from route groups; one module per group
(``menu``, ``chat``, ``orders``, ``admin``, ``health``, ``apidoc``, ``site``), each route declared with
its OpenAPI operations (``operations``; the document assembled by ``openapi``, the answers' models in
``schemas``); ``tenant`` resolves a request's restaurant and wraps every tenant route; ``cors``,
``inputs``, ``responses`` and ``middleware`` (request ids, limits, access logs, the catch-all)."""

__all__: list[str] = []
