"""The official Chinese working-day calendar, with admin overrides and a weekends-only fallback.

chinese-calendar carries the State Council's holiday and make-up working-day (调休) schedule for each year it
covers; for a year it does not cover yet we fall back to "Monday to Friday" and report that the fallback was used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar


@dataclass
class CalendarUse:
    """Collects whether any day looked at was outside the official calendar's coverage."""

    fallback_years: set[int] = field(default_factory=set)

    @property
    def fallback(self) -> bool:
        return bool(self.fallback_years)


@lru_cache(maxsize=1)
def covered_years() -> tuple[int, int]:
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]


def year_is_covered(year: int) -> bool:
    first, last = covered_years()
    return first <= year <= last


def _overrides() -> dict[dt.date, bool]:
    from weiyuan.clocks.models import HolidayOverride

    return dict(HolidayOverride.objects.values_list("date", "is_working_day"))


class WorkingCalendar:
    """Answers "is this a working day?" using overrides, then the official calendar, then weekends."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None) -> None:
        self.overrides = _overrides() if overrides is None else overrides
        self.use = CalendarUse()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if year_is_covered(day.year):
            return bool(chinese_calendar.is_workday(day))
        self.use.fallback_years.add(day.year)
        return day.weekday() < 5

    def is_statutory_holiday(self, day: dt.date) -> bool:
        """A rest day (holiday or weekend): a calendar-day period ending on one moves to the next working day."""
        return not self.is_working_day(day)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start`; counting starts the day after `start`."""
        current = start
        counted = 0
        while counted < days:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                counted += 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many remain from `start` until a due date `end`."""
        if end <= start:
            return 0
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day
