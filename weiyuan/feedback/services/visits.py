"""Return visits 回访: scheduled when a case is concluded (days per service type, `ReturnVisitSchedule`, else
`settings.FEEDBACK_RETURN_VISIT_DAYS`), each with its due date stored; recorded by the staff of the centre; a new
need heard on the visit can start a draft case for the applicant through the case intake service.

Referral outcomes are cross-checked: when the applicant's account of the outcome cannot be squared with what a
partner reported on a referral of the case (`COMPATIBLE_OUTCOMES`), the visit is flagged (`referral_mismatch`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.feedback import FeedbackPermission, return_visit_decide
from weiyuan.cases.models import Case
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.core.choices import Channel
from weiyuan.feedback.models import (
    ApplicantOutcome,
    ContactChannel,
    ReturnVisit,
    ReturnVisitSchedule,
    ReturnVisitState,
)

MAX_VISITS = 6
MAX_DAYS = 3650
TEXT_MAX = 5000
LOSS_MAX = Decimal("99999999999999.99")
P = FeedbackPermission
S = ReturnVisitState
A = ApplicantOutcome

# What the applicant may say happened, given a partner's reported outcome on a referral of the case. An outcome not
# listed here (accepted, declined, other) is not cross-checked. "pending" contradicts every final outcome.
COMPATIBLE_OUTCOMES: dict[str, frozenset[str]] = {
    "mediation_agreement": frozenset({A.SETTLED}),
    "penalty_decision": frozenset({A.WON, A.SETTLED}),
    "judgment": frozenset({A.WON, A.LOST, A.SETTLED}),
    "withdrawn": frozenset({A.SETTLED, A.ABANDONED}),
}


def validate_schedule_days(value: Any) -> list[int]:
    """A schedule: a list of distinct whole days after conclusion, 1..3650, at most six; returned sorted."""
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise ValidationError({"days_after": _("请填写天数列表，例如 [30, 90]。")})
    if len(value) > MAX_VISITS or len(set(value)) != len(value) or any(not 1 <= v <= MAX_DAYS for v in value):
        raise ValidationError(
            {
                "days_after": _("最多 %(n)s 次回访，天数各不相同，每个在 1 到 %(max)s 之间。")
                % {"n": MAX_VISITS, "max": MAX_DAYS}
            }
        )
    return sorted(value)


def schedule_days_for(service_type_id: int) -> list[int]:
    row = ReturnVisitSchedule.objects.filter(service_type_id=service_type_id).first()
    return list(row.days_after) if row is not None else list(settings.FEEDBACK_RETURN_VISIT_DAYS)


def due_on_for(concluded: dt.datetime, days: int, calendar: WorkingCalendar) -> dt.date:
    """`days` calendar days after the conclusion date (Beijing), moved to the next working day if that is a rest day."""
    return calendar.next_working_day(concluded.astimezone(CHINA_TZ).date() + dt.timedelta(days=days))


def _snapshot(visit: ReturnVisit) -> dict[str, Any]:
    return {
        "state": visit.state,
        "due_on": visit.due_on,
        "reached": visit.reached,
        "channel": visit.channel,
        "dispute_resolved": visit.dispute_resolved,
        "applicant_outcome": visit.applicant_outcome,
        "loss_avoided_yuan": visit.loss_avoided_yuan,
        "referral_mismatch": visit.referral_mismatch,
        "new_case_id": visit.new_case_id,
    }


def visits_schedule_for_case(*, case: Case, now: dt.datetime) -> list[ReturnVisit]:
    """Schedule (or, after a reopening, reschedule) the case's return visits from its conclusion. Visits already
    paid stay as they are. Runs in the caller's transaction."""
    calendar = WorkingCalendar()
    existing = {v.days_after: v for v in ReturnVisit.objects.select_for_update().filter(case=case)}
    scheduled = []
    for days in schedule_days_for(case.service_type_id):
        visit = existing.get(days)
        due_on = due_on_for(now, days, calendar)
        if visit is None:
            visit = ReturnVisit.objects.create(
                case=case, centre_id=case.centre_id, days_after=days, due_on=due_on, created_at=now
            )
            case_audit_record(case=case, actor=None, action="return_visit.schedule", obj=visit, after=_snapshot(visit))
        elif visit.state != S.DONE:
            before = _snapshot(visit)
            visit.state, visit.due_on, visit.centre_id = S.PENDING, due_on, case.centre_id
            visit.save(update_fields=["state", "due_on", "centre"])
            case_audit_record(
                case=case,
                actor=None,
                action="return_visit.reschedule",
                obj=visit,
                before=before,
                after=_snapshot(visit),
            )
        scheduled.append(visit)
    return scheduled


