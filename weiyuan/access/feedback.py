"""Access to feedback (weiyuan/feedback): satisfaction surveys, return visits 回访, service complaints. Default deny.

Surveys and the feedback section of a case page build on the case relations (`policy.case_relations`):

| permission | relations |
|---|---|
| `survey:answer` | the applicant (everyone else: the survey does not exist for them, 404) |
| `survey:view` (the scores, case page) | the applicant, staff of the case's centre, supervisors above it |
| `complaint:file` (about the case's centre) | the applicant |

Return visits belong to the centre that concluded the case (`ReturnVisit.centre`):

| relation | holds when |
|---|---|
| `centre_staff` | intake officer, handler or director of that centre: sees the visit and records it |
| `supervisor` | supervisor of that centre or a centre above it: sees it (read-only) |

A service complaint is about a centre and is handled by its parent level (`ServiceComplaint.handling_centre`):

| relation | holds when |
|---|---|
| `complainant` | the account that filed it: sees it, closes it after the reply, withdraws it before |
| `handler_staff` | intake officer, handler or director of the handling centre: sees it |
| `handler_director` | director of the handling centre: replies, closes |
| `supervisor` | supervisor of the handling centre or above: sees it (read-only) |

The complained-about centre does not see the complaint (it goes over its head on purpose). Anyone without a
relation gets 404; with a relation but not the permission, 403 with the reason.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import (
    STAFF_ROLES,
    Decision,
    Relation,
    case_relations,
    centre_ids_with_role,
    has_role,
    memberships_of,
)
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.cases.models import Case
    from weiyuan.feedback.models import ReturnVisit, ServiceComplaint


class FeedbackPermission(StrEnum):
    """Every feedback permission, named once, alphabetised."""

    COMPLAINT_CLOSE = "complaint:close"
    COMPLAINT_FILE = "complaint:file"
    COMPLAINT_REPLY = "complaint:reply"
    COMPLAINT_VIEW = "complaint:view"
    COMPLAINT_WITHDRAW = "complaint:withdraw"
    RETURN_VISIT_RECORD = "return_visit:record"
    RETURN_VISIT_VIEW = "return_visit:view"
    SURVEY_ANSWER = "survey:answer"
    SURVEY_VIEW = "survey:view"


class FeedbackRelation(StrEnum):
    CENTRE_STAFF = "centre_staff"
    SUPERVISOR = "supervisor"
    COMPLAINANT = "complainant"
    HANDLER_STAFF = "handler_staff"
    HANDLER_DIRECTOR = "handler_director"


P = FeedbackPermission
FR = FeedbackRelation
R = Relation

CASE_FEEDBACK_PERMISSIONS: dict[FeedbackPermission, frozenset[Relation]] = {
    P.COMPLAINT_FILE: frozenset({R.APPLICANT}),
    P.SURVEY_ANSWER: frozenset({R.APPLICANT}),
    P.SURVEY_VIEW: frozenset({R.APPLICANT, R.INTAKE_OFFICER, R.HANDLER, R.DIRECTOR, R.ASSIGNED_HANDLER, R.SUPERVISOR}),
}

FEEDBACK_PERMISSIONS: dict[FeedbackPermission, frozenset[FeedbackRelation]] = {
    P.COMPLAINT_CLOSE: frozenset({FR.COMPLAINANT, FR.HANDLER_DIRECTOR}),
    P.COMPLAINT_REPLY: frozenset({FR.HANDLER_DIRECTOR}),
    P.COMPLAINT_VIEW: frozenset({FR.COMPLAINANT, FR.HANDLER_STAFF, FR.HANDLER_DIRECTOR, FR.SUPERVISOR}),
    P.COMPLAINT_WITHDRAW: frozenset({FR.COMPLAINANT}),
    P.RETURN_VISIT_RECORD: frozenset({FR.CENTRE_STAFF}),
    P.RETURN_VISIT_VIEW: frozenset({FR.CENTRE_STAFF, FR.SUPERVISOR}),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _supervises(user: Any, centre_path: str) -> bool:
    return any(
        m.role == Role.SUPERVISOR and m.centre_path and centre_path.startswith(m.centre_path)
        for m in memberships_of(user)
    )


def _subtree_q(user: Any, field: str) -> Q:
    q = Q(pk__in=[])
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            q |= Q(**{f"{field}__path__startswith": m.centre_path})
    return q


# --- surveys and the case page ---------------------------------------------------------------------------------


def case_feedback_decide(user: Any, permission: FeedbackPermission, case: Case) -> Decision:
    relations = case_relations(user, case)
    if relations & CASE_FEEDBACK_PERMISSIONS[permission]:
        return Decision(True)
    if permission == P.SURVEY_ANSWER:
        return Decision(False, str(_("找不到该评价。")))
    if not relations:
        return Decision(False, str(_("您无权查看该案件。")))
    return Decision(False, str(_("只有本案申请人可以对承办机构的服务提意见或投诉。")))


# --- return visits ---------------------------------------------------------------------------------------------


def return_visit_relations(user: Any, visit: ReturnVisit) -> set[FeedbackRelation]:
    if not _active(user):
        return set()
    relations: set[FeedbackRelation] = set()
    if visit.centre_id in centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(FR.CENTRE_STAFF)
    if _supervises(user, visit.centre.path):
        relations.add(FR.SUPERVISOR)
    return relations


def return_visit_decide(user: Any, permission: FeedbackPermission, visit: ReturnVisit) -> Decision:
    relations = return_visit_relations(user, visit)
    if relations & FEEDBACK_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & FEEDBACK_PERMISSIONS[P.RETURN_VISIT_VIEW]:
        return Decision(False, str(_("找不到该回访。")))
    return Decision(False, str(_("只有本中心的工作人员可以记录回访。")))


def has_return_visit_queue(user: Any) -> bool:
    """The return-visit queue: centre staff (their centres) and supervisors (their subtree, read-only)."""
    return _active(user) and has_role(user, *STAFF_ROLES, Role.SUPERVISOR)


def return_visit_scope_q(user: Any) -> Q:
    if not _active(user):
        return Q(pk__in=[])
    q = Q(centre_id__in=centre_ids_with_role(user, *STAFF_ROLES)) | _subtree_q(user, "centre")
    return q


def queue_centre_ids(user: Any) -> set[int]:
    """Centres whose queue the user records (staff) — the selector's default when no centre is chosen."""
    return centre_ids_with_role(user, *STAFF_ROLES) if _active(user) else set()


