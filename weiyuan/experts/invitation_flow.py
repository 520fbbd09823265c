"""The life of an expert invitation as one declared table (action, from-states, to-state, permission, guards), in
the style of `weiyuan/cases/transitions.py`.

    pending -> accepted   the invited expert, before the due time, after accepting the confidentiality undertaking
    pending -> declined   the invited expert, with a reason
    pending -> withdrawn  staff of the case's centre, with a reason
    pending -> expired    the sweep, once the due time has passed

Every other state is final. The services in `invitations.py` go through `check_invitation_transition` first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.expert_tasks import InvitationPermission, invitation_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.experts.models import ExpertInvitation, ExpertUndertaking, InvitationState

S = InvitationState
P = InvitationPermission
Guard = Callable[[ExpertInvitation, Any, dt.datetime], str | None]


def not_overdue(invitation: ExpertInvitation, actor: Any, now: dt.datetime) -> str | None:
    if invitation.due_at <= now:
        return str(_("答复期限已过，邀请已失效；如仍需该专家，请由承办机构重新邀请。"))
    return None


def overdue(invitation: ExpertInvitation, actor: Any, now: dt.datetime) -> str | None:
    if invitation.due_at > now:
        return str(_("答复期限尚未届满。"))
    return None


def undertaking_given(invitation: ExpertInvitation, actor: Any, now: dt.datetime) -> str | None:
    if not ExpertUndertaking.objects.filter(invitation=invitation).exists():
        return str(_("接受邀请前，请先阅读并签署保密承诺书。"))
    return None


def profile_still_linked(invitation: ExpertInvitation, actor: Any, now: dt.datetime) -> str | None:
    expert = invitation.expert
    if expert.user_id != invitation.user_id or not expert.active:
        return str(_("该专家资料已停用或已不再关联您的账户，不能接受邀请。"))
    return None


@dataclass(frozen=True)
class InvitationTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: InvitationPermission
    label: Promise
    guards: tuple[Guard, ...] = field(default=())
    needs_reason: bool = False


TRANSITIONS: tuple[InvitationTransition, ...] = (
    InvitationTransition(
        "accept",
        (S.PENDING,),
        S.ACCEPTED,
        P.ACCEPT,
        _("接受邀请"),
        (not_overdue, profile_still_linked, undertaking_given),
    ),
    InvitationTransition("decline", (S.PENDING,), S.DECLINED, P.DECLINE, _("谢绝邀请"), needs_reason=True),
    InvitationTransition("withdraw", (S.PENDING,), S.WITHDRAWN, P.WITHDRAW, _("撤回邀请"), needs_reason=True),
    InvitationTransition("expire", (S.PENDING,), S.EXPIRED, P.EXPIRE, _("标记过期"), (overdue,)),
)

TRANSITIONS_BY_ACTION: dict[str, InvitationTransition] = {t.action: t for t in TRANSITIONS}


def check_invitation_transition(
    invitation: ExpertInvitation, action: str, actor: Any, *, now: dt.datetime | None = None
) -> InvitationTransition:
    """The transition if `actor` (None: the system) may take it at `now`; else TransitionRefused (404/403/409)."""
    now = now or timezone.now()
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = invitation_decide(actor, transition.permission, invitation)
    if not decision:
        seen = invitation_decide(actor, P.VIEW, invitation) or actor is None
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if invitation.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("邀请当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": invitation.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(invitation, actor, now)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_invitation_actions(
    invitation: ExpertInvitation, actor: Any, *, now: dt.datetime | None = None
) -> list[InvitationTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_invitation_transition(invitation, transition.action, actor, now=now)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
