"""The chat's usefulness report (issue #14): the question corpus (tests/chat/questions_corpus.json)
through ``shared.chat.turn.turn`` over both seed menus, per intent.

Run: ``.venv/bin/python bench/questions_report.py [--json] [--repeat N]`` (or ``scripts/safety questions``).

Columns per intent:

* ``questions``: the corpus entries labelled with that intent.
* ``right``: the share answered with the labelled intent, facts and suggest/never lists (the checks
  of tests/chat/test_questions_corpus.py). Goal >= 90 %.
* ``unsafe``: answers (any turn of the entry's session) that break a safety invariant: a suggestion
  with an avoided allergen, or undeclared allergens while an allergy is in play; verdict "no" for a
  dish whose allergens are undeclared; suggestions in an ``info`` or ``undeclaredAllergen`` answer.
  Goal 0; any unsafe answer (or an exception) makes the run exit 1.

Cost: the median µs of one ``turn`` call per corpus message (each message timed ``--repeat`` times, its
fastest kept; the menu prepared once, as the server caches it per version) against the median of
today's parse + select on the same messages (``constraints.parse`` + ``candidates.select_items``),
measured in the same run, as a ratio. Goal: within 2x.
"""

from __future__ import annotations

import functools
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import safety_report  # noqa: E402
from shared.chat.candidates import Item, Selection, menu_items, select_items  # noqa: E402
from shared.chat.constraints import Constraints, parse  # noqa: E402
from shared.chat.turn import INTENTS, prepare, turn  # noqa: E402
from tests.chat import test_questions_corpus as corpus  # noqa: E402

RIGHT_GOAL = 0.9
COST_GOAL = 2.0


def check(entry: dict[str, Any], menus: dict[str, dict[str, Any]]) -> dict[str, Any]:
    menu = menus[entry["menu"]]
    base = {"lang": entry["lang"], "menu": entry["menu"], "message": entry["message"], "intent": entry["intent"]}
    try:
        turns = corpus.run(entry, menu)
    except Exception as exc:  # a crash is no answer: counted apart, and it fails the run
        return {**base, "answered": None, "problems": [], "unsafe": [], "error": f"{type(exc).__name__}: {exc}"}
    body = turns[-1].body
    return {**base, "answered": body["intent"], "problems": corpus.problems(entry, body, corpus.ids_by_name(menu)),
            "unsafe": [p for t in turns for p in corpus.unsafe(t, menu)], "error": None}


