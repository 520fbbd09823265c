"""Access to expert invitations 专家邀请 (and, through them, to an expert's task). Default deny.

Staff of the case's own centre (intake officers, handlers, directors, the assigned handler) invite experts to the
case and withdraw a pending invitation; a co-handling centre matches but does not invite. The invited account
(an active user with the expert role, linked to the profile when invited) reads its invitation, accepts the
confidentiality undertaking, and accepts or declines. Anyone else: the invitation does not exist (404). The sweep
expires overdue invitations as the system (no actor).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import Decision, Relation, case_relations, centre_ids_with_role, has_role
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.cases.models import Case
    from weiyuan.experts.models import ExpertInvitation


class InvitationRelation(StrEnum):
    STAFF = "staff"  # staff of the case's centre
    INVITEE = "invitee"  # the invited expert's account
    SYSTEM = "system"  # the sweep


class InvitationPermission(StrEnum):
    ACCEPT = "invitation:accept"
    CREATE = "invitation:create"  # on a case
    DECLINE = "invitation:decline"
    EXPIRE = "invitation:expire"
    UNDERTAKE = "invitation:undertake"
    VIEW = "invitation:view"
    WITHDRAW = "invitation:withdraw"


IR = InvitationRelation
P = InvitationPermission
R = Relation

# On a case: who may invite.
CASE_INVITERS = frozenset({R.INTAKE_OFFICER, R.HANDLER, R.DIRECTOR, R.ASSIGNED_HANDLER})

INVITATION_PERMISSIONS: dict[InvitationPermission, frozenset[InvitationRelation]] = {
    P.ACCEPT: frozenset({IR.INVITEE}),
    P.DECLINE: frozenset({IR.INVITEE}),
    P.EXPIRE: frozenset({IR.SYSTEM}),
    P.UNDERTAKE: frozenset({IR.INVITEE}),
    P.VIEW: frozenset({IR.STAFF, IR.INVITEE}),
    P.WITHDRAW: frozenset({IR.STAFF}),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def invitation_relations(user: Any, invitation: ExpertInvitation) -> set[InvitationRelation]:
    if user is None:
        return {IR.SYSTEM}
    relations: set[InvitationRelation] = set()
    if not _active(user):
        return relations
    if invitation.user_id == user.pk and has_role(user, Role.EXPERT):
        relations.add(IR.INVITEE)
    if case_relations(user, invitation.case) & CASE_INVITERS:
        relations.add(IR.STAFF)
    return relations


def invitation_decide(user: Any, permission: InvitationPermission, invitation: ExpertInvitation) -> Decision:
    relations = invitation_relations(user, invitation)
    if relations & INVITATION_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & INVITATION_PERMISSIONS[P.VIEW] and IR.SYSTEM not in relations:
        return Decision(False, str(_("找不到该邀请。")))
    if permission == P.WITHDRAW:
        return Decision(False, str(_("只有本案承办机构的工作人员可以撤回邀请。")))
    if permission == P.EXPIRE:
        return Decision(False, str(_("邀请只在答复期限届满后由系统标记为过期。")))
    return Decision(False, str(_("只有受邀专家本人可以答复邀请。")))


def can_see_invitation(user: Any, invitation: ExpertInvitation) -> bool:
    return bool(invitation_decide(user, P.VIEW, invitation))


def case_invite_decide(user: Any, case: Case) -> Decision:
    relations = case_relations(user, case)
    if relations & CASE_INVITERS:
        return Decision(True)
    if not relations:
        return Decision(False, str(_("您无权查看该案件。")))
    return Decision(False, str(_("只有本案承办机构的工作人员可以邀请专家。")))


def has_invitation_queue(user: Any) -> bool:
    """Experts have a queue of the invitations addressed to them (page and nav link)."""
    return _active(user) and has_role(user, Role.EXPERT)


def invitation_queue_q(user: Any) -> Q:
    """The invitations in a user's own queue: those addressed to their account (experts only)."""
    if has_invitation_queue(user):
        return Q(user_id=user.pk)
    return Q(pk__in=[])


# --- the expert's task (a CaseAssignment of kind expert, opened by an accepted invitation or assigned directly) ---
#
# The expert no longer sees the case itself (Relation.EXPERT holds no case permission): they see their task, its
# shared documents and the applicant's personal data masked unless staff marked it needed. Staff of the case's
# centre manage the task (share documents, mark personal data needed, set a deadline, end it); the centre's director
# approves or rejects work entries; the director or the assigned handler rates the expert; co-handling centres and
# supervisors read it. Anyone else: the task does not exist (404).


class TaskRelation(StrEnum):
    EXPERT = "expert"  # the task's own account (with the expert role)
    MANAGER = "manager"  # staff of the case's centre: intake officers, handlers, directors, the assigned handler
    DIRECTOR = "director"  # director of the case's centre
    RATER = "rater"  # director of the case's centre or the assigned handler (as `expert:rate`)
    OBSERVER = "observer"  # staff of a co-handling centre, supervisors above the case's centre: read only


