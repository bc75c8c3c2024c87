"""Load across instances: two real ``stjarna serve`` processes sharing one PostgreSQL and one Redis
(through the Upstash bridge), driven by concurrent diners and a hot session (tests/support/load.py).

No timed assertion on speed: the figures are printed (``pytest -s``); the promises are checked."""

from __future__ import annotations

from tests.support.load import Plan, run_load
from tests.support.load_checks import report, summary, verify

# 16 diners ordering every few seconds are far above a real kitchen's pace: the kitchen ceilings (issue
# #16: orders per minute per restaurant, open orders per session) would answer most orders, hiding what
# this test checks (the per-session and per-address limits shared across instances); they have tests of
# their own (tests/orders/test_ceilings.py)
PLAN = Plan(instances=2, diners=16, seconds=8.0, change_after=2.0, hot_workers=3,
            env=(("ORDER_RESTAURANT_RATE_LIMIT", "100000 per minute"), ("ORDER_MAX_OPEN_PER_SESSION", "1000")))


def test_diners_on_two_instances_keep_every_promise(database):
    run = run_load(database, PLAN)
    table = report(run)
    print("\n" + table)
    problems = verify(run)
    assert problems == [], "\n".join(problems[:40]) + "\n\n" + table

    figures = summary(run)
    routes = figures["routes"]
    # the run did what it claims: every kind of request, on every instance
    for route in ("config", "menu", "chat", "quote", "order", "order retry", "order double", "order status",
                  "hot chat", "hot order", "menu watch"):
        assert routes.get(route, {}).get("requests", 0) > 0, route
    assert routes["menu"]["statuses"].get("304", 0) > 0  # ETags from earlier visits are honoured
    assert {s.instance for s in run.samples} == set(range(PLAN.instances))
    assert routes["hot chat"]["statuses"].get("429", 0) > 0
    # shorter than both windows: the hot session got exactly its limit, no more (shared) and no less
    # (the shared store answered throughout)
    assert run.seconds < min(window for _, window in run.limits.values())
    for route, hot in figures["hot"].items():
        assert hot["admitted"] == hot["limit"], (route, hot)
    assert figures["orders"]["retried"] > 0
    assert figures["orders"]["stored"] == figures["orders"]["attempts"]
