"""Every write of evaluation 绩效评价: schemes and their indicators (the organiser's directors), the self-assessment
(the centre's director: self scores, explanations, evidence files, submit), the scoring (the parent level's director:
scores and comments, return with a reason, finalise). One transaction each, an audit event per change
(`evaluation.*`), notices through the outbox.

Formula indicators are computed from `weiyuan.kpis.selectors.kpi_values` for the scheme's calendar year, when the
centre submits (so its director sees them) and again when the assessment is finalised; the KPI values used are kept
on the item (`kpi_snapshot`) with the score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from weiyuan.access.evaluation import (
    EvaluationPermission,
    evaluation_decide,
    may_create_scheme,
    scheme_decide_manage,
)
from weiyuan.audit.services import audit_record
from weiyuan.cases.services.common import centre_staff
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.evaluation.flow import (
    SELF_EDITABLE,
    check_assessment_transition,
    check_scheme_transition,
    not_own_centre,
)
from weiyuan.evaluation.formulas import evaluate_formula, validate_formula
from weiyuan.evaluation.models import (
    Assessment,
    AssessmentFile,
    AssessmentItem,
    AssessmentState,
    EvaluationScheme,
    Indicator,
    IndicatorKind,
    SchemeState,
)
from weiyuan.evidence.services import evidence_store
from weiyuan.network.models import Centre, CentreKind, FilingStatus
from weiyuan.notifications.services import Notice, outbox_enqueue

P = EvaluationPermission
S = AssessmentState
TEXT_MAX = 4000
MAX_FILES_PER_ITEM = 10
YEAR_MIN, YEAR_MAX = 2000, 2100
ZERO = Decimal("0.00")


def kpi_values(*, centre: Centre, start: dt.date, end: dt.date) -> dict[str, float | None]:
    """The centre's KPIs (its whole subtree) for the period: the one door to weiyuan.kpis (tests replace it)."""
    from weiyuan.kpis.selectors import kpi_values as read  # imported here: kpis is a sibling app, read-only

    return read(centre=centre, start=start, end=end)


def scheme_period(scheme: EvaluationScheme) -> tuple[dt.date, dt.date]:
    return dt.date(scheme.year, 1, 1), dt.date(scheme.year, 12, 31)


def _audit(actor: Any, action: str, obj: Any, centre_id: int | None, **changes: Any) -> None:
    audit_record(actor=actor, action=action, obj=obj, centre_id=centre_id, **changes)


