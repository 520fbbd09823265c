"""Working days between two dates on the Chinese calendar, O(1) per pair: a running count of working days per date,
built once per refresh over the span it needs (weiyuan/clocks/calendar.py decides each day)."""

from __future__ import annotations

import datetime as dt

from weiyuan.clocks.calendar import WorkingCalendar


class WorkingDayIndex:
    def __init__(self, calendar: WorkingCalendar | None = None) -> None:
        self.calendar = calendar or WorkingCalendar()
        self.first: dt.date | None = None
        self.ordinals: list[int] = []  # working days in (first, first + i]

    def _cover(self, start: dt.date, end: dt.date) -> None:
        if self.first is not None and start >= self.first and (end - self.first).days < len(self.ordinals):
            return
        first = min(start, self.first) if self.first else start
        last = max(end, self.first + dt.timedelta(days=len(self.ordinals) - 1)) if self.first else end
        first -= dt.timedelta(days=31)  # margin: neighbouring pairs do not rebuild
        last += dt.timedelta(days=31)
        ordinals = []
        count = 0
        day = first
        while day <= last:
            if day != first and self.calendar.is_working_day(day):
                count += 1
            ordinals.append(count)
            day += dt.timedelta(days=1)
        self.first, self.ordinals = first, ordinals

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end], as WorkingCalendar.working_days_between: 0 for the same day."""
        if end <= start:
            return 0
        self._cover(start, end)
        assert self.first is not None
        return self.ordinals[(end - self.first).days] - self.ordinals[(start - self.first).days]
