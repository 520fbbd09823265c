"""The declared tables (action, from-states, to-state, permission, text, guards) of a volunteer's registration and
of an hours entry.

Registration:

    pending   -> approved    the centre's director approves: the volunteer role at the centre is created or
                             reactivated (accounts.Membership)
    pending   -> declined    the director declines, with the reason told to the applicant
    pending   -> withdrawn   the applicant withdraws the application
    approved  -> suspended   the director suspends (reason): the role is deactivated, open volunteer tasks on the
                             centre's cases are ended
    suspended -> approved    the director reinstates (the role is active again; ended tasks stay ended)
    approved, suspended -> ended   the director ends the service (reason), as for a suspension

Hours entry:

    submitted -> confirmed   the centre's director, or for case work the case's assigned handler
    submitted -> rejected    the same, with the reason

Nobody decides about their own application or hours (four eyes). The services go through `check_transition`; the
pages list the allowed actions from the same tables; tests/test_volunteers.py walks both tables from every state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.volunteers import VolunteerPermission, hours_decide, volunteer_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.volunteers.models import HoursState, RegistrationState

S = RegistrationState
H = HoursState
P = VolunteerPermission


def not_ones_own(subject: Any, actor: Any) -> str:
    """Four eyes: a director who also applied does not approve their own application or confirm their own hours."""
    if subject.user_id == actor.pk:
        return str(_("不能审核本人的申请或服务时长。"))
    return ""


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: VolunteerPermission
    label: Promise
    # The action needs a written reason (form field "reason").
    reason_required: bool = False
    guards: tuple[Callable[[Any, Any], str], ...] = field(default=())


REGISTRATION_TRANSITIONS: tuple[Transition, ...] = (
    Transition("approve", (S.PENDING,), S.APPROVED, P.DECIDE, _("批准"), guards=(not_ones_own,)),
    Transition("decline", (S.PENDING,), S.DECLINED, P.DECIDE, _("不予批准"), True, (not_ones_own,)),
    Transition("withdraw", (S.PENDING,), S.WITHDRAWN, P.WITHDRAW, _("撤回申请")),
    Transition("suspend", (S.APPROVED,), S.SUSPENDED, P.DECIDE, _("暂停服务"), True, (not_ones_own,)),
    Transition("reinstate", (S.SUSPENDED,), S.APPROVED, P.DECIDE, _("恢复服务"), guards=(not_ones_own,)),
    Transition("end", (S.APPROVED, S.SUSPENDED), S.ENDED, P.DECIDE, _("终止服务"), True, (not_ones_own,)),
)

HOURS_TRANSITIONS: tuple[Transition, ...] = (
    Transition("confirm", (H.SUBMITTED,), H.CONFIRMED, P.HOURS_CONFIRM, _("确认"), guards=(not_ones_own,)),
    Transition("reject", (H.SUBMITTED,), H.REJECTED, P.HOURS_CONFIRM, _("不予确认"), True, (not_ones_own,)),
)

_TABLES: dict[str, tuple[tuple[Transition, ...], Callable[..., Any], VolunteerPermission]] = {
    "registration": (REGISTRATION_TRANSITIONS, volunteer_decide, P.VIEW),
    "hours": (HOURS_TRANSITIONS, hours_decide, P.HOURS_VIEW),
}


def check_transition(table: str, subject: Any, action: str, actor: Any) -> Transition:
    """The transition if `actor` may take it now; else TransitionRefused (400 unknown, 404 unseen, 403, 409)."""
    transitions, decide, view = _TABLES[table]
    transition = next((t for t in transitions if t.action == action), None)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = decide(actor, transition.permission, subject)
    if not decision:
        seen = bool(decide(actor, view, subject))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if subject.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": subject.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(subject, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_actions(table: str, subject: Any, actor: Any) -> list[Transition]:
    allowed = []
    for transition in _TABLES[table][0]:
        try:
            check_transition(table, subject, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
