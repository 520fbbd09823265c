"""Review finding 13: the sweep escalates to the director only clocks the centre itself owes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import make_case
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.clocks.rules import CHINA_TZ, RULES
from weiyuan.clocks.services import clock_start, sweep_clocks
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 16, 10, tzinfo=CHINA_TZ)  # a Monday, weeks after every clock below fell due


def cst(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=CHINA_TZ)


@pytest.fixture
def case(network: dict[str, Any], settings: Any) -> Any:
    settings.CLOCK_DUE_SOON_WORKING_DAYS = 1
    settings.CLOCK_ESCALATE_AFTER_WORKING_DAYS = 2
    case = make_case(network["shanghai"])
    Clock.objects.filter(case=case).update(state=ClockState.CANCELLED)
    OutboxMessage.objects.all().delete()
    return case


def recipients(kind: str) -> set[int]:
    return set(OutboxMessage.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_an_overdue_applicant_clock_reminds_the_applicant_and_is_not_escalated(network: dict[str, Any], case: Any):
    assert RULES["info_response"].owed_by == "applicant"
    clock = clock_start(case=case, rule_code="info_response", start=cst(2026, 2, 2))
    assert clock.due_at is not None and clock.due_at < NOW - dt.timedelta(days=7)

    assert sweep_clocks(now=NOW) == {"due_soon": 0, "overdue": 1, "escalated": 0}
    assert recipients("clock.overdue") == {case.applicant_user_id}
    assert not OutboxMessage.objects.filter(kind="clock.escalated").exists()
    clock.refresh_from_db()
    assert clock.overdue_notified_at == NOW and clock.escalated_at is None
    # Later sweeps still leave it alone: the director is never told about the applicant's lateness.
    assert sweep_clocks(now=NOW + dt.timedelta(days=30)) == {"due_soon": 0, "overdue": 0, "escalated": 0}
    assert not OutboxMessage.objects.filter(kind="clock.escalated").exists()


def test_only_centre_owed_clocks_reach_the_director(network: dict[str, Any], case: Any) -> None:
    centre_clock = clock_start(case=case, rule_code="acceptance", start=cst(2026, 2, 24))
    applicant_clock = clock_start(case=case, rule_code="info_response", start=cst(2026, 2, 2))
    respondent_clock = clock_start(case=case, rule_code="fair_respondent_defence", start=cst(2026, 3, 2))
    holder_clock = clock_start(case=case, rule_code="ecommerce_counter_notice_wait", start=cst(2026, 2, 2))

    counts = sweep_clocks(now=NOW)
    assert counts == {"due_soon": 0, "overdue": 4, "escalated": 1}
    assert recipients("clock.escalated") == {network["sh_director"].pk}
    escalated = set(Clock.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True))
    assert escalated == {centre_clock.pk}
    for clock in (applicant_clock, respondent_clock, holder_clock):
        clock.refresh_from_db()
        assert clock.escalated_at is None and clock.overdue_notified_at == NOW
    escalation = OutboxMessage.objects.filter(kind="clock.escalated").first()
    assert escalation is not None and str(RULES["acceptance"].label) in escalation.subject
