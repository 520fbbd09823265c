"""The life of an expert panel 专家组 as one declared table (action, from-states, to-state, permission, guards), in
the style of `weiyuan/cases/transitions.py`:

    forming -> convened            staff, once at least three members and one chair are seated on a major case
    convened -> meeting held       staff or the chair, recording a held meeting (attendance of every member, minutes)
    meeting held -> solution drafted   staff or the chair, writing the solution document
    solution drafted -> signed     the director, once every guard of the sign-off holds (the PDF is made then)
    forming -> cancelled           staff, with a reason
    convened / meeting held / solution drafted -> dissolved   the director, with a reason

Signed, dissolved and cancelled are final. Work that changes no state (members, meetings, views) is declared in
`ACTIVITIES` with the states it is open in. The services in `services.py` go through `check_panel_transition` or
`check_activity` before they change anything; the pages list the allowed actions from the same tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.panels import PanelPermission, panel_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.punctuation import join_list
from weiyuan.panels.models import (
    MIN_MEMBERS,
    Attendance,
    MeetingState,
    Panel,
    PanelMeeting,
    PanelState,
    PanelView,
)

S = PanelState
P = PanelPermission
Guard = Callable[[Panel, Any], str | None]


# --- guards ----------------------------------------------------------------------------------------------------


def case_is_major(panel: Panel, actor: Any) -> str | None:
    if not panel.case.is_major:
        return str(_("本案未被确认为重大案件：请先由中心负责人确认重大案件标记。"))
    return None


def enough_members(panel: Panel, actor: Any) -> str | None:
    n = panel.members.count()
    if n < MIN_MEMBERS:
        return str(_("专家组至少需要 %(min)s 名专家，目前只有 %(n)s 名。") % {"min": MIN_MEMBERS, "n": n})
    return None


def has_chair(panel: Panel, actor: Any) -> str | None:
    if not panel.members.filter(is_chair=True).exists():
        return str(_("请指定一名专家担任组长。"))
    return None


def _held(panel: Panel) -> Any:
    return PanelMeeting.objects.filter(panel=panel, state=MeetingState.HELD)


def meeting_held(panel: Panel, actor: Any) -> str | None:
    if not _held(panel).exists():
        return str(_("专家组尚未召开会商：请先记录一次已召开的会商（出席情况和会议纪要）。"))
    return None


def attendance_and_minutes(panel: Panel, actor: Any) -> str | None:
    """A held meeting with every member's attendance and non-empty minutes."""
    member_ids = set(panel.members.values_list("pk", flat=True))
    for meeting in _held(panel).prefetch_related("attendance"):
        recorded = {a.member_id for a in meeting.attendance.all()}
        if meeting.minutes.strip() and member_ids <= recorded:
            return None
    return str(_("没有记录完整的会商：须有一次已召开的会商，记录每位成员的出席情况和会议纪要。"))


def views_from_present(panel: Panel, actor: Any) -> str | None:
    from weiyuan.panels.models import MeetingAttendance

    present = set(
        MeetingAttendance.objects.filter(
            meeting__panel=panel, meeting__state=MeetingState.HELD, status=Attendance.PRESENT
        ).values_list("member__expert__name", "member_id")
    )
    have = set(PanelView.objects.filter(panel=panel).exclude(text="").values_list("member_id", flat=True))
    missing = sorted(name for name, member_id in present if member_id not in have)
    if missing:
        return str(_("以下出席会商的专家尚无意见：%(names)s。") % {"names": join_list(missing)})
    return None


def solution_written(panel: Panel, actor: Any) -> str | None:
    if not panel.has_solution:
        return str(_("解决方案正文为空：请先起草解决方案。"))
    return None


# What each guard asks, for the checklist on the panel page (a guard that fails says why in its own words).
GUARD_LABELS: dict[str, Promise] = {
    "case_is_major": _("案件已确认为重大案件"),
    "enough_members": _("至少三名专家"),
    "has_chair": _("已指定组长"),
    "meeting_held": _("已召开会商"),
    "attendance_and_minutes": _("会商已记录每位成员的出席情况和会议纪要"),
    "views_from_present": _("每位出席的专家都有意见"),
    "solution_written": _("解决方案正文不为空"),
}