# --- service complaints ------------------------------------------------------------------------------------------


def complaint_relations(user: Any, complaint: ServiceComplaint) -> set[FeedbackRelation]:
    if not _active(user):
        return set()
    relations: set[FeedbackRelation] = set()
    if complaint.filed_by_id == user.pk:
        relations.add(FR.COMPLAINANT)
    if complaint.handling_centre_id in centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(FR.HANDLER_STAFF)
    if complaint.handling_centre_id in centre_ids_with_role(user, Role.DIRECTOR):
        relations.add(FR.HANDLER_DIRECTOR)
    if _supervises(user, complaint.handling_centre.path):
        relations.add(FR.SUPERVISOR)
    return relations


REFUSALS = {
    P.COMPLAINT_REPLY: _("只有答复机构的负责人可以答复。"),
    P.COMPLAINT_CLOSE: _("只有投诉人或答复机构的负责人可以办结。"),
    P.COMPLAINT_WITHDRAW: _("只有投诉人可以撤回。"),
}


def complaint_decide(user: Any, permission: FeedbackPermission, complaint: ServiceComplaint) -> Decision:
    relations = complaint_relations(user, complaint)
    if relations & FEEDBACK_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & FEEDBACK_PERMISSIONS[P.COMPLAINT_VIEW]:
        return Decision(False, str(_("找不到该意见或投诉。")))
    return Decision(False, str(REFUSALS.get(permission, _("您的角色不能执行此操作。"))))


def complaint_scope_q(user: Any) -> Q:
    """The complaints a user may see: their own, their centres' (as the handling level), a supervisor's subtree."""
    if not _active(user):
        return Q(pk__in=[])
    return (
        Q(filed_by_id=user.pk)
        | Q(handling_centre_id__in=centre_ids_with_role(user, *STAFF_ROLES))
        | _subtree_q(user, "handling_centre")
    )
