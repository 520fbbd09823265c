"""Starting, pausing, resuming and finishing clocks, and the sweep that turns due times into notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY, RULES, Unit, compute_due


def _snapshot(clock: Clock) -> dict[str, Any]:
    return {
        "rule": clock.rule,
        "state": clock.state,
        "due_at": clock.due_at,
        "remaining_units": clock.remaining_units,
    }


def _audit(clock: Clock, action: str, actor: Any, before: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=clock,
        centre_id=clock.case.centre_id,
        case_id=clock.case_id,
        before=before,
        after=_snapshot(clock),
    )


def clock_start(
    *, case: Any, rule_code: str, start: dt.datetime, amount: int | None = None, actor: Any = None
) -> Clock:
    rule = RULES[rule_code]
    result = compute_due(rule, start, amount=amount)
    clock = Clock.objects.create(
        case=case,
        rule=rule_code,
        started_at=start,
        due_at=result.due_at,
        remaining_units=result.amount,
        calendar_fallback=result.calendar_fallback,
    )
    audit_record(
        actor=actor, action="clock.start", obj=clock, centre_id=case.centre_id, case_id=case.pk, after=_snapshot(clock)
    )
    return clock


def clock_pause(*, clock: Clock, at: dt.datetime, actor: Any = None) -> Clock:
    """Stop the clock and keep what is left: working days for working-day rules, seconds otherwise."""
    if clock.state != ClockState.RUNNING or clock.due_at is None:
        return clock
    before = _snapshot(clock)
    rule = RULES[clock.rule]
    if rule.unit == Unit.WORKING_DAYS:
        cal = WorkingCalendar()
        clock.remaining_units = cal.working_days_between(
            at.astimezone(CHINA_TZ).date(), clock.due_at.astimezone(CHINA_TZ).date()
        )
    else:
        clock.remaining_units = max(0, int((clock.due_at - at).total_seconds()))
    clock.state = ClockState.PAUSED
    clock.paused_at = at
    clock.due_at = None
    clock.save(update_fields=["remaining_units", "state", "paused_at", "due_at"])
    _audit(clock, "clock.pause", actor, before)
    return clock


def clock_resume(*, clock: Clock, at: dt.datetime, actor: Any = None) -> Clock:
    """Run again with the remaining time, from the moment the applicant answered."""
    if clock.state != ClockState.PAUSED:
        return clock
    before = _snapshot(clock)
    rule = RULES[clock.rule]
    remaining = clock.remaining_units or 0
    cal = WorkingCalendar()
    if rule.unit == Unit.WORKING_DAYS:
        last_day = cal.add_working_days(at.astimezone(CHINA_TZ).date(), remaining)
        clock.due_at = dt.datetime.combine(last_day, END_OF_DAY, tzinfo=CHINA_TZ)
    elif rule.unit == Unit.CALENDAR_DAYS:
        raw = at + dt.timedelta(seconds=remaining)
        last_day = cal.next_working_day(raw.astimezone(CHINA_TZ).date())
        clock.due_at = (
            raw
            if last_day == raw.astimezone(CHINA_TZ).date()
            else dt.datetime.combine(last_day, END_OF_DAY, tzinfo=CHINA_TZ)
        )
    else:
        clock.due_at = at + dt.timedelta(seconds=remaining)
    clock.calendar_fallback = clock.calendar_fallback or cal.use.fallback
    clock.state = ClockState.RUNNING
    clock.paused_at = None
    # A resumed clock earns fresh reminders for its new due time.
    clock.due_soon_notified_at = None
    clock.overdue_notified_at = None
    clock.escalated_at = None
    clock.save()
    _audit(clock, "clock.resume", actor, before)
    return clock


def clock_finish(*, clock: Clock, at: dt.datetime, state: str = ClockState.MET, actor: Any = None) -> Clock:
    if clock.state in (ClockState.MET, ClockState.CANCELLED):
        return clock
    before = _snapshot(clock)
    clock.state = state
    clock.finished_at = at
    clock.save(update_fields=["state", "finished_at"])
    _audit(clock, "clock.finish", actor, before)
    return clock


def clocks_for_case(
    case: Any, *rules: str, states: tuple[str, ...] = (ClockState.RUNNING, ClockState.PAUSED)
) -> list[Clock]:
    qs = Clock.objects.filter(case=case, state__in=states)
    if rules:
        qs = qs.filter(rule__in=rules)
    return list(qs)


# --- the sweep ---------------------------------------------------------------------------------------------


def _recipients(clock: Clock, *, escalate: bool) -> list[Any]:
    from weiyuan.accounts.models import User
    from weiyuan.core.choices import Role

    case = clock.case
    rule = RULES[clock.rule]
    centre_staff = User.objects.filter(memberships__centre_id=case.centre_id, memberships__active=True, is_active=True)
    if escalate:
        return list(centre_staff.filter(memberships__role=Role.DIRECTOR).distinct())
    if rule.owed_by == "applicant":
        return [case.applicant_user] if case.applicant_user_id else []
    if case.handler_id:
        return [case.handler]
    return list(centre_staff.filter(memberships__role=Role.INTAKE_OFFICER).distinct())


def _notice(clock: Clock, stage: str) -> Any:
    from weiyuan.notifications.services import Notice

    case = clock.case
    rule = RULES[clock.rule]
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else ""
    titles = {
        "due_soon": _("即将到期：%(rule)s（%(number)s）"),
        "overdue": _("已逾期：%(rule)s（%(number)s）"),
        "escalated": _("逾期升级：%(rule)s（%(number)s）"),
    }
    subject = titles[stage] % {"rule": rule.label, "number": case.tracking_number}
    body = _("案件 %(number)s「%(title)s」的%(rule)s期限为 %(due)s。") % {
        "number": case.tracking_number,
        "title": case.title,
        "rule": rule.label,
        "due": due,
    }
    return Notice(kind=f"clock.{stage}", subject=subject, body=body, url=f"/cases/{case.tracking_number}/")


def _claim_and_notify(clock_id: int, field: str, stage: str, now: dt.datetime) -> bool:
    """Claim one stage of one clock with a conditional UPDATE and queue its notices in the same transaction."""
    from weiyuan.notifications.services import outbox_enqueue

    with transaction.atomic():
        won = Clock.objects.filter(pk=clock_id, state=ClockState.RUNNING, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
        if not won:
            return False
        clock = Clock.objects.select_related("case", "case__handler", "case__applicant_user").get(pk=clock_id)
        recipients = _recipients(clock, escalate=(stage == "escalated"))
        outbox_enqueue(
            recipients=recipients,
            notice=lambda: _notice(clock, stage),
            dedupe_key=f"clock:{clock.pk}:{stage}:{clock.due_at.isoformat() if clock.due_at else ''}",
        )
    return True


def sweep_clocks(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Find running clocks that are due soon, overdue or past escalation, and notify each stage once."""
    now = now or timezone.now()
    cal = WorkingCalendar()
    today = now.astimezone(CHINA_TZ).date()
    soon_day = cal.add_working_days(today, settings.CLOCK_DUE_SOON_WORKING_DAYS)
    soon_limit = dt.datetime.combine(soon_day, END_OF_DAY, tzinfo=CHINA_TZ)
    # Escalate when the due date lies N working days or more behind today.
    escalate_before = today
    for _i in range(settings.CLOCK_ESCALATE_AFTER_WORKING_DAYS):
        escalate_before -= dt.timedelta(days=1)
        while not cal.is_working_day(escalate_before):
            escalate_before -= dt.timedelta(days=1)
    escalate_limit = dt.datetime.combine(escalate_before, END_OF_DAY, tzinfo=CHINA_TZ)

    counts = {"due_soon": 0, "overdue": 0, "escalated": 0}
    running = Clock.objects.filter(state=ClockState.RUNNING)
    # Only the centre's own overdue work goes up to its director: a late answer from the applicant (or the
    # respondent, or the rights holder) is reminded to whoever owes it, but is no fault of the centre's staff.
    centre_owed = [code for code, rule in RULES.items() if rule.owed_by == "centre"]
    stages = [
        (
            "escalated",
            "escalated_at",
            running.filter(rule__in=centre_owed, due_at__lte=escalate_limit, escalated_at__isnull=True),
        ),
        ("overdue", "overdue_notified_at", running.filter(due_at__lte=now, overdue_notified_at__isnull=True)),
        (
            "due_soon",
            "due_soon_notified_at",
            running.filter(due_at__gt=now, due_at__lte=soon_limit, due_soon_notified_at__isnull=True),
        ),
    ]
    for stage, field, qs in stages:
        while True:
            ids = list(qs.order_by("due_at").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            for clock_id in ids:
                if _claim_and_notify(clock_id, field, stage, now):
                    counts[stage] += 1
            if len(ids) < batch:
                break
    # Expert invitations keep their own due time (weiyuan/experts/invitations.py): reminded and expired here too.
    # Their counts are reported only when something happened.
    from weiyuan.experts.invitations import sweep_invitations

    counts.update({k: v for k, v in sweep_invitations(now=now, batch=batch).items() if v})
    # Referrals to partner organisations keep their own due times (weiyuan/referrals/sweep.py): chased here too.
    from weiyuan.referrals.sweep import sweep_referrals

    counts.update({k: v for k, v in sweep_referrals(now=now, batch=batch).items() if v})
    # E-commerce listings keep the 15-day wait of E-Commerce Law Art. 43 on their own rows
    # (weiyuan/ecommerce/sweep.py): restored here at expiry.
    from weiyuan.ecommerce.sweep import sweep_counter_notice_waits

    counts.update({k: v for k, v in sweep_counter_notice_waits(now=now, batch=batch).items() if v})
    # Feedback keeps its own due times (weiyuan/feedback/sweep.py): the survey reminder, unanswered complaints.
    from weiyuan.feedback.sweep import sweep_feedback

    counts.update({k: v for k, v in sweep_feedback(now=now, batch=batch).items() if v})
    return counts
