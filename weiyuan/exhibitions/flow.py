"""The life of a complaint at a fair station, as one declared table (action, from-states, to-state, permission,
guards), in the style of `weiyuan/ecommerce/flow.py`:

    filed      -> served          the station serves the respondent the notice: the defence clock starts
                                  (rule `fair_respondent_defence`, the event's hours, due time stored)
    served     -> defended        the respondent's defence, only before the due time
    served     -> infringing      the experts on duty decide (after the defence, or once the clock has run out)
    defended   -> infringing
    ...        -> not_infringing  (final)
    ...        -> referred        unable to decide on site: referred (final)
    infringing -> complied        staff confirm the measures (photo, time, signer) (final)
    infringing -> refused         the respondent refuses to comply: recorded, the organiser is told (final)
    filed/served/defended -> withdrawn

`check_complaint_transition` answers 400 (unknown action), 404 (the caller does not see the complaint), 403 (sees
it, may not act), 409 (wrong state, or a guard, with the rule named). Pages list the allowed actions from the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.exhibitions import ExhibitionPermission, complaint_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.exhibitions.models import Complaint, ComplaintState, Duty, DutyKind

S = ComplaintState
P = ExhibitionPermission
Guard = Callable[[Complaint, Any, dt.datetime], str | None]
DEFENCE_RULE = "fair_respondent_defence"


def _local(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "—"


def within_defence(complaint: Complaint, actor: Any, now: dt.datetime) -> str | None:
    """Rule `fair_respondent_defence`: the defence is due within the event's hours of the notice being served."""
    if complaint.defence_due_at is not None and now > complaint.defence_due_at:
        return str(
            _("答辩时限已过（规则 fair_respondent_defence：送达后 %(hours)s 小时内答辩，截止 %(due)s），不再接受答辩。")
            % {"hours": complaint.station.event.defence_hours, "due": _local(complaint.defence_due_at)}
        )
    return None


def defence_closed(complaint: Complaint, actor: Any, now: dt.datetime) -> str | None:
    """The hearing waits for the defence or the end of the respondent's clock."""
    if complaint.state == S.SERVED and complaint.defence_due_at is not None and now <= complaint.defence_due_at:
        return str(
            _("被投诉人的答辩时限至 %(due)s（规则 fair_respondent_defence）；请在答辩后或时限届满后判定。")
            % {"due": _local(complaint.defence_due_at)}
        )
    return None


def on_duty_today(complaint: Complaint, actor: Any, now: dt.datetime) -> str | None:
    day = timezone.localtime(now).date()
    user_id = getattr(actor, "pk", None)
    on_duty = user_id is not None and (
        Duty.objects.filter(station_id=complaint.station_id, user_id=user_id, day=day, kind=DutyKind.EXPERT).exists()
    )
    if not on_duty:
        return str(_("只有当天在工作站值班的专家可以作出判定（%(day)s）。") % {"day": day.isoformat()})
    return None


def measures_pending(complaint: Complaint, actor: Any, now: dt.datetime) -> str | None:
    if not complaint.measures.filter(state="due").exists():
        return str(_("没有待落实的措施。"))
    return None


@dataclass(frozen=True)
class ComplaintTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: ExhibitionPermission
    label: Promise
    guards: tuple[Guard, ...] = field(default=())


HEARD = (S.SERVED, S.DEFENDED)

TRANSITIONS: tuple[ComplaintTransition, ...] = (
    ComplaintTransition("serve", (S.FILED,), S.SERVED, P.COMPLAINT_HANDLE, _("送达被投诉人")),
    ComplaintTransition("defend", (S.SERVED,), S.DEFENDED, P.COMPLAINT_DEFEND, _("提交答辩"), (within_defence,)),
    ComplaintTransition(
        "decide_infringing", HEARD, S.INFRINGING, P.COMPLAINT_DECIDE, _("判定侵权"), (on_duty_today, defence_closed)
    ),
    ComplaintTransition(
        "decide_not_infringing",
        HEARD,
        S.NOT_INFRINGING,
        P.COMPLAINT_DECIDE,
        _("判定不侵权"),
        (on_duty_today, defence_closed),
    ),
    ComplaintTransition(
        "decide_refer", HEARD, S.REFERRED, P.COMPLAINT_DECIDE, _("无法判定，移交处理"), (on_duty_today, defence_closed)
    ),
    ComplaintTransition(
        "confirm_measures", (S.INFRINGING,), S.COMPLIED, P.COMPLAINT_HANDLE, _("确认措施已落实"), (measures_pending,)
    ),
    ComplaintTransition(
        "record_refusal", (S.INFRINGING,), S.REFUSED, P.COMPLAINT_HANDLE, _("登记拒不配合"), (measures_pending,)
    ),
    ComplaintTransition("withdraw", (S.FILED, S.SERVED, S.DEFENDED), S.WITHDRAWN, P.COMPLAINT_HANDLE, _("撤回投诉")),
)

TRANSITIONS_BY_ACTION: dict[str, ComplaintTransition] = {t.action: t for t in TRANSITIONS}


def check_complaint_transition(
    complaint: Complaint, action: str, actor: Any, *, now: dt.datetime | None = None
) -> ComplaintTransition:
    """The transition if `actor` may take it now; else TransitionRefused."""
    now = now or timezone.now()
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
                _("投诉当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": complaint.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(complaint, actor, now)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_complaint_actions(
    complaint: Complaint, actor: Any, *, now: dt.datetime | None = None
) -> list[ComplaintTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_complaint_transition(complaint, transition.action, actor, now=now)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