def _best_us(call: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best * 1e6


def _parse_select(items: list[Item], skipped: int, message: str, previous: Constraints | None) -> Selection:
    return select_items(items, skipped, parse(message, previous))


def costs(menus: dict[str, dict[str, Any]], repeat: int) -> tuple[float, float]:
    """(median µs per ``turn``, median µs per parse + select_items) over the corpus messages, each
    after its earlier turns (their constraints passed as ``previous``)."""
    prepared = {slug: prepare(menu) for slug, menu in menus.items()}
    items = {slug: menu_items(menu) for slug, menu in menus.items()}
    turn_us, base_us = [], []
    for entry in corpus.QUESTIONS:
        menu = menus[entry["menu"]]
        try:
            earlier = corpus.run({**entry, "message": entry["previous"][-1], "previous": entry["previous"][:-1]},
                                 menu) if entry.get("previous") else []
        except Exception:  # reported by check()
            continue
        previous: Constraints | None = earlier[-1].constraints if earlier else None
        now = datetime.fromisoformat(entry["now"]) if "now" in entry else corpus.DEFAULT_NOW
        locale, message, slug = menu["restaurant"]["locale"], entry["message"], entry["menu"]
        m, (its, skipped) = prepared[slug], items[slug]
        try:
            turn(m, message, previous, locale=locale, now=now)
        except Exception:  # reported by check()
            continue
        turn_us.append(_best_us(functools.partial(turn, m, message, previous, locale=locale, now=now), repeat))
        base_us.append(_best_us(functools.partial(_parse_select, its, skipped, message, previous), repeat))
    return statistics.median(turn_us), statistics.median(base_us)


def report(repeat: int) -> dict[str, Any]:
    menus = corpus.payloads()
    results = [check(entry, menus) for entry in corpus.QUESTIONS]
    by_intent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_intent[r["intent"]].append(r)
    rows = []
    for intent in INTENTS:
        rs = by_intent.get(intent, [])
        if rs:
            right = sum(not r["problems"] and not r["error"] for r in rs)
            rows.append({"intent": intent, "questions": len(rs), "right": right / len(rs),
                         "unsafe": sum(bool(r["unsafe"]) for r in rs), "errors": sum(bool(r["error"]) for r in rs)})
    turn_us, base_us = costs(menus, repeat)
    langs: dict[str, int] = defaultdict(int)
    for entry in corpus.QUESTIONS:
        langs[entry["lang"]] += 1
    return {
        "corpus": str(corpus.CORPUS_PATH.relative_to(REPO)), "questions": len(results), "languages": dict(langs),
        "rows": rows, "rightGoal": RIGHT_GOAL,
        "right": sum(not r["problems"] and not r["error"] for r in results) / len(results),
        "unsafe": sum(r["unsafe"] != [] for r in results), "errors": sum(r["error"] is not None for r in results),
        "turnUs": turn_us, "parseSelectUs": base_us, "costRatio": turn_us / base_us, "costGoal": COST_GOAL,
        "misses": [{k: r[k] for k in ("lang", "menu", "intent", "answered", "message", "problems")}
                   for r in results if r["problems"]],
        "unsafeAnswers": [{k: r[k] for k in ("lang", "menu", "message", "unsafe")} for r in results if r["unsafe"]],
        "errorAnswers": [{k: r[k] for k in ("lang", "menu", "message", "error")} for r in results if r["error"]],
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def render(data: dict[str, Any]) -> str:
    headers = ("intent", "questions", "right (goal ≥ 90 %)", "unsafe (goal 0)", "errors")
    lines = [(r["intent"], str(r["questions"]), f"{r['right']:.0%} {_mark(r['right'] >= data['rightGoal'])}",
              f"{r['unsafe']} {_mark(r['unsafe'] == 0)}", str(r["errors"])) for r in data["rows"]]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.append("")
    langs = ", ".join(f"{lang} {n}" for lang, n in data["languages"].items())
    out.append(f"corpus: {data['questions']} questions ({langs}; {data['corpus']}), menus demo and nattbaren")
    out.append(f"answered as labelled: {data['right']:.0%} overall")
    out.append(f"unsafe answers: {data['unsafe']} (goal 0) {_mark(data['unsafe'] == 0)}")
    ratio, goal = data["costRatio"], data["costGoal"]
    out.append(f"cost: {data['turnUs']:.1f} µs per turn (median) vs {data['parseSelectUs']:.1f} µs parse + select "
               f"= {ratio:.2f}x (goal ≤ {goal:.0f}x) {_mark(ratio <= goal)}")
    if data["unsafeAnswers"]:
        out += ["", "UNSAFE answers:"]
        out += [f"  [{r['lang']}/{r['menu']}] {r['message']!r}: {'; '.join(r['unsafe'])}"
                for r in data["unsafeAnswers"]]
    if data["errorAnswers"]:
        out += ["", f"ERRORS ({len(data['errorAnswers'])}; the chat raised instead of answering):"]
        out += [f"  [{r['lang']}/{r['menu']}] {r['message']!r}: {r['error']}" for r in data["errorAnswers"]]
    if data["misses"]:
        out += ["", f"answered otherwise than labelled ({len(data['misses'])}):"]
        out += [f"  [{r['lang']}/{r['menu']}/{r['intent']}] {r['message']!r}: {'; '.join(r['problems'])}"
                for r in data["misses"]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    return safety_report.run(__doc__, argv, "timed calls per message (default 20)", report, render)


if __name__ == "__main__":
    sys.exit(main())