def visits_cancel_for_case(*, case: Case, actor: Any) -> int:
    """A reopened case is being handled again: its pending visits are cancelled until it is concluded anew."""
    cancelled = 0
    for visit in ReturnVisit.objects.select_for_update().filter(case=case, state=S.PENDING):
        before = _snapshot(visit)
        visit.state = S.CANCELLED
        visit.save(update_fields=["state"])
        case_audit_record(
            case=case, actor=actor, action="return_visit.cancel", obj=visit, before=before, after=_snapshot(visit)
        )
        cancelled += 1
    return cancelled


def referral_outcomes(case_id: int) -> list[Any]:
    """The concluded referrals of the case with their partner-reported outcome (for the cross-check)."""
    from weiyuan.referrals.models import Referral, ReferralState

    return list(
        Referral.objects.filter(case_id=case_id, state=ReferralState.CONCLUDED)
        .select_related("organisation")
        .order_by("concluded_at", "pk")
    )


def referral_mismatches(applicant_outcome: str, referrals: list[Any]) -> list[Any]:
    if not applicant_outcome:
        return []
    return [
        r
        for r in referrals
        if r.outcome_kind in COMPATIBLE_OUTCOMES and applicant_outcome not in COMPATIBLE_OUTCOMES[r.outcome_kind]
    ]


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {field: _("内容过长：最多 %(limit)s 个字，当前 %(n)s 个字。") % {"limit": TEXT_MAX, "n": len(value)}}
        )
    return value


def _loss(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"loss_avoided_yuan": _("请填写金额（元），例如 30000 或 30000.50。")}) from None
    if not amount.is_finite():
        raise ValidationError({"loss_avoided_yuan": _("请填写金额（元），例如 30000 或 30000.50。")})
    if amount < 0:
        raise ValidationError({"loss_avoided_yuan": _("估计避免损失不能为负数；不清楚时请留空。")})
    if amount > LOSS_MAX or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({"loss_avoided_yuan": _("金额最多精确到分，且不超过 99999999999999.99 元。")})
    return amount.quantize(Decimal("0.01"))


def _check(visit: ReturnVisit, actor: Any, permission: FeedbackPermission) -> None:
    decision = return_visit_decide(actor, permission, visit)
    if not decision:
        seen = bool(return_visit_decide(actor, P.RETURN_VISIT_VIEW, visit))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)


@transaction.atomic
def return_visit_record(
    *,
    visit: ReturnVisit,
    actor: Any,
    reached: bool | None,
    channel: str,
    dispute_resolved: bool | None = None,
    applicant_outcome: str = "",
    loss_avoided_yuan: Any = None,
    new_needs: str = "",
    notes: str = "",
) -> ReturnVisit:
    """Record a pending visit: the contact (reached or not, channel) and, if reached, what the applicant said."""
    _check(visit, actor, P.RETURN_VISIT_RECORD)
    visit = ReturnVisit.objects.select_for_update().select_related("case", "centre").get(pk=visit.pk)
    if visit.state != S.PENDING:
        raise TransitionRefused(
            _("该回访当前状态为「%(state)s」，不能再记录。") % {"state": visit.get_state_display()}, status=409
        )
    errors: dict[str, str] = {}
    if channel not in ContactChannel.values:
        errors["channel"] = _("请选择回访方式。")
    if reached is None:
        errors["reached"] = _("请选择是否联系上申请人。")
    if reached:
        if dispute_resolved is None:
            errors["dispute_resolved"] = _("请选择纠纷是否已解决。")
        if applicant_outcome not in ApplicantOutcome.values:
            errors["applicant_outcome"] = _("请选择申请人反映的结果。")
    if errors:
        raise ValidationError(errors)
    loss = _loss(loss_avoided_yuan) if reached else None
    new_needs = _text(new_needs, "new_needs") if reached else ""
    notes = _text(notes, "notes")
    before = _snapshot(visit)
    visit.reached, visit.channel, visit.notes = reached, channel, notes
    visit.dispute_resolved = dispute_resolved if reached else None
    visit.applicant_outcome = applicant_outcome if reached else ""
    visit.loss_avoided_yuan, visit.new_needs = loss, new_needs
    mismatched = referral_mismatches(visit.applicant_outcome, referral_outcomes(visit.case_id))
    visit.referral_mismatch = bool(mismatched)
    visit.referral_mismatch_note = "; ".join(
        f"{r.organisation.display_name}: {r.get_outcome_kind_display()}" for r in mismatched
    )
    visit.state, visit.done_at, visit.done_by = S.DONE, timezone.now(), actor
    visit.save()
    case_audit_record(
        case=visit.case, actor=actor, action="return_visit.record", obj=visit, before=before, after=_snapshot(visit)
    )
    return visit


