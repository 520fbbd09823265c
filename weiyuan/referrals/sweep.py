"""Chasing referrals on the clock sweep: a referral not acknowledged by its due time (rule
`referral_acknowledgement`), or acknowledged / accepted without news by its "no news" due time (rule
`referral_progress`), goes through three stages, each claimed once with a conditional UPDATE and its notices queued
in the same transaction (two sweeps never notify twice; a crash loses nothing):

1. the due time has passed: the partner's accounts are chased (and a `referral.overdue` webhook is owed);
2. `CLOCK_ESCALATE_AFTER_WORKING_DAYS` working days later: the case's handler (the partner is chased again);
3. as many working days later again: the directors of the case's centre.

Every acknowledgement, decision or report restarts the due time and the stages (`services._restart_progress`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from weiyuan.cases.services.common import case_audit_record
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY
from weiyuan.referrals import notices
from weiyuan.referrals.models import OPEN_STATES, EscalationStage, Referral

E = EscalationStage
LAST_STAGE = E.DIRECTOR


def _next_stage_at(now: dt.datetime, cal: WorkingCalendar) -> dt.datetime:
    day = cal.add_working_days(now.astimezone(CHINA_TZ).date(), settings.CLOCK_ESCALATE_AFTER_WORKING_DAYS)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


def _chase_one(pk: int, stage: int, due: dt.datetime, now: dt.datetime, cal: WorkingCalendar) -> int | None:
    """Claim the next stage of one referral; the stage reached, or None if another sweep (or a report) won."""
    new_stage = stage + 1
    with transaction.atomic():
        won = Referral.objects.filter(pk=pk, state__in=OPEN_STATES, escalation_stage=stage, next_chase_at=due).update(
            escalation_stage=new_stage,
            last_chased_at=now,
            next_chase_at=_next_stage_at(now, cal) if new_stage < LAST_STAGE else None,
        )
        if not won:
            return None
        referral = Referral.objects.select_related(
            "case", "case__centre", "case__handler", "organisation", "sent_by"
        ).get(pk=pk)
        due_key = (referral.current_due_at or referral.ack_due_at).isoformat()
        partners = notices.partner_accounts(referral.organisation_id)
        if new_stage == E.PARTNER_CHASED:
            notices.notify(referral, partners, "chase", key=f"{due_key}:1")
            notices.webhook(referral, "referral.overdue")
        elif new_stage == E.HANDLER:
            notices.notify(referral, partners, "chase", key=f"{due_key}:2")
            notices.notify(referral, notices.handler_recipients(referral), "escalate_handler", key=due_key)
        else:
            notices.notify(referral, notices.director_recipients(referral), "escalate_director", key=due_key)
        case_audit_record(
            case=referral.case,
            actor=None,
            action="referral.chase",
            obj=referral,
            before={"escalation_stage": stage},
            after={"escalation_stage": new_stage, "state": referral.state, "due_at": referral.current_due_at},
        )
    return new_stage


def sweep_referrals(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, Any]:
    """Chase and escalate overdue referrals (each stage once). Run by the clock sweep; idempotent."""
    now = now or timezone.now()
    cal = WorkingCalendar()
    counts = {"referrals_chased": 0, "referrals_escalated": 0}
    due = Referral.objects.filter(state__in=OPEN_STATES, next_chase_at__lte=now).order_by("next_chase_at", "pk")
    for pk, stage, at in due.values_list("pk", "escalation_stage", "next_chase_at")[:batch]:
        assert at is not None  # filtered on next_chase_at <= now
        reached = _chase_one(pk, stage, at, now, cal)
        if reached == E.PARTNER_CHASED:
            counts["referrals_chased"] += 1
        elif reached is not None:
            counts["referrals_escalated"] += 1
    return counts
