"""The one validation of a model's answer (shared/chat/pipeline.py ``validated``): picks only among
the candidates, the first of duplicates, at most MAX_PICKS; reply and reasons cut at boundaries."""

from __future__ import annotations

from typing import Any

from shared.chat.ai import AiAnswer, AiPick
from shared.chat.candidates import select
from shared.chat.constraints import parse
from shared.chat.limits import MAX_PICKS, MAX_REASON, MAX_REPLY
from shared.chat.pipeline import validated


def vegan(menu: dict[str, Any]) -> tuple[Any, ...]:
    return select(menu, parse("Anything vegan?")).candidates


def test_picks_are_candidates_deduplicated_and_capped(demo_menu: dict[str, Any]) -> None:
    cands = vegan(demo_menu)
    assert len(cands) > MAX_PICKS
    ids = [c.id for c in cands]
    answer = AiAnswer("Ideas.", tuple(AiPick(i, "x") for i in [ids[0], ids[0], "meatballs", *ids[1:], "made-up"]))
    reply, picks, dropped = validated(answer, cands)
    assert [item.id for item, _ in picks] == ids[:MAX_PICKS]
    assert dropped == 2 and reply == "Ideas."
    assert all(item in cands for item, _ in picks)  # names, prices and allergens come from these


def test_only_ids_outside_leave_no_picks(demo_menu: dict[str, Any]) -> None:
    _, picks, dropped = validated(AiAnswer("Try the meatballs.", (AiPick("meatballs", "x"),)), vegan(demo_menu))
    assert picks == [] and dropped == 1


def test_reply_and_reasons_are_cut_at_boundaries(demo_menu: dict[str, Any]) -> None:
    cands = vegan(demo_menu)
    sentence = "The tomato soup is a warming choice and fully vegan. "
    reply, picks, _ = validated(AiAnswer(sentence * 20, (AiPick(cands[0].id, "word " * 60),)), cands)
    assert len(reply) <= MAX_REPLY and reply.endswith("vegan.")  # whole sentences
    assert len(picks[0][1]) <= MAX_REASON and picks[0][1].endswith("word…")  # whole words
    reply, _, _ = validated(AiAnswer("long " * 200, (AiPick(cands[0].id, "ok"),)), cands)
    assert len(reply) <= MAX_REPLY and reply.endswith("long…")
    assert validated(AiAnswer("   ", ()), cands)[0] == ""
