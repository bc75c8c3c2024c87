"""One chat turn: constraints → candidates (in code) → the model or the fallback → the answer.

Safe by construction: the parser and the candidate filter decide which items may be offered; the
model only picks among them and phrases the reply; names and prices come from the menu. The model's
own reading of the conversation is added to the code's (it can only narrow: the union is applied,
saved in the context and shown in ``understood``), and its texts pass ``shared/chat/guard.py``. Any AI
problem, a failed check, the ``AI_DEGRADED_MODE`` flag, no key, or a spent monthly quota → the
fallback responder, same shape, ``source: "fallback"``.

KV round trips per turn: one read (context + quota counter, MGET) and one write (context + counter,
one pipeline); the rate limiter adds one of its own (shared/ratelimit). Monitoring probes
(``sessionToken: "health-check"``) read and write nothing. No chat text is logged; the outcome code
is (``ai``, ``fallback:<reason>``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from shared import vocabulary
from shared.chat import guard
from shared.chat.ai import AiAnswer, AiResponder, AiUnavailable
from shared.chat.candidates import Item, Selection, select_items
from shared.chat.constraints import Constraints
from shared.chat.fallback import names_language, notes, reply_language, respond, suggestion
from shared.chat.lexicon import lexicon
from shared.chat.limits import HISTORY_TURNS, MAX_PICKS, MAX_REASON, MAX_REPLY
from shared.chat.text import cut
from shared.chat.turn import LISTS, Menu, Turn, prepare, turn
from shared.errors import KVUnavailable
from shared.kv import KV
from shared.menus.cache import PublicMenu
from shared.observability import metrics
from shared.settings import Settings

_log = logging.getLogger("stjarna.chat")
QUOTA_TTL_SECONDS = 40 * 86400  # a month's counter outlives its month, then expires


@dataclass(frozen=True, slots=True)
class ChatResult:
    body: dict[str, Any]  # reply, suggestions, chips, source
    outcome: str


def context_key(restaurant_id: str, session_token: str) -> str:
    """Where a session's conversation context lives in KV (the token only as a hash)."""
    return f"chat:ctx:{restaurant_id}:{hashlib.sha256(session_token.encode()).hexdigest()[:32]}"


def validated(answer: AiAnswer, candidates: tuple[Item, ...]) -> tuple[str, list[tuple[Item, str]], int]:
    """The one validation of a model's answer: (its reply cut to ``MAX_REPLY``, its picks that name
    candidates with their reasons cut to ``MAX_REASON``: the first of duplicates, at most
    ``MAX_PICKS``, and how many picks named no candidate). Names, prices and allergens come from the
    items, never from the model."""
    by_id = {item.id: item for item in candidates}
    picks: list[tuple[Item, str]] = []
    dropped = 0
    for pick in answer.picks:
        item = by_id.get(pick.item_id)
        if item is None:
            dropped += 1
        elif all(p.id != item.id for p, _ in picks) and len(picks) < MAX_PICKS:
            picks.append((item, cut(pick.reason, MAX_REASON)))
    return cut(answer.reply, MAX_REPLY), picks, dropped


def narrow(c: Constraints, avoid: Iterable[str], diets: Iterable[str], forget: Iterable[str] = ()) -> Constraints:
    """``c`` plus the model's reading: every known allergen code in ``avoid`` avoided, every known diet
    in ``diets`` applied (codes the vocabulary does not know are ignored, so the saved context stays
    readable). What the diner took back this turn (``forget``) is not added again. Never removes."""
    gone = set(forget)
    more_avoid = {a for a in avoid if a in vocabulary.EU14_ORDER and f"allergen:{a}" not in gone}
    more_diets = {d for d in diets if d in lexicon().diet_satisfied_by and f"diet:{d}" not in gone}
    if more_avoid <= c.avoid and more_diets <= c.diets:
        return c
    return replace(c, avoid=c.avoid | more_avoid, diets=c.diets | more_diets)


