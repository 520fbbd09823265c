"""Referral clocks: the acknowledgement due time in working days on the official calendar (across the Spring
Festival and its make-up working day), the "no news" due time, and the sweep's three stages (chase the partner,
escalate to the case's handler, then to the centre's directors), each claimed once, driven with `now=`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
import pytest

from tests.factories import ApplicantFactory
from tests.referrals_support import make_org, partner_of, referrable_case
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY, RULES
from weiyuan.clocks.services import sweep_clocks
from weiyuan.notifications.models import OutboxMessage
from weiyuan.referrals import services
from weiyuan.referrals.models import EscalationStage, Referral
from weiyuan.referrals.sweep import _chase_one, sweep_referrals

pytestmark = pytest.mark.django_db
E = EscalationStage


def cst(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHINA_TZ)


def end_of(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(y, m, d), END_OF_DAY, tzinfo=CHINA_TZ)


def test_the_calendar_facts_this_file_relies_on():
    assert chinese_calendar.is_workday(dt.date(2026, 2, 13))
    assert chinese_calendar.is_workday(dt.date(2026, 2, 14))  # Saturday, a make-up working day 调休
    assert all(not chinese_calendar.is_workday(dt.date(2026, 2, d)) for d in range(15, 24))  # Spring Festival
    assert chinese_calendar.is_workday(dt.date(2026, 2, 24))
    assert chinese_calendar.is_workday(dt.date(2026, 2, 28))  # Saturday, a make-up working day


def test_the_rules_are_data_with_their_source():
    ack, progress = RULES["referral_acknowledgement"], RULES["referral_progress"]
    assert (ack.unit, ack.amount, ack.owed_by) == ("working_days", 3, "partner")
    assert (progress.unit, progress.amount) == ("working_days", 30)
    assert "3 个工作日" in str(ack.source) and "30 个工作日" in str(progress.source)


@pytest.fixture
def s(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["case"] = referrable_case(network, ApplicantFactory())
    w["court"] = make_org(network["shanghai"], name="上海知识产权法院")
    w["partner"] = partner_of(w["court"])
    w["partner_2"] = partner_of(w["court"])
    return w


def send(s: dict[str, Any], at: dt.datetime) -> Referral:
    (r,) = services.referral_send(
        case=s["case"],
        actor=s["sh_handler"],
        organisations=[s["court"]],
        cover_letter="请依法处理本案被请求人的侵权行为。",
        now=at,
    )
    return r


def kinds_to(user: Any) -> list[str]:
    return list(
        OutboxMessage.objects.filter(recipient=user, channel="in_app").order_by("id").values_list("kind", flat=True)
    )


def test_ack_due_counts_three_working_days_across_the_spring_festival(s):
    r = send(s, cst(2026, 2, 12))
    # Thu 12 Feb: 13 Feb (1), Sat 14 Feb make-up day (2), the festival 15-23 Feb skipped, 24 Feb (3).
    assert r.ack_due_at == end_of(2026, 2, 24)
    assert r.next_chase_at == r.ack_due_at and r.escalation_stage == E.NONE and not r.calendar_fallback


def test_sweep_chases_then_escalates_to_handler_then_director_once_each(s):
    r = send(s, cst(2026, 2, 12))
    assert sweep_referrals(now=cst(2026, 2, 24, 23, 0)) == {"referrals_chased": 0, "referrals_escalated": 0}

    # Stage 1: past the due time, both partner accounts are chased.
    assert sweep_referrals(now=cst(2026, 2, 25, 9)) == {"referrals_chased": 1, "referrals_escalated": 0}
    r.refresh_from_db()
    assert r.escalation_stage == E.PARTNER_CHASED and r.last_chased_at == cst(2026, 2, 25, 9)
    assert r.next_chase_at == end_of(2026, 2, 27)  # two working days later
    assert kinds_to(s["partner"]) == ["referral.created", "referral.chase"]
    assert kinds_to(s["partner_2"]) == ["referral.created", "referral.chase"]
    assert "referral.escalate_handler" not in kinds_to(s["sh_handler"])
    # The same sweep again, or a second one racing it: nothing new.
    assert sweep_referrals(now=cst(2026, 2, 25, 9, 5)) == {"referrals_chased": 0, "referrals_escalated": 0}

    # Stage 2 (Sat 28 Feb is a make-up working day): the case's handler, and the partner once more.
    assert sweep_referrals(now=cst(2026, 2, 28, 9)) == {"referrals_chased": 0, "referrals_escalated": 1}
    r.refresh_from_db()
    assert r.escalation_stage == E.HANDLER and r.next_chase_at == end_of(2026, 3, 3)
    assert kinds_to(s["sh_handler"])[-1] == "referral.escalate_handler"
    assert kinds_to(s["partner"]).count("referral.chase") == 2
    assert "referral.escalate_director" not in kinds_to(s["sh_director"])

    # Stage 3: the centre's directors; then nothing more.
    assert sweep_referrals(now=cst(2026, 3, 4, 9)) == {"referrals_chased": 0, "referrals_escalated": 1}
    r.refresh_from_db()
    assert r.escalation_stage == E.DIRECTOR and r.next_chase_at is None
    assert kinds_to(s["sh_director"])[-1] == "referral.escalate_director"
    assert sweep_referrals(now=cst(2026, 4, 1, 9)) == {"referrals_chased": 0, "referrals_escalated": 0}


def test_a_claim_is_won_once(s):
    r = send(s, cst(2026, 2, 12))
    from weiyuan.clocks.calendar import WorkingCalendar

    now = cst(2026, 2, 25, 9)
    assert r.next_chase_at is not None
    assert _chase_one(r.pk, 0, r.next_chase_at, now, WorkingCalendar()) == E.PARTNER_CHASED
    assert _chase_one(r.pk, 0, r.next_chase_at, now, WorkingCalendar()) is None
    assert OutboxMessage.objects.filter(kind="referral.chase", channel="in_app").count() == 2  # two partner accounts


def test_acknowledging_stops_the_ack_chase_and_starts_the_no_news_clock(s):
    r = send(s, cst(2026, 2, 12))
    sweep_referrals(now=cst(2026, 2, 25, 9))
    r = services.referral_acknowledge(referral=r, actor=s["partner"], now=cst(2026, 2, 26, 10))
    assert r.escalation_stage == E.NONE
    assert r.progress_due_at is not None and r.progress_due_at == r.next_chase_at
    assert r.progress_due_at.astimezone(CHINA_TZ).date() > dt.date(2026, 3, 31)  # 30 working days
    assert sweep_referrals(now=cst(2026, 3, 4, 9)) == {"referrals_chased": 0, "referrals_escalated": 0}


def test_silent_accepted_referral_is_chased_and_a_report_restarts_the_clock(s):
    r = send(s, cst(2026, 3, 2))
    r = services.referral_accept(referral=r, actor=s["partner"], now=cst(2026, 3, 3))
    due = r.progress_due_at
    assert due is not None
    assert sweep_referrals(now=due - dt.timedelta(hours=1))["referrals_chased"] == 0
    after = due + dt.timedelta(hours=10)
    # Through the clock sweep itself: its result carries the referral counts.
    result = sweep_clocks(now=after)
    assert result.get("referrals_chased") == 1
    r.refresh_from_db()
    assert r.escalation_stage == E.PARTNER_CHASED
    services.referral_report(referral=r, actor=s["partner"], text="已调取证据，正在审查。", now=after)
    r.refresh_from_db()
    assert r.progress_due_at is not None
    assert r.escalation_stage == E.NONE and r.progress_due_at > due and r.next_chase_at == r.progress_due_at


def test_finished_referrals_are_not_chased(s):
    r = send(s, cst(2026, 2, 12))
    services.referral_decline(referral=r, actor=s["partner"], reason="不属于本院管辖。", now=cst(2026, 2, 13))
    assert sweep_referrals(now=cst(2026, 3, 30, 9)) == {"referrals_chased": 0, "referrals_escalated": 0}
