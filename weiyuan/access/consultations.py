"""Access to consultations 咨询指导: the answer, its drafts, the applicant's rating and follow-up, and the selection
of excellent Q&A 优秀问答. Default deny.

A consultation is a case (service type "consultation"), so whoever may see the case may see the consultation: the
rules here build on the case relations of `weiyuan.access.policy` (applicant, centre staff, assigned handler,
director, co-handling centre, supervisor, volunteer with a task on the case ...). Each permission lists the relations
that hold it, in one table that is unit-tested.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import (
    STAFF,
    STAFF_ROLES,
    Decision,
    Permission,
    Relation,
    case_relations,
    case_staff_q,
    decide,
    has_role,
    intake_refusal,
)
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.cases.models import Case


class ConsultationPermission(StrEnum):
    """Every permission on consultations, named once (`resource:action`), alphabetised."""

    ADOPT = "consultation:adopt"  # take a consultation case recorded by the generic intake into the consultation flow
    ANSWER_APPROVE = "consultation:answer_approve"  # send an answer (a volunteer's draft: approve it) or return it
    ANSWER_SUBMIT = "consultation:answer_submit"  # hand a volunteer's draft to the handler for approval
    ANSWER_VIEW_DRAFT = "consultation:answer_view_draft"
    ANSWER_WRITE = "consultation:answer_write"
    FEATURE_APPROVE = "consultation:feature_approve"  # publish an excellent Q&A, or reject the nomination
    FEATURE_NOMINATE = "consultation:feature_nominate"
    FEATURE_REDACT = "consultation:feature_redact"
    FEATURE_VIEW = "consultation:feature_view"
    FOLLOW_UP = "consultation:follow_up"
    RATE = "consultation:rate"


R = Relation
CP = ConsultationPermission

# The one table: which relations to the consultation's case hold which permission on it.
CONSULTATION_PERMISSIONS: dict[ConsultationPermission, frozenset[Relation]] = {
    CP.ADOPT: frozenset({*STAFF, R.ASSIGNED_HANDLER}),
    # The handler answers; a director may answer any consultation of the centre.
    CP.ANSWER_APPROVE: frozenset({R.ASSIGNED_HANDLER, R.DIRECTOR}),
    # Only a volunteer's draft needs someone else's approval.
    CP.ANSWER_SUBMIT: frozenset({R.VOLUNTEER}),
    # Drafts are the centre side's working papers: never the applicant's, an expert's or a supervisor's.
    CP.ANSWER_VIEW_DRAFT: frozenset({*STAFF, R.ASSIGNED_HANDLER, R.CO_HANDLER, R.VOLUNTEER}),
    CP.ANSWER_WRITE: frozenset({R.ASSIGNED_HANDLER, R.DIRECTOR, R.VOLUNTEER}),
    # 优秀问答 are published in the centre's name: its director approves.
    CP.FEATURE_APPROVE: frozenset({R.DIRECTOR}),
    CP.FEATURE_NOMINATE: frozenset({*STAFF, R.ASSIGNED_HANDLER}),
    CP.FEATURE_REDACT: frozenset({*STAFF, R.ASSIGNED_HANDLER}),
    CP.FEATURE_VIEW: frozenset({*STAFF, R.ASSIGNED_HANDLER}),
    CP.FOLLOW_UP: frozenset({R.APPLICANT}),
    CP.RATE: frozenset({R.APPLICANT}),
}

_APPLICANT_ONLY = {CP.FOLLOW_UP, CP.RATE}


def consultation_decide(user: Any, permission: ConsultationPermission, case: Case) -> Decision:
    relations = case_relations(user, case)
    if relations & CONSULTATION_PERMISSIONS[permission]:
        return Decision(True)
    if not relations:
        return Decision(False, str(_("您无权查看该咨询。")))
    if permission in _APPLICANT_ONLY:
        return Decision(False, str(_("只有提出咨询的申请人可以执行此操作。")))
    if permission == CP.FEATURE_APPROVE:
        return Decision(False, str(_("优秀问答须由本中心负责人审批。")))
    if permission == CP.ANSWER_APPROVE:
        return Decision(False, str(_("只有本咨询的承办人或中心负责人可以审核和发送答复。")))
    return Decision(False, str(_("您的角色不能执行此操作。")))


def can_see_consultation(user: Any, case: Case) -> bool:
    """The same rule as for the case itself."""
    return bool(decide(user, Permission.CASE_VIEW, case))


def ask_refusal(user: Any) -> str:
    """Why the user may not ask a consultation on the web ("" if they may): applicant accounts ask for themselves,
    centre staff record a caller's or visitor's question for their own centre."""
    return intake_refusal(user)


def consultation_queue_q(user: Any) -> Q:
    """Consultation cases the user works on: as centre staff (their centres' and shared cases) or as a volunteer
    with an open task on the case. A filter over `cases.Case`."""
    from weiyuan.cases.models import CaseAssignment

    q: Any = case_staff_q(user)
    if getattr(user, "is_authenticated", False) and has_role(user, Role.VOLUNTEER):
        q |= Exists(
            CaseAssignment.objects.filter(case=OuterRef("pk"), user=user, kind="volunteer", ended_at__isnull=True)
        )
    return q


def has_consultation_queue(user: Any) -> bool:
    """Whether the user has a consultation queue page: centre staff and volunteers."""
    return has_role(user, Role.VOLUNTEER, *STAFF_ROLES)
