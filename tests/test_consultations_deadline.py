"""The answer deadline: the case's handling clock, 5 working days on the official Chinese calendar by default, a
centre's own limit as data (CentreServiceClock); the follow-up runs on the same rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.access_rows.consultations import answered, ask, take
from tests.factories import ApplicantFactory
from weiyuan.cases.models import CentreServiceClock, ServiceType
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY
from weiyuan.consultations import services
from weiyuan.consultations.models import Question


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=CHINA_TZ)


def end_of(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(y, m, d), END_OF_DAY, tzinfo=CHINA_TZ)


@pytest.fixture
def clock_at(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set "now" for the services (they read django.utils.timezone.now)."""

    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def people(network: dict[str, Any]) -> dict[str, Any]:
    return {"intake": network["sh_intake"], "director": network["sh_director"], "handler": network["sh_handler"]}


@pytest.mark.django_db
def test_consultations_are_answered_within_5_working_days_by_default() -> None:
    assert ServiceType.objects.get(code="consultation").handling_working_days == 5


@pytest.mark.django_db
def test_answer_due_5_working_days_after_acceptance_on_the_chinese_calendar(
    network: dict[str, Any], clock_at: Any
) -> None:
    # Accepted on Thursday 12 February 2026, two days before the Spring Festival holiday (15-23 February).
    # Working days: Fri 13, Sat 14 (a make-up working day 调休), Tue 24, Wed 25, Thu 26 February.
    clock_at(at(2026, 2, 12))
    consultation = take(ask(network["shanghai"], ApplicantFactory()), **people(network))
    clock = Clock.objects.get(case=consultation.case, rule="handling")
    assert clock.due_at == end_of(2026, 2, 26)
    assert clock.remaining_units == 5
    assert not clock.calendar_fallback


@pytest.mark.django_db
def test_a_centres_own_limit_changes_the_due_date(network: dict[str, Any], clock_at: Any) -> None:
    CentreServiceClock.objects.create(
        centre=network["shanghai"], service_type=ServiceType.objects.get(code="consultation"), handling_working_days=8
    )
    clock_at(at(2026, 2, 12))
    consultation = take(ask(network["shanghai"], ApplicantFactory()), **people(network))
    # 8 working days: ... Thu 26, Fri 27, Sat 28 February (make-up working day), Mon 2 March.
    assert Clock.objects.get(case=consultation.case, rule="handling").due_at == end_of(2026, 3, 2)
    # Another centre keeps the default.
    zj = ask(network["zhejiang"], ApplicantFactory(), region="330106")
    take(zj, intake=network["zj_intake"], director=network["zj_director"], handler=network["zj_handler"])
    assert Clock.objects.get(case=zj.case, rule="handling").due_at == end_of(2026, 2, 26)


@pytest.mark.django_db
def test_the_follow_up_runs_on_the_same_rule_and_limit(network: dict[str, Any], clock_at: Any) -> None:
    CentreServiceClock.objects.create(
        centre=network["shanghai"], service_type=ServiceType.objects.get(code="consultation"), handling_working_days=3
    )
    applicant = ApplicantFactory()
    clock_at(at(2026, 4, 27))
    consultation = take(ask(network["shanghai"], applicant), **people(network))
    answered(consultation, handler=network["sh_handler"])
    # Asked on Tuesday 28 April 2026; Labour Day holiday 1-5 May, make-up working day Saturday 9 May.
    clock_at(at(2026, 4, 28, 15))
    question = services.consultation_follow_up(
        consultation=consultation, actor=applicant, question="还想问一下赔偿怎么计算？"
    )
    question = Question.objects.select_related("clock").get(pk=question.pk)
    assert question.clock is not None
    assert question.clock.rule == "handling"
    assert question.clock.state == ClockState.RUNNING
    # Wed 29 and Thu 30 April, then (after 1-5 May) Wed 6 May.
    assert question.clock.due_at == end_of(2026, 5, 6)
