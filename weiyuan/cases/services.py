"""Case writes. Each public function is one transaction, checks the transition table and the access module,
records the public timeline step and an audit event, moves the clocks, and queues notices through the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.policy import Permission, decide, is_staff_member
from weiyuan.audit.services import audit_record
from weiyuan.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseMessage,
    CaseRight,
    CaseShare,
    CentreServiceClock,
    Outcome,
    RejectReason,
    ServiceType,
)
from weiyuan.cases.transitions import TransitionRefused, check_transition
from weiyuan.clocks.models import ClockState
from weiyuan.clocks.services import clock_finish, clock_pause, clock_resume, clock_start, clocks_for_case
from weiyuan.core.choices import ApplicantKind, Channel, IPType, PriorityGroup, Role
from weiyuan.core.validators import validate_credit_code, validate_id_number, validate_phone
from weiyuan.evidence.services import check_upload_count, evidence_store
from weiyuan.network.models import Centre, Region
from weiyuan.notifications.services import Notice, outbox_enqueue

TRACKING_NUMBER_RE = re.compile(r"^WY-(\d{4})-(\d{5})-(\d{6})$")
AUDITED_FIELDS = ("state", "centre_id", "handler_id", "outcome", "reject_reason", "is_major")


def tracking_number_format(*, year: int, centre_id: int, seq: int) -> str:
    """Readable and unique across the network: year, issuing centre, that centre's running number."""
    return f"WY-{year:04d}-{centre_id:05d}-{seq:06d}"


def validate_tracking_number(value: str) -> str:
    v = value.strip().upper()
    if not TRACKING_NUMBER_RE.match(v):
        raise ValidationError(
            {"tracking_number": _("案件编号格式应为 WY-年份-5位机构号-6位序号，例如 WY-2026-00012-000345。")}
        )
    return v


def _snapshot(case: Case) -> dict[str, Any]:
    return {f: getattr(case, f) for f in AUDITED_FIELDS}


def _event(case: Case, action: str, actor: Any, from_state: str, note: str = "", public: bool = True) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        centre_id=case.centre_id,
        public=public,
        note=note,
    )


def _notify_applicant(case: Case, kind: str, subject: str, body: str, dedupe: str) -> None:
    if case.applicant_user_id:
        outbox_enqueue(
            recipients=[case.applicant_user],
            notice=Notice(kind=kind, subject=subject, body=body, url=f"/cases/{case.tracking_number}/"),
            dedupe_key=dedupe,
        )


