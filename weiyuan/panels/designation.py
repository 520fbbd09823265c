"""Marking a case major 重大案件: evaluate the criteria, propose the mark (staff of the case's centre), confirm it
(the director: the case's `is_major` is set) or take it off again with a reason (the director). One transaction
per write, an audit event on the case's chain for each change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.panels import MajorPermission, case_major_decide
from weiyuan.access.policy import Relation, case_relations
from weiyuan.cases.models import OPEN_STATES, Case, CaseRight, CaseState
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.panels.criteria import REASON_MAX, CaseFacts, Evaluation, evaluate, parse_amount
from weiyuan.panels.models import CLOSED_STATES, DesignationState, MajorCriterion, MajorDesignation, Panel

M = MajorPermission
D = DesignationState
REASON_MIN = 2
# A case may be marked while it is with the centre (and again after it was reopened).
MARKABLE_STATES = (*OPEN_STATES, CaseState.CONCLUDED)


def _refuse(decision: Any) -> None:
    if not decision:
        raise TransitionRefused(decision.reason, status=403)


def _clean_text(value: str, field: str, *, required: bool = True, message: str = "") -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的控制字符（NUL），请删除后重新输入。")})
    if required and len(value) < REASON_MIN:
        raise ValidationError({field: message or _("请填写理由。")})
    if len(value) > REASON_MAX:
        raise ValidationError({field: _("最多 %(n)s 个字。") % {"n": REASON_MAX}})
    return value


def case_facts(
    *,
    case: Case,
    amount: Any = "",
    party_abroad: bool = False,
    abroad_note: str = "",
    industry_impact: bool = False,
    industry_impact_reason: str = "",
) -> CaseFacts:
    """The facts to evaluate: the number of rights from the case, the rest as entered (errors name the field)."""
    errors: dict[str, str] = {}
    value, error = parse_amount(amount)
    if error:
        errors["amount"] = error
    try:
        abroad_note = _clean_text(abroad_note, "abroad_note", required=False)
        industry_impact_reason = _clean_text(industry_impact_reason, "industry_impact_reason", required=False)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if industry_impact and not industry_impact_reason.strip():
        errors["industry_impact_reason"] = _("认定对产业有重大影响时，请写明理由（涉及哪个产业、影响如何）。")
    if errors:
        raise ValidationError(errors)
    return CaseFacts(
        rights_count=CaseRight.objects.filter(case=case).count(),
        amount_yuan=value,
        party_abroad=bool(party_abroad),
        abroad_note=abroad_note,
        industry_impact=bool(industry_impact),
        industry_impact_reason=industry_impact_reason,
    )


def active_criteria() -> list[MajorCriterion]:
    return list(MajorCriterion.objects.filter(active=True).order_by("position", "code"))


def major_evaluate(*, facts: CaseFacts) -> Evaluation:
    return evaluate(facts, active_criteria())


def open_designation(case: Case) -> MajorDesignation | None:
    return (
        MajorDesignation.objects.filter(case=case, state__in=[D.PROPOSED, D.CONFIRMED])
        .select_related("proposed_by", "confirmed_by")
        .first()
    )


def _snapshot(d: MajorDesignation) -> dict[str, Any]:
    return {"state": d.state, "matched": [m["code"] for m in d.matched], "reason": d.reason}


def _set_major(case: Case, actor: Any, value: bool, designation: MajorDesignation) -> None:
    if case.is_major == value:
        return
    Case.objects_unscoped.filter(pk=case.pk).update(is_major=value, updated_at=timezone.now())
    case_audit_record(
        case=case,
        actor=actor,
        action="case.major_flag",
        before={"is_major": case.is_major},
        after={"is_major": value, "designation_id": designation.pk},
    )
    case.is_major = value


def major_mark(*, case: Case, actor: Any, facts: CaseFacts, reason: str) -> MajorDesignation:
    """Propose the case as major on the criteria it matches; marked by its director, it is confirmed at once."""
    _refuse(case_major_decide(actor, M.MARK, case))
    reason = _clean_text(reason, "reason", message=_("请写明认定为重大案件的理由。"))
    if case.state not in MARKABLE_STATES:
        raise TransitionRefused(
            _("案件当前状态为「%(state)s」，不能认定为重大案件。") % {"state": case.get_state_display()}
        )
    evaluation = major_evaluate(facts=facts)
    if not evaluation.is_major:
        raise TransitionRefused(_("本案不符合任何一项重大案件标准，不能标记为重大案件。"))
    matched = [{"code": r.code, "name": r.name, "explanation": r.explanation} for r in evaluation.matched]
    by_director = Relation.DIRECTOR in case_relations(actor, case)
    now = timezone.now()
    try:
        with transaction.atomic():
            designation = MajorDesignation.objects.create(
                case=case,
                state=D.CONFIRMED if by_director else D.PROPOSED,
                inputs=facts.as_json(),
                matched=matched,
                reason=reason,
                proposed_by=actor,
                confirmed_by=actor if by_director else None,
                confirmed_at=now if by_director else None,
            )
            case_audit_record(
                case=case,
                actor=actor,
                action="major.mark",
                obj=designation,
                after={**_snapshot(designation), "inputs": designation.inputs},
            )
            if by_director:
                _set_major(case, actor, True, designation)
    except IntegrityError:
        raise TransitionRefused(_("本案已有待确认或已确认的重大案件标记。")) from None
    return designation


def major_confirm(*, designation: MajorDesignation, actor: Any) -> MajorDesignation:
    case = designation.case
    _refuse(case_major_decide(actor, M.CONFIRM, case))
    with transaction.atomic():
        designation = MajorDesignation.objects.select_for_update().get(pk=designation.pk)
        if designation.state != D.PROPOSED:
            raise TransitionRefused(_("只有待确认的重大案件标记可以确认。"))
        before = _snapshot(designation)
        designation.state = D.CONFIRMED
        designation.confirmed_by = actor
        designation.confirmed_at = timezone.now()
        designation.save(update_fields=["state", "confirmed_by", "confirmed_at"])
        case_audit_record(
            case=case, actor=actor, action="major.confirm", obj=designation, before=before, after=_snapshot(designation)
        )
        _set_major(case, actor, True, designation)
    return designation


def major_unmark(*, case: Case, actor: Any, reason: str) -> MajorDesignation:
    """Take the mark off (a proposed or confirmed designation, or a case marked major at intake), with a reason.
    Refused while a panel of the case is at work or has signed its solution."""
    _refuse(case_major_decide(actor, M.UNMARK, case))
    reason = _clean_text(reason, "reason", message=_("请写明取消重大案件标记的理由。"))
    with transaction.atomic():
        if Panel.objects.filter(case=case).exclude(state__in=CLOSED_STATES).exists():
            raise TransitionRefused(_("本案的专家组仍在工作或已签发方案：请先解散专家组，再取消重大案件标记。"))
        designation = (
            MajorDesignation.objects.select_for_update().filter(case=case, state__in=[D.PROPOSED, D.CONFIRMED]).first()
        )
        if designation is None and not case.is_major:
            raise TransitionRefused(_("本案没有重大案件标记。"))
        now = timezone.now()
        if designation is None:  # marked at intake: the unmarking is recorded as a designation of its own
            designation = MajorDesignation(case=case, inputs={}, matched=[], reason="", proposed_by=actor)
            before: dict[str, Any] = {"state": "", "is_major": True}
        else:
            before = _snapshot(designation)
        designation.state = D.UNMARKED
        designation.unmarked_by = actor
        designation.unmarked_at = now
        designation.unmark_reason = reason
        designation.save()
        case_audit_record(
            case=case,
            actor=actor,
            action="major.unmark",
            obj=designation,
            before=before,
            after={**_snapshot(designation), "unmark_reason": reason},
        )
        _set_major(case, actor, False, designation)
    return designation
