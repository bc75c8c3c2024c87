"""The load driver's checks catch what they claim to (synthetic runs, no servers): a check that can
never fail would make the load test prove nothing."""

from __future__ import annotations

from tests.support.load import Attempt, Change, Plan, Run, Sample
from tests.support.load_checks import most_in_any_window, verify

WINDOW = 30.0


def test_most_in_any_window_counts_only_what_certainly_shared_a_window():
    # 15 answered at once, then 15 more 31 s later: never more than 15 within 30 s
    admitted = [(t, t + 0.1) for t in [0.0] * 15 + [31.0] * 15]
    assert most_in_any_window(admitted, WINDOW) == 15
    # two instances each admitting the full limit within the window: 30
    assert most_in_any_window([(t * 0.5, t * 0.5 + 0.2) for t in range(30)], WINDOW) == 30
    # an answer that took longer than the window may have been decided in the next one: not counted
    assert most_in_any_window([(0.0, 0.1), (0.5, 31.0)], WINDOW) == 1
    assert most_in_any_window([], WINDOW) == 0


def clean_run() -> Run:
    """Two instances; one order acknowledged (and retried) and stored; the hot session at its limits;
    the menu change seen by both instances within the bound."""
    samples = [Sample("hot chat", t % 2, 200, t, t + 0.05) for t in range(3)]
    samples += [Sample("hot chat", 0, 429, 3.0, 3.05), Sample("hot order", 1, 201, 0.5, 0.6)]
    samples += [Sample("order", 0, 201, 1.0, 1.1), Sample("order retry", 1, 201, 1.2, 1.3)]
    # the change commits at 10.0; the bound is 2 s: stale until 11.5, new from 12.0
    samples += [Sample("menu watch", n, 304, 11.5, 11.55, version=22) for n in range(2)]
    samples += [Sample("menu watch", n, 200, 12.0, 12.05, version=23) for n in range(2)]
    attempt = Attempt("load-0000001-aaaaaaaa", 2, order_ids={"order-1"}, acknowledged=2, fresh=1)
    hot = Attempt("load-0000002-bbbbbbbb", 1, order_ids={"order-2"}, acknowledged=1, fresh=1)
    return Run(Plan(), ["http://a", "http://b"], 0.0, 20.0, samples,
               {attempt.key: attempt, hot.key: hot}, Change("item", 22, 23, 9.9, 10.0), bound=2.0,
               limits={"hot chat": (3, WINDOW), "hot order": (1, 60.0)},
               stored={attempt.key: ("order-1", 2), hot.key: ("order-2", 1)},
               health=[{"checks": {"cache": {"status": "ok"}}}] * 2)


def test_a_clean_run_has_no_problems():
    assert verify(clean_run()) == []


def test_over_admission_across_instances_is_caught():
    run = clean_run()
    run.samples.append(Sample("hot chat", 1, 200, 4.0, 4.1))  # a 4th admitted within 30 s; the limit is 3
    assert verify(run) == ["hot chat: 4 admitted within 30 s across instances (limit 3)"]


def test_errors_other_than_intended_429s_are_caught():
    run = clean_run()
    run.samples += [Sample("chat", 0, 429, 5.0, 5.1), Sample("menu", 1, 500, 5.0, 5.1),
                    Sample("quote", 0, 0, 5.0, 5.1, error="ReadTimeout: timed out")]
    assert verify(run) == ["1 x chat answered 429", "1 x menu answered 500", "1 x quote: ReadTimeout: timed out"]


def test_orders_lost_duplicated_or_unasked_for_are_caught():
    run = clean_run()
    lost = Attempt("load-0000003-cccccccc", 1, order_ids={"order-3"}, acknowledged=1, fresh=1)
    refused = Attempt("load-0000004-dddddddd", 1)  # every answer was a 429
    run.attempts |= {lost.key: lost, refused.key: refused}
    run.stored[refused.key] = ("order-4", 1)
    run.stored["load-9999999-eeeeeeee"] = ("order-5", 1)
    run.stored["load-0000001-aaaaaaaa"] = ("order-other", 2)  # acknowledged as order-1
    assert sorted(verify(run)) == sorted([
        "order load-0000003-cccccccc was acknowledged but is not in the database",
        "order load-0000004-dddddddd is in the database but every answer refused it",
        "order load-9999999-eeeeeeee is in the database but was never sent",
        "order load-0000001-aaaaaaaa: acknowledged as ['order-1'], stored as order-other",
    ])


def test_a_menu_change_seen_late_or_never_is_caught():
    run = clean_run()
    run.samples.append(Sample("menu", 1, 304, 12.5, 12.6, version=22))  # 2.5 s after the commit: over 2 s
    run.samples = [s for s in run.samples if not (s.instance == 0 and s.version == 23)]
    problems = verify(run)
    assert len(problems) == 2
    assert problems[0].startswith("instance 0 never served the new menu version 23")
    assert problems[1].startswith("instance 1 served the old menu to a request sent 2.50 s after the change")


def test_an_error_logged_by_an_instance_is_caught_and_a_warning_reported():
    run = clean_run()
    run.logged = [("warning", "instance-0: stjarna.ratelimit: rate-limit store unavailable {}"),
                  ("error", "instance-1: stjarna.http: unhandled error {}")]
    assert verify(run) == ["logged: instance-1: stjarna.http: unhandled error {}"]