class TaskPermission(StrEnum):
    APPROVE_WORK = "task:approve_work"
    DOWNLOAD = "task:download"  # a document shared with the task
    END = "task:end"
    FEEDBACK = "task:feedback"  # the expert rates the cooperation
    LOG_WORK = "task:log_work"
    MANAGE = "task:manage"  # share and revoke documents, personal data needed, deadline
    RATE = "task:rate"  # staff rate the expert
    VIEW = "task:view"


TR = TaskRelation
TP = TaskPermission

TASK_PERMISSIONS: dict[TaskPermission, frozenset[TaskRelation]] = {
    TP.APPROVE_WORK: frozenset({TR.DIRECTOR}),
    TP.DOWNLOAD: frozenset({TR.EXPERT, TR.MANAGER}),
    TP.END: frozenset({TR.MANAGER}),
    TP.FEEDBACK: frozenset({TR.EXPERT}),
    TP.LOG_WORK: frozenset({TR.EXPERT}),
    TP.MANAGE: frozenset({TR.MANAGER}),
    TP.RATE: frozenset({TR.RATER}),
    TP.VIEW: frozenset({TR.EXPERT, TR.MANAGER, TR.DIRECTOR, TR.RATER, TR.OBSERVER}),
}
TASK_REFUSALS: dict[TaskPermission, Any] = {
    TP.APPROVE_WORK: _("只有本案承办机构的负责人可以审核专家工时。"),
    TP.DOWNLOAD: _("只有承担任务的专家和本案承办机构的工作人员可以通过任务下载文件。"),
    TP.END: _("只有本案承办机构的工作人员可以结束任务。"),
    TP.FEEDBACK: _("只有承担任务的专家本人可以评价本次合作。"),
    TP.LOG_WORK: _("只有承担任务的专家本人可以登记工时。"),
    TP.MANAGE: _("只有本案承办机构的工作人员可以管理任务的共享文件和个人信息设置。"),
    TP.RATE: _("只有本案的承办人或中心负责人可以评价专家。"),
}
# Relations to the case that make a user an observer of its expert tasks.
TASK_OBSERVERS = frozenset({R.CO_HANDLER, R.SUPERVISOR})


def task_relations(user: Any, assignment: Any) -> set[TaskRelation]:
    """Every relation the user holds towards an expert task (`CaseAssignment`, its case loaded)."""
    relations: set[TaskRelation] = set()
    if not _active(user) or assignment.kind != "expert":
        return relations
    if assignment.user_id == user.pk and has_role(user, Role.EXPERT):
        relations.add(TR.EXPERT)
    case_rel = case_relations(user, assignment.case)
    if case_rel & CASE_INVITERS:
        relations.add(TR.MANAGER)
    if R.DIRECTOR in case_rel:
        relations.add(TR.DIRECTOR)
    if case_rel & {R.DIRECTOR, R.ASSIGNED_HANDLER}:
        relations.add(TR.RATER)
    if case_rel & TASK_OBSERVERS:
        relations.add(TR.OBSERVER)
    return relations


def task_decide(user: Any, permission: TaskPermission, assignment: Any) -> Decision:
    relations = task_relations(user, assignment)
    if relations & TASK_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & TASK_PERMISSIONS[TP.VIEW]:
        return Decision(False, str(_("找不到该任务。")))
    return Decision(False, str(TASK_REFUSALS.get(permission, _("您的角色不能执行此操作。"))))


def can_see_task(user: Any, assignment: Any) -> bool:
    return bool(task_decide(user, TP.VIEW, assignment))


def has_task_queue(user: Any) -> bool:
    """Experts have a list of their own tasks (page and nav link "我的任务")."""
    return _active(user) and has_role(user, Role.EXPERT)


def task_queue_q(user: Any) -> Q:
    """The expert tasks in a user's own list: those assigned to their account (experts only)."""
    if has_task_queue(user):
        return Q(user_id=user.pk, kind="expert")
    return Q(pk__in=[])


def case_tasks_decide(user: Any, case: Case) -> Decision:
    """The case's list of expert tasks: those who see tasks through the case (its centre's staff, co-handling
    centres, supervisors). The task's expert has no case page; anyone else does not see the case (404)."""
    relations = case_relations(user, case)
    if relations & (CASE_INVITERS | TASK_OBSERVERS):
        return Decision(True)
    return Decision(False, str(_("您无权查看该案件。")))


def work_review_centre_ids(user: Any) -> set[int]:
    """The centres whose expert work entries the user reviews (and whose approved expert costs they read): the
    centres they direct."""
    if not _active(user):
        return set()
    return centre_ids_with_role(user, Role.DIRECTOR)
