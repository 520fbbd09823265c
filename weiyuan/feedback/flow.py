"""The life of a service complaint as one declared table (action, from-states, to-state, permission), in the style
of `weiyuan/cases/transitions.py` and `weiyuan/referrals/flow.py`.

    filed    -> replied     the handling centre's director replies (the reply due date is then met or missed)
    replied  -> closed      the complainant accepts the reply, or the handling director closes it
    filed    -> withdrawn   the complainant takes it back before the reply

Closed and withdrawn are final: a reply after closing is refused (409) with the reason. The services go through
`check_complaint_transition` first; the page lists the allowed actions from the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.feedback import FeedbackPermission, complaint_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.feedback.models import ComplaintState, ServiceComplaint

S = ComplaintState
P = FeedbackPermission


@dataclass(frozen=True)
class ComplaintTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: FeedbackPermission
    label: Promise
    # The text the action needs, named as the form field (reply, note, reason); "" for none.
    text_field: str = ""


TRANSITIONS: tuple[ComplaintTransition, ...] = (
    ComplaintTransition("reply", (S.FILED,), S.REPLIED, P.COMPLAINT_REPLY, _("答复"), "reply"),
    ComplaintTransition("close", (S.REPLIED,), S.CLOSED, P.COMPLAINT_CLOSE, _("办结"), "note"),
    ComplaintTransition("withdraw", (S.FILED,), S.WITHDRAWN, P.COMPLAINT_WITHDRAW, _("撤回"), "reason"),
)

TRANSITIONS_BY_ACTION: dict[str, ComplaintTransition] = {t.action: t for t in TRANSITIONS}


def check_complaint_transition(complaint: ServiceComplaint, action: str, actor: Any) -> ComplaintTransition:
    """The transition if `actor` may take it now; else TransitionRefused (400 unknown, 404 unseen, 403, 409)."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = complaint_decide(actor, transition.permission, complaint)
    if not decision:
        seen = bool(complaint_decide(actor, P.COMPLAINT_VIEW, complaint))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if complaint.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("意见或投诉当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": complaint.get_state_display(), "action": transition.label}
            )
        )
    return transition


def allowed_complaint_actions(complaint: ServiceComplaint, actor: Any) -> list[ComplaintTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_complaint_transition(complaint, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
