"""Inviting experts to a case: invite, the confidentiality undertaking, accept, decline, withdraw, and the sweep
that reminds and expires pending invitations. One transaction per write, an audit event on the case's chain for
each change, notices to both sides through the outbox (rows written in the same transaction, so they exist only
if it commits). The states and who may move them are declared in `invitation_flow.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.expert_tasks import InvitationPermission, case_invite_decide, invitation_decide
from weiyuan.access.policy import has_role
from weiyuan.cases.models import Case, CaseAssignment, CaseState
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY, RULES, compute_due
from weiyuan.core.choices import Role
from weiyuan.core.punctuation import join_list
from weiyuan.experts.invitation_flow import check_invitation_transition
from weiyuan.experts.matching import case_parties, conflicts_of
from weiyuan.experts.models import (
    Expert,
    ExpertConflictOverride,
    ExpertInvitation,
    ExpertUndertaking,
    InvitationState,
    UndertakingText,
)
from weiyuan.notifications.services import Notice, outbox_enqueue

RULE = "expert_invitation"
MAX_RESPONSE_DAYS = 15
TASK_MAX = 2000
REASON_MIN = 2
REASON_MAX = 500
# Cases an expert can be invited to: accepted and not yet concluded.
INVITABLE_CASE_STATES = (CaseState.ACCEPTED, CaseState.ASSIGNED, CaseState.IN_HANDLING, CaseState.REOPENED)
S = InvitationState


def default_response_days() -> int:
    return RULES[RULE].amount


def _snapshot(invitation: ExpertInvitation) -> dict[str, Any]:
    return {
        "expert_id": invitation.expert_id,
        "user_id": invitation.user_id,
        "state": invitation.state,
        "due_at": invitation.due_at,
        "reason": invitation.reason,
        "assignment_id": invitation.assignment_id,
    }


def _url(invitation: ExpertInvitation) -> str:
    return f"/experts/invitations/{invitation.pk}/"


def _notify(invitation: ExpertInvitation, recipients: list[Any], stage: str) -> None:
    """Queue the notice of one stage (created, accepted, declined, withdrawn, expired, due_soon) to recipients."""
    case = invitation.case

    def notice() -> Notice:
        values = {"number": case.tracking_number, "expert": invitation.expert.name}
        due = timezone.localtime(invitation.due_at).strftime("%Y-%m-%d %H:%M")
        subjects = {
            "created": _("专家邀请：案件 %(number)s"),
            "accepted": _("专家已接受邀请：%(expert)s（%(number)s）"),
            "declined": _("专家谢绝邀请：%(expert)s（%(number)s）"),
            "withdrawn": _("邀请已撤回：案件 %(number)s"),
            "expired": _("专家邀请已过期：%(expert)s（%(number)s）"),
            "due_soon": _("请尽快答复专家邀请：案件 %(number)s"),
        }
        bodies = {
            "created": _("援助机构邀请您为案件 %(number)s 提供专业意见，请在 %(due)s 前接受或谢绝。任务：%(task)s"),
            "accepted": _("%(expert)s 已签署保密承诺并接受案件 %(number)s 的邀请，任务已开启。"),
            "declined": _("%(expert)s 谢绝了案件 %(number)s 的邀请。理由：%(reason)s 可邀请下一位候选专家。"),
            "withdrawn": _("援助机构撤回了案件 %(number)s 的专家邀请。理由：%(reason)s"),
            "expired": _("%(expert)s 未在 %(due)s 前答复案件 %(number)s 的邀请，邀请已过期。可邀请下一位候选专家。"),
            "due_soon": _("案件 %(number)s 的专家邀请将于 %(due)s 截止，请及时接受或谢绝。"),
        }
        body = bodies[stage] % {**values, "due": due, "task": invitation.task, "reason": invitation.reason}
        return Notice(
            kind=f"expert_invitation.{stage}", subject=subjects[stage] % values, body=body, url=_url(invitation)
        )

    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=f"expert_invitation:{invitation.pk}:{stage}")


def _staff_recipients(invitation: ExpertInvitation) -> list[Any]:
    """Whom the expert's answer goes to: whoever invited, and the case's handler."""
    people: dict[int, Any] = {invitation.invited_by_id: invitation.invited_by}
    if invitation.case.handler_id:
        people[invitation.case.handler_id] = invitation.case.handler
    return list(people.values())


def _due(start: dt.datetime, days: int) -> tuple[dt.datetime, bool]:
    result = compute_due(RULES[RULE], start, amount=days)
    return result.due_at, result.calendar_fallback


def invitation_create(
    *, case: Case, expert: Expert, actor: Any, task: str, response_days: int | None = None
) -> ExpertInvitation:
    """Invite the expert to a task on the case, answered within `response_days` working days (default: the rule)."""
    decision = case_invite_decide(actor, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    errors: dict[str, str] = {}
    task = (task or "").strip()
    if not task:
        errors["task"] = _("请写明请专家完成的任务，例如：就涉案专利与被控产品的技术特征对比出具意见。")
    elif len(task) > TASK_MAX:
        errors["task"] = _("任务说明最多 %(limit)s 个字符，当前 %(n)s 个。") % {"limit": TASK_MAX, "n": len(task)}
    days = default_response_days() if response_days is None else response_days
    if not 1 <= days <= MAX_RESPONSE_DAYS:
        errors["response_days"] = _("答复期限应为 1 至 %(max)s 个工作日。") % {"max": MAX_RESPONSE_DAYS}
    user = expert.user
    if user is None or not user.is_active or not has_role(user, Role.EXPERT):
        errors["expert"] = _("该专家没有可用的专家账户，无法在线邀请：请先在专家资料中关联其账户。")
    elif not expert.matchable:
        errors["expert"] = _("该专家已停用或暂不接受任务。")
    if errors or user is None:
        raise ValidationError(errors)
    if case.state not in INVITABLE_CASE_STATES:
        raise TransitionRefused(
            _("案件当前状态为「%(state)s」：只能为已受理、尚未办结的案件邀请专家。")
            % {"state": case.get_state_display()}
        )
    conflicts = conflicts_of(expert, case_parties(case))
    if conflicts and not ExpertConflictOverride.objects.filter(case=case, expert=expert).exists():
        raise TransitionRefused(
            _("该专家与本案存在利益冲突（%(conflicts)s），须经中心负责人书面豁免后才能邀请。")
            % {"conflicts": join_list(c.text for c in conflicts)}
        )
    now = timezone.now()
    due_at, fallback = _due(now, days)
    try:
        with transaction.atomic():
            invitation = ExpertInvitation.objects.create(
                case=case,
                expert=expert,
                user=user,
                task=task,
                response_days=days,
                due_at=due_at,
                calendar_fallback=fallback,
                invited_by=actor,
            )
            case_audit_record(
                case=case,
                actor=actor,
                action="expert.invitation.create",
                obj=invitation,
                after={**_snapshot(invitation), "task": task, "response_days": days},
            )
            _notify(invitation, [user], "created")
    except IntegrityError:
        raise TransitionRefused(_("已邀请该专家参与本案（待答复或已接受），不能重复邀请。")) from None
    return invitation


def current_undertaking_text() -> UndertakingText:
    text = UndertakingText.objects.order_by("-version").first()
    if text is None:
        raise TransitionRefused(_("保密承诺书尚未配置，请联系平台管理员。"))
    return text


def text_digest(text: UndertakingText) -> str:
    return hashlib.sha256(f"{text.title}\n{text.body}".encode()).hexdigest()


def invitation_undertake(*, invitation: ExpertInvitation, actor: Any, version: int) -> ExpertUndertaking:
    """Record the invited expert's acceptance of the undertaking's current text (`version`: the one shown)."""
    decision = invitation_decide(actor, InvitationPermission.UNDERTAKE, invitation)
    if not decision:
        raise TransitionRefused(
            decision.reason, status=403 if invitation_decide(actor, InvitationPermission.VIEW, invitation) else 404
        )
    if invitation.state != S.PENDING:
        raise TransitionRefused(_("只有待答复的邀请需要签署保密承诺。"))
    text = current_undertaking_text()
    if version != text.version:
        raise TransitionRefused(_("保密承诺书已更新，请阅读新版本后重新确认。"))
    with transaction.atomic():
        undertaking, created = ExpertUndertaking.objects.get_or_create(
            invitation=invitation,
            defaults={
                "user": actor,
                "text": text,
                "text_version": text.version,
                "text_sha256": text_digest(text),
                "accepted_at": timezone.now(),
            },
        )
        if created:
            case_audit_record(
                case=invitation.case,
                actor=actor,
                action="expert.undertaking.accept",
                obj=undertaking,
                after={
                    "invitation_id": invitation.pk,
                    "text_version": text.version,
                    "text_sha256": undertaking.text_sha256,
                    "accepted_at": undertaking.accepted_at,
                },
            )
    return undertaking


def _lock(invitation: ExpertInvitation) -> ExpertInvitation:
    return (
        ExpertInvitation.objects.select_for_update(of=("self",))
        .select_related("case", "case__centre", "case__handler", "expert", "user", "invited_by")
        .get(pk=invitation.pk)
    )


def _finish(invitation: ExpertInvitation, actor: Any, to_state: str, reason: str, audit: str) -> None:
    before = _snapshot(invitation)
    invitation.state = to_state
    invitation.reason = reason
    invitation.decided_at = timezone.now()
    invitation.decided_by = actor
    invitation.save(update_fields=["state", "reason", "decided_at", "decided_by", "assignment"])
    case_audit_record(
        case=invitation.case, actor=actor, action=audit, obj=invitation, before=before, after=_snapshot(invitation)
    )


def invitation_accept(*, invitation: ExpertInvitation, actor: Any) -> ExpertInvitation:
    """Accept: opens the expert's CaseAssignment (the access policy then gives them the task)."""
    with transaction.atomic():
        invitation = _lock(invitation)
        check_invitation_transition(invitation, "accept", actor)
        invitation.assignment = CaseAssignment.objects.create(
            case=invitation.case,
            user=invitation.user,
            kind=CaseAssignment.Kind.EXPERT,
            task=invitation.task,
            assigned_by=invitation.invited_by,
        )
        _finish(invitation, actor, S.ACCEPTED, "", "expert.invitation.accept")
        _notify(invitation, _staff_recipients(invitation), "accepted")
    return invitation


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN or len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("请填写理由（%(min)s 至 %(max)s 个字符）。") % {"min": REASON_MIN, "max": REASON_MAX}}
        )
    return reason