# How the need reached the centre, for the new case's intake channel: by phone, e-mail or message through the
# centre's lines (recorded as the hotline channel), in person as a visit.
NEED_CHANNELS: dict[str, str] = {
    ContactChannel.PHONE: Channel.HOTLINE,
    ContactChannel.EMAIL: Channel.HOTLINE,
    ContactChannel.MESSAGE: Channel.HOTLINE,
    ContactChannel.VISIT: Channel.WALK_IN,
}


@transaction.atomic
def return_visit_open_case(*, visit: ReturnVisit, actor: Any, service_type_code: str) -> Case:
    """Start a draft case at the visit's centre for the need heard on the visit, prefilled with the applicant's
    particulars (and the rights and respondent of the earlier case), through the case intake service. The draft is
    linked to the applicant's account, so the applicant sees it too; staff complete and submit it."""
    from weiyuan.cases.services import CaseInput, RightInput, case_create

    _check(visit, actor, P.RETURN_VISIT_RECORD)
    visit = ReturnVisit.objects.select_for_update().select_related("case", "centre").get(pk=visit.pk)
    if visit.state != S.DONE or not visit.new_needs:
        raise TransitionRefused(_("请先记录回访并填写新的需求，再据此登记新案件。"), status=409)
    if visit.new_case is not None:
        raise TransitionRefused(
            _("已根据本次回访登记了新案件：%(number)s。") % {"number": visit.new_case.tracking_number}, status=409
        )
    old = visit.case
    title = _("回访中提出的新需求（原案件 %(number)s）") % {"number": old.tracking_number}
    rights = [
        RightInput(ip_type=r.ip_type, number=r.number, title=r.title, owner=r.owner, legal_status=r.legal_status)
        for r in old.rights.all()
    ]
    data = CaseInput(
        centre_code=visit.centre.code,
        service_type_code=service_type_code,
        ip_type=old.ip_type,
        title=title,
        facts=visit.new_needs,
        request=visit.new_needs,
        applicant_name=old.applicant_name,
        applicant_kind=old.applicant_kind,
        applicant_region_code=old.applicant_region_id,
        channel=NEED_CHANNELS.get(visit.channel, Channel.HOTLINE),
        applicant_credit_code=old.applicant_credit_code,
        applicant_id_number=old.applicant_id_number or "",
        applicant_phone=old.applicant_phone or "",
        applicant_email=old.applicant_email,
        priority_group=old.priority_group,
        respondent_name=old.respondent_name,
        respondent_credit_code=old.respondent_credit_code,
        respondent_address=old.respondent_address,
        rights=rights,
    )
    new = case_create(actor=actor, data=data, submit=False)
    if old.applicant_user_id:
        # Staff intake records no account (cases.services.intake); this draft is for the known applicant account
        # of the earlier case at the same centre, so it is linked to it.
        Case.objects_unscoped.filter(pk=new.pk).update(applicant_user_id=old.applicant_user_id)
        new.applicant_user_id = old.applicant_user_id
        case_audit_record(
            case=new,
            actor=actor,
            action="case.applicant_link",
            after={"applicant_user_id": old.applicant_user_id, "from_case": old.tracking_number},
        )
    before = _snapshot(visit)
    visit.new_case = new
    visit.save(update_fields=["new_case"])
    case_audit_record(
        case=old, actor=actor, action="return_visit.open_case", obj=visit, before=before, after=_snapshot(visit)
    )
    return new
