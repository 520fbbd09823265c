"""Clock services: pausing keeps the remaining working days; the sweep notifies each stage once, through the outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_case
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY
from weiyuan.clocks.services import clock_pause, clock_resume, clock_start, sweep_clocks
from weiyuan.notifications.models import OutboxMessage

D = dt.date


def cst(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=CHINA_TZ)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


@pytest.fixture
def case(network):
    case = make_case(network["shanghai"])
    # The intake started its own acceptance clock at the real time and queued its own notices;
    # keep both out of these scenarios.
    Clock.objects.filter(case=case).update(state=ClockState.CANCELLED)
    OutboxMessage.objects.all().delete()
    return case


@pytest.mark.django_db
def test_paused_clock_resumes_with_the_remaining_working_days(case):
    clock = clock_start(case=case, rule_code="acceptance", start=cst(2026, 3, 2))  # Monday
    assert clock.due_at == end_of(D(2026, 3, 9))

    # Paused on Wednesday after two working days (3 and 4 March): three remain (5, 6, 9 March).
    clock = clock_pause(clock=clock, at=cst(2026, 3, 4, 15))
    clock.refresh_from_db()
    assert clock.state == ClockState.PAUSED
    assert clock.due_at is None
    assert clock.remaining_units == 3

    # A second pause is a no-op.
    assert clock_pause(clock=clock, at=cst(2026, 3, 5)).remaining_units == 3

    # Resumed a week later: the three remaining working days run from the next day (12, 13, 16 March).
    clock = clock_resume(clock=clock, at=cst(2026, 3, 11, 9))
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert clock.paused_at is None
    assert clock.due_at == end_of(D(2026, 3, 16))


@pytest.mark.django_db
def test_paused_clock_across_the_spring_festival_counts_make_up_days(case):
    # Tuesday 10 Feb + 5 working days: 11, 12, 13, 14 (make-up Saturday), 24 Feb.
    clock = clock_start(case=case, rule_code="acceptance", start=cst(2026, 2, 10))
    assert clock.due_at == end_of(D(2026, 2, 24))
    clock = clock_pause(clock=clock, at=cst(2026, 2, 12, 16))
    assert clock.remaining_units == 3  # 13, 14, 24 February
    # Resumed on 25 Feb: 26, 27 and the make-up Saturday 28 February.
    clock = clock_resume(clock=clock, at=cst(2026, 2, 25))
    assert clock.due_at == end_of(D(2026, 2, 28))
    assert clock.calendar_fallback is False


@pytest.mark.django_db
def test_resuming_into_2027_flags_the_fallback(case):
    clock = clock_start(case=case, rule_code="acceptance", start=cst(2026, 12, 1))
    assert clock.calendar_fallback is False
    clock = clock_pause(clock=clock, at=cst(2026, 12, 2))
    clock = clock_resume(clock=clock, at=cst(2026, 12, 30))
    assert clock.calendar_fallback is True
    assert clock.due_at is not None and clock.due_at.astimezone(CHINA_TZ).year == 2027


# --- the sweep --------------------------------------------------------------------------------------------------


@pytest.fixture
def sweep_settings(settings):
    settings.CLOCK_DUE_SOON_WORKING_DAYS = 1
    settings.CLOCK_ESCALATE_AFTER_WORKING_DAYS = 2
    return settings


@pytest.mark.django_db
def test_sweep_notifies_each_stage_once_and_escalates_to_directors(network, case, sweep_settings):
    due_soon = clock_start(case=case, rule_code="acceptance", start=cst(2026, 3, 2))  # due Mon 9 March
    overdue = clock_start(case=case, rule_code="acceptance", start=cst(2026, 2, 28))  # the make-up Saturday
    assert overdue.due_at == end_of(D(2026, 3, 6))  # one working day late on Monday 9 March: not escalated
    # Due Mon 2 March (via the make-up Saturday 28 Feb): more than two working days late on 9 March.
    escalated = clock_start(case=case, rule_code="acceptance", start=cst(2026, 2, 24))
    assert escalated.due_at == end_of(D(2026, 3, 2))
    now = cst(2026, 3, 9, 10)

    counts = sweep_clocks(now=now)
    assert counts == {"due_soon": 1, "overdue": 2, "escalated": 1}

    def recipients(kind: str) -> set[int]:
        return set(OutboxMessage.objects.filter(kind=kind).values_list("recipient_id", flat=True))

    # No handler assigned yet: the centre's intake officers are reminded; escalation goes to the director only.
    assert recipients("clock.due_soon") == {network["sh_intake"].pk}
    assert recipients("clock.overdue") == {network["sh_intake"].pk}
    assert recipients("clock.escalated") == {network["sh_director"].pk}
    assert OutboxMessage.objects.filter(kind="clock.overdue").count() == 4  # 2 clocks x (in-app + e-mail)
    escalation = OutboxMessage.objects.filter(kind="clock.escalated").first()
    assert escalation is not None and case.tracking_number in escalation.subject
    for clock in (due_soon, overdue, escalated):
        clock.refresh_from_db()
    assert due_soon.due_soon_notified_at == now and due_soon.overdue_notified_at is None
    assert overdue.overdue_notified_at == now and overdue.escalated_at is None
    assert escalated.escalated_at == now and escalated.overdue_notified_at == now
    total = OutboxMessage.objects.count()
    assert total == 8

    # A second run finds nothing new.
    assert sweep_clocks(now=now) == {"due_soon": 0, "overdue": 0, "escalated": 0}
    assert OutboxMessage.objects.count() == total

    # Even if the bookkeeping were lost, the outbox dedupe keys keep a stage from being queued twice.
    Clock.objects.filter(pk__in=[due_soon.pk, overdue.pk, escalated.pk]).update(
        due_soon_notified_at=None, overdue_notified_at=None, escalated_at=None
    )
    sweep_clocks(now=now)
    assert OutboxMessage.objects.count() == total


@pytest.mark.django_db
def test_sweep_ignores_paused_and_finished_clocks(case, sweep_settings):
    paused = clock_start(case=case, rule_code="acceptance", start=cst(2026, 2, 24))
    clock_pause(clock=paused, at=cst(2026, 2, 25))
    assert sweep_clocks(now=cst(2026, 3, 9)) == {"due_soon": 0, "overdue": 0, "escalated": 0}
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_resumed_clock_earns_fresh_notices_for_its_new_due_time(network, case, sweep_settings):
    clock = clock_start(case=case, rule_code="acceptance", start=cst(2026, 3, 2))  # due 9 March
    assert sweep_clocks(now=cst(2026, 3, 6, 10))["due_soon"] == 1  # due within one working day
    # Paused on Friday 6 March (the pause day counts as used): one working day (9 March) remains.
    clock = clock_pause(clock=clock, at=cst(2026, 3, 6, 11))
    assert clock.remaining_units == 1
    clock = clock_resume(clock=clock, at=cst(2026, 3, 16, 9))  # due the next working day, 17 March
    assert clock.due_at == end_of(D(2026, 3, 17))
    assert sweep_clocks(now=cst(2026, 3, 17, 9))["due_soon"] == 1
    assert OutboxMessage.objects.filter(kind="clock.due_soon").count() == 4
