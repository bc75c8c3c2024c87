"""The chat's safety report: the safety corpus (tests/chat/safety_corpus.json) through parse -> select ->
respond over the demo menu, per language.

Run: ``.venv/bin/python bench/safety_report.py [--json] [--repeat N]`` (or ``scripts/safety``).

Columns per language:

* ``messages``: the corpus size.
* ``unsafe``: answers with a suggestion that contains an expected-avoided (or parsed-avoided) allergen, or
  whose allergens are undeclared while anything is avoided (or the assistant asks which allergen). Goal 0;
  any unsafe answer makes the run exit 1 (and so does any message on which the chat raises: ``errors``).
* ``answered``: the share of answerable messages that got at least one suggestion. Answerable: not an
  "ask which allergen" message, and the demo menu has an item with declared allergens free of the
  expected codes that satisfies the expected diets. Goal >= 90 % (en, sv), >= 80 % (the others).
* ``parse µs``: the mean cost of ``parse`` per message, over the whole corpus, ``--repeat`` times
  (time.perf_counter; the best of the repetitions). Goal <= 62 µs (twice the old parser's 31 µs).

Also listed: the corpus messages whose expectation the parser misses (not avoided, avoided although asked
for, wrong diets, wrong ask), which are not necessarily unsafe (asking, or avoiding more, is safe).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from shared import vocabulary  # noqa: E402
from shared.chat.constraints import parse  # noqa: E402
from shared.chat.turn import turn  # noqa: E402
from tests.chat.conftest import demo_payload  # noqa: E402

CORPUS = REPO / "tests" / "chat" / "safety_corpus.json"
LANGUAGES = ("en", "sv", "de", "fr", "es", "it", "nl", "da", "no", "fi", "pl")
ANSWERED_GOAL = {lang: 0.9 if lang in ("en", "sv") else 0.8 for lang in LANGUAGES}
PARSE_GOAL_US = 62.0  # 2x the old parser's 31 µs per message
NOW = datetime(2026, 12, 8, 11, 30, tzinfo=UTC)  # a Tuesday lunch: the seed restaurants are open
DIET_TAGS = {"vegan": {"vegan"}, "vegetarian": {"vegetarian", "vegan"},
             "pescatarian": {"pescatarian", "vegetarian", "vegan"}, "halal": {"halal"}, "kosher": {"kosher"}}


def answerable(case: dict[str, Any], menu: dict[str, Any]) -> bool:
    if case["ask"]:
        return False
    avoid = set(case["avoid"])
    for section in menu["sections"]:
        for item in section["items"]:
            if not item["allergensDeclared"] or avoid & set(item["allergens"]):
                continue
            if all(set(item["tags"]) & DIET_TAGS[d] for d in case.get("diets", [])):
                return True
    return False


def check(case: dict[str, Any], menu: dict[str, Any]) -> dict[str, Any]:
    base = {"lang": case["lang"], "message": case["message"], "kind": case["kind"],
            "answerable": answerable(case, menu)}
    try:  # the whole deterministic turn, as the server's fallback and the widget answer
        done = turn(menu, case["message"], None, locale="en-SE", now=NOW)
        c, out = done.constraints, done.body
    except Exception as exc:  # a crash is no answer: counted apart, and it fails the run
        return {**base, "unsafe": [], "missed": [], "suggested": False, "language": None,
                "error": f"{type(exc).__name__}: {exc}"}
    expected = set(case["avoid"])
    unsafe = []
    for s in out["suggestions"]:
        if bad := set(s["allergens"]) & (expected | c.avoid):
            unsafe.append(f"{s['name']} contains {sorted(bad)}")
        if (expected or c.avoid or c.ask_allergen) and not s["allergensDeclared"]:
            unsafe.append(f"{s['name']} has undeclared allergens")
    missed = []
    if missing := expected - c.avoid:
        missed.append(f"not avoided {sorted(missing)}")
    if wrongly := set(case["notAvoid"]) & c.avoid:
        missed.append(f"avoided although asked for {sorted(wrongly)}")
    if "diets" in case and c.diets != set(case["diets"]):
        missed.append(f"diets {sorted(c.diets)} instead of {case['diets']}")
    if c.ask_allergen != case["ask"] and not (case["ask"] and c.avoid_terms):  # kiwi: no question, nothing offered
        missed.append(f"askAllergen {c.ask_allergen} instead of {case['ask']}")
    if c.avoid_terms and out["suggestions"]:
        unsafe.append("an allergy outside the EU-14, yet dishes suggested")
    return {**base, "unsafe": unsafe, "missed": missed, "suggested": bool(out["suggestions"]),
            "language": c.language, "error": None}


def parse_cost_us(messages: list[str], repeat: int) -> float:
    """Mean µs per ``parse`` over all messages: the best of ``repeat`` passes (the least disturbed).
    Messages ``parse`` raises on are left out (they are listed as errors)."""
    usable = []
    for message in messages:  # warm the lexicon and any caches
        try:
            parse(message)
        except Exception:  # reported by check()
            continue
        usable.append(message)
    messages = usable or messages
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for message in messages:
            parse(message)
        best = min(best, time.perf_counter() - start)
    return best / len(messages) * 1e6


def report(repeat: int) -> dict[str, Any]:
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))["messages"]
    menu = demo_payload()
    results = [check(case, menu) for case in cases]
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_lang[r["lang"]].append(r)
    rows = []
    for lang in LANGUAGES:
        rs = by_lang.get(lang, [])
        if not rs:
            continue
        can = [r for r in rs if r["answerable"]]
        answered = sum(r["suggested"] for r in can) / len(can) if can else None
        langs = [r["message"] for r in rs]
        rows.append({
            "language": lang, "messages": len(rs), "unsafe": sum(bool(r["unsafe"]) for r in rs),
            "answerable": len(can), "answered": answered, "answeredGoal": ANSWERED_GOAL[lang],
            "missed": sum(bool(r["missed"]) for r in rs), "errors": sum(bool(r["error"]) for r in rs),
            "languageDetected": sum(r["language"] == lang for r in rs) / len(rs),
            "parseUs": parse_cost_us(langs, repeat),
        })
    total_cost = parse_cost_us([c["message"] for c in cases], repeat)
    return {
        "corpus": str(CORPUS.relative_to(REPO)), "messages": len(cases), "rows": rows,
        "unsafe": sum(r["unsafe"] for r in rows), "errors": sum(r["errors"] for r in rows),
        "parseUs": total_cost, "parseGoalUs": PARSE_GOAL_US,
        "unsafeAnswers": [r for r in results if r["unsafe"]],
        "errorAnswers": [{k: r[k] for k in ("lang", "kind", "message", "error")} for r in results if r["error"]],
        "missedExpectations": [{k: r[k] for k in ("lang", "kind", "message", "missed")} for r in results
                               if r["missed"]],
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def render(data: dict[str, Any]) -> str:
    headers = ("lang", "messages", "unsafe (goal 0)", "answered (goal)", "missed", "errors", "lang detected",
               "parse µs")
    lines = []
    for r in data["rows"]:
        answered = ("n/a" if r["answered"] is None else
                    f"{r['answered']:.0%} of {r['answerable']} (≥ {r['answeredGoal']:.0%}) "
                    f"{_mark(r['answered'] >= r['answeredGoal'])}")
        lines.append((r["language"], str(r["messages"]), f"{r['unsafe']} {_mark(r['unsafe'] == 0)}", answered,
                      str(r["missed"]), str(r["errors"]), f"{r['languageDetected']:.0%}", f"{r['parseUs']:.1f}"))
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.append("")
    out.append(f"corpus: {data['messages']} messages ({data['corpus']}), demo menu")
    out.append(f"unsafe answers: {data['unsafe']} (goal 0) {_mark(data['unsafe'] == 0)}")
    out.append(f"parse cost: {data['parseUs']:.1f} µs per message, mean over the corpus "
               f"(goal ≤ {data['parseGoalUs']:.0f} µs) {_mark(data['parseUs'] <= data['parseGoalUs'])}")
    if data["unsafeAnswers"]:
        out.append("")
        out.append("UNSAFE answers:")
        out += [f"  [{r['lang']}] {r['message']!r}: {'; '.join(r['unsafe'])}" for r in data["unsafeAnswers"]]
    if data["errorAnswers"]:
        out.append("")
        out.append(f"ERRORS ({len(data['errorAnswers'])}; the chat raised instead of answering):")
        out += [f"  [{r['lang']}] {r['message']!r}: {r['error']}" for r in data["errorAnswers"]]
    if data["missedExpectations"]:
        out.append("")
        out.append(f"missed expectations ({len(data['missedExpectations'])}; not unsafe by themselves):")
        out += [f"  [{r['lang']}/{r['kind']}] {r['message']!r}: {'; '.join(r['missed'])}"
                for r in data["missedExpectations"]]
    return "\n".join(out)


def run(doc: str | None, argv: list[str] | None, repeat_help: str, report_: Callable[[int], dict[str, Any]],
        render_: Callable[[dict[str, Any]], str]) -> int:
    """The command line of a report (this one and bench/questions_report.py): ``--json``, ``--repeat``;
    exit 1 on any unsafe answer or error."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--repeat", type=int, default=20, help=repeat_help)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    vocabulary.allergens()  # fails loudly on a broken vocabulary before any figure is printed
    data = report_(args.repeat)
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else render_(data))
    return 1 if data["unsafe"] or data["errors"] else 0


def main(argv: list[str] | None = None) -> int:
    return run(__doc__, argv, "timing passes over the corpus (default 20)", report, render)


if __name__ == "__main__":
    sys.exit(main())
