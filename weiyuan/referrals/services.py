"""Writes on referrals: send (to one or more organisations at once), and the partner's acknowledge, accept, decline,
progress report and outcome; the centre's withdrawal; recording a case a partner referred in. One transaction per
write, an audit event on the case's chain for each change, a step on the case's timeline where the applicant
should see it (the referral, the partner's decision, the real outcome), notices through the outbox and webhooks to
the partner written in the same transaction. The states and who may move them: `flow.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.referrals import ReferralPermission, acting_organisation_id, case_referral_decide
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.services.common import case_audit_record, case_event_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import RULES, compute_due
from weiyuan.evidence.models import EvidenceFile, EvidenceKind
from weiyuan.evidence.services import evidence_store
from weiyuan.partners.models import Organisation
from weiyuan.referrals import notices
from weiyuan.referrals.flow import check_referral_transition
from weiyuan.referrals.models import (
    CONCLUDING_OUTCOMES,
    DOCUMENT_REQUIRED,
    OPEN_STATES,
    EscalationStage,
    InboundReferral,
    OutcomeKind,
    Referral,
    ReferralDocument,
    ReferralState,
    ReferralUpdate,
)

ACK_RULE = "referral_acknowledgement"
PROGRESS_RULE = "referral_progress"
# Cases that may be referred: accepted and not yet concluded (the referral is part of handling the case).
REFERRABLE_CASE_STATES = (CaseState.ACCEPTED, CaseState.ASSIGNED, CaseState.IN_HANDLING, CaseState.REOPENED)
MAX_ORGANISATIONS = 10
MAX_DOCUMENTS = 50
COVER_LETTER_MAX = 10000
TEXT_MIN = 2
TEXT_MAX = 5000
S = ReferralState


def _due(rule: str, start: dt.datetime) -> tuple[dt.datetime, bool]:
    result = compute_due(RULES[rule], start)
    return result.due_at, result.calendar_fallback


def _snapshot(referral: Referral) -> dict[str, Any]:
    return {
        "organisation_id": referral.organisation_id,
        "state": referral.state,
        "ack_due_at": referral.ack_due_at,
        "progress_due_at": referral.progress_due_at,
        "outcome_kind": referral.outcome_kind,
        "outcome_document_id": referral.outcome_document_id,
        "escalation_stage": referral.escalation_stage,
    }


def _clean_text(value: str, field: str, *, minimum: int = TEXT_MIN, maximum: int = TEXT_MAX) -> str:
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


# --- sending ------------------------------------------------------------------------------------------------


def _check_documents(case: Case, documents: Iterable[EvidenceFile]) -> list[EvidenceFile]:
    docs = list({d.pk: d for d in documents}.values())
    if len(docs) > MAX_DOCUMENTS:
        raise ValidationError({"documents": _("最多选择 %(limit)s 个文件。") % {"limit": MAX_DOCUMENTS}})
    foreign = [d for d in docs if d.case_id != case.pk]
    if foreign:
        raise ValidationError(
            {"documents": _("所选文件不属于本案：%(names)s。") % {"names": "、".join(d.original_name for d in foreign)}}
        )
    internal = [d for d in docs if d.message_id and d.message and d.message.internal]
    if internal:
        raise ValidationError({"documents": _("内部备注的附件不能移交给合作单位。")})
    return docs


def referral_send(
    *,
    case: Case,
    actor: Any,
    organisations: Iterable[Organisation],
    cover_letter: str,
    documents: Iterable[EvidenceFile] = (),
    now: dt.datetime | None = None,
) -> list[Referral]:
    """Refer the case to each organisation (one referral each) with the cover letter and the chosen documents of
    the case; each partner must acknowledge within the `referral_acknowledgement` rule's working days."""
    decision = case_referral_decide(actor, ReferralPermission.CREATE, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    orgs = list({o.pk: o for o in organisations}.values())
    errors: dict[str, str] = {}
    if not orgs:
        errors["organisations"] = _("请至少选择一个合作单位。")
    elif len(orgs) > MAX_ORGANISATIONS:
        errors["organisations"] = _("一次最多移交 %(limit)s 个合作单位。") % {"limit": MAX_ORGANISATIONS}
    elif any(not o.active for o in orgs):
        errors["organisations"] = _("合作单位已停用：%(names)s。") % {
            "names": "、".join(o.display_name for o in orgs if not o.active)
        }
    try:
        cover_letter = _clean_text(cover_letter, "cover_letter", minimum=10, maximum=COVER_LETTER_MAX)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        docs = _check_documents(case, documents)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if case.state not in REFERRABLE_CASE_STATES:
        raise TransitionRefused(
            _("案件当前状态为「%(state)s」：只能移交已受理、尚未办结的案件。") % {"state": case.get_state_display()}
        )
    already = list(
        Referral.objects.filter(case=case, organisation__in=orgs, state__in=OPEN_STATES).select_related("organisation")
    )
    if already:
        raise TransitionRefused(
            _("本案已移交以下合作单位且尚未办结：%(names)s。")
            % {"names": "、".join(r.organisation.display_name for r in already)}
        )
    now = now or timezone.now()
    ack_due, fallback = _due(ACK_RULE, now)
    sent: list[Referral] = []
    try:
        with transaction.atomic():
            for org in orgs:
                referral = Referral.objects.create(
                    case=case,
                    organisation=org,
                    sent_by=actor,
                    cover_letter=cover_letter,
                    sent_at=now,
                    ack_due_at=ack_due,
                    calendar_fallback=fallback,
                    next_chase_at=ack_due,
                )
                ReferralDocument.objects.bulk_create([ReferralDocument(referral=referral, evidence=d) for d in docs])
                case_event_record(
                    case,
                    "referral_sent",
                    actor,
                    case.state,
                    note=_("移交%(org)s") % {"org": org.display_name},
                )
                case_audit_record(
                    case=case,
                    actor=actor,
                    action="referral.send",
                    obj=referral,
                    after={**_snapshot(referral), "documents": [d.pk for d in docs], "cover_letter": cover_letter},
                )
                notices.notify(referral, notices.partner_accounts(org.pk), "created")
                notices.webhook(referral, "referral.created")
                sent.append(referral)
    except IntegrityError:
        raise TransitionRefused(_("本案已移交该合作单位且尚未办结，不能重复移交。")) from None
    return sent


# --- the partner's steps and the centre's withdrawal --------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "case__centre", "case__handler", "organisation", "sent_by")
        .get(pk=referral.pk)
    )


