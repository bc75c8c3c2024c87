"""An Upstash Redis REST stand-in for tests, in front of a real redis-server (redis-py underneath).

``POST /`` takes one command as a JSON array, ``POST /pipeline`` and ``POST /multi-exec`` a list of
them; a Bearer token is required (401 otherwise). Replies are ``{"result": ...}`` or
``{"error": "..."}``; with ``Upstash-Encoding: base64`` every string result except the ``OK`` status
is base64 (what ``upstash_redis.http.decode`` undoes). ``delay_seconds`` makes every reply late, for
timeout tests.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import redis
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def encode(value: Any, b64: bool) -> Any:
    if isinstance(value, bytes):
        if value == b"OK" or not b64:
            return value.decode("utf-8", "replace")
        return base64.b64encode(value).decode()
    if isinstance(value, list | tuple):
        return [encode(v, b64) for v in value]
    return value  # int or None


def reply(value: Any, b64: bool) -> dict[str, Any]:
    if isinstance(value, redis.RedisError):
        return {"error": str(value)}
    return {"result": encode(value, b64)}


class UpstashBridge:
    def __init__(self, redis_socket: str, token: str) -> None:
        self.token = token
        self.delay_seconds = 0.0
        self._redis = redis.Redis(unix_socket_path=redis_socket)
        self._redis.response_callbacks.clear()  # raw RESP replies: bytes, ints, lists, None
        self.app = Starlette(routes=[
            Route("/", self._single, methods=["POST"]),
            Route("/pipeline", self._batch, methods=["POST"]),
            Route("/multi-exec", self._batch, methods=["POST"]),
        ])

    def close(self) -> None:
        self._redis.close()

    async def _prelude(self, request: Request) -> tuple[Any, bool] | Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": "ERR failed to parse command"}, status_code=400)
        return body, request.headers.get("upstash-encoding", "").lower() == "base64"

    async def _single(self, request: Request) -> Response:
        prelude = await self._prelude(request)
        if isinstance(prelude, Response):
            return prelude
        command, b64 = prelude
        if not _is_command(command):
            return JSONResponse({"error": "ERR command must be a non-empty array"}, status_code=400)
        try:
            result = await run_in_threadpool(self._redis.execute_command, *command)
        except redis.ResponseError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except redis.RedisError as exc:
            return JSONResponse({"error": f"ERR {exc}"}, status_code=500)
        return JSONResponse(reply(result, b64))

    async def _batch(self, request: Request) -> Response:
        prelude = await self._prelude(request)
        if isinstance(prelude, Response):
            return prelude
        commands, b64 = prelude
        if not isinstance(commands, list) or not all(_is_command(c) for c in commands):
            return JSONResponse({"error": "ERR pipeline must be an array of commands"}, status_code=400)
        transaction = request.url.path.endswith("/multi-exec")
        try:
            results = await run_in_threadpool(self._run_batch, commands, transaction)
        except redis.ResponseError as exc:  # e.g. EXECABORT: nothing ran
            return JSONResponse({"error": str(exc)}, status_code=400)
        except redis.RedisError as exc:
            return JSONResponse({"error": f"ERR {exc}"}, status_code=500)
        return JSONResponse([reply(r, b64) for r in results])

    def _run_batch(self, commands: list[list[Any]], transaction: bool) -> list[Any]:
        with self._redis.pipeline(transaction=transaction) as pipe:
            for command in commands:
                pipe.execute_command(*command)
            return pipe.execute(raise_on_error=False)


def _is_command(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str | int | float) for v in value)
