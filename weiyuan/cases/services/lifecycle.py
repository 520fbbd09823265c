"""Acceptance and handling: request information, answer, accept, reject, assign, start, conclude, close,
reopen, withdraw, transfer and receive."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.cases.models import (
    Case,
    Outcome,
    RejectReason,
)
from weiyuan.cases.selectors import case_duplicates
from weiyuan.cases.services.common import (
    _apply,
    _evidence_count,
    _notify_applicant,
    centre_staff,
    clock_working_days,
)
from weiyuan.cases.transitions import check_transition
from weiyuan.clocks.models import ClockState
from weiyuan.clocks.services import clock_finish, clock_pause, clock_resume, clock_start, clocks_for_case
from weiyuan.core.choices import Role
from weiyuan.evidence.services import check_upload_count, evidence_store
from weiyuan.network.models import Centre
from weiyuan.notifications.services import Notice, outbox_enqueue


def _required_text(case: Case, action: str, actor: Any, text: str, *, field: str, missing: str) -> str:
    """The step's text, trimmed: the table is checked first (refuse before looking at the input), then the text is
    required (a ValidationError on `field` with `missing`)."""
    check_transition(case, action, actor)
    if not text.strip():
        raise ValidationError({field: missing})
    return text.strip()


# --- acceptance ---------------------------------------------------------------------------------------------


@transaction.atomic
def case_request_info(*, case: Case, actor: Any, request_text: str) -> Case:
    request_text = _required_text(
        case, "request_info", actor, request_text, field="request_text", missing=_("请写明需要补正的材料和要求。")
    )
    now = timezone.now()
    case = _apply(case, "request_info", actor, note=request_text)
    for clock in clocks_for_case(case, "acceptance", states=(ClockState.RUNNING,)):
        clock_pause(clock=clock, at=now, actor=actor)
    clock_start(case=case, rule_code="info_response", start=now, actor=actor)
    _notify_applicant(
        case,
        "case.info_requested",
        lambda: (_("请补正材料：%(number)s") % {"number": case.tracking_number}, request_text),
        f"case:{case.pk}:info:{now.isoformat()}",
    )
    return case


@transaction.atomic
def case_answer_info(*, case: Case, actor: Any, answer_text: str, files: list[UploadedFile] | None = None) -> Case:
    check_transition(case, "answer_info", actor)  # refuse before looking at the input
    if not answer_text.strip() and not files:
        raise ValidationError({"answer_text": _("请填写补正说明或上传补正材料。")})
    now = timezone.now()
    case = _apply(case, "answer_info", actor, note=answer_text.strip())
    if files:
        check_upload_count(len(files), existing=_evidence_count(case), field="files")
        for upload in files:
            evidence_store(upload=upload, uploaded_by=actor, case=case, field="files")
    for clock in clocks_for_case(case, "info_response", states=(ClockState.RUNNING,)):
        clock_finish(clock=clock, at=now, actor=actor)
    for clock in clocks_for_case(case, "acceptance", states=(ClockState.PAUSED,)):
        clock_resume(clock=clock, at=now, actor=actor)
    return case


@transaction.atomic
def case_accept(*, case: Case, actor: Any, note: str = "") -> Case:
    now = timezone.now()
    # Record the duplicates as they stand when the officer accepts (the live check is on the case page).
    case = _apply(case, "accept", actor, note=note, accepted_at=now, duplicate_of=case_duplicates(case))
    for clock in clocks_for_case(case, "acceptance"):
        clock_finish(clock=clock, at=now, actor=actor)
    if not clocks_for_case(case, "handling"):
        clock_start(
            case=case, rule_code="handling", start=now, amount=clock_working_days(case, "handling"), actor=actor
        )
    _notify_applicant(
        case,
        "case.accepted",
        lambda: (
            _("已受理：%(number)s") % {"number": case.tracking_number},
            _("您的申请「%(title)s」已由%(centre)s受理。") % {"title": case.title, "centre": case.centre.display_name},
        ),
        f"case:{case.pk}:accepted",
    )
    return case


@transaction.atomic
def case_reject(
    *,
    case: Case,
    actor: Any,
    reason: str,
    text: str,
    fix: str,
    suggested_centre: Centre | None = None,
    suggested_channel: str = "",
) -> Case:
    check_transition(case, "reject", actor)  # refuse before looking at the input
    errors = {}
    if reason not in RejectReason.values:
        errors["reason"] = _("请选择不予受理的理由。")
    if not text.strip():
        errors["text"] = _("请说明不予受理的具体情况。")
    if not fix.strip():
        errors["fix"] = _("请告诉申请人如何补救，例如补充哪些材料或向哪个渠道申请。")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    case = _apply(
        case,
        "reject",
        actor,
        note=text.strip(),
        reject_reason=reason,
        reject_text=text.strip(),
        reject_fix=fix.strip(),
        reject_suggested_centre=suggested_centre,
        reject_suggested_channel=suggested_channel.strip(),
    )
    for clock in clocks_for_case(case):
        clock_finish(
            clock=clock,
            at=now,
            state=ClockState.CANCELLED if clock.rule != "acceptance" else ClockState.MET,
            actor=actor,
        )
    _notify_applicant(
        case,
        "case.rejected",
        lambda: (
            _("不予受理：%(number)s") % {"number": case.tracking_number},
            _("理由：%(text)s\n补救方式：%(fix)s") % {"text": text.strip(), "fix": fix.strip()},
        ),
        f"case:{case.pk}:rejected",
    )
    return case


# --- handling -----------------------------------------------------------------------------------------------


def _check_handler(case: Case, handler: Any) -> None:
    from weiyuan.accounts.models import Membership

    if not Membership.objects.filter(
        user=handler, centre_id=case.centre_id, role__in=[Role.HANDLER, Role.DIRECTOR], active=True
    ).exists():
        raise ValidationError({"handler": _("承办人须为本中心的承办人或负责人。")})


@transaction.atomic
def case_assign(*, case: Case, actor: Any, handler: Any) -> Case:
    check_transition(case, "assign", actor)  # refuse before looking at the input
    _check_handler(case, handler)
    case = _apply(case, "assign", actor, note=str(handler), public=True, handler=handler)
    outbox_enqueue(
        recipients=[handler],
        notice=lambda: Notice(
            kind="case.assigned",
            subject=_("分派给您的案件：%(number)s") % {"number": case.tracking_number},
            body=case.title,
            url=f"/cases/{case.tracking_number}/",
        ),
        dedupe_key=f"case:{case.pk}:assigned:{handler.pk}:{timezone.now().isoformat()}",
    )
    return case


@transaction.atomic
def case_start(*, case: Case, actor: Any) -> Case:
    return _apply(case, "start", actor)


@transaction.atomic
def case_conclude(*, case: Case, actor: Any, outcome: str, result_letter: str) -> Case:
    check_transition(case, "conclude", actor)  # refuse before looking at the input
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("请选择办结结果。")
    if len(result_letter.strip()) < 10:
        errors["result_letter"] = _("请填写给申请人的结果告知书（至少 10 个字）。")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    case = _apply(case, "conclude", actor, outcome=outcome, result_letter=result_letter.strip(), concluded_at=now)
    for clock in clocks_for_case(case, "handling"):
        clock_finish(clock=clock, at=now, actor=actor)
    # Feedback (weiyuan/feedback): the satisfaction survey and the return visits, in this transaction.
    from weiyuan.feedback.services import feedback_case_concluded

    feedback_case_concluded(case=case, actor=actor)
    _notify_applicant(
        case,
        "case.concluded",
        lambda: (
            _("已办结：%(number)s") % {"number": case.tracking_number},
            _("您的案件已办结，请在案件页面查看结果告知书。"),
        ),
        f"case:{case.pk}:concluded:{now.isoformat()}",
    )
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any) -> Case:
    return _apply(case, "close", actor, closed_at=timezone.now())


@transaction.atomic
def case_reopen(*, case: Case, actor: Any, reason: str) -> Case:
    reason = _required_text(case, "reopen", actor, reason, field="reason", missing=_("请说明重新办理的原因。"))
    now = timezone.now()
    case = _apply(case, "reopen", actor, note=reason, concluded_at=None, closed_at=None, outcome="")
    clock_start(case=case, rule_code="handling", start=now, amount=clock_working_days(case, "handling"), actor=actor)
    from weiyuan.feedback.services import feedback_case_reopened

    feedback_case_reopened(case=case, actor=actor)
    return case


@transaction.atomic
def case_withdraw(*, case: Case, actor: Any, reason: str = "") -> Case:
    check_transition(case, "withdraw", actor)  # refuse before looking at the input
    now = timezone.now()
    case = _apply(case, "withdraw", actor, note=reason.strip())
    for clock in clocks_for_case(case):
        clock_finish(clock=clock, at=now, state=ClockState.CANCELLED, actor=actor)
    return case


@transaction.atomic
def case_transfer(*, case: Case, actor: Any, target: Centre, reason: str) -> Case:
    """移送: the case moves to another centre with its history and its running clocks."""
    check_transition(case, "transfer", actor)  # refuse before looking at the input
    errors = {}
    if not reason.strip():
        errors["reason"] = _("请说明移送理由。")
    if target.pk == case.centre_id:
        errors["target"] = _("不能移送给本中心。")
    elif not target.takes_cases:
        errors["target"] = _("接收机构尚未完成备案，不能接收移送。")
    if errors:
        raise ValidationError(errors)
    source = case.centre
    case = _apply(
        case,
        "transfer",
        actor,
        note=_("%(source)s 移送至 %(target)s：%(reason)s")
        % {"source": source.name, "target": target.name, "reason": reason.strip()},
        state_before_transfer=case.state,
        transferred_from=source,
        centre=target,
        handler=None,
    )
    outbox_enqueue(
        recipients=centre_staff(target.pk, Role.INTAKE_OFFICER, Role.DIRECTOR),
        notice=lambda: Notice(
            kind="case.transferred_in",
            subject=_("移送来的案件：%(number)s") % {"number": case.tracking_number},
            body=reason.strip(),
            url=f"/cases/{case.tracking_number}/",
        ),
        dedupe_key=f"case:{case.pk}:transfer:{target.pk}:{timezone.now().isoformat()}",
        channels=["in_app"],
    )
    return case


@transaction.atomic
def case_receive_transfer(*, case: Case, actor: Any) -> Case:
    return _apply(case, "receive_transfer", actor, state_before_transfer="")
