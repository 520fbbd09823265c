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

from weiyuan.access.policy import Decision, Relation, case_relations, has_role
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
