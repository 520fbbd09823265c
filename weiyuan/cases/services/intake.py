"""Intake: recording an application (by the applicant or by staff for a caller), submitting it, duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role, is_staff_member
from weiyuan.accounts.models import lookup_digest
from weiyuan.cases.models import (
    Case,
    CaseRight,
    ServiceType,
)
from weiyuan.cases.selectors import case_duplicates
from weiyuan.cases.services.common import (
    _apply,
    _snapshot,
    _validate_fields,
    case_audit_record,
    case_event_record,
    centre_staff,
    clock_working_days,
    tracking_number_format,
)
from weiyuan.clocks.services import clock_start
from weiyuan.core.choices import ApplicantKind, Channel, Industry, IPType, PriorityGroup, Role
from weiyuan.core.validators import validate_credit_code, validate_id_number, validate_phone
from weiyuan.evidence.services import check_upload_count, evidence_store
from weiyuan.network.models import Centre, FilingStatus, Region
from weiyuan.notifications.services import Notice, outbox_enqueue

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
    industry: str = ""
    respondent_name: str = ""
    respondent_credit_code: str = ""
    respondent_address: str = ""
    is_major: bool = False
    rights: list[RightInput] = field(default_factory=list)
    evidence: list[UploadedFile] = field(default_factory=list)


# At most this many rights per application (the intake form shows as many rows).
MAX_RIGHTS = 5
# Longest texts of a right, as stored (cases.models.CaseRight).
RIGHT_TEXT_LIMITS = (("title", 160), ("owner", 160), ("legal_status", 80))
# The service's name of a CaseInput field in errors, where it differs (the form's field names).
_ERROR_NAMES = {
    "centre_code": "centre",
    "service_type_code": "service_type",
    "applicant_region_code": "applicant_region",
}
NUL = "\x00"


def nul_message() -> str:
    """The answer for a text holding a NUL character (PostgreSQL cannot store one; browsers never send one)."""
    return _("含有不可见的空字符（NUL），请删除后重新输入。")


def _nul_fields(data: CaseInput) -> set[str]:
    """The (error) names of the fields of the input whose text holds a NUL character."""
    names = {
        _ERROR_NAMES.get(f.name, f.name)
        for f in fields(data)
        if isinstance(getattr(data, f.name), str) and NUL in getattr(data, f.name)
    }
    for i, right in enumerate(data.rights):
        names |= {
            f"rights-{i}-{f.name}"
            for f in fields(right)
            if isinstance(getattr(right, f.name), str) and NUL in getattr(right, f.name)
        }
    return names


def applies_for_self(data: CaseInput, actor: Any) -> bool:
    """An online application by the person (or organisation) of the account itself, not recorded for someone else."""
    return data.channel == Channel.ONLINE and not is_staff_member(actor) and not _is_partner(actor)


def _with_account_identity(data: CaseInput, actor: Any) -> CaseInput:
    """Who applies online for themselves is who the account says: the identity and contact fields of the input are
    ignored and taken from the account (they cannot be made up to match someone else's case)."""
    if not applies_for_self(data, actor):
        return data
    return replace(
        data,
        applicant_id_number=getattr(actor, "id_number", "") or "",
        applicant_phone=getattr(actor, "phone", "") or "",
        applicant_email=getattr(actor, "email", "") or "",
    )


def _validate_input(data: CaseInput, actor: Any) -> tuple[Centre, ServiceType, Region]:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    # A NUL first: PostgreSQL refuses one even in a lookup, so such a field is neither looked up nor checked further.
    nul = _nul_fields(data)
    for name in sorted(nul):
        err(name, nul_message())
    staff_centres = centre_ids_with_role(actor, *STAFF_ROLES)
    centre = None
    if "centre" not in nul:
        # Only approved centres take cases; an unknown code and a centre that is not (or no longer) filed get the same
        # answer, so the directory's non-public centres cannot be probed through intake.
        centre = Centre.objects.filter(code=data.centre_code, filing_status=FilingStatus.APPROVED).first()
        if centre is None:
            err("centre", _("找不到该维权援助机构，请从列表中选择。"))
        elif staff_centres and centre.pk not in staff_centres:
            err(
                "centre",
                _("工作人员只能为本中心登记申请。%(centre)s的申请请由申请人自行提交，或由该中心登记。")
                % {"centre": centre.display_name},
            )
    service_type = None
    if "service_type" not in nul:
        service_type = ServiceType.objects.filter(code=data.service_type_code, active=True).first()
        if service_type is None:
            err("service_type", _("请选择有效的服务类型。"))
    region = None
    if "applicant_region" not in nul:
        region = Region.objects.filter(code=data.applicant_region_code.strip()).first()
        if region is None:
            err(
                "applicant_region",
                _("行政区划代码「%(code)s」不存在，请填写 6 位代码，例如 310115。")
                % {"code": data.applicant_region_code},
            )
    if data.ip_type not in IPType.values and "ip_type" not in nul:
        err("ip_type", _("请选择知识产权类型。"))
    if data.channel not in Channel.values and "channel" not in nul:
        err("channel", _("请选择受理渠道。"))
    if data.applicant_kind not in ApplicantKind.values and "applicant_kind" not in nul:
        err("applicant_kind", _("请选择申请人类型。"))
    if data.priority_group and data.priority_group not in PriorityGroup.values and "priority_group" not in nul:
        err("priority_group", _("请选择有效的重点服务对象类别。"))
    if data.industry and data.industry not in Industry.values and "industry" not in nul:
        err("industry", _("请选择有效的行业门类（国民经济行业分类 A–T）。"))
    for name, value, limit in (
        ("title", data.title, 160),
        ("applicant_name", data.applicant_name, 160),
        ("respondent_name", data.respondent_name, 160),
        ("respondent_address", data.respondent_address, 240),
        ("facts", data.facts, 20000),
        ("request", data.request, 5000),
    ):
        if len(value) > limit:
            err(name, _too_long(limit, len(value)))
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
        if value and name not in nul:
            try:
                validator(value)
            except ValidationError as exc:
                for m in exc.messages:
                    err(name, m)
    if data.channel != Channel.ONLINE and not staff_centres and not _is_partner(actor):
        err("channel", _("只有机构工作人员可以代为登记热线、来访等渠道的申请。"))
    if data.is_major and not staff_centres:
        err("is_major", _("只有援助机构的工作人员可以将案件标记为重大案件；如案情重大，请在事实与理由中说明。"))
    if len(data.rights) > MAX_RIGHTS:
        err(
            "rights",
            _("最多填写 %(limit)s 项权利，当前 %(n)s 项；其余权利请在事实与理由中列明。")
            % {"limit": MAX_RIGHTS, "n": len(data.rights)},
        )
    for i, right in enumerate(data.rights[:MAX_RIGHTS]):
        if right.ip_type not in IPType.values and f"rights-{i}-ip_type" not in nul:
            err(f"rights-{i}-ip_type", _("请选择权利类型。"))
        if not right.number.strip():
            err(f"rights-{i}-number", _("请填写专利号或商标注册号。"))
        elif len(right.number) > 40:
            err(f"rights-{i}-number", _("权利号最多 40 个字符。"))
        for name, limit in RIGHT_TEXT_LIMITS:
            value = getattr(right, name)
            if len(value) > limit:
                err(f"rights-{i}-{name}", _too_long(limit, len(value)))
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


def _too_long(limit: int, n: int) -> str:
    return _("内容过长：最多 %(limit)s 个字，当前 %(n)s 个字，请精简。") % {"limit": limit, "n": n}


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
    data = _with_account_identity(data, actor)
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
        applicant_id_digest=lookup_digest(data.applicant_id_number.upper()) if data.applicant_id_number.strip() else "",
        applicant_phone=data.applicant_phone.strip(),
        applicant_email=data.applicant_email.strip(),
        applicant_region=region,
        priority_group=data.priority_group,
        industry=data.industry,
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
    case_event_record(case, "create", actor, "", public=True)
    case_audit_record(
        case=case,
        actor=actor,
        action="case.create",
        after={**_snapshot(case), "tracking_number": case.tracking_number, "channel": case.channel},
    )
    if submit:
        case = case_submit(case=case, actor=actor)
    return case


@transaction.atomic
def case_submit(*, case: Case, actor: Any) -> Case:
    now = timezone.now()
    case = _apply(case, "submit", actor, submitted_at=now)
    case.duplicate_of = case_duplicates(case)
    case.save(update_fields=["duplicate_of"])
    clock_start(
        case=case, rule_code="acceptance", start=now, amount=clock_working_days(case, "acceptance"), actor=actor
    )
    outbox_enqueue(
        recipients=centre_staff(case.centre_id, Role.INTAKE_OFFICER, Role.DIRECTOR),
        notice=lambda: Notice(
            kind="case.submitted",
            subject=_("新申请待受理：%(number)s") % {"number": case.tracking_number},
            body=_("%(applicant)s 提交了「%(title)s」。") % {"applicant": case.applicant_name, "title": case.title},
            url=f"/cases/{case.tracking_number}/",
        ),
        dedupe_key=f"case:{case.pk}:submitted:{now.isoformat()}",
        channels=["in_app"],
    )
    return case
