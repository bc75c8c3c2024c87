"""One chat turn: constraints → candidates (in code) → the model or the fallback → the answer.

Safe by construction: the parser and the candidate filter decide which items may be offered; the
model only picks among them and phrases the reply; names and prices come from the menu. Any AI
problem, the ``AI_DEGRADED_MODE`` flag, no key, or a spent monthly quota → the fallback responder,
same shape, ``source: "fallback"``.

KV round trips per turn: one read (context + quota counter, MGET) and one write (context + counter,
one pipeline); the rate limiter adds one of its own (shared/ratelimit). Monitoring probes
(``sessionToken: "health-check"``) read and write nothing. No chat text is logged; the outcome code
is (``ai``, ``fallback:<reason>``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from shared.chat.ai import AiAnswer, AiResponder, AiUnavailable
from shared.chat.candidates import Item, Selection, menu_items, select_items
from shared.chat.constraints import Constraints, parse
from shared.chat.fallback import MAX_REPLY, reply_language, respond
from shared.errors import KVUnavailable
from shared.flags import Flags
from shared.kv import KV
from shared.menus.public import PublicMenu
from shared.observability import metrics
from shared.settings import Settings

_log = logging.getLogger("stjarna.chat")
HISTORY_TURNS = 6  # messages kept in context (3 exchanges)
QUOTA_TTL_SECONDS = 40 * 86400  # a month's counter outlives its month, then expires


@dataclass(frozen=True, slots=True)
class ChatResult:
    body: dict[str, Any]  # reply, suggestions, chips, source
    outcome: str


def context_key(restaurant_id: str, session_token: str) -> str:
    """Where a session's conversation context lives in KV (the token only as a hash)."""
    return f"chat:ctx:{restaurant_id}:{hashlib.sha256(session_token.encode()).hexdigest()[:32]}"


class ChatService:
    def __init__(self, kv: KV, settings: Settings, ai: AiResponder | None, flags: Flags | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._kv = kv
        self._settings = settings
        self._flags = flags or Flags(settings, None)  # without overrides: defaults and environment
        self._ai = ai
        self._clock = clock
        self._menus: dict[str, tuple[list[Item], int]] = {}  # menu items by ETag

    def answer(self, menu: PublicMenu, session_token: str, message: str, *, probe: bool = False) -> ChatResult:
        head = menu.head
        ctx_key = context_key(head.id, session_token)
        quota_key = f"chat:quota:{head.id}:{time.strftime('%Y-%m', time.gmtime(self._clock()))}"
        previous, history, used = (None, [], 0) if probe else self._read(ctx_key, quota_key)

        constraints = parse(message, previous)
        items, skipped = self._items(menu)
        selection = select_items(items, skipped, constraints)
        fallback = respond(selection, constraints, currency=head.currency, locale=head.locale)
        reason = self._why_not_ai(head.slug, head.plan, selection, used, probe)
        ai_called = reason is None
        body, outcome = fallback, f"fallback:{reason}"
        if self._ai is not None and ai_called:
            try:
                answer = self._ai.answer(message=message, constraints=constraints,
                                         candidates=[self._candidate(i) for i in selection.candidates],
                                         history=history, language=reply_language(constraints, head.locale),
                                         currency=head.currency)
                body, outcome = self._from_ai(answer, selection, fallback, items), "ai"
            except AiUnavailable as exc:
                outcome = f"fallback:{exc.reason}"
        result = {**body, "source": "ai" if outcome == "ai" else "fallback"}
        if not probe:
            turns = [*history, {"role": "user", "content": message},
                     {"role": "assistant", "content": result["reply"]}][-HISTORY_TURNS:]
            context = orjson.dumps({"constraints": constraints.to_json(), "history": turns}).decode()
            self._write(ctx_key, context, quota_key if ai_called else None)
        _log.info("chat turn", extra={"outcome": outcome, "candidates": len(selection.candidates),
                                      "suggestions": len(result["suggestions"]), "undeclared": selection.undeclared})
        metrics.chat_answered(outcome)
        return ChatResult(result, outcome)

    # -- decisions ----------------------------------------------------------------------------
    def _why_not_ai(self, slug: str, plan: str, selection: Selection, used: int, probe: bool) -> str | None:
        if probe:
            return "probe"
        if self._flags.value("AI_DEGRADED_MODE", slug):
            return "degraded"
        if self._ai is None:
            return "no_key"
        if not selection.candidates:
            return "no_candidates"  # the honest "nothing matches" needs no model
        if used >= self._settings.ai_quota(plan):
            return "quota"
        return None

    @staticmethod
    def _from_ai(answer: AiAnswer, selection: Selection, fallback: dict[str, Any],
                 items: list[Item]) -> dict[str, Any]:
        """The model's picks mapped back onto the candidates (names and prices from the menu). A reply
        that names a menu item outside the candidates (say, one a prompt injection asked for) is
        refused: the model may phrase, never widen."""
        by_id = {item.id: item for item in selection.candidates}
        reply = answer.reply.casefold()
        if any(item.id not in by_id and item.name.casefold() in reply for item in items):
            raise AiUnavailable("reply_names_excluded_item")
        picked: list[dict[str, Any]] = []
        for pick in answer.picks:
            item = by_id.get(pick.item_id)
            if item is not None and all(p["itemId"] != item.id for p in picked):
                picked.append({"itemId": item.id, "name": item.name, "priceCents": item.price_cents,
                               "reason": pick.reason[:120]})
        if len(picked) < min(2, len(selection.candidates)) or not answer.reply.strip():
            raise AiUnavailable("too_few_picks")
        return {"reply": answer.reply.strip()[:MAX_REPLY], "suggestions": picked[:4], "chips": fallback["chips"]}

    @staticmethod
    def _candidate(item: Item) -> dict[str, Any]:
        return {"id": item.id, "name": item.name, "priceCents": item.price_cents,
                "allergens": sorted(item.allergens), "allergensDeclared": item.allergens_declared,
                "tags": sorted(item.tags), "section": item.section}

    # -- state ----------------------------------------------------------------------------------
    def _items(self, menu: PublicMenu) -> tuple[list[Item], int]:
        """The menu's items for the candidate filter, built once per menu version (ETag)."""
        built = self._menus.get(menu.etag)
        if built is None:
            built = menu_items(orjson.loads(menu.body))
            if len(self._menus) >= 64:
                self._menus.clear()
            self._menus[menu.etag] = built
        return built

    def _read(self, ctx_key: str, quota_key: str) -> tuple[Constraints | None, list[dict[str, str]], int]:
        try:
            raw_context, raw_used = self._kv.get_many([ctx_key, quota_key])
        except KVUnavailable:
            _log.warning("kv unavailable; chat context and quota unknown for this turn")
            return None, [], 0
        used = int(raw_used) if raw_used and raw_used.isdigit() else 0
        if raw_context is None:
            return None, [], used
        try:
            context = orjson.loads(raw_context)
            history = [t for t in context.get("history", []) if t.get("role") in {"user", "assistant"}]
            return Constraints.from_json(context["constraints"]), history[-HISTORY_TURNS:], used
        except (ValueError, KeyError, TypeError, AttributeError):
            _log.warning("unreadable chat context dropped")
            return None, [], used

    def _write(self, ctx_key: str, context: str, quota_key: str | None) -> None:
        counters = [(quota_key, QUOTA_TTL_SECONDS)] if quota_key else []
        try:
            self._kv.write(sets=[(ctx_key, context, self._settings.chat_context_ttl_seconds)], counters=counters)
        except KVUnavailable:
            _log.warning("kv unavailable; chat context not kept")
