"""Reading expert tasks, scoped by the acting user (weiyuan/access/expert_tasks.py), the applicant as the expert
sees it (masked unless staff marked personal data needed), work totals, and `approved_expert_costs`, the read a
budget calls for a centre's approved expert costs of a year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from weiyuan.access.expert_tasks import can_see_task, task_queue_q
from weiyuan.api.masking import mask_personal
from weiyuan.cases.models import Case, CaseAssignment
from weiyuan.core.choices import ApplicantKind
from weiyuan.experts.task_models import TaskDocumentShare, TaskWorkEntry, WorkState

ZERO = Decimal("0")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _approved_sum(field: str) -> Any:
    rows = (
        TaskWorkEntry.objects.filter(assignment=OuterRef("pk"), state=WorkState.APPROVED)
        .order_by()
        .values("assignment")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(ZERO, output_field=_MONEY))


def _with_totals(qs: QuerySet[CaseAssignment]) -> QuerySet[CaseAssignment]:
    open_shares = (
        TaskDocumentShare.objects.filter(assignment=OuterRef("pk"), revoked_at__isnull=True)
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pending = (
        TaskWorkEntry.objects.filter(assignment=OuterRef("pk"), state=WorkState.PENDING)
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        approved_hours=_approved_sum("hours"),
        approved_fee=_approved_sum("fee"),
        shared_count=Coalesce(Subquery(open_shares), Value(0)),
        pending_count=Coalesce(Subquery(pending), Value(0)),
    )


def task_get(*, user: Any, pk: int) -> CaseAssignment:
    """The expert task if the user may see it (its expert, the case centre's staff, co-handling centres,
    supervisors); otherwise 404."""
    assignment = (
        CaseAssignment.objects.select_related(
            "case",
            "case__centre",
            "case__service_type",
            "case__handler",
            "case__applicant_region__parent__parent",
            "user",
            "assigned_by",
            "expert_terms",
            "expert_rating",
            "expert_feedback",
        )
        .filter(pk=pk, kind=CaseAssignment.Kind.EXPERT)
        .first()
    )
    if assignment is None or not can_see_task(user, assignment):
        raise Http404("task not found")
    return assignment


def task_queue(*, user: Any) -> QuerySet[CaseAssignment]:
    """The user's own expert tasks: open ones first, newest first, with their totals."""
    qs = (
        CaseAssignment.objects.filter(task_queue_q(user))
        .select_related("case", "case__centre", "case__service_type", "expert_terms")
        .order_by(F("ended_at").desc(nulls_first=True), "-created_at", "-id")
    )
    return _with_totals(qs)


def case_expert_tasks(*, case: Case) -> list[CaseAssignment]:
    """Every expert task of a case, open and ended (callers have checked the user may list them)."""
    qs = (
        CaseAssignment.objects.filter(case=case, kind=CaseAssignment.Kind.EXPERT)
        .select_related("user", "assigned_by", "expert_terms", "expert_rating", "expert_feedback")
        .order_by("-created_at", "-id")
    )
    return list(_with_totals(qs))


def task_shares(*, assignment: CaseAssignment) -> list[TaskDocumentShare]:
    """The documents currently shared with the task."""
    return list(
        assignment.document_shares.filter(revoked_at__isnull=True)
        .select_related("evidence_file", "shared_by")
        .order_by("shared_at", "id")
    )


def task_shared_file(*, assignment: CaseAssignment, evidence_id: int) -> TaskDocumentShare:
    """The open share of one file with the task; 404 if not shared (or the share was revoked)."""
    share = (
        assignment.document_shares.filter(evidence_file_id=evidence_id, revoked_at__isnull=True)
        .select_related("evidence_file", "evidence_file__case")
        .first()
    )
    if share is None:
        raise Http404("document not shared with this task")
    return share


def task_work_entries(*, assignment: CaseAssignment) -> list[TaskWorkEntry]:
    return list(assignment.work_entries.select_related("decided_by").order_by("-work_date", "-id"))


@dataclass(frozen=True)
class WorkTotals:
    hours: Decimal
    fee: Decimal
    entries: int