def _restart_progress(referral: Referral, now: dt.datetime) -> None:
    """Every acknowledgement, decision and report restarts the "no news" clock and the chasing."""
    due, fallback = _due(PROGRESS_RULE, now)
    referral.progress_due_at = due
    referral.next_chase_at = due
    referral.escalation_stage = EscalationStage.NONE
    referral.calendar_fallback = referral.calendar_fallback or fallback


def _stop_clocks(referral: Referral) -> None:
    referral.next_chase_at = None


def _save(referral: Referral, actor: Any, audit: str, before: dict[str, Any], **extra: Any) -> None:
    referral.save()
    case_audit_record(
        case=referral.case,
        actor=actor,
        action=audit,
        obj=referral,
        before=before,
        after={**_snapshot(referral), **extra},
    )


def _event(referral: Referral, action: str, actor: Any, note: str, *, public: bool = True) -> None:
    case = referral.case
    case_event_record(case, action, actor, case.state, note=note, public=public)


def _store(upload: UploadedFile | None, referral: Referral, actor: Any, field: str, description: str) -> Any:
    if upload is None:
        return None
    return evidence_store(
        upload=upload,
        uploaded_by=actor,
        case=referral.case,
        kind=EvidenceKind.ATTACHMENT,
        description=description,
        field=field,
    )


