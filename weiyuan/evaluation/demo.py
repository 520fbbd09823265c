"""Demo evaluation for `manage.py seed_demo`, run after the other demos: this year's scheme of the national guidance
centre with five indicators computed from the KPIs and two scored by hand (weights 100), published; the Shanghai
centre's self-assessment submitted and scored by the national director (finalised), the Zhejiang centre's submitted
and awaiting scoring, the others still drafting. The KPI aggregates are rebuilt first so the formulas read the demo
cases. All through the services (audit events, notices). Idempotent: nothing is added once a scheme exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from weiyuan.core.choices import Role
from weiyuan.evaluation import services
from weiyuan.evaluation.models import Assessment, EvaluationScheme, IndicatorKind

FORMULA, MANUAL = IndicatorKind.FORMULA, IndicatorKind.MANUAL
# (code, name, English name, kind, weight, formula or guidance)
INDICATORS = [
    ("acceptance", "受理率", "Acceptance rate", FORMULA, 20, "max_score * min(acceptance_rate / 0.9, 1)"),
    ("on_time", "按期完成率", "On-time rate", FORMULA, 20, "max_score * on_time_rate"),
    ("satisfaction", "满意度", "Satisfaction", FORMULA, 15, "max_score * satisfaction_mean / 5"),
    ("speed", "受理用时", "Time to accept", FORMULA, 10, "max_score * min(1, 3 / max(accept_days_median, 1))"),
    ("priority", "重点服务对象覆盖", "Priority applicants reached", FORMULA, 10,
     "max_score * min(priority_share / 0.3, 1)"),
    ("outreach", "宣传培训", "Outreach and training", MANUAL, 15,
     "本年度举办培训、宣讲和展会服务的场次与覆盖企业数，附活动通知、签到表或照片。"),
    ("management", "机构建设与管理", "Organisation and management", MANUAL, 10,
     "人员配备、制度建设、经费使用和档案管理情况，附制度文件和人员名单。"),
]  # fmt: skip
# (centre code, manual self scores and explanations, reviewer scores, last action)
ASSESSMENTS = [
    ("sh-assist", {"outreach": (13, "举办展会维权培训 6 场、企业宣讲 11 场，覆盖企业 820 家。"),
                   "management": (9, "专职人员 12 名，制度 14 项，经费按预算执行。")},
     {"outreach": (12, "培训场次充足，建议增加线上课程。"), "management": (9, "制度完备。")}, "finalise"),
    ("zj-assist", {"outreach": (12, "义乌、杭州两地展会驻点服务 9 场。"),
                   "management": (8, "人员 9 名，经费执行率 86%。")}, {}, "submit"),
]  # fmt: skip


def _director(centre_code: str) -> Any:
    from weiyuan.accounts.models import User

    return (
        User.objects.filter(
            memberships__centre__code=centre_code, memberships__role=Role.DIRECTOR, memberships__active=True
        )
        .order_by("pk")
        .first()
    )


def evaluation_demo_seed(*, log: Callable[[str], None] = print) -> str:
    from weiyuan.kpis.services import kpi_rebuild
    from weiyuan.network.models import Centre

    if EvaluationScheme.objects.exists():
        return "Evaluation: demo scheme already present."
    root = Centre.objects.filter(parent=None).order_by("pk").first()
    organiser = _director(root.code) if root else None
    if root is None or organiser is None:
        log("evaluation demo: no national centre with a director; no scheme")
        return "Evaluation: no demo scheme."
    kpi_rebuild()
    year = timezone.localdate().year
    scheme = services.scheme_create(actor=organiser, year=year, title=f"{year} 年度知识产权维权援助机构绩效评价")
    for position, (code, name, name_en, kind, weight, text) in enumerate(INDICATORS):
        services.indicator_save(
            scheme=scheme,
            actor=organiser,
            data=services.IndicatorInput(
                code=code,
                name=name,
                name_en=name_en,
                kind=kind,
                weight=weight,
                max_score=weight,
                formula=text if kind == FORMULA else "",
                guidance=text if kind == MANUAL else "",
                position=position,
            ),
        )
    scheme = services.scheme_transition(scheme=scheme, actor=organiser, action="publish")
    done = 0
    for centre_code, own, reviews, last in ASSESSMENTS:
        assessment = Assessment.objects.filter(scheme=scheme, centre__code=centre_code).first()
        director = _director(centre_code)
        reviewer = _director(assessment.centre.parent.code) if assessment and assessment.centre.parent else None
        if assessment is None or director is None or reviewer is None:
            continue
        items = {item.indicator.code: item for item in assessment.items.select_related("indicator")}
        for code, (score, explanation) in own.items():
            services.item_self_assess(item=items[code], actor=director, self_score=score, explanation=explanation)
        assessment = services.assessment_transition(assessment=assessment, actor=director, action="submit")
        if last == "finalise":
            for code, (score, comment) in reviews.items():
                services.item_review(item=items[code], actor=reviewer, score=score, comment=comment)
            services.assessment_transition(assessment=assessment, actor=reviewer, action="finalise")
        done += 1
    return f"Evaluation: the {year} scheme published ({len(INDICATORS)} indicators), {done} self-assessments submitted."
