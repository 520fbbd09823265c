"""Case reads, always scoped by the acting user through the access module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role, memberships_of
from weiyuan.cases.models import OPEN_STATES, Case, CaseEvent, CaseMessage, CaseRight, CaseState
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.core.choices import Role


def case_get(*, user: Any, tracking_number: str) -> Case:
    """The case if the user may see it; otherwise 404 (never 403, so existence does not leak)."""
    case = (
        Case.objects.restrict(user)
        .select_related("centre", "service_type", "handler", "applicant_region", "applicant_user", "transferred_from")
        .filter(tracking_number=tracking_number.strip().upper())
        .first()
    )
    if case is None:
        raise Http404("case not found")
    return case


# Queues of the staff workbench: (code, label, filter built for the user).
QUEUES = ("to_accept", "mine", "due_soon", "overdue", "transferred_in", "centre", "subtree", "tasks", "applications")

# Sorting and filtering come from allow-lists, never from user-supplied ORM keys.
SORTS = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "tracking": ("tracking_number",),
}


@dataclass
class CaseFilters:
    queue: str = "centre"
    service_type: str = ""
    ip_type: str = ""
    state: str = ""
    channel: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    q: str = ""
    sort: str = "newest"


def _clock_due_filter(before: dt.datetime, after: dt.datetime | None = None) -> Exists:
    clocks = Clock.objects.filter(case=OuterRef("pk"), state=ClockState.RUNNING, due_at__lte=before)
    if after is not None:
        clocks = clocks.filter(due_at__gt=after)
    return Exists(clocks)


def available_queues(user: Any) -> list[str]:
    roles = {m.role for m in memberships_of(user)}
    queues = []
    if roles & {Role.INTAKE_OFFICER, Role.DIRECTOR}:
        queues += ["to_accept", "transferred_in"]
    if roles & {Role.HANDLER, Role.DIRECTOR}:
        queues += ["mine"]
    if roles & set(STAFF_ROLES):
        queues += ["due_soon", "overdue", "centre"]
    if Role.SUPERVISOR in roles:
        queues += ["subtree"]
    if roles & {Role.EXPERT, Role.VOLUNTEER}:
        queues += ["tasks"]
    if getattr(user, "is_applicant", False) or Role.PARTNER in roles:
        queues += ["applications"]
    return queues


def case_list(*, user: Any, filters: CaseFilters) -> QuerySet[Case]:
    qs = Case.objects.restrict(user)
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    now = timezone.now()
    queue = filters.queue
    if queue == "to_accept":
        qs = qs.filter(centre_id__in=staff_centres, state=CaseState.SUBMITTED)
    elif queue == "transferred_in":
        qs = qs.filter(centre_id__in=staff_centres, state=CaseState.TRANSFERRED)
    elif queue == "mine":
        qs = qs.filter(handler=user, state__in=OPEN_STATES)
    elif queue == "due_soon":
        qs = qs.filter(centre_id__in=staff_centres).filter(_clock_due_filter(now + dt.timedelta(days=3), now))
    elif queue == "overdue":
        qs = qs.filter(centre_id__in=staff_centres).filter(_clock_due_filter(now))
    elif queue == "centre":
        qs = qs.filter(centre_id__in=staff_centres).exclude(state=CaseState.DRAFT)
    elif queue == "subtree":
        paths = [m.centre_path for m in memberships_of(user) if m.role == Role.SUPERVISOR and m.centre_path]
        subtree = Q(pk__in=[])
        for path in paths:
            subtree |= Q(centre__path__startswith=path)
        qs = qs.filter(subtree).exclude(state=CaseState.DRAFT)
    elif queue == "tasks":
        qs = qs.filter(assignments__user=user, assignments__ended_at__isnull=True).distinct()
    elif queue == "applications":
        qs = qs.filter(Q(applicant_user=user) | Q(created_by=user))
    else:
        qs = qs.none()
    if filters.service_type:
        qs = qs.filter(service_type__code=filters.service_type)
    if filters.ip_type:
        qs = qs.filter(ip_type=filters.ip_type)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        qs = qs.filter(submitted_at__date__lte=filters.submitted_to)
    term = filters.q.strip()
    if term:
        if term.upper().startswith("WY-"):
            qs = qs.filter(tracking_number=term.upper())
        else:
            qs = qs.filter(
                Q(applicant_name__startswith=term)
                | Q(respondent_name__startswith=term)
                | Exists(CaseRight.objects.filter(case=OuterRef("pk"), number=term.upper()))
            )
    order = SORTS.get(filters.sort, SORTS["newest"])
    if queue == "applications":
        order = ("-created_at", "-id")
    return qs.select_related("centre", "service_type", "handler").order_by(*order)


def case_timeline(*, case: Case, public_only: bool) -> QuerySet[CaseEvent]:
    qs = case.events.select_related("actor", "centre")
    return qs.filter(public=True) if public_only else qs


def case_messages(*, case: Case, include_internal: bool) -> QuerySet[CaseMessage]:
    qs = case.messages.select_related("author").prefetch_related("attachments")
    return qs if include_internal else qs.filter(internal=False)


def case_clocks(*, case: Case) -> QuerySet[Clock]:
    return Clock.objects.filter(case=case).order_by("started_at", "id")


def case_open_shares(*, case: Case) -> QuerySet[Any]:
    return case.shares.filter(revoked_at__isnull=True).select_related("centre", "granted_by")
