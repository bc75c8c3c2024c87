"""The HTTP layer: routing, tenant CORS, request ids, errors and access logs (Starlette)."""