def _centre_staff(centre_id: int, *roles: str) -> list[Any]:
    from weiyuan.accounts.models import User

    return list(
        User.objects.filter(
            memberships__centre_id=centre_id, memberships__role__in=roles, memberships__active=True, is_active=True
        ).distinct()
    )


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock so two officers cannot both accept it."""
    locked = Case.objects_unscoped.select_for_update().select_related("centre").get(pk=case.pk)
    # Keep memoised access relations of the caller's object valid for the locked copy.
    return locked


def _apply(case: Case, action: str, actor: Any, note: str = "", public: bool = True, **changes: Any) -> Case:
    """Check the table, change state and fields, record the timeline step and the audit event."""
    case = _lock(case)
    transition = check_transition(case, action, actor)
    before = _snapshot(case)
    from_state = case.state
    target = transition.target_for(case)  # decided on the state before this step's changes
    for name, value in changes.items():
        setattr(case, name, value)
    case.state = target
    _validate_fields(case)
    case.save()
    _event(case, action, actor, from_state, note=note, public=public)
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        centre_id=case.centre_id,
        case_id=case.pk,
        before=before,
        after={**_snapshot(case), "note": note} if note else _snapshot(case),
    )
    return case


def _validate_fields(case: Case) -> None:
    """Field checks (lengths, choices); relations are checked by the service that sets them."""
    relation_fields = [f.name for f in Case._meta.fields if f.is_relation]
    case.clean_fields(exclude=[*relation_fields, "applicant_id_number", "applicant_phone"])


def _evidence_count(case: Case) -> int:
    # The reverse manager `case.evidence_files` is scoped (it refuses to run unscoped); services count directly.
    from weiyuan.evidence.models import EvidenceFile

    return EvidenceFile.objects_unscoped.filter(case=case).count()


def _clock_amount(case: Case, rule: str) -> int:
    override = CentreServiceClock.objects.filter(centre_id=case.centre_id, service_type_id=case.service_type_id).first()
    if rule == "acceptance":
        return (override and override.acceptance_working_days) or case.service_type.acceptance_working_days
    return (override and override.handling_working_days) or case.service_type.handling_working_days


# --- intake ------------------------------------------------------------------------------------------------


@dataclass
class RightInput:
    ip_type: str
    number: str
    title: str = ""
    owner: str = ""
    legal_status: str = ""
    certificate: UploadedFile | None = None


@dataclass
class CaseInput:
    centre_code: str
    service_type_code: str
    ip_type: str
    title: str
    facts: str
    request: str
    applicant_name: str
    applicant_kind: str
    applicant_region_code: str
    channel: str = Channel.ONLINE
    applicant_credit_code: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    priority_group: str = ""
    respondent_name: str = ""
    respondent_credit_code: str = ""
    respondent_address: str = ""
    is_major: bool = False
    rights: list[RightInput] = field(default_factory=list)
    evidence: list[UploadedFile] = field(default_factory=list)


def _validate_input(data: CaseInput, actor: Any) -> tuple[Centre, ServiceType, Region]:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    centre = Centre.objects.filter(code=data.centre_code).first()
    if centre is None:
        err("centre", _("找不到该维权援助机构，请从列表中选择。"))
    service_type = ServiceType.objects.filter(code=data.service_type_code, active=True).first()
    if service_type is None:
        err("service_type", _("请选择有效的服务类型。"))
    region = Region.objects.filter(code=data.applicant_region_code.strip()).first()
    if region is None:
        err(
            "applicant_region",
            _("行政区划代码「%(code)s」不存在，请填写 6 位代码，例如 310115。") % {"code": data.applicant_region_code},
        )
    if data.ip_type not in IPType.values:
        err("ip_type", _("请选择知识产权类型。"))
    if data.channel not in Channel.values:
        err("channel", _("请选择受理渠道。"))
    if data.applicant_kind not in ApplicantKind.values:
        err("applicant_kind", _("请选择申请人类型。"))
    if data.priority_group and data.priority_group not in PriorityGroup.values:
        err("priority_group", _("请选择有效的重点服务对象类别。"))
    for name, value, limit in (
        ("title", data.title, 160),
        ("applicant_name", data.applicant_name, 160),
        ("respondent_name", data.respondent_name, 160),
        ("respondent_address", data.respondent_address, 240),
        ("facts", data.facts, 20000),
        ("request", data.request, 5000),
    ):
        if len(value) > limit:
            err(name, _("内容过长：最多 %(limit)s 个字，当前 %(n)s 个字，请精简。") % {"limit": limit, "n": len(value)})
    for name, value in (
        ("title", data.title),
        ("facts", data.facts),
        ("request", data.request),
        ("applicant_name", data.applicant_name),
    ):
        if not value.strip():
            err(name, _("此项必填。"))
    for name, value, validator in (
        ("applicant_id_number", data.applicant_id_number, validate_id_number),
        ("applicant_credit_code", data.applicant_credit_code, validate_credit_code),
        ("respondent_credit_code", data.respondent_credit_code, validate_credit_code),
        ("applicant_phone", data.applicant_phone, validate_phone),
    ):
        if value:
            try:
                validator(value)
            except ValidationError as exc:
                for m in exc.messages:
                    err(name, m)
    if data.channel != Channel.ONLINE and not is_staff_member(actor) and not _is_partner(actor):
        err("channel", _("只有机构工作人员可以代为登记热线、来访等渠道的申请。"))
    for i, right in enumerate(data.rights):
        if right.ip_type not in IPType.values:
            err(f"rights-{i}-ip_type", _("请选择权利类型。"))
        if not right.number.strip():
            err(f"rights-{i}-number", _("请填写专利号或商标注册号。"))
        elif len(right.number) > 40:
            err(f"rights-{i}-number", _("权利号最多 40 个字符。"))
    if service_type and service_type.needs_right and not data.rights:
        err("rights", _("该服务类型须至少填写一项权利（专利号、商标注册号等）。"))
    if service_type and service_type.needs_respondent and not data.respondent_name.strip():
        err("respondent_name", _("该服务类型须写明被请求人（侵权方）名称。"))
    try:
        check_upload_count(len(data.evidence) + sum(1 for r in data.rights if r.certificate), field="evidence")
    except ValidationError as exc:
        for m in exc.messages:
            err("evidence", m)
    if errors:
        raise ValidationError(errors)
    assert centre and service_type and region
    return centre, service_type, region


def _is_partner(user: Any) -> bool:
    from weiyuan.access.policy import has_role

    return has_role(user, Role.PARTNER)


def _next_tracking_number(centre: Centre) -> str:
    locked = Centre.objects.select_for_update().get(pk=centre.pk)
    seq = locked.next_case_seq
    Centre.objects.filter(pk=centre.pk).update(next_case_seq=seq + 1)
    return tracking_number_format(year=timezone.localdate().year, centre_id=centre.pk, seq=seq)


@transaction.atomic
def case_create(*, actor: Any, data: CaseInput, submit: bool = True) -> Case:
    """Record an application (by the applicant, or by staff for a caller or visitor) and optionally submit it."""
    centre, service_type, region = _validate_input(data, actor)
    staff_intake = is_staff_member(actor) and data.channel != Channel.ONLINE
    case = Case(
        tracking_number=_next_tracking_number(centre),
        centre=centre,
        service_type=service_type,
        ip_type=data.ip_type,
        channel=data.channel,
        is_major=data.is_major,
        applicant_user=None if staff_intake or _is_partner(actor) else actor,
        created_by=actor,
        applicant_name=data.applicant_name.strip(),
        applicant_kind=data.applicant_kind,
        applicant_credit_code=data.applicant_credit_code.strip().upper(),
        applicant_id_number=data.applicant_id_number.strip().upper(),
        applicant_phone=data.applicant_phone.strip(),
        applicant_email=data.applicant_email.strip(),
        applicant_region=region,
        priority_group=data.priority_group,
        respondent_name=data.respondent_name.strip(),
        respondent_credit_code=data.respondent_credit_code.strip().upper(),
        respondent_address=data.respondent_address.strip(),
        title=data.title.strip(),
        facts=data.facts.strip(),
        request=data.request.strip(),
    )
    _validate_fields(case)
    case.save()
    for i, right in enumerate(data.rights):
        certificate = None
        if right.certificate is not None:
            certificate = evidence_store(
                upload=right.certificate,
                uploaded_by=actor,
                case=case,
                kind="certificate",
                field=f"rights-{i}-certificate",
            )
        CaseRight.objects.create(
            case=case,
            ip_type=right.ip_type,
            number=right.number.strip().upper(),
            title=right.title.strip(),
            owner=right.owner.strip(),
            legal_status=right.legal_status.strip(),
            certificate=certificate,
        )
    for upload in data.evidence:
        evidence_store(upload=upload, uploaded_by=actor, case=case, field="evidence")
    _event(case, "create", actor, "", public=True)
    audit_record(
        actor=actor,
        action="case.create",
        obj=case,
        centre_id=case.centre_id,
        case_id=case.pk,
        after={**_snapshot(case), "tracking_number": case.tracking_number, "channel": case.channel},
    )
    if submit:
        case = case_submit(case=case, actor=actor)
    return case


@transaction.atomic
def case_submit(*, case: Case, actor: Any) -> Case:
    now = timezone.now()
    case = _apply(case, "submit", actor, submitted_at=now)
    case.duplicate_of = _find_duplicates(case)
    case.save(update_fields=["duplicate_of"])
    clock_start(case=case, rule_code="acceptance", start=now, amount=_clock_amount(case, "acceptance"), actor=actor)
    outbox_enqueue(
        recipients=_centre_staff(case.centre_id, Role.INTAKE_OFFICER, Role.DIRECTOR),
        notice=Notice(
            kind="case.submitted",
            subject=_("新申请待受理：%(number)s") % {"number": case.tracking_number},
            body=_("%(applicant)s 提交了「%(title)s」。") % {"applicant": case.applicant_name, "title": case.title},
            url=f"/cases/{case.tracking_number}/",
        ),
        dedupe_key=f"case:{case.pk}:submitted:{now.isoformat()}",
        channels=["in_app"],
    )
    return case


def _find_duplicates(case: Case) -> list[dict[str, str]]:
    """Open cases anywhere in the network with the same applicant, right number and respondent."""
    from weiyuan.cases.models import OPEN_STATES

    numbers = list(case.rights.values_list("number", flat=True))
    if not numbers or not case.respondent_name:
        return []
    same_applicant = (
        {"applicant_credit_code": case.applicant_credit_code}
        if case.applicant_credit_code
        else {"applicant_name": case.applicant_name}
    )
    matches = (
        Case.objects_unscoped.filter(
            state__in=OPEN_STATES,
            respondent_name=case.respondent_name,
            rights__number__in=numbers,
            **same_applicant,
        )
        .exclude(pk=case.pk)
        .select_related("centre")
        .distinct()[:10]
    )
    return [{"tracking_number": m.tracking_number, "centre": m.centre.name, "state": m.state} for m in matches]


# --- acceptance ---------------------------------------------------------------------------------------------


@transaction.atomic
def case_request_info(*, case: Case, actor: Any, request_text: str) -> Case:
    check_transition(case, "request_info", actor)  # refuse before looking at the input
    if not request_text.strip():
        raise ValidationError({"request_text": _("请写明需要补正的材料和要求。")})
    now = timezone.now()
    case = _apply(case, "request_info", actor, note=request_text.strip())
    for clock in clocks_for_case(case, "acceptance", states=(ClockState.RUNNING,)):
        clock_pause(clock=clock, at=now, actor=actor)
    clock_start(case=case, rule_code="info_response", start=now, actor=actor)
    _notify_applicant(
        case,
        "case.info_requested",
        _("请补正材料：%(number)s") % {"number": case.tracking_number},
        request_text.strip(),
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
    case = _apply(case, "accept", actor, note=note, accepted_at=now)
    for clock in clocks_for_case(case, "acceptance"):
        clock_finish(clock=clock, at=now, actor=actor)
    if not clocks_for_case(case, "handling"):
        clock_start(case=case, rule_code="handling", start=now, amount=_clock_amount(case, "handling"), actor=actor)
    _notify_applicant(
        case,
        "case.accepted",
        _("已受理：%(number)s") % {"number": case.tracking_number},
        _("您的申请「%(title)s」已由%(centre)s受理。") % {"title": case.title, "centre": case.centre.name},
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
        _("不予受理：%(number)s") % {"number": case.tracking_number},
        _("理由：%(text)s\n补救方式：%(fix)s") % {"text": text.strip(), "fix": fix.strip()},
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
        notice=Notice(
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
    _notify_applicant(
        case,
        "case.concluded",
        _("已办结：%(number)s") % {"number": case.tracking_number},
        _("您的案件已办结，请在案件页面查看结果告知书。"),
        f"case:{case.pk}:concluded:{now.isoformat()}",
    )
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any) -> Case:
    return _apply(case, "close", actor, closed_at=timezone.now())


@transaction.atomic
def case_reopen(*, case: Case, actor: Any, reason: str) -> Case:
    check_transition(case, "reopen", actor)  # refuse before looking at the input
    if not reason.strip():
        raise ValidationError({"reason": _("请说明重新办理的原因。")})
    now = timezone.now()
    case = _apply(case, "reopen", actor, note=reason.strip(), concluded_at=None, closed_at=None, outcome="")
    clock_start(case=case, rule_code="handling", start=now, amount=_clock_amount(case, "handling"), actor=actor)
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
        recipients=_centre_staff(target.pk, Role.INTAKE_OFFICER, Role.DIRECTOR),
        notice=Notice(
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


# --- co-handling, tasks, messages ---------------------------------------------------------------------------


@transaction.atomic
def case_share_grant(*, case: Case, actor: Any, centre: Centre, reason: str) -> CaseShare:
    decision = decide(actor, Permission.CASE_SHARE, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明协同办理的理由。")})
    if centre.pk == case.centre_id:
        raise ValidationError({"centre": _("不能与本中心协同。")})
    if CaseShare.objects.filter(case=case, centre=centre, revoked_at__isnull=True).exists():
        raise ValidationError({"centre": _("已与该机构协同办理。")})
    share = CaseShare.objects.create(case=case, centre=centre, reason=reason.strip(), granted_by=actor)
    _event(case, "share_grant", actor, case.state, note=centre.name, public=False)
    audit_record(
        actor=actor,
        action="case.share_grant",
        obj=share,
        centre_id=case.centre_id,
        case_id=case.pk,
        after={"centre": centre.pk, "reason": share.reason},
    )
    case.__dict__.pop("_relations_cache", None)
    return share


@transaction.atomic
def case_share_revoke(*, case: Case, actor: Any, share: CaseShare) -> CaseShare:
    decision = decide(actor, Permission.CASE_SHARE, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    share = CaseShare.objects.select_for_update().get(pk=share.pk, case=case)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by = actor
        share.save(update_fields=["revoked_at", "revoked_by"])
        _event(case, "share_revoke", actor, case.state, note=share.centre.name, public=False)
        audit_record(
            actor=actor,
            action="case.share_revoke",
            obj=share,
            centre_id=case.centre_id,
            case_id=case.pk,
            after={"centre": share.centre_id},
        )
    case.__dict__.pop("_relations_cache", None)
    return share


@transaction.atomic
def case_task_assign(*, case: Case, actor: Any, user: Any, kind: str, task: str) -> CaseAssignment:
    from weiyuan.access.policy import has_role

    decision = decide(actor, Permission.CASE_ASSIGN_TASK, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if kind not in CaseAssignment.Kind.values or not has_role(user, kind):
        raise ValidationError({"user": _("所选人员不是专家库或志愿者名单中的人员。")})
    if not task.strip():
        raise ValidationError({"task": _("请写明任务内容。")})
    assignment = CaseAssignment.objects.create(case=case, user=user, kind=kind, task=task.strip(), assigned_by=actor)
    audit_record(
        actor=actor,
        action="case.task_assign",
        obj=assignment,
        centre_id=case.centre_id,
        case_id=case.pk,
        after={"user": user.pk, "kind": kind},
    )
    case.__dict__.pop("_relations_cache", None)
    return assignment


@transaction.atomic
def case_message_post(
    *, case: Case, actor: Any, body: str, internal: bool = False, files: list[UploadedFile] | None = None
) -> CaseMessage:
    permission = Permission.CASE_MESSAGE_INTERNAL if internal else Permission.CASE_MESSAGE
    decision = decide(actor, permission, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
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
    audit_record(
        actor=actor,
        action="case.message",
        obj=message,
        centre_id=case.centre_id,
        case_id=case.pk,
        after={"internal": internal, "attachments": len(files)},
    )
    if not internal:
        if actor.pk == case.applicant_user_id:
            recipients = [case.handler] if case.handler_id else _centre_staff(case.centre_id, Role.INTAKE_OFFICER)
        else:
            recipients = [case.applicant_user] if case.applicant_user_id else []
        outbox_enqueue(
            recipients=recipients,
            notice=Notice(
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
    """Show the unmasked ID and phone numbers to a role that needs them; the read itself is audited."""
    decision = decide(actor, Permission.CASE_VIEW_PERSONAL_DATA, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    audit_record(
        actor=actor,
        action="case.personal_data_read",
        obj=case,
        centre_id=case.centre_id,
        case_id=case.pk,
        after={"fields": ["applicant_id_number", "applicant_phone"]},
    )
    return {"applicant_id_number": case.applicant_id_number, "applicant_phone": case.applicant_phone}


# Dispatch used by the generic transition endpoints (web and API) for actions that need no extra input.
SIMPLE_ACTIONS = {
    "submit": case_submit,
    "accept": case_accept,
    "start": case_start,
    "close": case_close,
    "receive_transfer": case_receive_transfer,
}
