"""What a load run (tests/support/load.py) must show, and its figures: ``verify(run)`` lists every broken
promise as a sentence (``[]`` when all hold); ``summary(run)`` is the figures as JSON; ``report(run)`` the
table of throughput and latency per route. Pure functions of the recorded run (tests/load/test_checks.py
feeds them synthetic runs)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from tests.support.load import EXPECTED, ROUTES, Run, Sample


# -- what must hold ------------------------------------------------------------------------------------
def most_in_any_window(admitted: Sequence[tuple[float, float]], window: float) -> int:
    """The most admitted requests that certainly fell within one window of ``window`` seconds.

    Each is ``(sent, received)``: the server decided somewhere in between. Requests sent at or after
    ``sent_i`` and answered before ``sent_i + window`` were all decided within ``[sent_i, sent_i +
    window)``, so a count above the limit there proves over-admission (no false alarms from latency).
    """
    spans = sorted(admitted)
    best = 0
    for i, (start, _) in enumerate(spans):
        best = max(best, sum(1 for _, received in spans[i:] if received < start + window))
    return best


def menu_lag(run: Run) -> dict[int, float]:
    """Per instance: how long after the commit a request could still get the old menu (0.0 when none
    sent after the commit did), from the send time of the last stale answer."""
    change = run.change
    assert change is not None
    lag = dict.fromkeys(range(len(run.bases)), 0.0)
    for s in run.samples:
        if s.version is not None and s.version < change.after and s.sent > change.committed:
            lag[s.instance] = max(lag[s.instance], s.sent - change.committed)
    return lag


def verify(run: Run) -> list[str]:
    """Every broken promise of the run, as sentences; ``[]`` when all hold."""
    problems = list(run.problems)
    unexpected: Counter[tuple[str, int]] = Counter()
    errors: Counter[str] = Counter()
    for s in run.samples:
        if s.status == 0:
            errors[f"{s.route}: {s.error}"] += 1
        elif s.status not in EXPECTED[s.route]:
            unexpected[(s.route, s.status)] += 1
    problems += [f"{n} x {route} answered {status}" for (route, status), n in sorted(unexpected.items())]
    problems += [f"{n} x {error}" for error, n in sorted(errors.items())]

    # the rate limit never over-admits across instances
    for route, (limit, window) in run.limits.items():
        admitted = [(s.sent, s.received) for s in run.samples if s.route == route and s.status in (200, 201)]
        most = most_in_any_window(admitted, window)
        if most > limit:
            problems.append(f"{route}: {most} admitted within {window:g} s across instances (limit {limit})")
        if not admitted:
            problems.append(f"{route}: nothing was admitted (the hot session did not run)")

    # every acknowledged order is stored exactly once; nothing else is stored
    for key, attempt in run.attempts.items():
        stored = run.stored.get(key)
        if attempt.acknowledged and stored is None:
            problems.append(f"order {key} was acknowledged but is not in the database")
        elif attempt.acknowledged and stored is not None and attempt.order_ids != {stored[0]}:
            problems.append(f"order {key}: acknowledged as {sorted(attempt.order_ids)}, stored as {stored[0]}")
        if stored is not None and stored[1] != attempt.lines:
            problems.append(f"order {key}: {stored[1]} lines stored, {attempt.lines} sent")
    for key in run.stored.keys() - run.attempts.keys():
        problems.append(f"order {key} is in the database but was never sent")
    for key in run.stored.keys() & run.attempts.keys():
        attempt = run.attempts[key]
        if not attempt.acknowledged and not attempt.unanswered:
            problems.append(f"order {key} is in the database but every answer refused it")

    # the menu change reaches every instance within the bound
    change = run.change
    if change is None:
        problems.append("the menu change did not happen")
    else:
        if change.after <= change.before:
            problems.append(f"the menu change did not bump the version ({change.before} → {change.after})")
        for n, lag in menu_lag(run).items():
            if lag > run.bound:
                problems.append(f"instance {n} served the old menu to a request sent {lag:.2f} s after the "
                                f"change (MENU_LOCAL_CACHE_SECONDS {run.bound:g})")
            if not any(s.instance == n and s.version == change.after for s in run.samples):
                problems.append(f"instance {n} never served the new menu version {change.after}")

    for n, health in enumerate(run.health):
        if health.get("checks", {}).get("cache", {}).get("status") != "ok":
            problems.append(f"instance {n}: health says the KV is {health.get('checks', {}).get('cache')}")
    # an error line is a broken promise; warnings (say, the limiter degrading for a moment when the KV
    # times out on an overloaded machine) are reported with the figures, and judged by the checks above
    problems += [f"logged: {line}" for level, line in run.logged if level != "warning"]
    return problems


# -- figures -------------------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else 0.0


def route_stats(samples: Sequence[Sample], seconds: float) -> dict[str, dict[str, Any]]:
    """Per route: requests, req/s over ``seconds``, p50/p99 latency (ms), statuses."""
    by_route: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_route[s.route].append(s)
    stats: dict[str, dict[str, Any]] = {}
    for route in sorted(by_route, key=ROUTES.index):
        group = by_route[route]
        latencies = [(s.received - s.sent) * 1000 for s in group]
        stats[route] = {"requests": len(group), "rps": len(group) / seconds, "p50Ms": percentile(latencies, 0.5),
                        "p99Ms": percentile(latencies, 0.99),
                        "statuses": dict(sorted(Counter(str(s.status) for s in group).items()))}
    return stats


def summary(run: Run) -> dict[str, Any]:
    """The figures of a run (JSON-ready): per route, in total, the hot session, orders, the change."""
    stats = route_stats(run.samples, run.seconds)
    latencies = [(s.received - s.sent) * 1000 for s in run.samples]
    out: dict[str, Any] = {
        "seconds": run.seconds, "instances": len(run.bases), "diners": run.plan.diners,
        "routes": stats,
        "total": {"requests": len(run.samples), "rps": len(run.samples) / run.seconds,
                  "p50Ms": percentile(latencies, 0.5), "p99Ms": percentile(latencies, 0.99)},
        "hot": {route: {"admitted": stats.get(route, {}).get("statuses", {}).get("200", 0)
                        + stats.get(route, {}).get("statuses", {}).get("201", 0),
                        "mostInAnyWindow": most_in_any_window(
                            [(s.sent, s.received) for s in run.samples if s.route == route and s.status in (200, 201)],
                            window), "limit": limit, "windowSeconds": window}
                for route, (limit, window) in run.limits.items()},
        "logWarnings": [line for level, line in run.logged if level == "warning"][:20],
        "orders": {"attempts": sum(1 for a in run.attempts.values() if a.acknowledged),
                   "stored": len(run.stored),
                   "retried": sum(1 for a in run.attempts.values() if a.acknowledged > 1)},
    }
    if run.floor:
        floor_latencies = [(s.received - s.sent) * 1000 for s in run.floor]
        out["floor"] = {"requests": len(run.floor), "rps": len(run.floor) / run.floor_seconds,
                        "p50Ms": percentile(floor_latencies, 0.5), "p99Ms": percentile(floor_latencies, 0.99)}
    if run.change is not None:
        lag = menu_lag(run)
        out["change"] = {"before": run.change.before, "after": run.change.after, "boundSeconds": run.bound,
                         "lagSeconds": {str(n): round(v, 3) for n, v in lag.items()},
                         "maxLagSeconds": max(lag.values())}
    return out


def report(run: Run) -> str:
    """A plain-text table: throughput and p50/p99 per route, then the invariants' figures."""
    figures = summary(run)
    lines = [f"load: {figures['instances']} instances, {figures['diners']} diners + {run.plan.hot_workers} hot "
             f"workers, {figures['seconds']:.1f} s",
             f"{'route':<14}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}  statuses"]
    rows = [*figures["routes"].items(), ("total", {**figures["total"], "statuses": {}})]
    if "floor" in figures:
        rows.append(("floor (live)", {**figures["floor"], "statuses": {}}))
    for route, s in rows:
        statuses = " ".join(f"{k}x{v}" for k, v in s["statuses"].items())
        lines.append(f"{route:<14}{s['requests']:>9}{s['rps']:>9.1f}{s['p50Ms']:>9.1f}{s['p99Ms']:>9.1f}  {statuses}")
    for route, h in figures["hot"].items():
        lines.append(f"{route}: {h['admitted']} admitted, at most {h['mostInAnyWindow']} in any "
                     f"{h['windowSeconds']:g} s window (limit {h['limit']})")
    o = figures["orders"]
    lines.append(f"orders: {o['attempts']} acknowledged ({o['retried']} answered more than once), {o['stored']} stored")
    if "change" in figures:
        c = figures["change"]
        lines.append(f"menu change v{c['before']} → v{c['after']}: old version served to requests sent up to "
                     + ", ".join(f"{v:.2f} s (instance {n})" for n, v in c["lagSeconds"].items())
                     + f" after the commit; bound MENU_LOCAL_CACHE_SECONDS = {c['boundSeconds']:g} s")
    warnings = [line for level, line in run.logged if level == "warning"]
    lines.append(f"instance log warnings: {len(warnings)}" + "".join(f"\n  {line}" for line in warnings[:10]))
    return "\n".join(lines)