@dataclass(frozen=True)
class PanelTransition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (a further meeting, a redraft)
    permission: PanelPermission
    label: Promise
    guards: tuple[Guard, ...] = field(default=())
    needs_reason: bool = False

    def target_for(self, panel: Panel) -> str:
        if self.action == "hold_meeting" and panel.state != S.CONVENED:
            return panel.state  # a further meeting keeps the panel where it is
        return self.target or panel.state


TRANSITIONS: tuple[PanelTransition, ...] = (
    PanelTransition(
        "convene", (S.FORMING,), S.CONVENED, P.CONVENE, _("组成专家组"), (case_is_major, enough_members, has_chair)
    ),
    PanelTransition(
        "hold_meeting", (S.CONVENED, S.MEETING_HELD, S.SOLUTION_DRAFTED), S.MEETING_HELD, P.MEETING, _("记录会商")
    ),
    PanelTransition(
        "draft", (S.MEETING_HELD, S.SOLUTION_DRAFTED), S.SOLUTION_DRAFTED, P.DRAFT, _("起草解决方案"), (meeting_held,)
    ),
    PanelTransition(
        "sign",
        (S.SOLUTION_DRAFTED,),
        S.SIGNED,
        P.SIGN,
        _("签发解决方案"),
        (case_is_major, enough_members, attendance_and_minutes, views_from_present, solution_written),
    ),
    PanelTransition("cancel", (S.FORMING,), S.CANCELLED, P.CANCEL, _("取消专家组"), needs_reason=True),
    PanelTransition(
        "dissolve",
        (S.CONVENED, S.MEETING_HELD, S.SOLUTION_DRAFTED),
        S.DISSOLVED,
        P.DISSOLVE,
        _("解散专家组"),
        needs_reason=True,
    ),
)
TRANSITIONS_BY_ACTION = {t.action: t for t in TRANSITIONS}


@dataclass(frozen=True)
class Activity:
    """Work on a panel that changes no state, open in `states`."""

    action: str
    states: tuple[str, ...]
    permission: PanelPermission
    label: Promise


WORKING = (S.CONVENED, S.MEETING_HELD, S.SOLUTION_DRAFTED)
ACTIVITIES: dict[str, Activity] = {
    a.action: a
    for a in (
        Activity("members", (S.FORMING, S.CONVENED), P.MEMBERS, _("调整专家组成员")),
        Activity("schedule", WORKING, P.MEETING, _("安排会商")),
        Activity("view_own", (S.MEETING_HELD, S.SOLUTION_DRAFTED), P.VIEW_OWN, _("撰写专家意见")),
        Activity("view_record", (S.MEETING_HELD, S.SOLUTION_DRAFTED), P.VIEW_RECORD, _("代为记录专家意见")),
    )
}


def _permission_refusal(panel: Panel, permission: PanelPermission, actor: Any) -> None:
    decision = panel_decide(actor, permission, panel)
    if not decision:
        seen = bool(panel_decide(actor, P.VIEW, panel))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)


def check_panel_transition(panel: Panel, action: str, actor: Any) -> PanelTransition:
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    _permission_refusal(panel, transition.permission, actor)
    if panel.state not in transition.sources:
        raise TransitionRefused(
            str(
                _("专家组当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": panel.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(panel, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def check_activity(panel: Panel, action: str, actor: Any) -> Activity:
    activity = ACTIVITIES[action]
    _permission_refusal(panel, activity.permission, actor)
    if panel.state not in activity.states:
        raise TransitionRefused(
            str(
                _("专家组当前状态为「%(state)s」，不能%(action)s。")
                % {"state": panel.get_state_display(), "action": activity.label}
            )
        )
    return activity


def allowed_panel_actions(panel: Panel, actor: Any) -> list[PanelTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_panel_transition(panel, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed


def open_activities(panel: Panel, actor: Any) -> set[str]:
    names = set()
    for action in ACTIVITIES:
        try:
            check_activity(panel, action, actor)
        except TransitionRefused:
            continue
        names.add(action)
    return names
