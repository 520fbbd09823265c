"""The expert panel 专家组 of a major case: forming it (members from the expert database, conflicts excluded unless
the director overrides them in writing), convening it, meetings with attendance and minutes, each member's view,
the solution document, the director's sign-off with its PDF, and dissolving or cancelling it with a reason.

One transaction per write, an audit event on the case's chain for each change, notices to the members' accounts
through the outbox (rows written in the same transaction). States and who may move them: `flow.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.panels import MajorPermission, PanelPermission, case_major_decide, panel_decide
from weiyuan.access.policy import has_role
from weiyuan.audit.services import audit_record
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.core.pdf import render_pdf
from weiyuan.core.punctuation import join_list
from weiyuan.experts.matching import case_parties, conflicts_of
from weiyuan.experts.models import Expert, ExpertConflictOverride
from weiyuan.experts.services import expert_conflict_override
from weiyuan.notifications.services import Notice, outbox_enqueue
from weiyuan.panels.flow import check_activity, check_panel_transition
from weiyuan.panels.models import (
    MIN_MEMBERS,
    Attendance,
    MeetingAttendance,
    MeetingState,
    Panel,
    PanelMeeting,
    PanelMember,
    PanelState,
    PanelView,
)

S = PanelState
TEXT_MAX = 20000
TASK_MAX = 2000
REASON_MIN = 2
REASON_MAX = 2000
PDF_TEMPLATE = "panels/solution_pdf.html"
# A panel is formed for a case the centre has accepted and not yet closed.
PANEL_CASE_STATES = (CaseState.ACCEPTED, CaseState.ASSIGNED, CaseState.IN_HANDLING, CaseState.REOPENED)


def _text(value: str, field: str, *, required: str = "", limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的控制字符（NUL），请删除后重新输入。")})
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(n)s 个字，当前 %(m)s 个。") % {"n": limit, "m": len(value)}})
    return value


def _reason(value: str) -> str:
    value = _text(value, "reason", required=_("请写明理由。"), limit=REASON_MAX)
    if len(value) < REASON_MIN:
        raise ValidationError({"reason": _("请写明理由（至少 %(n)s 个字）。") % {"n": REASON_MIN}})
    return value


def _snapshot(panel: Panel) -> dict[str, Any]:
    return {"state": panel.state, "number": panel.number}


def _lock(panel: Panel) -> Panel:
    locked = Panel.objects.select_for_update(of=("self",)).select_related("case", "case__centre").get(pk=panel.pk)
    return locked


def _panel_url(panel: Panel) -> str:
    return f"/panels/{panel.pk}/"


def _member_accounts(panel: Panel) -> list[Any]:
    return [
        m.user
        for m in panel.members.select_related("user").filter(user__isnull=False, user__is_active=True)
        if m.user is not None
    ]


def _notify(panel: Panel, recipients: list[Any], stage: str, dedupe: str, **values: Any) -> None:
    case = panel.case

    def notice() -> Notice:
        v = {"number": case.tracking_number, "panel": panel.number or "", **values}
        subjects = {
            "invited": _("专家组邀请：重大案件 %(number)s"),
            "meeting": _("专家组会商安排：%(when)s（%(number)s）"),
            "signed": _("重大纠纷解决方案已签发：%(number)s"),
            "closed": _("专家组已结束：%(number)s"),
        }
        bodies = {
            "invited": _("您已被列为重大案件 %(number)s 专家组成员（%(panel)s）。会商议题：%(task)s"),
            "meeting": _("专家组将于 %(when)s 会商。地点或链接：%(where)s 议程：%(agenda)s"),
            "signed": _("案件 %(number)s 的重大纠纷解决方案（%(panel)s）已由中心负责人签发，可在案件页面下载。"),
            "closed": _("案件 %(number)s 的专家组已结束。理由：%(reason)s"),
        }
        url = f"/cases/{case.tracking_number}/" if stage == "signed" and values.get("applicant") else _panel_url(panel)
        return Notice(kind=f"panel.{stage}", subject=subjects[stage] % v, body=bodies[stage] % v, url=url)

    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=dedupe)


# --- forming ---------------------------------------------------------------------------------------------------


def panel_create(*, case: Case, actor: Any, task: str) -> Panel:
    decision = case_major_decide(actor, MajorPermission.PANEL_CREATE, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    task = _text(task, "task", required=_("请写明请专家组会商的议题。"), limit=TASK_MAX)
    if not case.is_major:
        raise TransitionRefused(_("只有重大案件可以组建专家组：请先认定并由中心负责人确认重大案件标记。"))
    if case.state not in PANEL_CASE_STATES:
        raise TransitionRefused(
            _("案件当前状态为「%(state)s」：只能为已受理、尚未办结的案件组建专家组。")
            % {"state": case.get_state_display()}
        )
    try:
        with transaction.atomic():
            panel = Panel.objects.create(case=case, task=task, created_by=actor)
            panel.number = f"WY-ZF-{timezone.localdate():%Y}-{panel.pk:06d}"
            panel.save(update_fields=["number"])
            case_audit_record(
                case=case, actor=actor, action="panel.create", obj=panel, after={**_snapshot(panel), "task": task}
            )
    except IntegrityError:
        raise TransitionRefused(_("本案已有一个专家组在工作，不能重复组建。")) from None
    return panel


def member_conflicts(panel: Panel, expert: Expert) -> list[str]:
    return [c.text for c in conflicts_of(expert, case_parties(panel.case))]


def panel_member_add(
    *, panel: Panel, actor: Any, expert: Expert, chair: bool = False, override_reason: str = ""
) -> PanelMember:
    """Seat an expert of the database. A conflict of interest with a party excludes them, unless the director of the
    case's centre overrides it with a written reason (recorded as the expert database's override for the case)."""
    with transaction.atomic():
        panel = _lock(panel)
        check_activity(panel, "members", actor)
        if not expert.active:
            raise ValidationError({"expert": _("该专家已停用，不能加入专家组。")})
        conflicts = member_conflicts(panel, expert)
        overridden = ""
        if conflicts:
            case = panel.case
            if not ExpertConflictOverride.objects.filter(case=case, expert=expert).exists():
                if not (override_reason or "").strip():
                    raise TransitionRefused(
                        _("该专家与本案存在利益冲突（%(conflicts)s），须经中心负责人书面豁免后才能加入专家组。")
                        % {"conflicts": join_list(conflicts)}
                    )
                decision = panel_decide(actor, PanelPermission.CONFLICT_OVERRIDE, panel)
                if not decision:
                    raise TransitionRefused(decision.reason, status=403)
                expert_conflict_override(case=case, expert=expert, actor=actor, reason=override_reason)
            overridden = "；".join(conflicts)
        user = expert.user
        if user is not None and not (user.is_active and has_role(user, Role.EXPERT)):
            user = None  # a profile linked to an account without the expert role: recorded, but it gets no sight
        if chair:
            panel.members.filter(is_chair=True).update(is_chair=False)
        try:
            with transaction.atomic():
                member = PanelMember.objects.create(
                    panel=panel,
                    expert=expert,
                    user=user,
                    is_chair=chair,
                    added_by=actor,
                    conflict_overridden=overridden,
                )
        except IntegrityError:
            raise TransitionRefused(_("该专家已在专家组中。")) from None
        case_audit_record(
            case=panel.case,
            actor=actor,
            action="panel.member.add",
            obj=member,
            after={"panel": panel.pk, "expert": expert.pk, "chair": chair, "conflict_overridden": overridden},
        )
        if panel.state != S.FORMING and user is not None:
            _notify(panel, [user], "invited", f"panel_member:{member.pk}:invited", task=panel.task)
    return member


def panel_member_remove(*, member: PanelMember, actor: Any) -> None:
    with transaction.atomic():
        panel = _lock(member.panel)
        check_activity(panel, "members", actor)
        if panel.state != S.FORMING and panel.members.count() - 1 < MIN_MEMBERS:
            raise TransitionRefused(
                _("已组成的专家组不能少于 %(min)s 名专家：请先增补成员，再移除该专家。") % {"min": MIN_MEMBERS}
            )
        case_audit_record(
            case=panel.case,
            actor=actor,
            action="panel.member.remove",
            obj=member,
            before={"panel": panel.pk, "expert": member.expert_id, "chair": member.is_chair},
        )
        member.delete()


def panel_chair_set(*, member: PanelMember, actor: Any) -> PanelMember:
    with transaction.atomic():
        panel = _lock(member.panel)
        check_activity(panel, "members", actor)
        previous = list(panel.members.filter(is_chair=True).values_list("expert_id", flat=True))
        panel.members.filter(is_chair=True).exclude(pk=member.pk).update(is_chair=False)
        PanelMember.objects.filter(pk=member.pk).update(is_chair=True)
        member.is_chair = True
        case_audit_record(
            case=panel.case,
            actor=actor,
            action="panel.chair",
            obj=member,
            before={"chair_experts": previous},
            after={"chair_experts": [member.expert_id]},
        )
    return member


def _move(panel: Panel, action: str, actor: Any, **changes: Any) -> Panel:
    """Check the table, change the state (and fields), record the audit event. Runs in the caller's transaction
    on a locked panel."""
    transition = check_panel_transition(panel, action, actor)
    before = _snapshot(panel)
    for name, value in changes.items():
        setattr(panel, name, value)
    panel.state = transition.target_for(panel)
    panel.save()
    after = {**_snapshot(panel), **{k: v for k, v in changes.items() if k in ("close_reason", "pdf_sha256")}}
    case_audit_record(case=panel.case, actor=actor, action=f"panel.{action}", obj=panel, before=before, after=after)
    return panel


def panel_convene(*, panel: Panel, actor: Any) -> Panel:
    with transaction.atomic():
        panel = _move(_lock(panel), "convene", actor, convened_at=timezone.now())
        _notify(panel, _member_accounts(panel), "invited", f"panel:{panel.pk}:invited", task=panel.task)
    return panel


def panel_close(*, panel: Panel, actor: Any, action: str, reason: str) -> Panel:
    """Cancel a forming panel or dissolve a convened one (`action`: "cancel" or "dissolve"), with a reason."""
    if action not in ("cancel", "dissolve"):
        raise TransitionRefused(_("未知操作：%(action)s") % {"action": action}, status=400)
    with transaction.atomic():
        panel = _lock(panel)
        check_panel_transition(panel, action, actor)
        reason = _reason(reason)
        was_convened = panel.state != S.FORMING
        panel = _move(panel, action, actor, close_reason=reason, closed_by=actor, closed_at=timezone.now())
        if was_convened:
            _notify(panel, _member_accounts(panel), "closed", f"panel:{panel.pk}:closed", reason=reason)
    return panel


# --- meetings and views ----------------------------------------------------------------------------------------


def meeting_schedule(
    *, panel: Panel, actor: Any, scheduled_at: dt.datetime | None, place: str, online_link: str, agenda: str
) -> PanelMeeting:
    errors: dict[str, str] = {}
    if scheduled_at is None:
        errors["scheduled_at"] = _("请填写会商时间。")
    place = (place or "").strip()[:200]
    online_link = (online_link or "").strip()
    if not place and not online_link:
        errors["place"] = _("请填写会商地点或线上会议链接。")
    try:
        agenda = _text(agenda, "agenda", required=_("请填写会商议程。"), limit=TASK_MAX)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    with transaction.atomic():
        panel = _lock(panel)
        check_activity(panel, "schedule", actor)
        if errors or scheduled_at is None:
            raise ValidationError(errors)
        meeting = PanelMeeting(
            panel=panel,
            scheduled_at=scheduled_at,
            place=place,
            online_link=online_link,
            agenda=agenda,
            scheduled_by=actor,
        )
        meeting.full_clean(exclude=["panel", "scheduled_by", "recorded_by"])
        meeting.save()
        case_audit_record(
            case=panel.case,
            actor=actor,
            action="panel.meeting.schedule",
            obj=meeting,
            after={"panel": panel.pk, "scheduled_at": scheduled_at, "place": place, "online_link": online_link},
        )
        when = timezone.localtime(meeting.scheduled_at).strftime("%Y-%m-%d %H:%M")
        _notify(
            panel,
            _member_accounts(panel),
            "meeting",
            f"panel_meeting:{meeting.pk}:scheduled",
            when=when,
            where=join_list(x for x in (place, online_link) if x),
            agenda=agenda,
        )
    return meeting


def meeting_record(*, meeting: PanelMeeting, actor: Any, attendance: dict[int, str], minutes: str) -> PanelMeeting:
    """Record a meeting as held: every member's attendance (present, absent, excused) and the minutes."""
    with transaction.atomic():
        panel = _lock(meeting.panel)
        meeting = PanelMeeting.objects.select_for_update().get(pk=meeting.pk)
        check_panel_transition(panel, "hold_meeting", actor)
        if meeting.state == MeetingState.CANCELLED:
            raise TransitionRefused(_("该会商已取消。"))
        members = list(panel.members.select_related("expert"))
        errors: dict[str, str] = {}
        for m in members:
            if attendance.get(m.pk) not in Attendance.values:
                errors[f"attendance_{m.pk}"] = _("请选择 %(name)s 的出席情况。") % {"name": m.expert.name}
        try:
            minutes = _text(minutes, "minutes", required=_("请填写会议纪要。"))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if errors:
            raise ValidationError(errors)
        before = {"state": meeting.state}
        for m in members:
            MeetingAttendance.objects.update_or_create(meeting=meeting, member=m, defaults={"status": attendance[m.pk]})
        meeting.state = MeetingState.HELD
        meeting.minutes = minutes
        meeting.held_at = meeting.held_at or timezone.now()
        meeting.recorded_by = actor
        meeting.save()
        case_audit_record(
            case=panel.case,
            actor=actor,
            action="panel.meeting.record",
            obj=meeting,
            before=before,
            after={"state": meeting.state, "attendance": {m.expert_id: attendance[m.pk] for m in members}},
        )
        _move(panel, "hold_meeting", actor)
    return meeting


