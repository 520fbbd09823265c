"""Evaluation reports: one centre's assessment as a PDF, the whole network's results as a PDF (WeasyPrint through
`weiyuan.core.pdf.render_pdf`, Chinese fonts embedded) and the ranking as an Excel workbook (openpyxl, the funds
exporter)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.core.pdf import RenderedPdf, render_pdf
from weiyuan.evaluation import selectors
from weiyuan.evaluation.models import Assessment, AssessmentState, EvaluationScheme, Indicator
from weiyuan.evaluation.services import assessment_total
from weiyuan.funds.exporting import write_xlsx


def assessment_pdf(*, assessment: Assessment) -> RenderedPdf:
    items = selectors.assessment_items(assessment)
    context = {
        "assessment": assessment,
        "scheme": assessment.scheme,
        "items": items,
        "total": assessment.total if assessment.total is not None else assessment_total(items),
        "rank": selectors.assessment_rank(assessment),
        "printed_at": timezone.now(),
    }
    return render_pdf("evaluation/assessment_pdf.html", context)


def indicator_averages(scheme: EvaluationScheme, groups: list[selectors.RankGroup]) -> list[tuple[Indicator, Any]]:
    rows = [row for group in groups for row in group.rows]
    averages = []
    for indicator in selectors.indicators(scheme):
        values = [row.scores.get(indicator.pk) for row in rows]
        known = [v for v in values if v is not None]
        mean = (sum(known, Decimal("0")) / len(known)).quantize(Decimal("0.01")) if known else None
        averages.append((indicator, mean))
    return averages


def network_pdf(*, user: Any, scheme: EvaluationScheme) -> RenderedPdf:
    groups = selectors.ranking(user=user, scheme=scheme, with_scores=True)
    counts = dict.fromkeys(AssessmentState.values, 0)
    for state in scheme.assessments.values_list("state", flat=True):
        counts[state] += 1
    context = {
        "scheme": scheme,
        "groups": groups,
        "indicators": selectors.indicators(scheme),
        "averages": indicator_averages(scheme, groups),
        "counts": [(AssessmentState(s).label, n) for s, n in counts.items()],
        "printed_at": timezone.now(),
    }
    return render_pdf("evaluation/network_pdf.html", context)


def ranking_headers(indicators: list[Indicator]) -> list[str]:
    return [
        _("上级机构"),
        _("名次"),
        _("机构代码"),
        _("机构"),
        _("总分"),
        *[f"{i.code} {i.display_name}" for i in indicators],
    ]


def ranking_rows(groups: list[selectors.RankGroup], indicators: list[Indicator]) -> Iterator[list[Any]]:
    for group in groups:
        parent = group.parent.display_name if group.parent else ""
        for row in group.rows:
            a = row.assessment
            yield [
                parent,
                row.rank,
                a.centre.code,
                a.centre.display_name,
                a.total,
                *[row.scores.get(i.pk) for i in indicators],
            ]


def ranking_xlsx(*, user: Any, scheme: EvaluationScheme) -> bytes:
    indicators = selectors.indicators(scheme)
    groups = selectors.ranking(user=user, scheme=scheme, with_scores=True)
    buffer = io.BytesIO()  # a ranking has one row per centre: a few thousand at most
    write_xlsx(buffer, str(_("评价排名")), ranking_headers(indicators), ranking_rows(groups, indicators))
    return buffer.getvalue()
