"""``GET /api/openapi.json``: the API's OpenAPI document (shared/http/openapi.py, built on the first
request): public docs, cached, CORS ``*``. Served by the health function."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shared.caching import SHORT_CACHE
from shared.http.operations import ALWAYS, IF_NONE_MATCH, REQUEST_ID, ApiRoute, Reply, readable
from shared.http.responses import etag_matches


async def openapi(request: Request) -> Response:
    from shared.http.openapi import served  # pydantic's schema generation: not on the cold start

    body, etag = await run_in_threadpool(served)
    headers = {"ETag": etag, "Cache-Control": SHORT_CACHE, "Access-Control-Allow-Origin": "*"}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def apidoc_routes() -> list[ApiRoute]:
    served = ("ETag", "Cache-Control", "Access-Control-Allow-Origin")
    return [ApiRoute("/api/openapi.json", openapi, methods=["GET", "HEAD"], operations=readable(
        "/api/openapi.json", "OpenApi", "This document", "health", (IF_NONE_MATCH, REQUEST_ID), (
            Reply(200, None, served, raw={"type": "object", "required": ["openapi", "info", "paths"]}),
            Reply(304, None, served, "Not modified", media="")), ALWAYS))]
