"""Reporting periods: a month ("2026-07"), a quarter ("2026-Q3") or a year ("2026"), each a run of whole months,
with the period before it and the same period a year earlier for comparisons."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.kpis.aggregate import next_month

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")
MIN_YEAR = 2000


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter" or "year"
    year: int
    number: int = 0  # month 1-12 or quarter 1-4; 0 for a year

    @property
    def first(self) -> dt.date:
        if self.kind == "month":
            return dt.date(self.year, self.number, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.number - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def months(self) -> list[dt.date]:
        count = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        months = [self.first]
        while len(months) < count:
            months.append(next_month(months[-1]))
        return months

    @property
    def last_day(self) -> dt.date:
        return next_month(self.months[-1]) - dt.timedelta(days=1)

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.number}
        if self.kind == "quarter":
            return _("%(year)d年第%(quarter)d季度") % {"year": self.year, "quarter": self.number}
        return _("%(year)d年") % {"year": self.year}

    def previous(self) -> Period:
        if self.kind == "year":
            return Period("year", self.year - 1)
        size = 12 if self.kind == "month" else 4
        if self.number == 1:
            return Period(self.kind, self.year - 1, size)
        return Period(self.kind, self.year, self.number - 1)

    def year_before(self) -> Period:
        return Period(self.kind, self.year - 1, self.number)


def parse_period(value: str | None, *, today: dt.date | None = None) -> Period:
    """The period a request names; the current year when it names none or something unreadable."""
    today = today or timezone.localdate()
    match = _PATTERN.match((value or "").strip())
    if not match or not MIN_YEAR <= int(match["year"]) <= today.year + 1:
        return Period("year", today.year)
    year = int(match["year"])
    if match["quarter"]:
        return Period("quarter", year, int(match["quarter"]))
    if match["month"]:
        return Period("month", year, int(match["month"]))
    return Period("year", year)


def period_choices(today: dt.date | None = None, years: int = 3) -> list[tuple[str, str]]:
    """The periods offered in the picker: recent years, their quarters and months, newest first."""
    today = today or timezone.localdate()
    choices: list[tuple[str, str]] = []
    for year in range(today.year, today.year - years, -1):
        choices.append((str(year), Period("year", year).label))
        for quarter in range(4, 0, -1):
            period = Period("quarter", year, quarter)
            if period.first <= today:
                choices.append((period.code, period.label))
        for month in range(12, 0, -1):
            period = Period("month", year, month)
            if period.first <= today:
                choices.append((period.code, period.label))
    return choices