def view_write(*, member: PanelMember, actor: Any, text: str) -> PanelView:
    """A member's view: written by the expert in their own account, or recorded by staff on their behalf (marked
    so). Staff do not overwrite a view the expert wrote themselves."""
    with transaction.atomic():
        panel = _lock(member.panel)
        own = member.user_id is not None and member.user_id == getattr(actor, "pk", None)
        check_activity(panel, "view_own" if own else "view_record", actor)
        text = _text(text, "text", required=_("请填写专家意见。"))
        existing = PanelView.objects.select_for_update().filter(member=member).first()
        if existing is not None and not own and not existing.on_behalf:
            raise TransitionRefused(_("该意见由专家本人撰写，工作人员不能修改。"))
        before = {"on_behalf": existing.on_behalf, "length": len(existing.text)} if existing else None
        view, _created = PanelView.objects.update_or_create(
            member=member, defaults={"panel": panel, "text": text, "on_behalf": not own, "written_by": actor}
        )
        case_audit_record(
            case=panel.case,
            actor=actor,
            action="panel.view.write",
            obj=view,
            before=before,
            after={"member": member.pk, "expert": member.expert_id, "on_behalf": not own, "length": len(text)},
        )
    return view


# --- the solution ----------------------------------------------------------------------------------------------


def solution_draft(*, panel: Panel, actor: Any, facts: str, issues: str, solution: str, recommendations: str) -> Panel:
    with transaction.atomic():
        panel = _lock(panel)
        check_panel_transition(panel, "draft", actor)
        errors: dict[str, str] = {}
        values: dict[str, str] = {}
        for field, value, required in (
            ("solution_facts", facts, ""),
            ("solution_issues", issues, ""),
            ("solution_text", solution, _("请填写解决方案正文。")),
            ("solution_recommendations", recommendations, ""),
        ):
            try:
                values[field] = _text(value, field, required=required)
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if errors:
            raise ValidationError(errors)
        panel = _move(panel, "draft", actor, drafted_by=actor, drafted_at=timezone.now(), **values)
    return panel


