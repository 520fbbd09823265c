"""The life of a referral as one declared table (action, from-states, to-state, permission, guards), in the style of
`weiyuan/cases/transitions.py` and `weiyuan/experts/invitation_flow.py`.

    sent          -> acknowledged   the partner signs for it (签收), within the acknowledgement clock or late
    sent, acknowledged -> accepted  the partner takes the matter on (受理)
    sent, acknowledged -> declined  the partner refuses it, with a reason (final)
    accepted      -> accepted       a progress report (restarts the "no news" clock)
    accepted      -> concluded      the outcome: mediation agreement, penalty decision, judgment or ruling, withdrawn,
                                    other; the first three with their document (final)
    sent, acknowledged, accepted -> withdrawn   the case's assigned handler or director, with a reason (final)

The services in `services.py` go through `check_referral_transition` first; the pages and the API list the
allowed actions from the same table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.referrals import ReferralPermission, referral_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.referrals.models import Referral, ReferralState

S = ReferralState
P = ReferralPermission
Guard = Callable[[Referral, Any, dt.datetime], str | None]


def organisation_active(referral: Referral, actor: Any, now: dt.datetime) -> str | None:
    if not referral.organisation.active:
        return str(_("该合作单位已停用，不能再办理移交。"))
    return None


@dataclass(frozen=True)
class ReferralTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: ReferralPermission
    label: Promise
    guards: tuple[Guard, ...] = field(default=())


TRANSITIONS: tuple[ReferralTransition, ...] = (
    ReferralTransition("acknowledge", (S.SENT,), S.ACKNOWLEDGED, P.ACKNOWLEDGE, _("签收"), (organisation_active,)),
    ReferralTransition("accept", (S.SENT, S.ACKNOWLEDGED), S.ACCEPTED, P.DECIDE, _("受理"), (organisation_active,)),
    ReferralTransition("decline", (S.SENT, S.ACKNOWLEDGED), S.DECLINED, P.DECIDE, _("不予受理")),
    ReferralTransition("report", (S.ACCEPTED,), S.ACCEPTED, P.REPORT, _("报告进展")),
    ReferralTransition("conclude", (S.ACCEPTED,), S.CONCLUDED, P.CONCLUDE, _("报告结果")),
    ReferralTransition("withdraw", (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED), S.WITHDRAWN, P.WITHDRAW, _("撤回移交")),
)

TRANSITIONS_BY_ACTION: dict[str, ReferralTransition] = {t.action: t for t in TRANSITIONS}


def check_referral_transition(
    referral: Referral, action: str, actor: Any, *, now: dt.datetime | None = None
) -> ReferralTransition:
    """The transition if `actor` may take it now; else TransitionRefused (400 unknown, 404 unseen, 403, 409)."""
    now = now or timezone.now()
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = referral_decide(actor, transition.permission, referral)
    if not decision:
        seen = bool(referral_decide(actor, P.VIEW, referral))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if referral.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("移交当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": referral.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(referral, actor, now)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_referral_actions(
    referral: Referral, actor: Any, *, now: dt.datetime | None = None
) -> list[ReferralTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_referral_transition(referral, transition.action, actor, now=now)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
