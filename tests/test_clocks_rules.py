"""Working days across the 2026 holiday seasons, the 2027 fallback, Civil Code day periods and hour periods."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from weiyuan.clocks.calendar import WorkingCalendar, year_is_covered
from weiyuan.clocks.models import HolidayOverride
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY, RULES, compute_due, deadline_calculate

D = dt.date
SAT, SUN = 5, 6


def cst(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHINA_TZ)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


def official() -> WorkingCalendar:
    """The official calendar with no admin overrides (no database needed)."""
    return WorkingCalendar(overrides={})


# --- the data we rely on, checked against chinese-calendar itself before any assertion uses it ----------------


def test_chinese_calendar_2026_spring_festival_data():
    for day in range(15, 24):
        assert chinese_calendar.is_holiday(D(2026, 2, day)), f"2026-02-{day} should be a Spring Festival day off"
        assert chinese_calendar.get_holiday_detail(D(2026, 2, day)) == (True, "Spring Festival")
    # Make-up working days (调休) on two Saturdays.
    for makeup in (D(2026, 2, 14), D(2026, 2, 28)):
        assert makeup.weekday() == SAT
        assert chinese_calendar.is_workday(makeup)
    assert chinese_calendar.is_workday(D(2026, 2, 24))


def test_chinese_calendar_2026_national_day_data():
    for day in range(1, 8):
        assert chinese_calendar.is_holiday(D(2026, 10, day))
        assert chinese_calendar.get_holiday_detail(D(2026, 10, day)) == (True, "National Day")
    # chinese-calendar 1.11: make-up days Sunday 2026-09-20 and Saturday 2026-10-10.
    assert D(2026, 9, 20).weekday() == SUN and chinese_calendar.is_workday(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == SAT and chinese_calendar.is_workday(D(2026, 10, 10))
    assert chinese_calendar.is_workday(D(2026, 10, 8))


def test_2027_is_not_covered_by_the_official_calendar():
    assert year_is_covered(2026)
    assert not year_is_covered(2027)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 2, 8))


# --- working days ---------------------------------------------------------------------------------------------


def test_working_days_across_the_2026_spring_festival():
    cal = official()
    # Friday 13 Feb: 14 (make-up Saturday) is day 1, the festival 15-23 is skipped, 24-27 are days 2-5.
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert cal.add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)
    # The second make-up Saturday counts too.
    assert cal.add_working_days(D(2026, 2, 27), 1) == D(2026, 2, 28)
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
    assert not cal.use.fallback


def test_acceptance_rule_across_the_spring_festival():
    result = compute_due(RULES["acceptance"], cst(2026, 2, 13, 10), calendar=official())
    assert result.due_at == end_of(D(2026, 2, 27))
    assert result.amount == 5
    assert result.calendar_fallback is False


def test_working_days_across_national_day_2026():
    cal = official()
    assert cal.add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)  # make-up Sunday
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)  # 1-7 October off
    assert cal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)  # make-up Saturday
    # Handling, 30 working days from 2026-09-15: counted day by day against the package's own data.
    expected, counted = D(2026, 9, 15), 0
    while counted < 30:
        expected += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(expected)
    result = compute_due(RULES["handling"], cst(2026, 9, 15), calendar=official())
    assert result.due_at == end_of(expected) == end_of(D(2026, 11, 2))


def test_2027_falls_back_to_weekends_and_is_flagged():
    cal = official()
    # Friday 2027-02-05, across the (not yet published) 2027 Spring Festival: weekends only.
    assert cal.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 8)
    assert cal.add_working_days(D(2027, 2, 5), 5) == D(2027, 2, 12)
    assert cal.use.fallback and cal.use.fallback_years == {2027}

    result = compute_due(RULES["acceptance"], cst(2027, 2, 5), calendar=official())
    assert result.due_at == end_of(D(2027, 2, 12))
    assert result.calendar_fallback is True


def test_a_period_starting_in_2026_and_ending_in_2027_is_flagged():
    result = compute_due(RULES["handling"], cst(2026, 12, 15), calendar=official())
    assert result.calendar_fallback is True


@pytest.mark.django_db
def test_holiday_overrides_for_2027_are_respected():
    # An admin enters the 2027 Spring Festival (hypothetical schedule, as data): Mon 8 - Fri 12 Feb off,
    # Saturday 20 Feb a make-up working day.
    for day in range(8, 13):
        HolidayOverride.objects.create(date=D(2027, 2, day), is_working_day=False, name="春节")
    HolidayOverride.objects.create(date=D(2027, 2, 20), is_working_day=True, name="春节调休")

    cal = WorkingCalendar()
    assert not cal.is_working_day(D(2027, 2, 10))
    assert cal.is_working_day(D(2027, 2, 20))
    assert cal.add_working_days(D(2027, 2, 5), 5) == D(2027, 2, 19)
    assert cal.add_working_days(D(2027, 2, 19), 1) == D(2027, 2, 20)

    result = compute_due(RULES["acceptance"], cst(2027, 2, 5))
    assert result.due_at == end_of(D(2027, 2, 19))
    # Days outside the overrides still use the weekend fallback, so the result stays flagged.
    assert result.calendar_fallback is True


@pytest.mark.django_db
def test_an_override_takes_precedence_over_the_official_calendar():
    HolidayOverride.objects.create(date=D(2026, 3, 3), is_working_day=False, name="地方假日")
    assert WorkingCalendar().add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 4)
    assert official().add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)


# --- calendar days (Civil Code Art. 201-203) ------------------------------------------------------------------


def test_calendar_days_start_counting_the_next_day():
    # Art. 201: the day of the start is not counted. Monday 2 March + 15 days = Tuesday 17 March, end of day.
    result = compute_due(RULES["info_response"], cst(2026, 3, 2, 10), calendar=official())
    assert result.due_at == end_of(D(2026, 3, 17))


def test_calendar_days_ending_on_a_weekend_move_to_the_next_working_day():
    # Art. 203: 6 March + 15 = Saturday 21 March, a rest day: the period ends on Monday 23 March.
    result = compute_due(RULES["info_response"], cst(2026, 3, 6), calendar=official())
    assert result.due_at == end_of(D(2026, 3, 23))


def test_calendar_days_ending_in_the_national_day_holiday():
    # 20 September + 15 = 5 October, inside 1-7 October: the period ends on 8 October.
    result = compute_due(RULES["info_response"], cst(2026, 9, 20), calendar=official())
    assert result.due_at == end_of(D(2026, 10, 8))


def test_calendar_days_ending_on_a_make_up_saturday_stay_there():
    # 13 February + 15 = Saturday 28 February, an official working day (调休): no extension.
    result = compute_due(RULES["info_response"], cst(2026, 2, 13), calendar=official())
    assert result.due_at == end_of(D(2026, 2, 28))


def test_days_are_counted_in_china_time():
    # 16:30 UTC on 1 March is 00:30 on 2 March in Beijing: counting starts on 3 March.
    start = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)
    result = compute_due(RULES["info_response"], start, calendar=official())
    assert result.due_at == end_of(D(2026, 3, 17))


# --- hours ------------------------------------------------------------------------------------------------------


def test_hour_rule_counts_exact_hours_even_on_holidays():
    result = compute_due(RULES["fair_respondent_defence"], cst(2026, 10, 1, 9, 30), calendar=official())
    assert result.due_at == cst(2026, 10, 2, 9, 30)
    assert result.calendar_fallback is False
    longer = compute_due(RULES["fair_respondent_defence"], cst(2026, 10, 1, 9, 30), amount=48, calendar=official())
    assert longer.due_at == cst(2026, 10, 3, 9, 30) and longer.amount == 48


# --- the explanation used by the calculator and the command ---------------------------------------------------


@pytest.mark.django_db
def test_deadline_calculate_explains_working_days_and_rest_days():
    calc = deadline_calculate("acceptance", cst(2026, 2, 13))
    assert calc.due_at == end_of(D(2026, 2, 27))
    assert calc.working_days == 5
    assert calc.calendar_days == 14
    skipped = [r.day for r in calc.rest_days]
    assert skipped == [D(2026, 2, d) for d in range(15, 24)]
    assert {str(r.name) for r in calc.rest_days} == {"春节"}
    assert calc.calendar_fallback is False and calc.fallback_years == []


@pytest.mark.django_db
def test_deadline_calculate_reports_fallback_years():
    calc = deadline_calculate("handling", cst(2027, 1, 20))
    assert calc.calendar_fallback is True
    assert calc.fallback_years == [2027]
    assert calc.working_days == 30
    assert all(r.day.weekday() >= SAT for r in calc.rest_days)
