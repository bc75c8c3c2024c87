"""The chat path: the pipeline's cost without the model, POST /api/chat requests/s, and chat through the
scripted OpenAI server.

Run: ``.venv/bin/python bench/chat_bench.py [--json FILE] [--quick]`` (or ``scripts/bench``).

Three parts, all against menus imported into a real embedded PostgreSQL started here in a temp dir
(stopped at the end), menus of 50, 200 and 1000 items:

1. ``ChatService.answer`` with no AI (the fallback responder) over a fixed script of EN and SV
   conversations, in µs per call, and its three stages (parse, select, respond) alone on the same
   inputs, so the dominant one is visible.
2. Requests/s of ``POST /api/chat`` through the full app (hand-built ASGI scope, a ``receive`` that
   returns the JSON body once, no sockets), as ratios to a floor app and to the same-path floor.
3. Requests/s of ``POST /api/chat`` answered by "the model": the real ``openai`` client making its HTTP
   request to the scripted OpenAI-compatible server (tests/support/openai_server.py, in a process of its
   own), as a ratio to the fallback path (no key) on the same menu (200 items).

Store round trips per chat request moved to bench/store_bench.py (with every other route's).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from _common import (
    CHAT_PATH,
    CONVERSATIONS,
    Recorder,
    Row,
    bench_run,
    body_once,
    chat_body,
    chat_menu_document,
    chat_scope,
    child_server,
    cli,
    measure,
)
from floor import floor_app

PATH = CHAT_PATH
SIZES = (50, 200, 1000)
# Generous limits (the pattern allows no fractions): the limiter runs on every request and never
# refuses. A 1-second window keeps the in-memory moving-window lists short (about one second of
# requests), close to what the production limits (15 per 30 s per session) leave in them.
NEVER_REFUSE = "1000000 per 1 second"
SCRIPT: tuple[tuple[int, str], ...] = tuple((c, m) for c, conv in enumerate(CONVERSATIONS) for m in conv)
RPS_MESSAGE = "Anything vegan under 150 kr?"  # the ASGI rows: one session repeating it (follow-up turns)


# -- request plumbing ----------------------------------------------------------------------------
class BodyRecorder(Recorder):
    """Also keeps the last body (to read the JSON answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.last = b""

    async def send(self, message: dict[str, Any]) -> None:
        await super().send(message)
        if message["type"] == "http.response.body":
            self.last += message.get("body", b"")


def post(loop: asyncio.AbstractEventLoop, app: Any, body: bytes) -> tuple[int, bytes]:
    rec = BodyRecorder()
    loop.run_until_complete(app(chat_scope(body), body_once(body), rec.send))
    (status,) = rec.statuses
    return status, rec.last


def post_case(loop: asyncio.AbstractEventLoop, app: Any, body: bytes, body_len: int) -> Callable[[int], float]:
    """``n`` POSTs of the same body; every response must be a 200 of ``body_len`` bytes."""
    scope = chat_scope(body)

    async def many(n: int, send: Any) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await app(dict(scope), body_once(body), send)
        return time.perf_counter() - started

    def run(n: int) -> float:
        rec = Recorder()
        elapsed = loop.run_until_complete(many(n, rec.send))
        if rec.statuses != {200: n} or rec.body_bytes != body_len * n:
            raise AssertionError(f"unexpected responses: {rec.statuses}, {rec.body_bytes} body bytes "
                                 f"(wanted {n}x 200 with {body_len} bytes)")
        return elapsed

    return run


def check_access_log(loop: asyncio.AbstractEventLoop, app: Any, body: bytes) -> None:
    """Prove the access logger writes a line for a chat request before sending it to /dev/null."""
    from shared.observability.logs import configure_logging

    buffer = io.StringIO()
    configure_logging("INFO", stream=buffer)
    status, _ = post(loop, app, body)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    if status != 200 or not any(line.get("logger") == "stjarna.access" and line.get("path") == PATH
                                for line in lines):
        raise AssertionError(f"status {status}; no access log line for {PATH}: {lines!r}")


# -- part 1: the pipeline ------------------------------------------------------------------------
class Reference:
    """One untimed pass over the script: every stage's input and output, per script position."""

    def __init__(self, payload: dict[str, Any], currency: str, locale: str) -> None:
        from shared.chat.candidates import select
        from shared.chat.constraints import parse
        from shared.chat.fallback import respond

        self.previous: list[Any] = []
        self.constraints: list[Any] = []
        self.selections: list[Any] = []
        self.suggestions: list[int] = []
        last: dict[int, Any] = {}
        for conv, message in SCRIPT:
            previous = last.get(conv)
            c = parse(message, previous)
            selection = select(payload, c)
            reply = respond(selection, c, currency=currency, locale=locale)
            self.previous.append(previous)
            self.constraints.append(c)
            self.selections.append(selection)
            self.suggestions.append(len(reply["suggestions"]))
            last[conv] = c


def pipeline_cases(service: Any, menu: Any, payload: dict[str, Any]) -> tuple[dict[str, Callable[[int], float]],
                                                                            Reference]:
    from shared.chat.candidates import menu_items, select_items
    from shared.chat.constraints import parse
    from shared.chat.fallback import respond

    currency, locale = menu.head.currency, menu.head.locale
    ref = Reference(payload, currency, locale)
    items, skipped = menu_items(payload)
    size = len(SCRIPT)
    cycles = itertools.count()  # fresh session tokens for every pass over the script
    position = [0, next(cycles)]

    def answer(n: int) -> float:
        pos, cycle = position
        started = time.perf_counter()
        for _ in range(n):
            conv, message = SCRIPT[pos]
            result = service.answer(menu, f"bench{cycle:08d}c{conv}", message)
            if result.outcome != "fallback:no_key" or len(result.body["suggestions"]) != ref.suggestions[pos]:
                raise AssertionError(f"unexpected answer at script position {pos}: {result!r}")
            pos += 1
            if pos == size:
                pos, cycle = 0, next(cycles)
        elapsed = time.perf_counter() - started
        position[:] = [pos, cycle]
        return elapsed

    def stage(call: Callable[[int], Any], check: Callable[[int, Any], bool]) -> Callable[[int], float]:
        def run(n: int) -> float:
            started = time.perf_counter()
            for k in range(n):
                out = call(k % size)
            elapsed = time.perf_counter() - started
            last = (n - 1) % size
            if not check(last, out):
                raise AssertionError(f"unexpected stage output at script position {last}: {out!r}")
            return elapsed

        return run

    cases = {
        "answer": answer,
        "parse": stage(lambda i: parse(SCRIPT[i][1], ref.previous[i]), lambda i, out: out == ref.constraints[i]),
        "select": stage(lambda i: select_items(items, skipped, ref.constraints[i]),
                        lambda i, out: out == ref.selections[i]),
        "respond": stage(lambda i: respond(ref.selections[i], ref.constraints[i], currency=currency, locale=locale),
                         lambda i, out: len(out["suggestions"]) == ref.suggestions[i]),
    }
    return cases, ref


def answer_case(service: Any, menu: Any, suggestions: int) -> Callable[[int], float]:
    """``ChatService.answer`` alone with what the POST rows send: one session repeating the message.
    Runs in the event loop's thread (the app runs it in a worker thread). Returns the elapsed seconds."""

    def run(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            result = service.answer(menu, "bench-alone-session", RPS_MESSAGE)
        elapsed = time.perf_counter() - started
        if result.outcome != "fallback:no_key" or len(result.body["suggestions"]) != suggestions:
            raise AssertionError(f"unexpected answer: {result!r}")
        return elapsed

    return run


# -- part 3: through the scripted OpenAI server -----------------------------------------------------------
_OPENAI_MAIN = """
import sys
import uvicorn
from tests.support.openai_server import ScriptedOpenAI
uvicorn.run(ScriptedOpenAI().app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False, lifespan="off")
"""


def source_case(loop: asyncio.AbstractEventLoop, app: Any, body: bytes, source: str) -> Callable[[int], float]:
    """``n`` POSTs of the same body; every response must be a 200 whose ``source`` is ``source``."""
    scope = chat_scope(body)
    wanted = f'"source":"{source}"'.encode()

    async def many(n: int) -> tuple[float, list[bytes]]:
        answers = []
        started = time.perf_counter()
        for _ in range(n):
            rec = BodyRecorder()
            await app(dict(scope), body_once(body), rec.send)
            if rec.statuses != {200: 1}:
                raise AssertionError(f"unexpected status {rec.statuses}: {rec.last[:300]!r}")
            answers.append(rec.last)
        return time.perf_counter() - started, answers

    def run(n: int) -> float:
        elapsed, answers = loop.run_until_complete(many(n))
        wrong = [a for a in answers if wanted not in a]
        if wrong:
            raise AssertionError(f"{len(wrong)} answers not from {source}: {wrong[0][:300]!r}")
        return elapsed

    return run


def ai_rows(loop: asyncio.AbstractEventLoop, settings: Any, store: Any, fallback_app: Any, slug: str, rounds: int,
            round_seconds: float) -> list[Row]:
    import httpx
    from pydantic import SecretStr

    from shared.chat.ai import build_ai
    from shared.container import Container
    from shared.http.app import create_app
    from shared.kv.memory import MemoryKV

    def answers(base: str) -> bool:
        return httpx.get(f"{base}/v1/chat/completions", timeout=1).status_code == 405  # up: POST only

    with child_server(_OPENAI_MAIN, answers, name="the scripted OpenAI server") as base:
        ai_settings = settings.model_copy(update={
            "openai_api_key": SecretStr("sk-bench-not-a-real-key-0000000000"), "openai_base_url": f"{base}/v1",
            "openai_max_retries": 0, "ai_quota_starter": 10**9})
        ai = build_ai(ai_settings)
        assert ai is not None
        ai_app = create_app(("chat",), container=Container(ai_settings, store=store, kv=MemoryKV(), ai=ai))
        body = chat_body(slug, "bench-ai-session", RPS_MESSAGE)
        for app, source in ((ai_app, "ai"), (fallback_app, "fallback")):
            source_case(loop, app, body, source)(3)  # first turn, follow-ups; builds the OpenAI client
        res = measure({"fallback": source_case(loop, fallback_app, body, "fallback"),
                       "ai": source_case(loop, ai_app, body, "ai")},
                      rounds=rounds, round_seconds=round_seconds, min_n=10)
        ai.close()
    group = f"chat through the scripted OpenAI server ({slug.removeprefix('bench-')} items)"
    fb, ai = res["fallback"]["rps"], res["ai"]["rps"]
    return [
        Row(group, "chat 200, fallback (no key): the baseline", fb, "req/s", "fallback", 1.0,
            detail={"n": res["fallback"]["n"], "rounds": rounds}),
        Row(group, "chat 200, source ai (real openai client → scripted server over HTTP)", ai, "req/s", "fallback",
            ai / fb, detail={"n": res["ai"]["n"], "rounds": rounds}),
        Row(group, "what the model call adds per request: 1/ai - 1/fallback", 1e6 / ai - 1e6 / fb, "µs", "ai",
            1 - ai / fb),
    ]


# -- the run --------------------------------------------------------------------------------------
def run_bench(*, quick: bool = False) -> dict[str, Any]:
    import orjson

    from shared.chat.pipeline import ChatService
    from shared.container import Container
    from shared.http.app import create_app
    from shared.kv.memory import MemoryKV
    from shared.menus.io import import_menu
    from shared.observability.logs import configure_logging
    from shared.settings import load_settings

    rounds, round_seconds = (3, 0.1) if quick else (5, 0.2)
    rows: list[Row] = []
    notes: list[str] = []
    dominant: list[str] = []
    started = time.perf_counter()
    with bench_run() as (loop, devnull, _dsn, store):
        for size in SIZES:
            import_menu(store, chat_menu_document(size))
        settings = load_settings({"STJARNA_DATA_DIR": "/nonexistent", "MENU_LOCAL_CACHE_SECONDS": "30",
                                  "CHAT_RATE_LIMIT": NEVER_REFUSE, "CHAT_IP_RATE_LIMIT": NEVER_REFUSE})
        container = Container(settings, store=store, kv=MemoryKV())
        app = create_app(("chat",), container=container)
        check_access_log(loop, app, chat_body("bench-50", "bench-log-check", RPS_MESSAGE))
        configure_logging("INFO", stream=devnull)

        for size in SIZES:
            slug = f"bench-{size}"
            menu, _ = container.menus.menu(slug)
            group = f"chat pipeline, no model ({size} items)"

            # Part 1: the pipeline (the service caches the parsed payload by ETag, as in the app).
            service = ChatService(MemoryKV(), settings, None)
            cases, ref = pipeline_cases(service, menu, orjson.loads(menu.body))
            res = measure(cases, rounds=rounds, round_seconds=round_seconds)
            us = {name: 1e6 / r["rps"] for name, r in res.items()}
            rest = us["answer"] - us["parse"] - us["select"] - us["respond"]
            detail = {"calls": len(SCRIPT), "conversations": len(CONVERSATIONS),
                      "candidates": [len(s.candidates) for s in ref.selections]}
            rows.append(Row(group, f"ChatService.answer, fallback (script of {len(SCRIPT)} EN/SV turns)",
                            us["answer"], "µs", detail={**detail, "n": res["answer"]["n"], "rounds": rounds}))
            for name, label in (("parse", "parse: message → constraints"),
                                ("select", "select: menu items → candidates (items built once per menu version)"),
                                ("respond", "respond: fallback reply")):
                rows.append(Row(group, label, us[name], "µs", "answer", us[name] / us["answer"],
                                detail={"n": res[name]["n"], "rounds": rounds}))
            rows.append(Row(group, "rest: KV, session key, context JSON, flags, log (answer - stages)",
                            max(rest, 0.0), "µs", "answer", max(rest, 0.0) / us["answer"],
                            detail={"raw": rest}))
            top = max(("parse", "select", "respond"), key=us.__getitem__)
            dominant.append(f"{size} items: {top} ({us[top] / us['answer']:.0%} of answer)")

            # Part 2: requests/s through the app; the floors return bytes of the answer's size.
            body = chat_body(slug, "bench-rps-session", RPS_MESSAGE)
            for _ in range(3):  # first turn, then follow-ups: the answer is the same from here on
                status, answer = post(loop, app, body)
                if status != 200:
                    raise AssertionError(f"{slug}: {status} {answer!r}")
            prebuilt = bytes(len(answer))
            res = measure({
                "floor": post_case(loop, floor_app(prebuilt, PATH, method="POST"), body, len(prebuilt)),
                "floor + middleware": post_case(loop, floor_app(prebuilt, PATH, method="POST", middleware=True), body,
                                                len(prebuilt)),
                "chat": post_case(loop, app, body, len(answer)),
                "answer alone": answer_case(ChatService(MemoryKV(), settings, None), menu,
                                            len(json.loads(answer)["suggestions"])),
            }, rounds=rounds, round_seconds=round_seconds + 0.05)
            fl, pfl, ch = res["floor"]["rps"], res["floor + middleware"]["rps"], res["chat"]["rps"]
            alone = res["answer alone"]["rps"]
            group = f"chat POST /api/chat ({size} items, answer {len(answer)} B)"

            def row(name: str, value: float, base: float, base_name: str, key: str,
                    group: str = group, res: dict[str, Any] = res, size_: int = len(answer)) -> Row:
                return Row(group, name, value, "req/s", base_name, value / base,
                           detail={"n": res[key]["n"], "rounds": res[key]["rounds"], "bodyBytes": size_})

            rows += [
                row("floor: Starlette POST route, pre-built bytes", fl, fl, "floor", "floor"),
                row("same-path floor: behind RequestContextMiddleware", pfl, pfl, "same-path floor",
                    "floor + middleware"),
                row("chat 200, fallback (follow-up turn)", ch, fl, "floor", "chat"),
                row("chat 200 vs the same-path floor", ch, pfl, "same-path floor", "chat"),
                row("ChatService.answer alone, same message and session (no HTTP)", alone, fl, "floor",
                    "answer alone"),
                Row(group, "HTTP path around answer(): 1/chat - 1/answer alone", max(1e6 / ch - 1e6 / alone, 0.0),
                    "µs", "chat", max(1 - ch / alone, 0.0), detail={"raw": 1e6 / ch - 1e6 / alone}),
            ]
            print(f"  measured {size} items ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

        # Part 3: the model's path through the real openai client and the scripted server.
        rows += ai_rows(loop, settings, store, app, f"bench-{SIZES[1]}", rounds, round_seconds + 0.05)

    notes += [
        f"chat pipeline: ChatService.answer(menu, token, message) with ai=None (outcome fallback:no_key) over a "
        f"script of {len(SCRIPT)} turns in {len(CONVERSATIONS)} EN/SV sessions (vegan, nut-free, under X, "
        "cheapest dessert, follow-ups); fresh session tokens on every pass, so first turns stay first turns; "
        "MemoryKV; the `stjarna.chat` log line goes to os.devnull. Stages timed alone on the same inputs "
        "(parse with the session's previous constraints, select on the parsed payload, respond on the "
        f"selection); best of {rounds} interleaved rounds, in µs per call; the stage ratios are shares of "
        "answer.",
        "chat pipeline dominant stage: " + "; ".join(dominant) + ".",
        "chat menus: the menu bench's generated documents with course-named sections (EN/SV), 1/5 of the "
        "items tagged vegan, 1/5 vegetarian, 1/11 with undeclared allergens.",
        f"chat POST: full app (create_app(('chat',)), MemoryKV, memory:// limiter with CHAT_RATE_LIMIT = "
        f"CHAT_IP_RATE_LIMIT = '{NEVER_REFUSE}', so it runs and never refuses), one session repeating "
        f"'{RPS_MESSAGE}' (follow-up turns: context read and written each time); access log on to "
        "os.devnull; the floors read the body and return zero bytes of the answer's length; no goal.",
        "chat through OpenAI: the same app and request with OPENAI_API_KEY set and OPENAI_BASE_URL on the "
        "scripted OpenAI-compatible server (tests/support/openai_server.py under uvicorn, in its own process, "
        "answering valid structured output that picks the first 3 candidates): the real openai client "
        "(OPENAI_MAX_RETRIES=0) builds the prompt, makes the HTTP request and parses the reply, then the "
        "picks are mapped onto the menu; every answer checked for source 'ai'. AI_QUOTA_STARTER is raised "
        "so the monthly quota never cuts in. The fallback row is the same app without a key.",
    ]
    return {"rows": [r.as_dict() for r in rows], "notes": notes,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    cli(__doc__, run_bench, quick_help="fewer, shorter rounds (smoke test)")