def _text(value: Any, field: str, *, required: bool, maximum: int = TEXT_MAX, label: str = "") -> str:
    value = str(value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > maximum:
        raise ValidationError({field: _("内容过长：最多 %(limit)s 个字。") % {"limit": maximum}})
    return value


def plain(number: Decimal) -> str:
    """8, 7.5, 100: without trailing zeros nor an exponent."""
    return f"{number.normalize():f}"


def parse_decimal(value: Any, field: str, *, minimum: Decimal, maximum: Decimal, label: str) -> Decimal:
    """A number with at most two decimals within [minimum, maximum]; the message names the field and the range."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    try:
        number = Decimal(text)
        if not number.is_finite():  # NaN, Infinity
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationError({field: _("%(label)s应为数字，例如 8 或 7.5。") % {"label": label}}) from None
    # The range first: quantize() of a number like 1e30 has more digits than the context holds (InvalidOperation).
    if not minimum <= number <= maximum:
        raise ValidationError(
            {
                field: _("%(label)s应在 %(min)s 至 %(max)s 之间。")
                % {"label": label, "min": plain(minimum), "max": plain(maximum)}
            }
        )
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: _("%(label)s最多保留两位小数。") % {"label": label}})
    return number.quantize(Decimal("0.01"))


# --- schemes and indicators ---------------------------------------------------------------------------------------


@transaction.atomic
def scheme_create(*, actor: Any, year: Any, title: Any, description: Any = "") -> EvaluationScheme:
    organisers = may_create_scheme(actor)
    if not organisers:
        raise TransitionRefused(_("只有国家级指导中心的负责人可以创建评价方案。"), status=403)
    errors: dict[str, str] = {}
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        errors["year"] = _("年度应为四位数字，例如 2026。")
    else:
        if not YEAR_MIN <= year <= YEAR_MAX:
            errors["year"] = _("年度应在 %(min)s 至 %(max)s 之间。") % {"min": YEAR_MIN, "max": YEAR_MAX}
        elif EvaluationScheme.objects.filter(year=year).exists():
            errors["year"] = _("%(year)s 年度的评价方案已存在。") % {"year": year}
    try:
        title = _text(title, "title", required=True, maximum=120, label=_("名称"))
        description = _text(description, "description", required=False)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    try:
        # A double submit (or two directors at once) passes the check above twice; the unique year settles it.
        with transaction.atomic():
            scheme = EvaluationScheme.objects.create(
                year=year,
                title=title,
                description=description,
                organiser_id=organisers[0],
                created_by=actor,
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"year": _("%(year)s 年度的评价方案已存在。") % {"year": year}}) from None
    _audit(actor, "evaluation.scheme.create", scheme, scheme.organiser_id, after={"year": year, "title": scheme.title})
    return scheme


@dataclass(frozen=True)
class IndicatorInput:
    code: Any
    name: Any
    kind: Any
    weight: Any
    max_score: Any
    name_en: Any = ""
    formula: Any = ""
    guidance: Any = ""
    position: Any = 0


def _require_draft_manager(scheme: EvaluationScheme, actor: Any) -> None:
    decision = scheme_decide_manage(actor, scheme)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if scheme.state != SchemeState.DRAFT:
        raise TransitionRefused(_("评价方案已发布，指标不能再修改。"))


def _clean_indicator(scheme: EvaluationScheme, data: IndicatorInput, current: Indicator | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def run(field: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.message_dict.get(field, exc.messages))
            return None

    code = str(data.code or "").strip()
    if not code or slugify(code) != code.lower() or len(code) > 32:
        errors["code"] = [_("指标代码应为 1 至 32 位字母、数字、连字符或下划线，例如 A1 或 on-time。")]
    elif scheme.indicators.filter(code=code).exclude(pk=current.pk if current else 0).exists():
        errors["code"] = [_("本方案已有代码为「%(code)s」的指标。") % {"code": code}]
    kind = str(data.kind or "").strip()
    if kind not in IndicatorKind.values:
        errors["kind"] = [_("请选择指标类型：公式计算或人工评分。")]
    cleaned = {
        "code": code,
        "kind": kind,
        "name": run("name", lambda: _text(data.name, "name", required=True, maximum=120, label=_("指标名称"))),
        "name_en": run("name_en", lambda: _text(data.name_en, "name_en", required=False, maximum=160)),
        "weight": run(
            "weight",
            lambda: parse_decimal(
                data.weight, "weight", minimum=Decimal("0.01"), maximum=Decimal("100"), label=_("权重")
            ),
        ),
        "max_score": run(
            "max_score",
            lambda: parse_decimal(
                data.max_score, "max_score", minimum=Decimal("0.01"), maximum=Decimal("10000"), label=_("满分")
            ),
        ),
        "guidance": run("guidance", lambda: _text(data.guidance, "guidance", required=False)),
        "formula": "",
    }
    formula = str(data.formula or "").strip()
    if kind == IndicatorKind.FORMULA:
        cleaned["formula"] = run("formula", lambda: validate_formula(formula))
    elif kind == IndicatorKind.MANUAL:
        if formula:
            errors["formula"] = [_("人工评分指标不填写计算公式；需要计算的请选择「公式计算」。")]
        if not cleaned["guidance"]:
            errors.setdefault("guidance", []).append(_("人工评分指标须填写评分说明，告诉自评和评分的人如何打分。"))
    try:
        cleaned["position"] = max(0, min(int(str(data.position or 0)), 999))
    except ValueError:
        errors["position"] = [_("排序应为 0 至 999 的整数。")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def indicator_save(
    *, scheme: EvaluationScheme, actor: Any, data: IndicatorInput, indicator: Indicator | None = None
) -> Indicator:
    """Create or change an indicator of a draft scheme. The formula is checked here (syntax, names, functions)
    and the message is put on the `formula` field."""
    scheme = EvaluationScheme.objects.select_for_update().get(pk=scheme.pk)
    _require_draft_manager(scheme, actor)
    if indicator is not None:
        # Read again under the scheme's lock: saving a copy deleted meanwhile would insert it again.
        indicator = _indicator_of(scheme, indicator)
    cleaned = _clean_indicator(scheme, data, indicator)
    before = None
    if indicator is None:
        indicator = Indicator(scheme=scheme, **cleaned)
    else:
        before = {k: str(getattr(indicator, k)) for k in cleaned}
        for key, value in cleaned.items():
            setattr(indicator, key, value)
    indicator.full_clean()
    indicator.save()
    _audit(
        actor,
        "evaluation.indicator.save",
        indicator,
        scheme.organiser_id,
        before=before,
        after={k: str(v) for k, v in cleaned.items()},
    )
    return indicator


def _indicator_of(scheme: EvaluationScheme, indicator: Indicator) -> Indicator:
    found = scheme.indicators.filter(pk=indicator.pk).first()
    if found is None:
        raise TransitionRefused(_("找不到该指标，可能已被删除。"), status=404)
    return found


@transaction.atomic
def indicator_delete(*, indicator: Indicator, actor: Any) -> None:
    scheme = EvaluationScheme.objects.select_for_update().get(pk=indicator.scheme_id)
    _require_draft_manager(scheme, actor)
    indicator = _indicator_of(scheme, indicator)  # a double submit deletes (and records) once
    _audit(actor, "evaluation.indicator.delete", indicator, scheme.organiser_id, before={"code": indicator.code})
    indicator.delete()


def assessed_centres(scheme: EvaluationScheme) -> list[Centre]:
    """The centres a published scheme assesses: every filed centre below the organiser except workstations (they
    report through their centre)."""
    return list(
        Centre.objects.filter(path__startswith=scheme.organiser.path, filing_status=FilingStatus.APPROVED)
        .exclude(pk=scheme.organiser_id)
        .exclude(kind=CentreKind.WORKSTATION)
        .order_by("path")
    )


@transaction.atomic
def scheme_transition(*, scheme: EvaluationScheme, actor: Any, action: str) -> EvaluationScheme:
    locked = EvaluationScheme.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=scheme.pk)
    transition = check_scheme_transition(locked, action, actor)
    now = timezone.now()
    before = {"state": locked.state}
    locked.state = transition.to_state
    opened = 0
    if action == "publish":
        locked.published_at = now
        indicators = list(locked.indicators.all())
        for centre in assessed_centres(locked):
            assessment = Assessment.objects.create(scheme=locked, centre=centre, created_at=now)
            AssessmentItem.objects.bulk_create(AssessmentItem(assessment=assessment, indicator=i) for i in indicators)
            opened += 1
    else:
        locked.closed_at = now
    locked.save()
    _audit(
        actor,
        f"evaluation.scheme.{action}",
        locked,
        locked.organiser_id,
        before=before,
        after={"state": locked.state, "assessments_opened": opened},
    )
    return locked


# --- the self-assessment ------------------------------------------------------------------------------------------


def _lock_assessment(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update(of=("self",)).select_related("scheme", "centre").get(pk=assessment.pk)


def _require(actor: Any, permission: EvaluationPermission, assessment: Assessment) -> None:
    decision = evaluation_decide(actor, permission, assessment)
    if not decision:
        seen = bool(evaluation_decide(actor, P.EVALUATION_VIEW, assessment))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if assessment.scheme.state != SchemeState.PUBLISHED:
        raise TransitionRefused(
            _("评价方案当前状态为「%(state)s」，不能再修改评价。") % {"state": assessment.scheme.get_state_display()}
        )


def _require_self_editable(assessment: Assessment) -> None:
    if assessment.state not in SELF_EDITABLE:
        raise TransitionRefused(
            _("评价当前状态为「%(state)s」，自评不能再修改。") % {"state": assessment.get_state_display()}
        )


@transaction.atomic
def item_self_assess(*, item: AssessmentItem, actor: Any, self_score: Any, explanation: Any) -> AssessmentItem:
    """The director's self score and explanation for one indicator (both required for a manual indicator; for a
    formula one the score is computed and the explanation is optional)."""
    assessment = _lock_assessment(item.assessment)
    _require(actor, P.EVALUATION_SELF_ASSESS, assessment)
    _require_self_editable(assessment)
    item = AssessmentItem.objects.select_related("indicator").get(pk=item.pk)
    indicator = item.indicator
    manual = indicator.kind == IndicatorKind.MANUAL
    errors: dict[str, list[str]] = {}
    score = None
    if manual or str(self_score or "").strip():
        try:
            score = parse_decimal(
                self_score, "self_score", minimum=ZERO, maximum=indicator.max_score, label=_("自评分")
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        text = _text(explanation, "self_explanation", required=manual, label=_("自评说明"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    before = {"self_score": str(item.self_score), "self_explanation": item.self_explanation}
    item.self_score, item.self_explanation = score, text
    item.save(update_fields=["self_score", "self_explanation"])
    _audit(
        actor,
        "evaluation.item.self_assess",
        item,
        assessment.centre_id,
        before=before,
        after={"indicator": indicator.code, "self_score": str(score), "self_explanation": text},
    )
    return item


@transaction.atomic
def item_file_add(*, item: AssessmentItem, actor: Any, upload: UploadedFile) -> AssessmentFile:
    """Evidence for a self score: stored as an evidence file (type by content, SHA-256 at receipt)."""
    assessment = _lock_assessment(item.assessment)
    _require(actor, P.EVALUATION_SELF_ASSESS, assessment)
    _require_self_editable(assessment)
    if item.files.count() >= MAX_FILES_PER_ITEM:
        raise ValidationError({"file": _("每个指标最多 %(n)s 个佐证文件。") % {"n": MAX_FILES_PER_ITEM}})
    evidence = evidence_store(upload=upload, uploaded_by=actor, kind="attachment", field="file")
    attached = AssessmentFile.objects.create(item=item, evidence=evidence, added_by=actor, added_at=timezone.now())
    _audit(
        actor,
        "evaluation.file.upload",
        attached,
        assessment.centre_id,
        after={"item": item.pk, "name": evidence.original_name, "sha256": evidence.sha256},
    )
    return attached


@transaction.atomic
def file_record_download(*, attached: AssessmentFile, actor: Any) -> None:
    _audit(
        actor,
        "evaluation.file.download",
        attached,
        attached.item.assessment.centre_id,
        after={"sha256": attached.evidence.sha256},
    )


# --- computing and scoring ----------------------------------------------------------------------------------------


def assessment_compute(*, assessment: Assessment) -> list[AssessmentItem]:
    """Compute every formula indicator from the centre's KPIs of the scheme year and keep the values used. Runs in
    the caller's transaction (submit, finalise)."""
    start, end = scheme_period(assessment.scheme)
    items = list(assessment.items.select_related("indicator").filter(indicator__kind=IndicatorKind.FORMULA))
    if not items:
        return []
    kpis = kpi_values(centre=assessment.centre, start=start, end=end)
    now = timezone.now()
    for item in items:
        result = evaluate_formula(item.indicator.formula, kpis=kpis, max_score=item.indicator.max_score)
        item.score = result.score
        item.computable = result.computable
        item.not_computable_reason = result.reason
        item.kpi_snapshot = {"period": [start.isoformat(), end.isoformat()], "values": result.snapshot}
        item.computed_at = now
    AssessmentItem.objects.bulk_update(
        items, ["score", "computable", "not_computable_reason", "kpi_snapshot", "computed_at"]
    )
    return items


