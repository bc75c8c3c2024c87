"""Open or closed at an instant, and when that changes, from a menu's weekly hours in the restaurant's
time zone (the public menu's ``restaurant.hours`` and ``restaurant.timezone``).

The week's ranges as docs/menu-format.md defines them: an end at or before the start runs past
midnight, ``24:00`` ends the day, a missing day is closed, Sunday night wraps into Monday. Ranges
that touch or overlap are one opening ("23:00"-"24:00" then "00:00"-"02:00" closes at 02:00), so a
restaurant open round the clock never changes. Ported to the widget (widget/src/chat/hours.ts) for
the local responder; both read the instant they are given, never a clock of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.week import WEEKDAYS

DAY = 1440
WEEK = 7 * DAY


@dataclass(frozen=True, slots=True)
class Change:
    in_days: int  # 0 today, 1 tomorrow... (the restaurant's calendar)
    weekday: int  # 0 Monday ... 6 Sunday
    time: str  # "HH:MM"


@dataclass(frozen=True, slots=True)
class OpenState:
    open: bool
    change: Change | None  # the next closing when open, the next opening when closed; None: never
    weekday: int  # today, in the restaurant's time zone


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minute: int) -> str:
    minute %= DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _spans(hours: dict[str, Any]) -> list[tuple[int, int]]:
    """The week's openings as merged [start, end) minutes from Monday 00:00; an opening that runs
    past Sunday midnight ends after ``WEEK``."""
    spans: list[tuple[int, int]] = []
    for d, day in enumerate(WEEKDAYS):
        for start_text, end_text in hours.get(day) or ():
            start, end = _minutes(start_text), _minutes(end_text)
            spans.append((d * DAY + start, d * DAY + (end if end > start else end + DAY)))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    if len(merged) > 1 and merged[-1][1] >= WEEK + merged[0][0]:  # Sunday night runs into Monday's first
        merged[0] = (merged[-1][0] - WEEK, max(merged[0][1], merged[-1][1] - WEEK))
        merged.pop()
    return merged


def open_state(hours: dict[str, Any], timezone: str, now: datetime) -> OpenState | None:
    """The state at ``now`` (timezone-aware); None when the time zone or the hours are unusable."""
    try:
        local = now.astimezone(ZoneInfo(timezone))
        spans = _spans(hours)
    except (ZoneInfoNotFoundError, ValueError, TypeError, AttributeError):
        return None
    day, minute = local.weekday(), local.hour * 60 + local.minute
    at = day * DAY + minute
    if len(spans) == 1 and spans[0][1] - spans[0][0] >= WEEK:
        return OpenState(True, None, day)  # round the clock
    for start, end in spans:
        for shift in (-WEEK, 0, WEEK):
            if start + shift <= at < end + shift:
                wait = end + shift - at
                return OpenState(True, Change((minute + wait) // DAY, (day + (minute + wait) // DAY) % 7,
                                              _clock(end)), day)
    waits = [((start - at) % WEEK or WEEK, start) for start, _ in spans]
    if not waits:
        return OpenState(False, None, day)
    wait, start = min(waits)
    return OpenState(False, Change((minute + wait) // DAY, (day + (minute + wait) // DAY) % 7, _clock(start)), day)


def day_ranges(hours: dict[str, Any], weekday: int) -> list[tuple[str, str]]:
    """One weekday's ranges as written in the menu."""
    return [(str(a), str(b)) for a, b in hours.get(WEEKDAYS[weekday]) or ()]


def week_groups(hours: dict[str, Any]) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """The open days as runs of consecutive weekdays with the same ranges: (first, last, ranges)."""
    groups: list[tuple[int, int, list[tuple[str, str]]]] = []
    for d in range(7):
        ranges = day_ranges(hours, d)
        if not ranges:
            continue
        if groups and groups[-1][1] == d - 1 and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], d, ranges)
        else:
            groups.append((d, d, ranges))
    return groups