def referral_acknowledge(*, referral: Referral, actor: Any, now: dt.datetime | None = None) -> Referral:
    now = now or timezone.now()
    with transaction.atomic():
        referral = _lock(referral)
        check_referral_transition(referral, "acknowledge", actor, now=now)
        before = _snapshot(referral)
        referral.state = S.ACKNOWLEDGED
        referral.acknowledged_at = now
        referral.acknowledged_by = actor
        _restart_progress(referral, now)
        _save(referral, actor, "referral.acknowledge", before, late=now > referral.ack_due_at)
        ReferralUpdate.objects.create(referral=referral, kind=ReferralUpdate.Kind.ACKNOWLEDGED, author=actor)
        _event(
            referral, "referral_acknowledged", actor, _("%(org)s已签收") % {"org": referral.organisation.display_name}
        )
        notices.notify(referral, notices.staff_recipients(referral), "acknowledged")
    return referral


def referral_accept(*, referral: Referral, actor: Any, note: str = "", now: dt.datetime | None = None) -> Referral:
    """The partner takes the matter on (accepting also acknowledges a referral not yet signed for)."""
    now = now or timezone.now()
    note = (note or "").strip()[:TEXT_MAX]
    with transaction.atomic():
        referral = _lock(referral)
        check_referral_transition(referral, "accept", actor, now=now)
        before = _snapshot(referral)
        if referral.acknowledged_at is None:
            referral.acknowledged_at = now
            referral.acknowledged_by = actor
        referral.state = S.ACCEPTED
        referral.decided_at = now
        referral.decided_by = actor
        referral.outcome_kind = OutcomeKind.ACCEPTED
        _restart_progress(referral, now)
        _save(referral, actor, "referral.accept", before)
        ReferralUpdate.objects.create(referral=referral, kind=ReferralUpdate.Kind.ACCEPTED, text=note, author=actor)
        _event(referral, "referral_accepted", actor, _("%(org)s已受理") % {"org": referral.organisation.display_name})
        notices.notify(referral, notices.staff_recipients(referral), "accepted")
    return referral


def referral_decline(*, referral: Referral, actor: Any, reason: str, now: dt.datetime | None = None) -> Referral:
    now = now or timezone.now()
    with transaction.atomic():
        referral = _lock(referral)
        check_referral_transition(referral, "decline", actor, now=now)
        reason = _clean_text(reason, "reason")
        before = _snapshot(referral)
        if referral.acknowledged_at is None:
            referral.acknowledged_at = now
            referral.acknowledged_by = actor
        referral.state = S.DECLINED
        referral.decided_at = now
        referral.decided_by = actor
        referral.outcome_kind = OutcomeKind.DECLINED
        referral.decline_reason = reason
        _stop_clocks(referral)
        _save(referral, actor, "referral.decline", before, reason=reason)
        ReferralUpdate.objects.create(referral=referral, kind=ReferralUpdate.Kind.DECLINED, text=reason, author=actor)
        _event(
            referral,
            "referral_declined",
            actor,
            _("%(org)s不予受理。理由：%(reason)s") % {"org": referral.organisation.display_name, "reason": reason},
        )
        notices.notify(referral, notices.staff_recipients(referral), "declined")
    return referral


def referral_report(
    *, referral: Referral, actor: Any, text: str, document: UploadedFile | None = None, now: dt.datetime | None = None
) -> ReferralUpdate:
    """A progress report by the partner (optionally with a document); restarts the "no news" clock."""
    now = now or timezone.now()
    with transaction.atomic():
        referral = _lock(referral)
        check_referral_transition(referral, "report", actor, now=now)
        text = _clean_text(text, "text")
        before = _snapshot(referral)
        stored = _store(document, referral, actor, "document", _("移交进展材料"))
        _restart_progress(referral, now)
        update = ReferralUpdate.objects.create(
            referral=referral, kind=ReferralUpdate.Kind.PROGRESS, text=text, document=stored, author=actor
        )
        _save(referral, actor, "referral.report", before, update_id=update.pk, document_id=getattr(stored, "pk", None))
        _event(
            referral,
            "referral_progress",
            actor,
            _("%(org)s报告进展：%(text)s") % {"org": referral.organisation.display_name, "text": text},
            public=False,
        )
        notices.notify(referral, notices.staff_recipients(referral), "progress", key=str(update.pk))
    return update


