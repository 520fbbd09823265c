"""Reading expert invitations, always scoped by the acting user (weiyuan/access/expert_tasks.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from weiyuan.access.expert_tasks import can_see_invitation, invitation_queue_q
from weiyuan.cases.models import Case
from weiyuan.experts.models import ExpertInvitation


def invitation_get(*, user: Any, pk: int) -> ExpertInvitation:
    """The invitation if the user may see it (the invited expert, staff of the case's centre); otherwise 404."""
    invitation = (
        ExpertInvitation.objects.select_related(
            "case", "case__centre", "case__handler", "expert", "user", "invited_by", "undertaking"
        )
        .filter(pk=pk)
        .first()
    )
    if invitation is None or not can_see_invitation(user, invitation):
        raise Http404("invitation not found")
    return invitation


def invitation_queue(*, user: Any) -> QuerySet[ExpertInvitation]:
    """The user's own invitations, newest first (pending ones first)."""
    return (
        ExpertInvitation.objects.filter(invitation_queue_q(user))
        .select_related("case", "case__centre")
        .order_by("-created_at", "-id")
    )


def case_invitations(*, case: Case) -> list[ExpertInvitation]:
    """The case's invitations (callers have checked the user may invite on the case)."""
    return list(
        ExpertInvitation.objects.filter(case=case).select_related("expert", "invited_by").order_by("-created_at", "-id")
    )