class ChatService:
    def __init__(self, kv: KV, settings: Settings, ai: AiResponder | None,
                 clock: Callable[[], float] = time.time) -> None:
        self._kv = kv
        self._settings = settings
        self._ai = ai
        self._clock = clock
        self._menus: dict[str, Menu] = {}  # prepared menus by ETag

    def answer(self, menu: PublicMenu, session_token: str, message: str, *, probe: bool = False,
               forget: Iterable[str] = (), degraded: bool = False) -> ChatResult:
        """One turn. ``forget``: parts of the reading the diner took back (``Constraints.forget``);
        ``degraded``: the restaurant's ``AI_DEGRADED_MODE`` flag, as the route read it (flags are read
        once per request, by the route)."""
        head = menu.head
        ctx_key = context_key(head.id, session_token)
        quota_key = f"chat:quota:{head.id}:{time.strftime('%Y-%m', time.gmtime(self._clock()))}"
        previous, history, used = (None, [], 0) if probe else self._read(ctx_key, quota_key)

        prepared = self._prepared(menu)
        now = datetime.fromtimestamp(self._clock(), UTC)
        deterministic = turn(prepared, message, previous, locale=head.locale, now=now, forget=forget)
        constraints, selection, fallback = deterministic.constraints, deterministic.selection, deterministic.body
        reason = self._why_not_ai(head.plan, selection, constraints, used=used, probe=probe,
                                 degraded=degraded, intent=deterministic.intent)
        ai_called = reason is None
        body, outcome = fallback, f"fallback:{reason}"
        if self._ai is not None and ai_called and deterministic.intent not in LISTS:  # the model phrases facts
            rephrased = self._phrased(self._ai, message, history, deterministic, menu=prepared, now=now,
                                      forget=forget, locale=head.locale)
            deterministic, body, outcome = rephrased
            constraints, selection, fallback = deterministic.constraints, deterministic.selection, deterministic.body
        elif self._ai is not None and ai_called:  # the model may narrow the constraints, never widen them
            constraints, selection, body, outcome = self._from_ai(
                self._ai, message, history, items=prepared.items, skipped=prepared.skipped, selection=selection,
                constraints=constraints, fallback=fallback, forget=forget, currency=head.currency,
                locale=head.locale)
        labels = fallback["understood"]["termLabels"]  # the model adds no ingredient terms
        result = {**body, "understood": {**body["understood"], "termLabels": labels}, "intent": deterministic.intent,
                  "facts": fallback["facts"], "source": "ai" if outcome == "ai" else "fallback"}
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
    def _why_not_ai(self, plan: str, selection: Selection, constraints: Constraints, *, used: int, probe: bool,
                    degraded: bool, intent: str) -> str | None:
        if probe:
            return "probe"
        if degraded:
            return "degraded"
        if self._ai is None:
            return "no_key"
        if constraints.ask_allergen:
            return "ask_allergen"  # the question needs no model
        if intent == "undeclaredAllergen":
            return "undeclared"  # the fixed answer: only the 14 are declared, ask the staff
        if intent in LISTS and not selection.candidates:
            return "no_candidates"  # the honest "nothing matches" needs no model
        if used >= self._settings.ai_quota(plan):
            return "quota"
        return None

    def _from_ai(self, ai: AiResponder, message: str, history: list[dict[str, str]], *, items: list[Item],
                 skipped: int, selection: Selection, constraints: Constraints, fallback: dict[str, Any],
                 forget: Iterable[str], currency: str,
                 locale: str) -> tuple[Constraints, Selection, dict[str, Any], str]:
        """One model turn: (the constraints applied, their selection, the body, the outcome).

        The model's own reading (``understood``) is added to the code's, so the constraints can only
        grow and the candidates only shrink, even when the rest of the answer is unusable (no valid
        picks, say: the fallback is narrowed too). The answer is validated once (``validated``); its
        picks are kept while they are still candidates (names, prices and allergens from the menu);
        its reply and reasons must pass ``shared/chat/guard.py``. Empty, short of picks, or a failed
        check → the deterministic answer for the narrowed constraints."""
        try:
            answer = ai.answer(message=message, constraints=constraints, candidates=selection.candidates,
                               history=history, language=reply_language(constraints, locale), currency=currency)
        except AiUnavailable as exc:
            return constraints, selection, fallback, f"fallback:{exc.reason}"
        narrowed = narrow(constraints, answer.avoid, answer.diets, forget)
        chosen, base = selection, fallback
        if narrowed != constraints:
            chosen = select_items(items, skipped, narrowed)
            base = respond(chosen, narrowed, currency=currency, locale=locale)
            _log.info("model narrowed the reading", extra={
                "outcome": "narrowed", "added": len(narrowed.avoid - constraints.avoid)
                + len(narrowed.diets - constraints.diets), "candidates": len(chosen.candidates)})
        reply, picks, dropped = validated(answer, selection.candidates)
        if dropped:
            _log.warning("ai named items outside the candidates", extra={"outcome": "dropped_ids", "dropped": dropped})
        if not reply or not answer.picks:
            return narrowed, chosen, base, "fallback:empty"
        if not picks:
            return narrowed, chosen, base, "fallback:no_valid_picks"
        picks = [(item, why) for item, why in picks if item in chosen.candidates]  # narrowed away: gone
        if not picks or len(picks) < min(2, len(chosen.candidates)):
            shrunk = chosen.candidates != selection.candidates
            return narrowed, chosen, base, "fallback:narrowed" if shrunk else "fallback:too_few_picks"
        refused = guard.check(reply, picks, candidates=chosen.candidates, items=items, private=ai.private_text)
        if refused is not None:
            return narrowed, chosen, base, f"fallback:guard_{refused}"
        lang = reply_language(narrowed, locale)
        tail = notes(chosen, narrowed, lang, names_language(narrowed, lang))
        reply = cut(reply, MAX_REPLY - sum(len(t) + 1 for t in tail))
        body = {"reply": " ".join([reply, *tail]), "suggestions": [suggestion(i, r) for i, r in picks],
                "chips": base["chips"], "understood": base["understood"]}
        return narrowed, chosen, body, "ai"

    def _phrased(self, ai: AiResponder, message: str, history: list[dict[str, str]], done: Turn, *, menu: Menu,
                 now: datetime, forget: Iterable[str], locale: str) -> tuple[Turn, dict[str, Any], str]:
        """A question about a dish or the restaurant, answered in code (``done``): the model only
        phrases the facts. The suggestions stay the code's; the reply must pass the guard, including
        ``fact`` (no number the facts do not hold), and gets the same notes. A model reading that
        narrows the constraints → the deterministic turn for the narrowed constraints."""
        c = done.constraints
        lang = reply_language(c, locale)
        tail = notes(done.selection, c, lang, names_language(c, lang))
        notes_text = " ".join(tail)
        facts_text = done.body["reply"]
        if tail and facts_text.endswith(notes_text):
            facts_text = facts_text[: -len(notes_text)].strip()
        asked = {done.body["facts"].get("itemId"), *done.body["facts"].get("itemIds", ()),
                 *(s["itemId"] for s in done.body["suggestions"])}
        named = [item for item in menu.items if item.id in asked]
        try:
            answer = ai.answer(message=message, constraints=c, candidates=named, history=history, language=lang,
                               currency=menu.currency, facts=facts_text)
        except AiUnavailable as exc:
            return done, done.body, f"fallback:{exc.reason}"
        narrowed = narrow(c, answer.avoid, answer.diets, forget)
        if narrowed != c:
            again = turn(menu, message, narrowed, locale=locale, now=now, forget=forget)
            return again, again.body, "fallback:narrowed"
        reply = cut(answer.reply, MAX_REPLY - sum(len(t) + 1 for t in tail))
        if not reply:
            return done, done.body, "fallback:empty"
        refused = guard.check(reply, [], candidates=named, items=menu.items, private=ai.private_text, facts=facts_text)
        if refused is not None:
            return done, done.body, f"fallback:guard_{refused}"
        return done, {**done.body, "reply": " ".join([reply, *tail])}, "ai"

    # -- state ----------------------------------------------------------------------------------
    def _prepared(self, menu: PublicMenu) -> Menu:
        """The menu prepared for chat turns, built once per menu version (ETag)."""
        built = self._menus.get(menu.etag)
        if built is None:
            built = prepare(orjson.loads(menu.body))
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
