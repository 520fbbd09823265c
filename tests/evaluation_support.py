"""Shared pieces of the evaluation tests: a national director (the organiser), a scheme with two indicators, its
publication, fixed KPI values in place of weiyuan.kpis (the one door `services.kpi_values`) and a finalised
assessment."""

from __future__ import annotations

from typing import Any

from tests.factories import staff
from weiyuan.core.choices import Role
from weiyuan.evaluation import services
from weiyuan.evaluation.models import Assessment, EvaluationScheme

YEAR = 2025
# Hand-checked example (docs/evaluation.md): A1 = formula, weight 60, max 10: 10 * min(0.8 / 0.9, 1) = 8.89
# -> 8.89 / 10 * 60 = 53.34; M1 = manual, weight 40, max 20, scored 15 -> 15 / 20 * 40 = 30.00; total 83.34.
KPIS: dict[str, float | None] = {
    "applications": 50.0,
    "accepted": 40.0,
    "rejected": 10.0,
    "acceptance_rate": 0.8,
    "on_time_rate": None,
}


def indicator(code: str, kind: str, weight: str, max_score: str, **kw: Any) -> services.IndicatorInput:
    return services.IndicatorInput(
        code=code,
        name=kw.pop("name", f"指标{code}"),
        kind=kind,
        weight=weight,
        max_score=max_score,
        formula=kw.pop("formula", ""),
        guidance=kw.pop("guidance", "依据年度工作报告和佐证材料评分。" if kind == "manual" else ""),
        **kw,
    )


def national_director(network: dict[str, Any]) -> Any:
    if "national_director" not in network:
        network["national_director"] = staff(network["national"], Role.DIRECTOR)
    return network["national_director"]


def scheme_with_indicators(network: dict[str, Any], year: int = YEAR) -> EvaluationScheme:
    director = national_director(network)
    scheme = services.scheme_create(actor=director, year=year, title=f"{year} 年度维权援助机构绩效评价")
    services.indicator_save(
        scheme=scheme,
        actor=director,
        data=indicator("A1", "formula", "60", "10", formula="max_score * min(acceptance_rate / 0.9, 1)"),
    )
    services.indicator_save(scheme=scheme, actor=director, data=indicator("M1", "manual", "40", "20"))
    return scheme


def use_kpis(monkeypatch: Any, values: dict[str, float | None] | None = None) -> list[Any]:
    """Replace the KPI door with fixed values; returns the list of centres it was asked about."""
    asked: list[Any] = []

    def fake(*, centre: Any, start: Any, end: Any) -> dict[str, float | None]:
        asked.append((centre, start, end))
        return dict(KPIS if values is None else values)

    monkeypatch.setattr(services, "kpi_values", fake)
    return asked


def published(network: dict[str, Any], year: int = YEAR) -> EvaluationScheme:
    scheme = scheme_with_indicators(network, year)
    return services.scheme_transition(scheme=scheme, actor=national_director(network), action="publish")


def assessment_of(scheme: EvaluationScheme, centre: Any) -> Assessment:
    return Assessment.objects.select_related("scheme", "centre").get(scheme=scheme, centre=centre)


def self_assess_all(assessment: Assessment, director: Any, score: str = "18") -> None:
    for item in assessment.items.select_related("indicator"):
        manual = item.indicator.kind == "manual"
        services.item_self_assess(
            item=item, actor=director, self_score=score if manual else "", explanation="本年度工作总结见附件。"
        )


def finalise(assessment: Assessment, director: Any, reviewer: Any, manual_score: str = "15") -> Assessment:
    self_assess_all(assessment, director)
    assessment = services.assessment_transition(assessment=assessment, actor=director, action="submit")
    for item in assessment.items.select_related("indicator"):
        services.item_review(item=item, actor=reviewer, score=manual_score, comment="材料齐全。")
    return services.assessment_transition(assessment=assessment, actor=reviewer, action="finalise")
