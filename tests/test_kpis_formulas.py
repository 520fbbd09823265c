"""Every KPI formula on the hand-checked data set of tests/kpis_support.py, through the full rebuild and through
the incremental refresh (which must agree with a rebuild)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from tests.kpis_support import at, build_march
from weiyuan.cases.models import Case, CaseState
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.kpis.aggregate import COUNTERS
from weiyuan.kpis.formulas import kpis_of, percentile, ratio
from weiyuan.kpis.models import KpiDirty, KpiMonth
from weiyuan.kpis.periods import Period, parse_period
from weiyuan.kpis.selectors import breakdown, figures, kpi_values
from weiyuan.kpis.services import kpi_rebuild, kpi_refresh
from weiyuan.kpis.workdays import WorkingDayIndex

MARCH = [dt.date(2026, 3, 1)]
APRIL = [dt.date(2026, 4, 1)]


def test_percentile_is_nearest_rank() -> None:
    assert percentile({}, 0.5) is None
    assert percentile({"3": 1}, 0.9) == 3
    assert percentile({"2": 2, "5": 1}, 0.5) == 2
    assert percentile({"2": 2, "5": 1}, 0.9) == 5
    assert percentile({"1": 1, "2": 1, "3": 1, "4": 1}, 0.5) == 2
    assert percentile({"10": 9, "40": 1}, 0.9) == 10
    assert ratio(1, 0) is None and ratio(3, 4) == 0.75


def test_working_day_index_agrees_with_the_calendar() -> None:
    calendar = WorkingCalendar(overrides={})
    index = WorkingDayIndex(WorkingCalendar(overrides={}))
    rng = random.Random(7)
    for _ in range(200):
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))
        end = start + dt.timedelta(days=rng.randrange(-5, 90))
        assert index.between(start, end) == calendar.working_days_between(start, end), (start, end)
    # Spring Festival 2026 (15-23 February, with 14 and 28 February worked): 13 Feb -> 24 Feb is one working day.
    assert index.between(dt.date(2026, 2, 13), dt.date(2026, 2, 24)) == 2


def test_periods_parse_and_compare() -> None:
    today = dt.date(2026, 11, 26)
    assert parse_period("2026-Q1", today=today) == Period("quarter", 2026, 1)
    assert parse_period("2026-03", today=today).months == MARCH
    assert parse_period("2026", today=today).months[-1] == dt.date(2026, 12, 1)
    assert parse_period("nonsense", today=today) == Period("year", 2026)
    assert parse_period("1999", today=today) == Period("year", 2026)
    assert Period("quarter", 2026, 1).previous() == Period("quarter", 2025, 4)
    assert Period("month", 2026, 1).previous() == Period("month", 2025, 12)
    assert Period("month", 2026, 3).year_before() == Period("month", 2025, 3)
    assert [m.month for m in Period("quarter", 2026, 2).months] == [4, 5, 6]


@pytest.fixture
def march(network: dict[str, Any]) -> dict[str, Any]:
    cases = build_march(network)
    kpi_rebuild()
    return cases


def kpis(centre: Any, months: list[dt.date], subtree: bool) -> dict[str, Any]:
    return kpis_of(figures(centre.pk, months, subtree))


@pytest.mark.django_db
def test_a_centres_own_figures(march: dict[str, Any], network: dict[str, Any]) -> None:
    k = kpis(network["shanghai"], MARCH, subtree=False)
    assert (k["applications"], k["accepted"], k["rejected"]) == (5, 3, 1)
    assert k["acceptance_rate"] == 0.75
    assert (k["accept_days_median"], k["accept_days_p90"]) == (2, 5)
    assert (k["concluded"], k["conclude_days_median"], k["conclude_days_p90"]) == (1, 14, 14)
    assert k["on_time_rate"] == pytest.approx(2 / 3)
    assert (k["satisfaction_mean"], k["survey_response_rate"]) == (4.0, 1.0)
    assert k["priority_share"] == 0.2
    assert k["referrals"] == 0


@pytest.mark.django_db
def test_a_subtree_adds_the_centres_below(march: dict[str, Any], network: dict[str, Any]) -> None:
    k = kpis(network["shanghai"], MARCH, subtree=True)
    assert (k["applications"], k["accepted"], k["rejected"]) == (6, 4, 1)
    assert k["acceptance_rate"] == 0.8
    assert (k["accept_days_median"], k["accept_days_p90"]) == (2, 5)
    assert (k["concluded"], k["conclude_days_median"], k["conclude_days_p90"]) == (2, 14, 15)
    assert (k["satisfaction_mean"], k["survey_response_rate"]) == (4.0, 0.5)
    assert k["priority_share"] == pytest.approx(2 / 6)
    pudong = kpis(network["pudong"], MARCH, subtree=True)
    assert pudong == kpis(network["pudong"], MARCH, subtree=False)
    assert (pudong["applications"], pudong["accept_days_median"]) == (1, 1)


@pytest.mark.django_db
def test_the_national_figures_and_referrals(march: dict[str, Any], network: dict[str, Any]) -> None:
    k = kpis(network["national"], MARCH, subtree=True)
    assert (k["applications"], k["accepted"], k["rejected"]) == (7, 5, 1)
    assert k["acceptance_rate"] == pytest.approx(5 / 6)
    assert (k["accept_days_median"], k["accept_days_p90"]) == (2, 5)
    assert k["referrals"] == 1
    agg = figures(network["national"].pk, MARCH, True)
    assert agg["detail"]["referrals"] == {"court": {"state:sent": 1}}
    assert kpis(network["national"], MARCH, subtree=False)["applications"] == 0


@pytest.mark.django_db
def test_the_month_of_conclusion_and_of_the_return_visits(march: dict[str, Any], network: dict[str, Any]) -> None:
    k = kpis(network["shanghai"], APRIL, subtree=True)
    assert (k["applications"], k["concluded"], k["conclude_days_median"]) == (0, 1, 22)
    assert k["on_time_rate"] == 0.0
    assert k["return_visit_completion"] == 0.5
    assert k["acceptance_rate"] is None and k["satisfaction_mean"] is None


@pytest.mark.django_db
def test_now_figures_and_kpi_values_for_other_apps(march: dict[str, Any], network: dict[str, Any]) -> None:
    values = kpi_values(centre=network["shanghai"], start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    assert values["overdue_now"] == 1.0 and values["open_now"] == 2.0
    assert values["applications"] == 6.0 and values["concluded"] == 3.0
    assert values["conclude_days_median"] == 15.0  # 14, 15, 22
    national = kpi_values(centre=network["national"], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert national["open_now"] == 3.0
    assert national["accept_days_median"] == 2.0
    assert set(values) >= {"acceptance_rate", "on_time_rate", "survey_response_rate", "return_visit_completion"}


@pytest.mark.django_db
def test_breakdowns(march: dict[str, Any], network: dict[str, Any]) -> None:
    agg = figures(network["national"].pk, MARCH, True)
    industries = {r["key"]: r["applications"] for r in breakdown(agg, "industry")}
    assert industries == {"C": 6, "I": 1}
    priority = {r["key"]: r["applications"] for r in breakdown(agg, "priority_group")}
    assert priority == {"": 5, "sme": 1, "individual_business": 1}
    regions = breakdown(agg, "region")
    assert [(r["key"], r["applications"], r["accepted"], r["concluded"]) for r in regions] == [("310000", 7, 5, 2)]
    assert regions[0]["share"] == 1.0


def snapshot() -> dict[tuple[int, dt.date, bool], tuple[Any, ...]]:
    return {
        (r.centre_id, r.month, r.subtree): (*(getattr(r, n) for n in COUNTERS), r.detail)
        for r in KpiMonth.objects.all()
    }


@pytest.mark.django_db
def test_the_incremental_refresh_agrees_with_a_rebuild(march: dict[str, Any], network: dict[str, Any]) -> None:
    assert not KpiDirty.objects.exists()
    c2 = Case.objects_unscoped.get(pk=march["c2"].pk)
    c2.state, c2.concluded_at = CaseState.CONCLUDED, at(3, 25)
    c2.save()
    c5 = Case.objects_unscoped.get(pk=march["c5"].pk)
    c5.centre = network["zhejiang"]  # a transfer moves the case between partitions
    c5.save()
    assert set(KpiDirty.objects.values_list("centre_id", "month")) == {
        (network["shanghai"].pk, MARCH[0]),
        (network["zhejiang"].pk, MARCH[0]),
    }
    report = kpi_refresh()
    assert (report.partitions, report.months) == (2, 1)
    assert not KpiDirty.objects.exists()
    sh = kpis(network["shanghai"], MARCH, subtree=False)
    assert (sh["applications"], sh["concluded"], sh["priority_share"]) == (4, 2, 0.0)
    assert kpis(network["zhejiang"], MARCH, subtree=True)["applications"] == 2
    assert kpis(network["national"], MARCH, subtree=True)["applications"] == 7
    incremental = snapshot()
    kpi_rebuild()
    assert snapshot() == incremental


@pytest.mark.django_db
def test_answering_a_survey_marks_its_month(march: dict[str, Any], network: dict[str, Any]) -> None:
    from weiyuan.feedback.models import Survey

    survey = Survey.objects.get(case=march["c6"])
    survey.answered_at, survey.overall = at(4, 2), 2
    survey.save()
    assert list(KpiDirty.objects.values_list("centre_id", "month")) == [(network["pudong"].pk, MARCH[0])]
    kpi_refresh()
    k = kpis(network["shanghai"], MARCH, subtree=True)
    assert (k["satisfaction_mean"], k["survey_response_rate"]) == (3.0, 1.0)
