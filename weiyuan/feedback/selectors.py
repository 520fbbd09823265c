"""Reading feedback, always scoped by the acting user (weiyuan/access/feedback.py): a case's survey, the return-visit
queue per centre (filters from an allow-list: due, overdue, done, cancelled), one visit with the referral outcomes
to cross-check, the complaints a user may see and one complaint."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from weiyuan.access.feedback import (
    FeedbackPermission,
    complaint_decide,
    complaint_scope_q,
    return_visit_decide,
    return_visit_scope_q,
)
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.feedback.models import ComplaintState, ReturnVisit, ReturnVisitState, ServiceComplaint, Survey
from weiyuan.feedback.services.visits import referral_mismatches, referral_outcomes
from weiyuan.network.models import Centre

P = FeedbackPermission
S = ReturnVisitState
# "due": pending and due within this many days (today included); "overdue": pending and past its date.
DUE_WINDOW_DAYS = 7
VISIT_FILTERS = ("", "due", "overdue", "done", "cancelled")


def today_in_china(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA_TZ).date()


def survey_of_case(*, case: Any) -> Survey | None:
    """The case's survey (callers have checked the user may see it)."""
    return Survey.objects.filter(case_id=case.pk).first()


def case_return_visits(*, case: Any) -> list[ReturnVisit]:
    return list(ReturnVisit.objects.filter(case_id=case.pk).select_related("done_by", "new_case"))


@dataclass(frozen=True)
class VisitFilters:
    """The allow-list of queue filters: `status` (VISIT_FILTERS; "" = all pending) and `centre` (a centre code)."""

    status: str = ""
    centre: Centre | None = None
    errors: dict[str, str] = field(default_factory=dict)


def parse_visit_filters(data: Any) -> VisitFilters:
    errors: dict[str, str] = {}
    status = (data.get("status") or "").strip()
    if status not in VISIT_FILTERS:
        errors["status"] = str(_("状态可选：due、overdue、done、cancelled，或留空（全部待回访）。"))
        status = ""
    centre = None
    code = (data.get("centre") or "").strip()
    if code:
        centre = Centre.objects.filter(code=code).first()
        if centre is None:
            errors["centre"] = str(_("找不到该机构：%(code)s。") % {"code": code})
    return VisitFilters(status=status, centre=centre, errors=errors)


def return_visit_list(*, user: Any, filters: VisitFilters, now: dt.datetime) -> QuerySet[ReturnVisit]:
    """The visits the user may see (their centres'; a supervisor's subtree), for one centre if chosen. Pending
    ones by due date (overdue first); done ones newest first."""
    today = today_in_china(now)
    qs = ReturnVisit.objects.filter(return_visit_scope_q(user))
    if filters.centre is not None:
        qs = qs.filter(centre=filters.centre)
    if filters.status == "done":
        qs = qs.filter(state=S.DONE).order_by("-done_at", "-id")
    elif filters.status == "cancelled":
        qs = qs.filter(state=S.CANCELLED).order_by("-due_on", "-id")
    else:
        qs = qs.filter(state=S.PENDING)
        if filters.status == "due":
            qs = qs.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_WINDOW_DAYS))
        elif filters.status == "overdue":
            qs = qs.filter(due_on__lt=today)
        qs = qs.order_by("due_on", "id")
    return qs.select_related("case", "case__service_type", "centre", "done_by")


def return_visit_get(*, user: Any, pk: int) -> ReturnVisit:
    """The visit if the user may see it; otherwise 404."""
    visit = (
        ReturnVisit.objects.select_related(
            "case", "case__centre", "case__service_type", "centre", "done_by", "new_case"
        )
        .filter(pk=pk)
        .first()
    )
    if visit is None or not return_visit_decide(user, P.RETURN_VISIT_VIEW, visit):
        raise Http404("return visit not found")
    return visit


@dataclass(frozen=True)
class ReferralCheck:
    """A concluded referral of the visit's case: the partner's reported outcome, and whether the applicant's
    account recorded on the visit contradicts it."""

    organisation: str
    outcome: str
    outcome_date: dt.date | None
    summary: str
    contradicted: bool


def visit_referral_checks(*, visit: ReturnVisit) -> list[ReferralCheck]:
    referrals = referral_outcomes(visit.case_id)
    mismatched = {r.pk for r in referral_mismatches(visit.applicant_outcome, referrals)}
    return [
        ReferralCheck(
            organisation=r.organisation.display_name,
            outcome=r.get_outcome_kind_display(),
            outcome_date=r.outcome_date,
            summary=r.outcome_summary,
            contradicted=r.pk in mismatched,
        )
        for r in referrals
    ]


def queue_centres(*, user: Any) -> list[Centre]:
    """The centres offered in the queue's selector: those where the user is staff or supervisor (their own level;
    a supervisor picks a centre below by its code)."""
    from weiyuan.access.policy import memberships_of

    ids = {m.centre_id for m in memberships_of(user) if m.centre_id is not None}
    return list(Centre.objects.filter(pk__in=ids).order_by("path"))


# --- complaints --------------------------------------------------------------------------------------------------


COMPLAINT_FILTERS = ("", "open", *ComplaintState.values)


def complaint_list(*, user: Any, state: str = "") -> QuerySet[ServiceComplaint]:
    qs = ServiceComplaint.objects.filter(complaint_scope_q(user))
    if state == "open":
        qs = qs.filter(Q(state=ComplaintState.FILED) | Q(state=ComplaintState.REPLIED))
    elif state in ComplaintState.values:
        qs = qs.filter(state=state)
    return qs.select_related("centre", "handling_centre", "case").order_by("-filed_at", "-id")


def complaint_get(*, user: Any, pk: int) -> ServiceComplaint:
    complaint = (
        ServiceComplaint.objects.select_related(
            "centre", "handling_centre", "case", "filed_by", "replied_by", "closed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if complaint is None or not complaint_decide(user, P.COMPLAINT_VIEW, complaint):
        raise Http404("complaint not found")
    return complaint
