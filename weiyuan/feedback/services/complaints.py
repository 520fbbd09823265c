"""Opinions and complaints about a centre's service 服务意见 / 投诉: filed by the applicant of a case at that centre,
sent to the centre's parent level (the centre itself at the top of the tree), replied to by the handling centre's
director by a stored due date (`complaint_reply` working days on the official calendar), then closed; or withdrawn
before the reply. The table of steps is `weiyuan/feedback/flow.py`; the overdue reminder is swept
(`weiyuan/feedback/sweep.py`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.feedback import FeedbackPermission, case_feedback_decide
from weiyuan.access.policy import can_see_case
from weiyuan.audit.services import audit_record
from weiyuan.cases.models import Case
from weiyuan.cases.services.common import centre_staff
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import RULES, compute_due
from weiyuan.core.choices import Role
from weiyuan.feedback.flow import check_complaint_transition
from weiyuan.feedback.models import ComplaintKind, ComplaintState, ServiceComplaint
from weiyuan.notifications.services import Notice, outbox_enqueue

SUBJECT_MAX = 120
BODY_MIN = 10
TEXT_MAX = 5000
S = ComplaintState


def _text(value: str, field: str, *, minimum: int = 0, maximum: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    if len(value) < minimum:
        raise ValidationError({field: _("请填写此项（至少 %(min)s 个字）。") % {"min": minimum}})
    if len(value) > maximum:
        raise ValidationError(
            {field: _("内容过长：最多 %(limit)s 个字，当前 %(n)s 个字。") % {"limit": maximum, "n": len(value)}}
        )
    return value


def _snapshot(c: ServiceComplaint) -> dict[str, Any]:
    return {"state": c.state, "kind": c.kind, "reply_due_at": c.reply_due_at, "replied_at": c.replied_at}


def _audit(c: ServiceComplaint, actor: Any, action: str, before: dict[str, Any] | None, note: str = "") -> None:
    after = {**_snapshot(c), "note": note} if note else _snapshot(c)
    audit_record(
        actor=actor,
        action=action,
        obj=c,
        centre_id=c.handling_centre_id,
        case_id=c.case_id,
        before=before,
        after=after,
    )


def complaint_url(c: ServiceComplaint) -> str:
    return f"/feedback/complaints/{c.pk}/"


def complaint_notify(c: ServiceComplaint, recipients: list[Any], event: str) -> None:
    def notice() -> Notice:
        subjects = {
            "filed": _("收到对%(centre)s的服务意见或投诉") % {"centre": c.centre.display_name},
            "replied": _("您的意见或投诉已答复：%(subject)s") % {"subject": c.subject},
            "closed": _("意见或投诉已办结：%(subject)s") % {"subject": c.subject},
            "withdrawn": _("意见或投诉已撤回：%(subject)s") % {"subject": c.subject},
            "overdue": _("服务投诉答复已逾期：%(subject)s") % {"subject": c.subject},
        }
        due = timezone.localtime(c.reply_due_at).strftime("%Y-%m-%d %H:%M")
        body = _("「%(subject)s」（关于%(centre)s），答复期限 %(due)s。") % {
            "subject": c.subject,
            "centre": c.centre.display_name,
            "due": due,
        }
        return Notice(kind=f"complaint.{event}", subject=subjects[event], body=body, url=complaint_url(c))

    outbox_enqueue(
        recipients=recipients, notice=notice, dedupe_key=f"complaint:{c.pk}:{event}:{c.reply_due_at.isoformat()}"
    )


def handling_directors(c: ServiceComplaint) -> list[Any]:
    return centre_staff(c.handling_centre_id, Role.DIRECTOR)


@transaction.atomic
def complaint_file(*, case: Case, actor: Any, kind: str, subject: str, body: str) -> ServiceComplaint:
    """File an opinion or complaint about the case's centre; it goes to the parent level with a reply due date."""
    decision = case_feedback_decide(actor, FeedbackPermission.COMPLAINT_FILE, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403 if can_see_case(actor, case) else 404)
    errors: dict[str, str] = {}
    if kind not in ComplaintKind.values:
        errors["kind"] = _("请选择是意见建议还是投诉。")
    try:
        subject = _text(subject, "subject", minimum=2, maximum=SUBJECT_MAX)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        body = _text(body, "body", minimum=BODY_MIN)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    centre = case.centre
    now = timezone.now()
    due = compute_due(RULES["complaint_reply"], now, amount=settings.FEEDBACK_COMPLAINT_REPLY_WORKING_DAYS)
    complaint = ServiceComplaint.objects.create(
        centre=centre,
        handling_centre_id=centre.parent_id or centre.pk,
        case=case,
        filed_by=actor,
        kind=kind,
        subject=subject,
        body=body,
        filed_at=now,
        reply_due_at=due.due_at,
        calendar_fallback=due.calendar_fallback,
    )
    _audit(complaint, actor, "complaint.file", None)
    complaint_notify(complaint, handling_directors(complaint), "filed")
    return complaint


def _step(complaint: ServiceComplaint, action: str, actor: Any) -> ServiceComplaint:
    """Lock the row and check the table (refuse before looking at the input)."""
    locked = (
        ServiceComplaint.objects.select_for_update().select_related("centre", "handling_centre").get(pk=complaint.pk)
    )
    check_complaint_transition(locked, action, actor)
    return locked


@transaction.atomic
def complaint_reply(*, complaint: ServiceComplaint, actor: Any, reply: str) -> ServiceComplaint:
    complaint = _step(complaint, "reply", actor)
    text = _text(reply, "reply", minimum=BODY_MIN)
    before = _snapshot(complaint)
    complaint.state, complaint.reply = S.REPLIED, text
    complaint.replied_at, complaint.replied_by = timezone.now(), actor
    complaint.save()
    _audit(complaint, actor, "complaint.reply", before)
    complaint_notify(complaint, [complaint.filed_by], "replied")
    return complaint


@transaction.atomic
def complaint_close(*, complaint: ServiceComplaint, actor: Any, note: str = "") -> ServiceComplaint:
    complaint = _step(complaint, "close", actor)
    text = _text(note, "note")
    before = _snapshot(complaint)
    complaint.state, complaint.close_note = S.CLOSED, text
    complaint.closed_at, complaint.closed_by = timezone.now(), actor
    complaint.save()
    _audit(complaint, actor, "complaint.close", before, note=text)
    others = [complaint.filed_by] if actor.pk != complaint.filed_by_id else handling_directors(complaint)
    complaint_notify(complaint, others, "closed")
    return complaint


@transaction.atomic
def complaint_withdraw(*, complaint: ServiceComplaint, actor: Any, reason: str = "") -> ServiceComplaint:
    complaint = _step(complaint, "withdraw", actor)
    text = _text(reason, "reason")
    before = _snapshot(complaint)
    complaint.state, complaint.withdraw_reason, complaint.withdrawn_at = S.WITHDRAWN, text, timezone.now()
    complaint.save()
    _audit(complaint, actor, "complaint.withdraw", before, note=text)
    complaint_notify(complaint, handling_directors(complaint), "withdrawn")
    return complaint


COMPLAINT_ACTIONS = {
    "reply": lambda c, u, text: complaint_reply(complaint=c, actor=u, reply=text),
    "close": lambda c, u, text: complaint_close(complaint=c, actor=u, note=text),
    "withdraw": lambda c, u, text: complaint_withdraw(complaint=c, actor=u, reason=text),
}