def solution_context(panel: Panel) -> dict[str, Any]:
    """What the PDF prints: parties, members with attendance, minutes, views, the solution and the signer."""
    members = list(panel.members.select_related("expert").order_by("-is_chair", "added_at", "id"))
    meetings = list(
        PanelMeeting.objects.filter(panel=panel, state=MeetingState.HELD)
        .prefetch_related("attendance")
        .order_by("scheduled_at", "id")
    )
    for meeting in meetings:
        by_member = {a.member_id: a for a in meeting.attendance.all()}
        meeting.rows = [(m, by_member.get(m.pk)) for m in members]  # type: ignore[attr-defined]
    views = {v.member_id: v for v in PanelView.objects.filter(panel=panel)}
    return {
        "panel": panel,
        "case": panel.case,
        "members": [(m, views.get(m.pk)) for m in members],
        "meetings": meetings,
    }


def solution_sign(*, panel: Panel, actor: Any) -> Panel:
    """The director signs: every guard of the table holds, the PDF is rendered, stored privately and fingerprinted."""
    with transaction.atomic():
        panel = _lock(panel)
        check_panel_transition(panel, "sign", actor)
        now = timezone.now()
        panel.signed_by = actor
        panel.signed_at = now
        rendered = render_pdf(PDF_TEMPLATE, solution_context(panel))
        panel.pdf.save("solution.pdf", ContentFile(rendered.content), save=False)
        stored = panel.pdf.name or ""
        try:
            panel = _move(
                panel,
                "sign",
                actor,
                signed_by=actor,
                signed_at=now,
                pdf_sha256=rendered.sha256,
                pdf_size=len(rendered.content),
            )
        except Exception:
            panel.pdf.storage.delete(stored)
            raise
        case = panel.case
        _notify(panel, _member_accounts(panel), "signed", f"panel:{panel.pk}:signed")
        if case.applicant_user_id:
            _notify(panel, [case.applicant_user], "signed", f"panel:{panel.pk}:signed_applicant", applicant=True)
    return panel


def solution_record_download(*, panel: Panel, user: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action="panel.solution.download",
            obj=panel,
            centre_id=panel.case.centre_id,
            case_id=panel.case_id,
            after={"sha256": panel.pdf_sha256},
        )
