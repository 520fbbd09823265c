"""Co-handling grants, expert and volunteer tasks, messages, and the audited reveal of personal data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.policy import Permission, decide
from weiyuan.cases.models import (
    Case,
    CaseAssignment,
    CaseMessage,
    CaseShare,
    CaseState,
)
from weiyuan.cases.services.common import (
    _evidence_count,
    case_audit_record,
    case_event_record,
    centre_staff,
)
from weiyuan.cases.services.intake import NUL, case_submit, nul_message
from weiyuan.cases.services.lifecycle import case_accept, case_close, case_receive_transfer, case_start
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.evidence.services import check_upload_count, evidence_store
from weiyuan.network.models import Centre
from weiyuan.notifications.services import Notice, outbox_enqueue

# --- co-handling, tasks, messages ---------------------------------------------------------------------------


# States in which a case takes no messages and no files: a draft is not yet with the centre, and these are final.
# A concluded case still does (the applicant may have questions about the result).
CORRESPONDENCE_FINAL_STATES = (CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.CLOSED)


def correspondence_refusal(case: Case) -> str:
    """Why the case takes no messages or uploads in its current state ("" if it does)."""
    if case.state == CaseState.DRAFT:
        return _("申请还是草稿，尚未提交给援助机构，不能留言或上传材料。请先提交申请。")
    if case.state in CORRESPONDENCE_FINAL_STATES:
        return _("案件状态为「%(state)s」，办理已经终结，不能再留言或上传材料。如有新的请求，请重新提交申请。") % {
            "state": case.get_state_display()
        }
    return ""


def require_open_for_correspondence(case: Case) -> None:
    """Refuse (409 with the reason) a message or an upload on a draft or a case in a final state."""
    reason = correspondence_refusal(case)
    if reason:
        raise TransitionRefused(reason, status=409)


def _refuse_nul(**texts: str) -> None:
    errors = {name: [nul_message()] for name, value in texts.items() if NUL in value}
    if errors:
        raise ValidationError(errors)


def _require(actor: Any, permission: Permission, case: Case) -> None:
    """Refuse (403 with the access module's reason) unless the actor holds the permission on the case."""
    decision = decide(actor, permission, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)


@transaction.atomic
def case_share_grant(*, case: Case, actor: Any, centre: Centre, reason: str) -> CaseShare:
    _require(actor, Permission.CASE_SHARE, case)
    _refuse_nul(reason=reason)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明协同办理的理由。")})
    if centre.pk == case.centre_id:
        raise ValidationError({"centre": _("不能与本中心协同。")})
    if CaseShare.objects.filter(case=case, centre=centre, revoked_at__isnull=True).exists():
        raise ValidationError({"centre": _("已与该机构协同办理。")})
    share = CaseShare.objects.create(case=case, centre=centre, reason=reason.strip(), granted_by=actor)
    case_event_record(case, "share_grant", actor, case.state, note=centre.name, public=False)
    case_audit_record(
        case=case,
        actor=actor,
        action="case.share_grant",
        obj=share,
        after={"centre": centre.pk, "reason": share.reason},
    )
    case.__dict__.pop("_relations_cache", None)
    return share


@transaction.atomic
def case_share_revoke(*, case: Case, actor: Any, share: CaseShare) -> CaseShare:
    _require(actor, Permission.CASE_SHARE, case)
    share = CaseShare.objects.select_for_update().get(pk=share.pk, case=case)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by = actor
        share.save(update_fields=["revoked_at", "revoked_by"])
        case_event_record(case, "share_revoke", actor, case.state, note=share.centre.name, public=False)
        case_audit_record(
            case=case,
            actor=actor,
            action="case.share_revoke",
            obj=share,
            after={"centre": share.centre_id},
        )
    case.__dict__.pop("_relations_cache", None)
    return share


@transaction.atomic
def case_task_assign(*, case: Case, actor: Any, user: Any, kind: str, task: str) -> CaseAssignment:
    from weiyuan.access.policy import has_role

    _require(actor, Permission.CASE_ASSIGN_TASK, case)
    if kind not in CaseAssignment.Kind.values or not has_role(user, kind):
        raise ValidationError({"user": _("所选人员不是专家库或志愿者名单中的人员。")})
    _refuse_nul(task=task)
    if not task.strip():
        raise ValidationError({"task": _("请写明任务内容。")})
    assignment = CaseAssignment.objects.create(case=case, user=user, kind=kind, task=task.strip(), assigned_by=actor)
    case_audit_record(
        case=case,
        actor=actor,
        action="case.task_assign",
        obj=assignment,
        after={"user": user.pk, "kind": kind},
    )
    case.__dict__.pop("_relations_cache", None)
    return assignment


@transaction.atomic
def case_message_post(
    *, case: Case, actor: Any, body: str, internal: bool = False, files: list[UploadedFile] | None = None
) -> CaseMessage:
    permission = Permission.CASE_MESSAGE_INTERNAL if internal else Permission.CASE_MESSAGE
    _require(actor, permission, case)
    require_open_for_correspondence(case)
    _refuse_nul(body=body)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("请填写留言内容。")})
    if len(body) > 5000:
        raise ValidationError({"body": _("留言最多 5000 字，当前 %(n)s 字。") % {"n": len(body)}})
    files = files or []
    check_upload_count(len(files), existing=_evidence_count(case), field="files")
    message = CaseMessage.objects.create(case=case, author=actor, body=body, internal=internal)
    for upload in files:
        evidence_store(upload=upload, uploaded_by=actor, case=case, message=message, kind="attachment", field="files")
    case_audit_record(
        case=case,
        actor=actor,
        action="case.message",
        obj=message,
        after={"internal": internal, "attachments": len(files)},
    )
    if not internal:
        if actor.pk == case.applicant_user_id:
            recipients = [case.handler] if case.handler_id else centre_staff(case.centre_id, Role.INTAKE_OFFICER)
        else:
            recipients = [case.applicant_user] if case.applicant_user_id else []
        outbox_enqueue(
            recipients=recipients,
            notice=lambda: Notice(
                kind="case.message",
                subject=_("案件 %(number)s 有新留言") % {"number": case.tracking_number},
                body=body[:500],
                url=f"/cases/{case.tracking_number}/#messages",
            ),
            dedupe_key=f"message:{message.pk}",
        )
    return message


@transaction.atomic
def case_personal_data_reveal(*, case: Case, actor: Any) -> dict[str, str]:
    """Show the unmasked ID number, phone and e-mail to a role that needs them; the read itself is audited."""
    _require(actor, Permission.CASE_VIEW_PERSONAL_DATA, case)
    case_audit_record(
        case=case,
        actor=actor,
        action="case.personal_data_read",
        after={"fields": ["applicant_id_number", "applicant_phone", "applicant_email"]},
    )
    return {
        "applicant_id_number": case.applicant_id_number or "",
        "applicant_phone": case.applicant_phone or "",
        "applicant_email": case.applicant_email or "",
    }


# Dispatch used by the generic transition endpoints (web and API) for actions that need no extra input.
SIMPLE_ACTIONS = {
    "submit": case_submit,
    "accept": case_accept,
    "start": case_start,
    "close": case_close,
    "receive_transfer": case_receive_transfer,
}