def assessment_total(items: list[AssessmentItem]) -> Decimal:
    """The weighted total out of 100: the sum over indicators of score / max score x weight, two decimals."""
    return sum((i.weighted for i in items), ZERO).quantize(Decimal("0.01"))


@transaction.atomic
def item_review(*, item: AssessmentItem, actor: Any, score: Any, comment: Any) -> AssessmentItem:
    """The parent level's score and comment on one indicator of a submitted assessment. A formula indicator keeps
    its computed score; the reviewer comments on it."""
    assessment = _lock_assessment(item.assessment)
    _require(actor, P.EVALUATION_SCORE, assessment)
    if assessment.state != S.SUBMITTED:
        raise TransitionRefused(
            _("评价当前状态为「%(state)s」，不能评分。") % {"state": assessment.get_state_display()}
        )
    own = not_own_centre(assessment, actor)
    if own:
        raise TransitionRefused(own)
    item = AssessmentItem.objects.select_related("indicator").get(pk=item.pk)
    manual = item.indicator.kind == IndicatorKind.MANUAL
    errors: dict[str, list[str]] = {}
    value = item.score
    if manual:
        try:
            value = parse_decimal(score, "score", minimum=ZERO, maximum=item.indicator.max_score, label=_("评分"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        text = _text(comment, "review_comment", required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    before = {"score": str(item.score), "review_comment": item.review_comment}
    item.score, item.review_comment = value, text
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save(update_fields=["score", "review_comment", "reviewed_by", "reviewed_at"])
    _audit(
        actor,
        "evaluation.item.review",
        item,
        assessment.centre_id,
        before=before,
        after={"indicator": item.indicator.code, "score": str(value), "review_comment": text},
    )
    return item


def _url(assessment: Assessment) -> str:
    return reverse("evaluation:assessment", kwargs={"pk": assessment.pk})


def _notify(assessment: Assessment, recipients: list[Any], event: str, stamp: str) -> None:
    def notice() -> Notice:
        subjects = {
            "submitted": _("待评分：%(centre)s %(year)s 年度绩效自评"),
            "returned": _("绩效自评已退回修改：%(centre)s %(year)s 年度"),
            "finalised": _("绩效评价已定分：%(centre)s %(year)s 年度"),
        }
        values = {"centre": assessment.centre.display_name, "year": assessment.scheme.year}
        body = assessment.return_reason if event == "returned" else assessment.scheme.title
        return Notice(kind=f"evaluation.{event}", subject=subjects[event] % values, body=body, url=_url(assessment))

    if recipients:
        outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=f"evaluation:{assessment.pk}:{event}:{stamp}")


@transaction.atomic
def assessment_transition(*, assessment: Assessment, actor: Any, action: str, text: Any = "") -> Assessment:
    locked = _lock_assessment(assessment)
    transition = check_assessment_transition(locked, action, actor)
    before = {"state": locked.state}
    now = timezone.now()
    after: dict[str, Any] = {}
    if transition.text_field:
        reason = _text(text, transition.text_field, required=True, label=_("退回原因"))
        locked.return_reason, locked.returned_at = reason, now
        after["reason"] = reason
    if action == "submit":
        assessment_compute(assessment=locked)
        locked.submitted_by, locked.submitted_at = actor, now
    elif action == "finalise":
        assessment_compute(assessment=locked)
        items = list(locked.items.select_related("indicator"))
        locked.total = assessment_total(items)
        locked.finalised_by, locked.finalised_at = actor, now
        after["total"] = str(locked.total)
        after["scores"] = {i.indicator.code: str(i.score) for i in items}
    locked.state = transition.to_state
    locked.save()
    after["state"] = locked.state
    _audit(actor, f"evaluation.assessment.{action}", locked, locked.centre_id, before=before, after=after)
    stamp = now.isoformat()
    if action == "submit" and locked.centre.parent_id is not None:
        _notify(locked, centre_staff(locked.centre.parent_id, Role.DIRECTOR), "submitted", stamp)
    elif action in ("return", "finalise"):
        recipients = [u for u in centre_staff(locked.centre_id, Role.DIRECTOR) if u.pk != actor.pk]
        _notify(locked, recipients, "returned" if action == "return" else "finalised", stamp)
    return locked