def invitation_decline(*, invitation: ExpertInvitation, actor: Any, reason: str) -> ExpertInvitation:
    with transaction.atomic():
        invitation = _lock(invitation)
        check_invitation_transition(invitation, "decline", actor)
        _finish(invitation, actor, S.DECLINED, _clean_reason(reason), "expert.invitation.decline")
        _notify(invitation, _staff_recipients(invitation), "declined")
    return invitation


def invitation_withdraw(*, invitation: ExpertInvitation, actor: Any, reason: str) -> ExpertInvitation:
    with transaction.atomic():
        invitation = _lock(invitation)
        check_invitation_transition(invitation, "withdraw", actor)
        _finish(invitation, actor, S.WITHDRAWN, _clean_reason(reason), "expert.invitation.withdraw")
        _notify(invitation, [invitation.user], "withdrawn")
    return invitation


def _expire_one(invitation_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        invitation = _lock(ExpertInvitation(pk=invitation_id))
        try:
            check_invitation_transition(invitation, "expire", None, now=now)
        except TransitionRefused:
            return False  # answered or withdrawn meanwhile
        _finish(invitation, None, S.EXPIRED, "", "expert.invitation.expire")
        _notify(invitation, [invitation.user, *_staff_recipients(invitation)], "expired")
    return True


def _remind_one(invitation_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        won = ExpertInvitation.objects.filter(pk=invitation_id, state=S.PENDING, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not won:
            return False
        invitation = ExpertInvitation.objects.select_related("case", "expert", "user").get(pk=invitation_id)
        _notify(invitation, [invitation.user], "due_soon")
    return True


def sweep_invitations(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Expire pending invitations past their due time and remind those due within the clock sweep's "due soon"
    window (once each). Run by the clock sweep; idempotent."""
    now = now or timezone.now()
    cal = WorkingCalendar()
    soon_day = cal.add_working_days(now.astimezone(CHINA_TZ).date(), settings.CLOCK_DUE_SOON_WORKING_DAYS)
    soon_limit = dt.datetime.combine(soon_day, END_OF_DAY, tzinfo=CHINA_TZ)
    pending = ExpertInvitation.objects.filter(state=S.PENDING)
    counts = {"invitations_expired": 0, "invitations_reminded": 0}
    for pk in pending.filter(due_at__lte=now).order_by("due_at").values_list("pk", flat=True)[:batch]:
        counts["invitations_expired"] += _expire_one(pk, now)
    due_soon = pending.filter(due_at__gt=now, due_at__lte=soon_limit, reminded_at__isnull=True)
    for pk in due_soon.order_by("due_at").values_list("pk", flat=True)[:batch]:
        counts["invitations_reminded"] += _remind_one(pk, now)
    return counts
