"""Asking: a consultation is recorded through the case intake (`cases.services.case_create`, service type
"consultation"), so it gets its tracking number, evidence handling, acceptance clock, timeline and notices from the
case spine; the consultation's own fields (topic, the question as round 1) go beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from weiyuan.access.consultations import ConsultationPermission, ask_refusal, consultation_decide
from weiyuan.access.policy import is_staff_member
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.services import CaseInput, case_create
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.consultations.models import (
    QUESTION_MAX_LENGTH,
    QUESTION_MIN_LENGTH,
    Consultation,
    Question,
    Topic,
)
from weiyuan.core.choices import ApplicantKind, Channel

SERVICE_TYPE = "consultation"
TITLE_LENGTH = 40


@dataclass
class AskInput:
    centre_code: str
    ip_type: str
    topic: str
    question: str
    applicant_region_code: str = ""
    # Staff recording a caller's or visitor's question fill these in; an applicant's come from the account.
    channel: str = Channel.ONLINE
    applicant_name: str = ""
    applicant_kind: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    attachments: list[UploadedFile] = field(default_factory=list)


# The intake service names fields after the case; the consultation forms and the API use these names.
CASE_FIELD_NAMES = {
    "facts": "question",
    "title": "question",
    "request": "topic",
    "evidence": "attachments",
    "centre": "centre_code",
    "applicant_region": "applicant_region_code",
}


def validate_question(text: str, *, field_name: str = "question") -> str:
    """The question (or follow-up) as it will be stored, or a ValidationError naming the field and the fix."""
    if "\x00" in text:
        raise ValidationError({field_name: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError({field_name: _("请填写您的问题。")})
    if len(cleaned) < QUESTION_MIN_LENGTH:
        raise ValidationError(
            {
                field_name: _("问题太短：请至少写 %(n)s 个字，说明您遇到的情况和想了解什么。")
                % {"n": QUESTION_MIN_LENGTH}
            }
        )
    if len(cleaned) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            {
                field_name: _("问题过长：最多 %(limit)s 个字，当前 %(n)s 个字。请只写要点，材料可作为附件上传。")
                % {"limit": QUESTION_MAX_LENGTH, "n": len(cleaned)}
            }
        )
    return cleaned


def question_title(question: str) -> str:
    """The case's title: the start of the question's first line. (No "咨询：" prefix: a title is data, stored once in
    the asker's words, and every page already shows the service type beside it in the reader's language.)"""
    first_line = question.strip().splitlines()[0].strip()
    if len(first_line) > TITLE_LENGTH:
        first_line = first_line[:TITLE_LENGTH] + "…"
    return first_line


def _case_input(actor: Any, data: AskInput, question: str) -> CaseInput:
    topic_label = Topic(data.topic).label
    common: dict[str, Any] = {
        "centre_code": data.centre_code,
        "service_type_code": SERVICE_TYPE,
        "ip_type": data.ip_type,
        "title": question_title(question),
        "facts": question,
        "request": _("请就上述问题提供咨询指导（咨询主题：%(topic)s）。") % {"topic": topic_label},
        "evidence": list(data.attachments),
    }
    if is_staff_member(actor):
        return CaseInput(
            **common,
            channel=data.channel,
            applicant_name=data.applicant_name,
            applicant_kind=data.applicant_kind,
            applicant_region_code=data.applicant_region_code,
            applicant_phone=data.applicant_phone,
            applicant_email=data.applicant_email,
        )
    # Online, for oneself: who asks is who the account says (the intake service takes contacts from it too).
    region = data.applicant_region_code or (getattr(actor, "region_id", None) or "")
    return CaseInput(
        **common,
        channel=Channel.ONLINE,
        applicant_name=actor.organisation_name or actor.display_name,
        applicant_kind=actor.applicant_kind or ApplicantKind.PERSON,
        applicant_region_code=str(region),
    )


def _validate(actor: Any, data: AskInput) -> str:
    errors: dict[str, list[str]] = {}
    question = ""
    try:
        question = validate_question(data.question)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if data.topic not in Topic.values:
        errors["topic"] = [_("请选择咨询主题。")]
    if is_staff_member(actor):
        if data.channel not in Channel.values or data.channel == Channel.ONLINE:
            errors["channel"] = [_("请选择咨询的渠道（12330 热线、现场来访等）。")]
    if errors:
        raise ValidationError(errors)
    return question


@transaction.atomic
def consultation_ask(*, actor: Any, data: AskInput) -> Consultation:
    """Record and submit a consultation: a case of service type consultation, its topic and its question."""
    refusal = ask_refusal(actor)
    if refusal:
        raise TransitionRefused(refusal, status=403)
    question = _validate(actor, data)
    try:
        case = case_create(actor=actor, data=_case_input(actor, data, question), submit=True)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            renamed.setdefault(CASE_FIELD_NAMES.get(name, name), []).extend(messages)
        raise ValidationError(renamed) from exc
    consultation = Consultation.objects.create(case=case, topic=data.topic)
    Question.objects.create(consultation=consultation, round=1, text=question, asked_by=actor)
    case_audit_record(
        case=case,
        actor=actor,
        action="consultation.ask",
        obj=consultation,
        after={"topic": data.topic, "ip_type": case.ip_type, "channel": case.channel, "length": len(question)},
    )
    return consultation


@transaction.atomic
def consultation_adopt(*, case: Case, actor: Any, topic: str) -> Consultation:
    """Take a case of service type consultation that was recorded without the consultation form (the generic
    intake, a referral through the case API, older data) into the consultation flow: its facts become the question."""
    case = Case.objects_unscoped.select_for_update().select_related("service_type", "centre").get(pk=case.pk)
    decision = consultation_decide(actor, ConsultationPermission.ADOPT, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if case.service_type.code != SERVICE_TYPE:
        raise TransitionRefused(_("该案件的服务类型不是咨询指导，不能按咨询办理。"))
    if Consultation.objects.filter(case=case).exists():
        raise TransitionRefused(_("该案件已按咨询办理。"))
    if case.state == CaseState.DRAFT:
        raise TransitionRefused(_("申请还是草稿，提交后才能按咨询办理。"))
    if topic not in Topic.values:
        raise ValidationError({"topic": _("请选择咨询主题。")})
    consultation = Consultation.objects.create(case=case, topic=topic)
    Question.objects.create(consultation=consultation, round=1, text=case.facts, asked_by=case.created_by)
    case_audit_record(
        case=case,
        actor=actor,
        action="consultation.adopt",
        obj=consultation,
        after={"topic": topic},
    )
    return consultation
