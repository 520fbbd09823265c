"""Reads of evaluation 绩效评价, scoped by the acting user (weiyuan/access/evaluation.py): schemes, the assessments
of a scheme, one assessment with its items and files, and the ranking of centres within a scheme."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from weiyuan.access.evaluation import (
    EvaluationPermission,
    assessment_scope_q,
    evaluation_decide,
    result_scope_q,
    scheme_decide_view,
    scheme_scope_q,
)
from weiyuan.evaluation.formulas import evaluate_formula
from weiyuan.evaluation.models import (
    Assessment,
    AssessmentFile,
    AssessmentItem,
    AssessmentState,
    EvaluationScheme,
    Indicator,
)
from weiyuan.network.models import Centre

P = EvaluationPermission


def scheme_list(*, user: Any) -> QuerySet[EvaluationScheme]:
    return EvaluationScheme.objects.filter(scheme_scope_q(user)).select_related("organiser").order_by("-year")


def scheme_get(*, user: Any, year: int) -> EvaluationScheme:
    scheme = EvaluationScheme.objects.select_related("organiser").filter(year=year).first()
    if scheme is None or not scheme_decide_view(user, scheme):
        raise Http404("no such scheme")
    return scheme


def indicators(scheme: EvaluationScheme) -> list[Indicator]:
    return list(scheme.indicators.order_by("position", "code"))


def indicator_get(*, scheme: EvaluationScheme, pk: int) -> Indicator:
    indicator = scheme.indicators.filter(pk=pk).first()
    if indicator is None:
        raise Http404("no such indicator")
    return indicator


STATES = tuple(AssessmentState.values)


def assessment_list(*, user: Any, scheme: EvaluationScheme, state: str = "") -> QuerySet[Assessment]:
    qs = Assessment.objects.filter(assessment_scope_q(user), scheme=scheme)
    if state in STATES:
        qs = qs.filter(state=state)
    return qs.select_related("centre", "centre__parent", "scheme").order_by("centre__path")


def assessment_get(*, user: Any, pk: int) -> Assessment:
    assessment = Assessment.objects.select_related("scheme", "scheme__organiser", "centre", "centre__parent").filter(
        pk=pk
    )
    found = assessment.first()
    if found is None or not evaluation_decide(user, P.EVALUATION_VIEW, found):
        raise Http404("no such assessment")
    return found


def assessment_items(assessment: Assessment) -> list[AssessmentItem]:
    """The items with their indicator and files; each with `reason_shown`, why a formula indicator was not
    computable, in the language of the page (see `shown_reason`)."""
    files = Prefetch("files", queryset=AssessmentFile.objects.select_related("evidence").order_by("added_at", "id"))
    items = list(
        assessment.items.select_related("indicator", "reviewed_by")
        .prefetch_related(files)
        .order_by("indicator__position", "indicator__code")
    )
    for item in items:
        item.reason_shown = shown_reason(item)  # type: ignore[attr-defined]
    return items


def shown_reason(item: AssessmentItem) -> str:
    """The stored reason is in the language of whoever submitted; the formula is computed again from the KPI values
    kept on the item (the same inputs give the same result), so an English page reads it in English."""
    if item.computable is not False or not item.indicator.formula:
        return item.not_computable_reason
    values = (item.kpi_snapshot or {}).get("values")
    if not isinstance(values, dict):
        return item.not_computable_reason
    result = evaluate_formula(item.indicator.formula, kpis=values, max_score=item.indicator.max_score)
    return result.reason or item.not_computable_reason


def item_get(*, assessment: Assessment, pk: int) -> AssessmentItem:
    item = assessment.items.select_related("indicator", "assessment").filter(pk=pk).first()
    if item is None:
        raise Http404("no such item")
    item.assessment = assessment
    return item


def file_get(*, user: Any, pk: int) -> AssessmentFile:
    attached = (
        AssessmentFile.objects.select_related("evidence", "item__assessment__centre", "item__assessment__scheme")
        .filter(pk=pk)
        .first()
    )
    if attached is None or not evaluation_decide(user, P.EVALUATION_VIEW, attached.item.assessment):
        raise Http404("no such file")
    return attached


# --- the ranking ----------------------------------------------------------------------------------------------


@dataclass
class RankRow:
    rank: int
    assessment: Assessment
    scores: dict[int, Decimal | None] = field(default_factory=dict)  # indicator id -> score


@dataclass
class RankGroup:
    parent: Centre | None
    rows: list[RankRow]


def rank(totals: list[tuple[Any, Decimal]]) -> list[tuple[int, Any]]:
    """Standard competition ranking ("1, 2, 2, 4") by total, highest first; ties keep the given order."""
    ordered = sorted(totals, key=lambda t: -t[1])
    ranked: list[tuple[int, Any]] = []
    for position, (key, total) in enumerate(ordered, start=1):
        if ranked and total == ordered[position - 2][1]:
            ranked.append((ranked[-1][0], key))
        else:
            ranked.append((position, key))
    return ranked


def ranking(*, user: Any, scheme: EvaluationScheme, with_scores: bool = False) -> list[RankGroup]:
    """The finalised assessments of the scheme ranked within their parent level (centres are compared with the
    other centres under the same parent), each group ranked over all its finalised members, then cut to those
    whose result the user may see."""
    finalised = list(
        Assessment.objects.filter(scheme=scheme, state=AssessmentState.FINALISED)
        .select_related("centre", "centre__parent")
        .order_by("centre__path")
    )
    visible = set(
        Assessment.objects.filter(result_scope_q(user), scheme=scheme, state=AssessmentState.FINALISED).values_list(
            "pk", flat=True
        )
    )
    by_parent: dict[int | None, list[Assessment]] = {}
    for a in finalised:
        by_parent.setdefault(a.centre.parent_id, []).append(a)
    scores: dict[int, dict[int, Decimal | None]] = {}
    if with_scores and visible:
        for item in AssessmentItem.objects.filter(assessment_id__in=visible).only(
            "assessment_id", "indicator_id", "score"
        ):
            scores.setdefault(item.assessment_id, {})[item.indicator_id] = item.score
    groups: list[RankGroup] = []
    for members in sorted(by_parent.values(), key=lambda m: m[0].centre.path):
        ranked = rank([(a, a.total or Decimal("0")) for a in members])
        rows = [RankRow(r, a, scores.get(a.pk, {})) for r, a in ranked if a.pk in visible]
        if rows:
            groups.append(RankGroup(parent=members[0].centre.parent, rows=rows))
    return groups


def assessment_rank(assessment: Assessment) -> tuple[int, int] | None:
    """(rank, group size) of a finalised assessment among the finalised ones under the same parent."""
    if assessment.state != AssessmentState.FINALISED:
        return None
    peers = list(
        Assessment.objects.filter(
            scheme_id=assessment.scheme_id,
            state=AssessmentState.FINALISED,
            centre__parent_id=assessment.centre.parent_id,
        ).values_list("pk", "total")
    )
    ranked = rank([(pk, total or Decimal("0")) for pk, total in peers])
    return next(r for r, pk in ranked if pk == assessment.pk), len(peers)
