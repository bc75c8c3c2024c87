"""The week as menus and the API spell it: weekday keys and ``HH:MM`` wall-clock times.

Import-cheap: nothing from the rest of ``shared``.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["HHMM_PATTERN", "WEEKDAYS", "Weekday"]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)  # Monday first, as date.weekday() counts
# 00:00 to 23:59, and 24:00 (which may only end a range)
HHMM_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$"
