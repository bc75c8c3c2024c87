"""A scripted OpenAI-compatible server for the real ``openai`` client (``base_url=server.base_url``).

``POST /v1/chat/completions`` answers with the next scripted behaviour (``default`` once the script is
used up) and records every request body, so tests can assert what the model saw:

* ``good``: valid structured output naming the first ``count`` candidate ids found in the request
  (any JSON object with a ``candidates`` list of ``{"id": ...}`` inside a message's text);
* ``ids_outside``: names ``ids`` (not candidates), plus the first candidate when ``include_valid``;
* ``picks``: names exactly ``ids`` (candidates or not), in that order;
* ``echo``: ``good``, but the reply repeats the start of the first system message (a leaked prompt);
* every structured answer carries ``understood`` (default: nothing) and, per pick, the reason from
  ``reasons`` (in pick order; ``"A good fit (n)."`` once they run out), so a test can script hostile
  text: excluded items named in a reason, false "nut-free" claims, links, phone numbers...;
* ``malformed``: text that is not JSON; ``raw``: ``content`` verbatim (wrong shape, long reply...);
* any of the answers with ``finish_reason`` set ("length", "content_filter");
* ``empty``: a reply with no picks; ``refusal``: the ``refusal`` field set, no content;
* ``stall``: no answer for ``stall_seconds`` (ends early when the client hangs up);
* ``status_429`` / ``status_500`` / ``status_400``: an OpenAI-style error body, with
  ``retry-after-ms`` so the client's retries do not sleep for long.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.servers import BackgroundServer

KINDS = frozenset({"good", "ids_outside", "picks", "echo", "malformed", "raw", "empty", "refusal", "stall",
                   "status_429", "status_500", "status_400"})
NOTHING_UNDERSTOOD: dict[str, list[str]] = {"diets": [], "avoid": []}


@dataclass(frozen=True)
class Behaviour:
    kind: str
    count: int = 3  # good: how many candidate ids to name
    ids: tuple[str, ...] = ("not-a-candidate",)  # ids_outside, picks
    include_valid: bool = False  # ids_outside: also name the first candidate
    content: str = ""  # raw
    reply: str = "Here are a few ideas from the menu."
    reasons: tuple[str, ...] = ()  # the picks' reasons, in order
    understood: dict[str, Any] = field(default_factory=lambda: dict(NOTHING_UNDERSTOOD))  # the model's reading
    finish_reason: str = "stop"  # "length" / "content_filter" make the client's parse() raise

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown behaviour {self.kind!r}")


def candidate_ids(body: dict[str, Any]) -> list[str]:
    """Ids of every ``{"candidates": [{"id": ...}]}`` object embedded in the request's messages."""
    decoder = json.JSONDecoder()
    found: list[str] = []
    for message in body.get("messages") or []:
        text = message.get("content")
        if not isinstance(text, str):
            continue
        start = text.find("{")
        while start != -1:
            try:
                value, end = decoder.raw_decode(text, start)
            except json.JSONDecodeError:
                start = text.find("{", start + 1)
                continue
            if isinstance(value, dict) and isinstance(value.get("candidates"), list):
                found += [str(c["id"]) for c in value["candidates"] if isinstance(c, dict) and "id" in c]
            start = text.find("{", end)
    return found


@dataclass
class ScriptedOpenAI:
    default: str = "good"
    stall_seconds: float = 3.0
    retry_after_ms: int = 10
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    _script: deque[Behaviour] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def script(self, *behaviours: str | Behaviour) -> None:
        with self._lock:
            self._script.extend(b if isinstance(b, Behaviour) else Behaviour(b) for b in behaviours)

    def reset(self) -> None:
        """Forget the script and the recorded requests (one server shared by several tests)."""
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.headers.clear()

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._completions, methods=["POST"])])

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Behaviour:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self._script.popleft() if self._script else Behaviour(self.default)

    async def _completions(self, request: Request) -> Response:
        body = json.loads(await request.body())
        behaviour = self._next(body, dict(request.headers))
        kind = behaviour.kind
        if kind.startswith("status_"):
            status = int(kind.removeprefix("status_"))
            return JSONResponse({"error": {"message": f"scripted {status}", "type": "scripted", "code": None,
                                           "param": None}}, status_code=status,
                                headers={"retry-after-ms": str(self.retry_after_ms)})
        if kind == "stall":
            deadline = time.monotonic() + self.stall_seconds
            while time.monotonic() < deadline:
                if await request.is_disconnected():
                    return Response(status_code=499)
                await asyncio.sleep(0.02)
            behaviour = Behaviour("good")
        return JSONResponse(self._completion(body, behaviour))

    def _completion(self, body: dict[str, Any], b: Behaviour) -> dict[str, Any]:
        ids = candidate_ids(body)
        content: str | None
        refusal = None
        if b.kind == "good":
            content = _answer(b, ids[: b.count])
        elif b.kind == "ids_outside":
            content = _answer(b, [*b.ids, *ids[:1]] if b.include_valid else list(b.ids))
        elif b.kind == "picks":
            content = _answer(b, list(b.ids))
        elif b.kind == "echo":
            system = next((m.get("content") for m in body.get("messages") or [] if m.get("role") == "system"), "")
            content = _answer(b, ids[: b.count], reply=str(system)[:400])
        elif b.kind == "empty":
            content = _answer(b, [])
        elif b.kind == "malformed":
            content = "Sure! Try the burger, it is great {not json"
        elif b.kind == "refusal":
            content, refusal = None, "I'm sorry, I can't help with that."
        else:  # raw
            content = b.content
        return {
            "id": f"chatcmpl-scripted-{next(self._ids)}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "scripted"),
            "choices": [{"index": 0, "finish_reason": b.finish_reason, "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }


def _answer(b: Behaviour, ids: list[str], reply: str | None = None) -> str:
    reasons = [*b.reasons, *(f"A good fit ({n + 1})." for n in range(len(b.reasons), len(ids)))]
    return json.dumps({"reply": b.reply if reply is None else reply,
                       "picks": [{"itemId": i, "reason": r} for i, r in zip(ids, reasons, strict=False)],
                       "understood": b.understood})


@contextmanager
def scripted_openai(**options: Any) -> Iterator[tuple[ScriptedOpenAI, str]]:
    """``with scripted_openai() as (fake, base_url): OpenAI(base_url=base_url, ...)``; ``base_url``
    ends in ``/v1`` as the client expects."""
    fake = ScriptedOpenAI(**options)
    server = BackgroundServer(fake.app)
    url = server.start()
    try:
        yield fake, f"{url}/v1"
    finally:
        server.stop()