def referral_conclude(
    *,
    referral: Referral,
    actor: Any,
    outcome_kind: str,
    summary: str,
    outcome_date: dt.date | None = None,
    document: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """The real outcome, reported by the partner: a mediation agreement, a penalty decision and a judgment or ruling
    must come with their document."""
    now = now or timezone.now()
    with transaction.atomic():
        referral = _lock(referral)
        check_referral_transition(referral, "conclude", actor, now=now)
        errors: dict[str, str] = {}
        if outcome_kind not in CONCLUDING_OUTCOMES:
            errors["outcome_kind"] = _("请选择办理结果：调解协议、行政处罚决定、判决或裁定、撤回或其他。")
        elif outcome_kind in DOCUMENT_REQUIRED and document is None:
            errors["document"] = _("「%(kind)s」须上传结果文书（协议、决定书或判决书、裁定书）。") % {
                "kind": OutcomeKind(outcome_kind).label
            }
        try:
            summary = _clean_text(summary, "summary")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        today = timezone.localdate(now)
        if outcome_date is not None and outcome_date > today:
            errors["outcome_date"] = _("结果日期不能晚于今天。")
        if outcome_date is not None and outcome_date < timezone.localdate(referral.sent_at):
            errors["outcome_date"] = _("结果日期不能早于移交日期。")
        if errors:
            raise ValidationError(errors)
        before = _snapshot(referral)
        stored = _store(document, referral, actor, "document", _("移交办理结果文书"))
        referral.state = S.CONCLUDED
        referral.outcome_kind = outcome_kind
        referral.outcome_summary = summary
        referral.outcome_date = outcome_date or today
        referral.outcome_document = stored
        referral.concluded_at = now
        referral.concluded_by = actor
        _stop_clocks(referral)
        _save(referral, actor, "referral.conclude", before, summary=summary, outcome_date=referral.outcome_date)
        ReferralUpdate.objects.create(
            referral=referral, kind=ReferralUpdate.Kind.OUTCOME, text=summary, document=stored, author=actor
        )
        _event(
            referral,
            "referral_concluded",
            actor,
            _("%(org)s办理结果：%(kind)s（%(date)s）。%(summary)s")
            % {
                "org": referral.organisation.display_name,
                "kind": referral.get_outcome_kind_display(),
                "date": referral.outcome_date.isoformat(),
                "summary": summary,
            },
        )
        notices.notify(referral, notices.staff_recipients(referral), "concluded")
    return referral


def referral_withdraw(*, referral: Referral, actor: Any, reason: str, now: dt.datetime | None = None) -> Referral:
    """The centre takes the referral back before it is concluded (the partner is told, by notice and webhook)."""
    now = now or timezone.now()
    with transaction.atomic():
        referral = _lock(referral)
        check_referral_transition(referral, "withdraw", actor, now=now)
        reason = _clean_text(reason, "reason")
        before = _snapshot(referral)
        referral.state = S.WITHDRAWN
        referral.outcome_kind = OutcomeKind.WITHDRAWN
        referral.withdrawn_reason = reason
        referral.withdrawn_at = now
        referral.withdrawn_by = actor
        _stop_clocks(referral)
        _save(referral, actor, "referral.withdraw", before, reason=reason)
        ReferralUpdate.objects.create(referral=referral, kind=ReferralUpdate.Kind.WITHDRAWN, text=reason, author=actor)
        _event(
            referral,
            "referral_withdrawn",
            actor,
            _("撤回对%(org)s的移交。理由：%(reason)s") % {"org": referral.organisation.display_name, "reason": reason},
        )
        notices.notify(referral, notices.partner_accounts(referral.organisation_id), "withdrawn")
        notices.webhook(referral, "referral.withdrawn")
    return referral


# --- referred in --------------------------------------------------------------------------------------------


def inbound_referral_record(*, case: Case, actor: Any) -> InboundReferral:
    """Record which organisation referred the case in (the actor's), in the caller's transaction (the intake's)."""
    org_id = acting_organisation_id(actor)
    if org_id is None:
        raise TransitionRefused(_("只有代表合作单位的账户可以移交案件。"), status=403)
    inbound = InboundReferral.objects.create(case=case, organisation_id=org_id, referred_by=actor)
    case_audit_record(case=case, actor=actor, action="referral.inbound", obj=inbound, after={"organisation_id": org_id})
    return inbound
