"""The clock rules of issue #6 over the 2026 and 2027 National Day and Spring Festival holidays.

`ecommerce_counter_notice_wait` (E-Commerce Law Art. 43): 15 days from the day after the counter-notice reaches
the rights holder; a period whose last day is a statutory holiday or rest day ends at the end of the first working
day after it (Civil Code Art. 201-203, as for every calendar-day rule of #2). `fair_respondent_defence`: 24 hours,
holidays or not.

The official calendar (chinesecalendar 1.11) covers 2004-2026. For 2027 the State Council's schedule is not in it:
the weekends-only fallback is used and flagged, and an admin's holiday overrides (clocks.HolidayOverride) are
respected; the 2027 days entered below are test data standing for what an admin would enter, not the official
schedule.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from tests.ecommerce_support import cst
from weiyuan.clocks.calendar import WorkingCalendar, year_is_covered
from weiyuan.clocks.models import HolidayOverride
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY, RULES, Unit, compute_due

D = dt.date
WAIT = RULES["ecommerce_counter_notice_wait"]
DEFENCE = RULES["fair_respondent_defence"]


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


def due(start: dt.datetime, rule: object = WAIT, **kwargs: object) -> object:
    return compute_due(rule, start, calendar=WorkingCalendar(overrides=kwargs.pop("overrides", {})), **kwargs)  # type: ignore[arg-type]


def test_the_rules_are_declared_with_their_source() -> None:
    assert (WAIT.unit, WAIT.amount, WAIT.owed_by) == (Unit.CALENDAR_DAYS, 15, "rights_holder")
    assert "第四十三条" in str(WAIT.source)
    assert (DEFENCE.unit, DEFENCE.amount, DEFENCE.owed_by) == (Unit.HOURS, 24, "respondent")
    assert year_is_covered(2026) and not year_is_covered(2027)


@pytest.mark.parametrize(
    ("start", "last_day", "why"),
    [
        (D(2026, 9, 16), D(2026, 10, 8), "day 15 is 1 October, National Day: the period runs to Thursday 8 October"),
        (D(2026, 9, 20), D(2026, 10, 8), "day 15 is 5 October, inside the holiday"),
        (D(2026, 9, 22), D(2026, 10, 8), "day 15 is 7 October, the holiday's last day"),
        (D(2026, 9, 23), D(2026, 10, 8), "day 15 is 8 October, a working day"),
        (D(2026, 9, 25), D(2026, 10, 10), "day 15 is Saturday 10 October, a make-up working day (调休)"),
        (D(2026, 9, 26), D(2026, 10, 12), "day 15 is Sunday 11 October, a rest day: Monday 12 October"),
    ],
)
def test_wait_across_the_2026_national_day(start: dt.date, last_day: dt.date, why: str) -> None:
    result = due(cst(start.year, start.month, start.day))
    assert result.due_at == end_of(last_day), why
    assert not result.calendar_fallback


@pytest.mark.parametrize(
    ("start", "last_day", "why"),
    [
        (D(2026, 1, 30), D(2026, 2, 14), "day 15 is Saturday 14 February, a make-up working day"),
        (D(2026, 1, 31), D(2026, 2, 24), "day 15 is 15 February, first day of the Spring Festival (15-23 February)"),
        (D(2026, 2, 5), D(2026, 2, 24), "day 15 is 20 February, inside the holiday"),
        (D(2026, 2, 8), D(2026, 2, 24), "day 15 is 23 February, the holiday's last day"),
        (D(2026, 2, 13), D(2026, 2, 28), "day 15 is Saturday 28 February, the second make-up working day"),
    ],
)
def test_wait_across_the_2026_spring_festival(start: dt.date, last_day: dt.date, why: str) -> None:
    result = due(cst(start.year, start.month, start.day, 16, 30))
    assert result.due_at == end_of(last_day), why
    assert not result.calendar_fallback


def test_a_late_evening_delivery_counts_from_the_next_beijing_day() -> None:
    # 23:30 on 15 September in Beijing is 15:30 UTC: still the 15th, so the period starts on the 16th.
    start = dt.datetime(2026, 9, 15, 15, 30, tzinfo=dt.UTC)
    assert due(start).due_at == end_of(D(2026, 9, 30))


def test_wait_across_the_2027_spring_festival_falls_back_and_is_flagged() -> None:
    # Without the 2027 schedule: weekends only. Day 15 after 23 January 2027 is Sunday 7 February -> Monday 8.
    result = due(cst(2027, 1, 23))
    assert result.due_at == end_of(D(2027, 2, 8)) and result.calendar_fallback


def test_wait_across_the_2027_spring_festival_with_an_admins_holidays() -> None:
    # Test data: 6-14 February 2027 entered as days off, Saturday 20 February as a make-up working day.
    overrides = {D(2027, 2, d): False for d in range(6, 15)} | {D(2027, 2, 20): True}
    assert due(cst(2027, 1, 23), overrides=overrides).due_at == end_of(D(2027, 2, 15))
    assert due(cst(2027, 2, 5), overrides=overrides).due_at == end_of(D(2027, 2, 20))  # day 15 is the make-up day


@pytest.mark.django_db
def test_wait_across_the_2027_national_day_with_overrides_in_the_database() -> None:
    # 1 October 2027 is a Friday: the fallback counts it as a working day ...
    fallback = compute_due(WAIT, cst(2027, 9, 16))
    assert fallback.due_at == end_of(D(2027, 10, 1)) and fallback.calendar_fallback
    # ... until an admin enters the holiday (test data: 1-7 October off).
    for day in range(1, 8):
        HolidayOverride.objects.create(date=D(2027, 10, day), is_working_day=False, name="国庆节")
    result = compute_due(WAIT, cst(2027, 9, 16))
    assert result.due_at == end_of(D(2027, 10, 8))


def test_fair_respondent_defence_counts_hours_through_holidays() -> None:
    assert due(cst(2026, 9, 30, 18), DEFENCE).due_at == cst(2026, 10, 1, 18)
    assert due(cst(2026, 2, 14, 9, 15), DEFENCE).due_at == cst(2026, 2, 15, 9, 15)
    result = due(cst(2027, 2, 6, 9), DEFENCE, amount=48)
    assert result.due_at == cst(2027, 2, 8, 9) and not result.calendar_fallback


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_both_rules_in_manage_py_deadline_and_the_calculator(client: object) -> None:
    payload = json.loads(run("ecommerce_counter_notice_wait", "2026-09-20T10:00", "--json"))
    assert payload["due"] == "2026-10-08T23:59:59+08:00" and payload["unit"] == "calendar_days"
    payload = json.loads(run("fair_respondent_defence", "2026-09-30T18:00", "--json"))
    assert payload["due"] == "2026-10-01T18:00:00+08:00" and payload["amount"] == 24
    assert json.loads(run("ecommerce_counter_notice_wait", "2027-01-23", "--json"))["calendar_fallback"] is True
    page = client.get("/deadlines/", {"rule": "ecommerce_counter_notice_wait", "start": "2026-09-20T10:00"})  # type: ignore[attr-defined]
    text = page.content.decode()
    assert page.status_code == 200 and "fair_respondent_defence" in text and "2026-10-08" in text


@pytest.mark.django_db
def test_the_clock_sweep_runs_the_ecommerce_sweep(network: object) -> None:
    from tests.ecommerce_support import platform_world, sent_notice
    from tests.factories import pdf_upload
    from weiyuan.clocks.services import sweep_clocks
    from weiyuan.ecommerce import listing_services as ls

    w = platform_world(network)  # type: ignore[arg-type]
    listing = sent_notice(w, listings=1).listings.get()
    ls.listing_measures_record(listing=listing, actor=w["platform_user"], measures=["block"])
    ls.counter_notice_record(
        listing=listing, actor=w["platform_user"], text="不侵权声明。", files=[pdf_upload()], now=cst(2026, 2, 5)
    )
    assert "ecommerce_restored" not in sweep_clocks(now=cst(2026, 2, 24, 23))
    assert sweep_clocks(now=cst(2026, 2, 25, 0, 1))["ecommerce_restored"] == 1
    out = io.StringIO()
    call_command("ecommerce_sweep", stdout=out)
    assert out.getvalue().strip() == "restored: 0"