def work_totals(qs: QuerySet[TaskWorkEntry]) -> WorkTotals:
    row = qs.aggregate(hours=Sum("hours"), fee=Sum("fee"), entries=Count("pk"))
    return WorkTotals(row["hours"] or ZERO, row["fee"] or ZERO, row["entries"])


def task_approved_totals(*, assignment: CaseAssignment) -> WorkTotals:
    return work_totals(assignment.work_entries.filter(state=WorkState.APPROVED))


def expert_approved_totals(*, user_id: int) -> WorkTotals:
    """An expert account's approved work over all its tasks."""
    return work_totals(TaskWorkEntry.objects.filter(user_id=user_id, state=WorkState.APPROVED))


@dataclass(frozen=True)
class ExpertCost:
    expert_id: int | None
    user_id: int
    name: str
    hours: Decimal
    fee: Decimal
    entries: int


def approved_expert_costs(centre: Any, year: int) -> list[ExpertCost]:
    """The approved expert work a centre bears in a calendar year (by work date), per expert, largest fee first:
    the figures a budget reads for its "expert fees" line. Only the centre itself (not the centres below it);
    pending and rejected entries are left out. One grouped query over `task_work_centre_idx`."""
    centre_id = getattr(centre, "pk", centre)
    rows = (
        TaskWorkEntry.objects.filter(
            centre_id=centre_id,
            state=WorkState.APPROVED,
            work_date__gte=dt.date(year, 1, 1),
            work_date__lte=dt.date(year, 12, 31),
        )
        .order_by()
        .values("user_id", "expert_id", "expert__name", "user__email")
        .annotate(hours=Sum("hours"), fee=Sum("fee"), entries=Count("pk"))
        .order_by("-fee", "user_id")
    )
    return [
        ExpertCost(
            expert_id=r["expert_id"],
            user_id=r["user_id"],
            name=r["expert__name"] or r["user__email"] or "",
            hours=r["hours"] or ZERO,
            fee=r["fee"] or ZERO,
            entries=r["entries"],
        )
        for r in rows
    ]


def pending_work(*, centre_ids: set[int]) -> QuerySet[TaskWorkEntry]:
    """Pending work entries of the given centres (callers pass the centres the user directs), oldest first."""
    return (
        TaskWorkEntry.objects.filter(centre_id__in=centre_ids, state=WorkState.PENDING)
        .select_related("assignment__case", "expert", "user")
        .order_by("created_at", "id")
    )


# --- the applicant as the expert sees it ------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """A natural person's name: the first character, the rest starred ("张**")."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def _province(region: Any) -> str:
    while region is not None and region.level > 1 and region.parent is not None:
        region = region.parent
    return str(region) if region is not None else ""


def applicant_for_task(case: Case, *, revealed: bool) -> dict[str, Any]:
    """The applicant's details for the task page: everything when personal data was marked needed (`revealed`);
    otherwise a natural person's name starred, the ID number, phone and e-mail masked as the API masks them, and the
    region cut to its province. An organisation's name and credit code are not personal data and stay."""
    person = case.applicant_kind != ApplicantKind.ORGANISATION
    id_number = case.applicant_id_number or ""
    phone = case.applicant_phone or ""
    email = case.applicant_email or ""
    if revealed:
        return {
            "name": case.applicant_name,
            "kind": case.get_applicant_kind_display(),
            "credit_code": case.applicant_credit_code,
            "id_number": id_number,
            "phone": phone,
            "email": email,
            "region": str(case.applicant_region) if case.applicant_region_id else "",
            "masked": False,
        }
    return {
        "name": mask_name(case.applicant_name) if person else case.applicant_name,
        "kind": case.get_applicant_kind_display(),
        "credit_code": case.applicant_credit_code,
        "id_number": mask_personal("applicant_id_number", id_number),
        "phone": mask_personal("applicant_phone", phone),
        "email": mask_personal("applicant_email", email),
        "region": _province(case.applicant_region) if case.applicant_region_id else "",
        "masked": True,
    }
