"""Hours a volunteer logs (only while serving; a case only if they hold a volunteer task on it, at their centre or
below) and their confirmation by the centre's director or, for case work, the case's assigned handler (declared
table in `weiyuan/volunteers/flow.py`). Audited (`volunteers.hours.*`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.volunteers import VolunteerPermission, volunteer_decide
from weiyuan.cases.models import Case, CaseAssignment
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.notifications.services import Notice
from weiyuan.volunteers.flow import check_transition
from weiyuan.volunteers.models import ActivityKind, HoursState, RegistrationState, VolunteerHours, VolunteerRegistration
from weiyuan.volunteers.services.common import audit, notify, raise_errors, text

P = VolunteerPermission
MAX_DAY = Decimal("24")
# Hours are logged while memories are fresh: at most this many days back.
MAX_DAYS_BACK = 92


@dataclass(frozen=True)
class HoursInput:
    worked_on: dt.date | None
    hours: Any
    activity: str
    case_number: str = ""
    description: str = ""


def parse_day_hours(value: Any, errors: dict[str, str]) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        errors["hours"] = _("时长应为数字，例如 2 或 1.5。")
        return Decimal(0)
    if not hours.is_finite() or hours <= 0 or hours > MAX_DAY or hours != hours.quantize(Decimal("0.1")):
        errors["hours"] = _("时长应大于 0、不超过 24 小时，最多保留一位小数。")
        return Decimal(0)
    return hours.quantize(Decimal("0.1"))


def _assigned_case(registration: VolunteerRegistration, actor: Any, number: str) -> Case | None:
    """The case with this tracking number if the volunteer holds (or held) a volunteer task on it and it belongs to
    the registration's centre or a centre below it; the same answer for a case that does not exist."""
    assignment = (
        CaseAssignment.objects.filter(
            user=actor,
            kind=CaseAssignment.Kind.VOLUNTEER,
            case__tracking_number=number,
            case__centre__path__startswith=registration.centre.path,
        )
        .select_related("case")
        .first()
    )
    return assignment.case if assignment is not None else None


@transaction.atomic
def hours_log(*, registration: VolunteerRegistration, actor: Any, data: HoursInput) -> VolunteerHours:
    decision = volunteer_decide(actor, P.LOG_HOURS, registration)
    if not decision:
        seen = bool(volunteer_decide(actor, P.VIEW, registration))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    # The row locks order this against a suspension or end running at the same moment and against another entry of
    # the same person (at any of their centres: the day's total below), always in the same order.
    list(VolunteerRegistration.objects.select_for_update().filter(user=actor).order_by("pk").values_list("pk"))
    registration = VolunteerRegistration.objects.select_related("centre").get(pk=registration.pk)
    if registration.state != RegistrationState.APPROVED:
        raise TransitionRefused(
            _("只有服务中的志愿者可以登记时长（当前状态：%(state)s）。") % {"state": registration.get_state_display()}
        )
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if data.worked_on is None:
        errors["worked_on"] = _("请填写服务日期。")
    elif data.worked_on > today:
        errors["worked_on"] = _("服务日期不能晚于今天。")
    elif data.worked_on < today - dt.timedelta(days=MAX_DAYS_BACK):
        errors["worked_on"] = _("只能登记 %(n)s 天以内的服务。") % {"n": MAX_DAYS_BACK}
    hours = parse_day_hours(data.hours, errors)
    if "hours" not in errors and "worked_on" not in errors and data.worked_on is not None:
        # A day has 24 hours whatever the number of entries (a double submit is caught here too).
        same_day = VolunteerHours.objects.filter(user=actor, worked_on=data.worked_on).exclude(
            state=HoursState.REJECTED
        )
        logged = same_day.aggregate(total=Sum("hours"))["total"] or Decimal(0)
        if logged + hours > MAX_DAY:
            errors["hours"] = _("%(day)s 已登记 %(logged)s 小时，同一天合计不能超过 24 小时。") % {
                "day": data.worked_on.isoformat(),
                "logged": logged,
            }
    if data.activity not in ActivityKind.values:
        errors["activity"] = _("请选择服务类型。")
    description = text(errors, "description", data.description, max_length=300)
    if data.activity == ActivityKind.OTHER and not description and "description" not in errors:
        errors["description"] = _("服务类型为「其他」时，请写明做了什么。")
    number = text(errors, "case", data.case_number, max_length=24)
    case = None
    if number and "case" not in errors:
        case = _assigned_case(registration, actor, number)
        if case is None:
            errors["case"] = _("只能关联您在本机构承担志愿者任务的案件。")
    raise_errors(errors)
    assert data.worked_on is not None
    entry = VolunteerHours.objects.create(
        registration=registration,
        user=actor,
        centre_id=registration.centre_id,
        worked_on=data.worked_on,
        year=data.worked_on.year,
        hours=hours,
        activity=data.activity,
        case=case,
        description=description,
        created_at=timezone.now(),
    )
    audit(
        actor,
        "volunteers.hours.log",
        entry,
        registration.centre_id,
        after={"hours": str(hours), "worked_on": data.worked_on.isoformat(), "case": case.pk if case else None},
    )
    return entry


@transaction.atomic
def hours_transition(*, entry: VolunteerHours, actor: Any, action: str, reason: str = "") -> VolunteerHours:
    locked = VolunteerHours.objects.select_for_update(of=("self",)).select_related("case").get(pk=entry.pk)
    transition = check_transition("hours", locked, action, actor)
    errors: dict[str, str] = {}
    reason = text(errors, "reason", reason, max_length=300)
    if transition.reason_required and not reason:
        errors["reason"] = _("请写明不予确认的理由。")
    raise_errors(errors)
    now = timezone.now()
    locked.state = transition.to_state
    locked.decided_by, locked.decided_at = actor, now
    locked.reject_reason = reason if action == "reject" else ""
    locked.save(update_fields=["state", "decided_by", "decided_at", "reject_reason"])
    audit(
        actor,
        f"volunteers.hours.{action}",
        locked,
        locked.centre_id,
        before={"state": HoursState.SUBMITTED},
        after={"state": locked.state, "hours": str(locked.hours), "reason": reason},
    )
    if action == "reject":

        def notice() -> Notice:
            return Notice(
                kind="volunteers.hours_rejected",
                subject=_("服务时长未获确认：%(day)s %(hours)s 小时")
                % {"day": locked.worked_on.isoformat(), "hours": locked.hours},
                body=_("理由：%(reason)s") % {"reason": reason},
                url="/volunteers/mine/",
            )

        notify([locked.user], notice, f"volunteer-hours:{locked.pk}:reject")
    return locked
