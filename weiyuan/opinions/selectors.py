"""Reading opinions, always scoped by the acting user through weiyuan/access/opinions.py (404 for the rest)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from weiyuan.access.opinions import can_see_opinion, case_opinions_visibility
from weiyuan.cases.models import Case
from weiyuan.opinions.models import Opinion, OpinionState


def opinion_case_get(*, user: Any, tracking_number: str) -> Case:
    """The case, for a user who holds an opinion relation to it (staff, an expert with a task, the applicant ...).

    Experts are let in by their open task, not by the case page's own rule (an expert does not see the whole case),
    so the case is read unscoped here and the access module decides; everyone else gets 404."""
    case = (
        Case.objects_unscoped.select_related("centre", "service_type", "handler")
        .filter(tracking_number=tracking_number.strip().upper())
        .first()
    )
    if case is None or not case_opinions_visibility(user, case):
        raise Http404("case not found")
    return case


def case_opinion_list(*, user: Any, case: Case) -> QuerySet[Opinion]:
    """The opinions of a case the user may see: all of them for the working side, issued ones for the applicant and
    supervisors, none for anyone else. One query, whatever the number of opinions."""
    visibility = case_opinions_visibility(user, case)
    qs = Opinion.objects.restrict(user).filter(case=case).select_related("author", "signer", "reviewer")
    if visibility == "issued":
        return qs.filter(state=OpinionState.ISSUED)
    if visibility == "all":
        return qs
    return qs.none()


def opinion_get(*, user: Any, pk: int) -> Opinion:
    opinion = (
        Opinion.objects.restrict(user)
        .select_related("case__centre", "case__service_type", "case__handler", "author", "reviewer", "signer")
        .filter(pk=pk)
        .first()
    )
    if opinion is None or not can_see_opinion(user, opinion):
        raise Http404("opinion not found")
    return opinion
