"""Writing opinions: creation, the claim chart, the design and trademark comparisons, the basis, the workflow steps.

Every write runs in one transaction, locks the opinion row, checks the access module (and, for a step, the declared
table in `transitions.py`), validates with messages naming the field, and records an audit event on the case's
trail (`cases.services.common.case_audit_record`). The chart, comparisons and basis change only while the opinion is
a draft or returned for changes. The letter is generated in `letter.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.opinions import OpinionPermission, opinion_create_decide, opinion_decide
from weiyuan.cases.models import Case, CaseRight
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.opinions.claims import split_claims, split_features
from weiyuan.opinions.models import (
    FEATURE_MAX,
    MAX_CLAIMS,
    MAX_FEATURES,
    NUMBER_PREFIX,
    TEXT_MAX,
    Claim,
    Comparison,
    DesignComparison,
    DesignDifference,
    Feature,
    Opinion,
    OpinionBasis,
    OpinionCounter,
    OpinionKind,
    OpinionState,
    TrademarkComparison,
)
from weiyuan.opinions.reasoning import chart_rows, opinion_verdict
from weiyuan.opinions.transitions import check_opinion_transition

P = OpinionPermission


# --- helpers ---------------------------------------------------------------------------------------------------


def _text(value: str, field: str, *, limit: int = TEXT_MAX, required: bool = False, label: str = "") -> str:
    if "\x00" in (value or ""):
        raise ValidationError({field: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label or field}})
    if len(cleaned) > limit:
        raise ValidationError(
            {field: _("内容过长：最多 %(limit)s 个字，当前 %(n)s 个字。") % {"limit": limit, "n": len(cleaned)}}
        )
    return cleaned


def opinion_lock(opinion: Opinion) -> Opinion:
    locked = Opinion.objects_unscoped.select_for_update().get(pk=opinion.pk)
    locked.case = Case.objects_unscoped.select_related("centre").get(pk=locked.case_id)
    return locked


def _editable(opinion: Opinion, actor: Any) -> Opinion:
    """Lock the opinion and check the actor may change its contents now."""
    opinion = opinion_lock(opinion)
    decision = opinion_decide(actor, P.EDIT, opinion)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if not opinion.editable:
        raise TransitionRefused(
            _("意见当前状态为「%(state)s」，内容不能修改。") % {"state": opinion.get_state_display()}
        )
    return opinion


def _audit(
    opinion: Opinion, actor: Any, action: str, *, before: Any = None, after: Any = None, obj: Any = None
) -> None:
    case_audit_record(
        case=opinion.case, actor=actor, action=f"opinion.{action}", obj=obj or opinion, before=before, after=after
    )


def _touch(opinion: Opinion) -> None:
    Opinion.objects_unscoped.filter(pk=opinion.pk).update(updated_at=timezone.now())


# --- creating and the header -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpinionInput:
    kind: str
    title: str
    accused_object: str
    right_id: int | None = None


def _kind_for(case: Case) -> str:
    return case.ip_type if case.ip_type in OpinionKind.values else OpinionKind.INVENTION


@transaction.atomic
def opinion_create(*, case: Case, actor: Any, data: OpinionInput) -> Opinion:
    decision = opinion_create_decide(actor, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    errors: dict[str, Any] = {}
    if data.kind not in OpinionKind.values:
        errors["kind"] = _("请选择意见类型（发明、实用新型、外观设计或商标）。")
    title = accused = ""
    try:
        title = _text(data.title, "title", limit=160, required=True, label=_("标题"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        accused = _text(data.accused_object, "accused_object", required=True, label=_("被诉侵权产品或标识"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    right: CaseRight | None = None
    if data.right_id is not None:
        right = CaseRight.objects.filter(case=case, pk=data.right_id).first()
        if right is None:
            errors["right_id"] = _("所选权利不属于本案，请重新选择。")
    if case.state in ("draft", "rejected", "withdrawn"):
        errors["kind"] = _("案件当前状态为「%(state)s」，不能起草参考意见。") % {"state": case.get_state_display()}
    if errors:
        raise ValidationError(errors)
    right = right or case.rights.first()
    opinion = Opinion(
        case=case,
        kind=data.kind,
        title=title,
        accused_object=accused,
        author=actor,
        applicant_name=case.applicant_name,
        respondent_name=case.respondent_name,
        respondent_address=case.respondent_address,
    )
    if right is not None:
        opinion.right_number, opinion.right_title = right.number, right.title
        opinion.right_owner, opinion.right_status = right.owner, right.legal_status
    opinion.save()
    _audit(opinion, actor, "create", after={"kind": opinion.kind, "title": opinion.title})
    return opinion


@dataclass(frozen=True)
class NotesInput:
    title: str
    accused_object: str
    prior_art_notes: str = ""
    design_around_notes: str = ""
    conclusion: str = ""
    basis: str = ""  # citations, one law per line: "专利法 第十一条、第六十四条"


NOTE_FIELDS = ("title", "accused_object", "prior_art_notes", "design_around_notes", "conclusion")


@transaction.atomic
def opinion_update(*, opinion: Opinion, actor: Any, data: NotesInput) -> Opinion:
    from weiyuan.knowledge.selectors import articles_for_citations

    opinion = _editable(opinion, actor)
    errors: dict[str, Any] = {}
    values: dict[str, str] = {}
    for name in NOTE_FIELDS:
        try:
            values[name] = _text(
                getattr(data, name),
                name,
                limit=160 if name == "title" else TEXT_MAX,
                required=name in ("title", "accused_object"),
                label=str(getattr(Opinion._meta.get_field(name), "verbose_name", name)),
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    articles = []
    try:
        articles = articles_for_citations(_text(data.basis, "basis"))
    except ValidationError as exc:
        errors["basis"] = exc.messages
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(opinion, name) for name in NOTE_FIELDS}
    before["basis"] = list(opinion.basis.values_list("article_id", flat=True))
    for name, value in values.items():
        setattr(opinion, name, value)
    opinion.save()
    opinion.basis.all().delete()
    OpinionBasis.objects.bulk_create(
        [OpinionBasis(opinion=opinion, article=a, position=i) for i, a in enumerate(articles)]
    )
    after = {**values, "basis": [a.pk for a in articles]}
    changed = {k: after[k] for k in after if before.get(k) != after[k]}
    if changed:
        _audit(opinion, actor, "update", before={k: before.get(k) for k in changed}, after=changed)
    return opinion


# --- the claim chart ---------------------------------------------------------------------------------------------


def _require_patent(opinion: Opinion) -> None:
    if not opinion.is_patent:
        raise ValidationError({"claims": _("只有发明和实用新型专利的意见使用权利要求对比表。")})


@transaction.atomic
def claims_import(*, opinion: Opinion, actor: Any, text: str, replace: bool = False) -> list[Claim]:
    """Paste a claim set: split into claims by number and each claim into features (the user edits them after).
    `replace` removes the chart first; otherwise the claims are added after the existing ones, renumbered on."""
    opinion = _editable(opinion, actor)
    _require_patent(opinion)
    cleaned = _text(text, "claims_text", limit=TEXT_MAX * 10, required=True, label=_("权利要求书"))
    parsed = split_claims(cleaned)
    if replace:
        opinion.claims.all().delete()
    start = 0 if replace else max(opinion.claims.values_list("number", flat=True), default=0)
    if start + len(parsed) > MAX_CLAIMS:
        raise ValidationError({"claims_text": _("最多 %(n)s 项权利要求。") % {"n": MAX_CLAIMS}})
    created: list[Claim] = []
    for p in parsed:
        if len(p.text) > TEXT_MAX:
            raise ValidationError(
                {"claims_text": _("权利要求%(n)s过长：最多 %(limit)s 个字。") % {"n": p.number, "limit": TEXT_MAX}}
            )
        claim = Claim.objects.create(
            opinion=opinion,
            number=start + p.number,
            text=p.text,
            independent=p.independent,
            refers_to=(start + p.refers_to) if p.refers_to is not None else None,
        )
        features = [f[:FEATURE_MAX] for f in p.features[:MAX_FEATURES]]
        Feature.objects.bulk_create([Feature(claim=claim, position=i, text=f) for i, f in enumerate(features, 1)])
        created.append(claim)
    _touch(opinion)
    _audit(
        opinion,
        actor,
        "claims_import",
        after={
            "claims": [c.number for c in created],
            "replace": replace,
            "features": sum(len(p.features) for p in parsed),
        },
    )
    return created


@transaction.atomic
def claim_update(*, claim: Claim, actor: Any, text: str, independent: bool, resplit: bool = False) -> Claim:
    opinion = _editable(claim.opinion, actor)
    claim = Claim.objects.select_for_update().get(pk=claim.pk, opinion=opinion)
    before = {"text": claim.text, "independent": claim.independent}
    claim.text = _text(text, "text", required=True, label=_("权利要求"))
    claim.independent = bool(independent)
    claim.save()
    if resplit:
        claim.features.all().delete()
        features = split_features(claim.text)[:MAX_FEATURES]
        Feature.objects.bulk_create(
            [Feature(claim=claim, position=i, text=f[:FEATURE_MAX]) for i, f in enumerate(features, 1)]
        )
    _touch(opinion)
    _audit(
        opinion,
        actor,
        "claim_update",
        obj=claim,
        before=before,
        after={"text": claim.text, "independent": claim.independent, "resplit": resplit},
    )
    return claim


@transaction.atomic
def claim_delete(*, claim: Claim, actor: Any) -> None:
    opinion = _editable(claim.opinion, actor)
    number = claim.number
    Claim.objects.filter(pk=claim.pk, opinion=opinion).delete()
    _touch(opinion)
    _audit(opinion, actor, "claim_delete", after={"claim": number})


@transaction.atomic
def feature_add(*, claim: Claim, actor: Any, text: str) -> Feature:
    opinion = _editable(claim.opinion, actor)
    cleaned = _text(text, "text", limit=FEATURE_MAX, required=True, label=_("技术特征"))
    if claim.features.count() >= MAX_FEATURES:
        raise ValidationError({"text": _("每项权利要求最多 %(n)s 个技术特征。") % {"n": MAX_FEATURES}})
    position = max(claim.features.values_list("position", flat=True), default=0) + 1
    feature = Feature.objects.create(claim=claim, position=position, text=cleaned)
    _touch(opinion)
    _audit(
        opinion, actor, "feature_add", obj=feature, after={"claim": claim.number, "position": position, "text": cleaned}
    )
    return feature


@dataclass(frozen=True)
class FeatureInput:
    text: str
    accused_text: str = ""
    comparison: str = ""
    means: str = ""
    function: str = ""
    effect: str = ""


FEATURE_FIELDS = ("text", "accused_text", "comparison", "means", "function", "effect")


@transaction.atomic
def feature_update(*, feature: Feature, actor: Any, data: FeatureInput) -> Feature:
    """Change one row of the chart. An equivalent without its means / function / effect reasoning may be saved in a
    draft (it is being written), but the opinion cannot be signed so."""
    opinion = _editable(feature.claim.opinion, actor)
    feature = Feature.objects.select_for_update().get(pk=feature.pk, claim__opinion=opinion)
    errors: dict[str, Any] = {}
    values: dict[str, str] = {}
    for name in FEATURE_FIELDS:
        if name == "comparison":
            continue
        try:
            values[name] = _text(
                getattr(data, name), name, limit=FEATURE_MAX, required=name == "text", label=_("技术特征")
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if data.comparison not in Comparison.values:
        errors["comparison"] = _("比对结果只能是相同、等同或缺少。")
    if data.comparison in (Comparison.IDENTICAL, Comparison.EQUIVALENT) and not values.get("accused_text"):
        errors["accused_text"] = _("认定相同或等同时，请写明被诉产品的对应特征。")
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(feature, name) for name in FEATURE_FIELDS}
    for name, value in values.items():
        setattr(feature, name, value)
    feature.comparison = data.comparison
    feature.save()
    after = {name: getattr(feature, name) for name in FEATURE_FIELDS}
    changed = {k: after[k] for k in after if before[k] != after[k]}
    if changed:
        _touch(opinion)
        _audit(opinion, actor, "feature_update", obj=feature, before={k: before[k] for k in changed}, after=changed)
    return feature


@transaction.atomic
def feature_delete(*, feature: Feature, actor: Any) -> None:
    opinion = _editable(feature.claim.opinion, actor)
    label = f"{feature.claim.number}-{feature.position}"
    Feature.objects.filter(pk=feature.pk, claim__opinion=opinion).delete()
    _touch(opinion)
    _audit(opinion, actor, "feature_delete", after={"feature": label})


# --- designs and trademarks --------------------------------------------------------------------------------------


@transaction.atomic
def design_save(
    *, opinion: Opinion, actor: Any, data: dict[str, str], differences: list[tuple[str, str]]
) -> DesignComparison:
    from weiyuan.opinions.models import DifferenceWeight, Impression, ProductKind

    opinion = _editable(opinion, actor)
    if opinion.kind != OpinionKind.DESIGN:
        raise ValidationError({"kind": _("只有外观设计专利的意见使用外观设计比对。")})
    comparison = getattr(opinion, "design", None) or DesignComparison(opinion=opinion)
    before = {f: getattr(comparison, f, "") for f in data}
    for name, value in data.items():
        setattr(comparison, name, (value or "").strip())
    errors: dict[str, Any] = {}
    try:
        comparison.full_clean(exclude=["opinion"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    rows: list[DesignDifference] = []
    for i, (text, weight) in enumerate(differences, start=1):
        if not text.strip() and not weight:
            continue
        if not text.strip() or weight not in DifferenceWeight.values:
            errors[f"difference_{i}"] = _("第 %(n)s 处区别：请同时填写区别内容和影响程度。") % {"n": i}
            continue
        rows.append(DesignDifference(position=i, text=text.strip()[:FEATURE_MAX], weight=weight))
    if errors:
        raise ValidationError(errors)
    assert comparison.product_kind in ProductKind.values and comparison.impression in Impression.values
    comparison.save()
    comparison.differences.all().delete()
    for row in rows:
        row.comparison = comparison
    DesignDifference.objects.bulk_create(rows)
    _touch(opinion)
    _audit(opinion, actor, "design_save", obj=comparison, before=before, after={**data, "differences": len(rows)})
    return comparison


@transaction.atomic
def trademark_save(*, opinion: Opinion, actor: Any, data: dict[str, Any]) -> TrademarkComparison:
    """The assessor's own judgement of the marks, the goods or services (Nice class, similar group) and confusion.
    The similarity engine's proposal (`trademark.mark_similarity_engine`) is shown beside the form, never stored."""
    opinion = _editable(opinion, actor)
    if opinion.kind != OpinionKind.TRADEMARK:
        raise ValidationError({"kind": _("只有商标的意见使用商标比对。")})
    comparison = getattr(opinion, "trademark", None) or TrademarkComparison(opinion=opinion)
    before = {f: getattr(comparison, f, "") for f in data}
    for name, value in data.items():
        setattr(comparison, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, Any] = {}
    try:
        comparison.full_clean(exclude=["opinion"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field in ("registered_class", "accused_class"):
        value = getattr(comparison, field)
        if isinstance(value, int) and not 1 <= value <= 45:
            errors[field] = _("尼斯分类为第 1 至 45 类。")
    for field in ("registered_group", "accused_group"):
        value = str(getattr(comparison, field) or "")
        if not (len(value) == 4 and value.isdigit() and 1 <= int(value[:2]) <= 45):
            errors[field] = _("类似群编号为 4 位数字，前两位是尼斯类别，例如 0901。")
    if errors:
        raise ValidationError(errors)
    comparison.save()
    _touch(opinion)
    _audit(opinion, actor, "trademark_save", obj=comparison, before=before, after=data)
    return comparison


# --- workflow steps ----------------------------------------------------------------------------------------------


@transaction.atomic
def opinion_act(*, opinion: Opinion, actor: Any, action: str, comment: str = "") -> Opinion:
    """Submit, review (approve), return, send back or sign, through the declared table."""
    if action == "generate":
        raise TransitionRefused(_("请使用生成意见书的操作。"), status=400)
    opinion = opinion_lock(opinion)
    transition = check_opinion_transition(opinion, action, actor)
    if transition.needs_comment:
        comment = _text(comment, "comment", required=True, label=_("退回意见"))
    before = {"state": opinion.state}
    now = timezone.now()
    opinion.state = transition.target
    if action == "submit":
        opinion.submitted_at = now
    elif action == "review":
        opinion.reviewer, opinion.reviewed_at = actor, now
    elif action in ("return", "send_back"):
        opinion.return_comment = comment
    elif action == "sign":
        _sign(opinion, actor, now)
    opinion.save()
    after: dict[str, Any] = {"state": opinion.state}
    if comment:
        after["comment"] = comment
    if action == "sign":
        after.update(number=opinion.number, verdict=opinion.verdict)
    _audit(opinion, actor, action, before=before, after=after)
    _notify_next(opinion, actor, action, now)
    return opinion


def _notify_next(opinion: Opinion, actor: Any, action: str, now: Any) -> None:
    """Tell whoever acts next, through the outbox (queued in this transaction): the handler when an opinion is
    submitted, the centre's directors when it is reviewed, the author when it is returned."""
    from weiyuan.cases.services.common import centre_staff
    from weiyuan.notifications.services import Notice, outbox_enqueue

    case = opinion.case
    if action == "submit":
        recipients = [case.handler] if case.handler_id else []
    elif action == "review":
        recipients = centre_staff(case.centre_id, "director")
    elif action in ("return", "send_back"):
        recipients = [opinion.author]
    else:
        return
    recipients = [r for r in recipients if r is not None and r.pk != actor.pk]
    if not recipients:
        return
    title, tracking, pk = opinion.title, case.tracking_number, opinion.pk

    def notice() -> Notice:
        # Rendered per recipient, in their language.
        subjects = {
            "submit": _("参考意见待审核：%(title)s"),
            "review": _("参考意见待签发：%(title)s"),
            "return": _("参考意见已退回修改：%(title)s"),
            "send_back": _("参考意见已退回修改：%(title)s"),
        }
        return Notice(
            kind=f"opinion_{action}",
            subject=subjects[action] % {"title": title},
            body=_("案件 %(case)s 的侵权判定参考意见「%(title)s」需要您处理。") % {"case": tracking, "title": title},
            url=f"/opinions/{pk}/",
        )

    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=f"opinion:{pk}:{action}:{now.isoformat()}")


def _sign(opinion: Opinion, actor: Any, now: Any) -> None:
    """Number the opinion, take the parties again from the case, and fix the verdict and reasoning as signed."""
    from django.utils import translation

    case = opinion.case
    year = timezone.localdate(now).year
    counter, _created = OpinionCounter.objects.select_for_update().get_or_create(centre_id=case.centre_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    opinion.number = opinion_number(year=year, centre_id=case.centre_id, seq=counter.last)
    opinion.signer, opinion.signed_at = actor, now
    opinion.applicant_name = case.applicant_name
    opinion.respondent_name = case.respondent_name
    opinion.respondent_address = case.respondent_address
    with translation.override("zh-hans"):  # the letter is Chinese
        opinion.verdict, opinion.reasoning = opinion_verdict(opinion)


def opinion_number(*, year: int, centre_id: int, seq: int) -> str:
    """WYOP-year-centre-seq: readable, unique across the network, running per centre and year."""
    return f"{NUMBER_PREFIX}-{year:04d}-{centre_id:05d}-{seq:04d}"


__all__ = [
    "OpinionState",
    "chart_rows",
    "claim_delete",
    "claim_update",
    "claims_import",
    "design_save",
    "feature_add",
    "feature_delete",
    "feature_update",
    "opinion_act",
    "opinion_create",
    "opinion_number",
    "opinion_update",
    "opinion_verdict",
    "trademark_save",
]
