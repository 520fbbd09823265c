"""The steps of a scheme and of an assessment as declared tables (action, from-states, to-state, who, guards), in
the style of `weiyuan/funds/flow.py`:

Scheme (kept by the organiser's directors):

    draft     -> published   the weights sum to 100 (and there is at least one indicator); opens the assessments
    published -> closed      results and the ranking are published; nothing changes any more

Assessment:

    draft     -> submitted   the centre's director, once every manual indicator has a self score and an explanation
    returned  -> submitted   after the revision asked for
    submitted -> returned    the parent level's director, with the reason
    submitted -> finalised   the parent level's director, once every manual indicator has a score

Four eyes: a director of both the centre and its parent level does not return, score or finalise their own centre's
assessment (guard `not_own_centre`).

Everything happens while the scheme is published. The services check the table first; the pages list the allowed
actions from it; `tests/test_evaluation_flow.py` walks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.evaluation import (
    EvaluationPermission,
    evaluation_decide,
    scheme_decide_manage,
    scheme_decide_view,
)
from weiyuan.access.policy import centre_ids_with_role
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.core.punctuation import join_list
from weiyuan.evaluation.models import (
    HUNDRED,
    Assessment,
    AssessmentState,
    EvaluationScheme,
    IndicatorKind,
    SchemeState,
)

S = AssessmentState
P = EvaluationPermission


# --- guards -------------------------------------------------------------------------------------------------------


def scheme_open(assessment: Assessment, actor: Any) -> str:
    if assessment.scheme.state != SchemeState.PUBLISHED:
        return str(
            _("评价方案当前状态为「%(state)s」，不能再修改评价。") % {"state": assessment.scheme.get_state_display()}
        )
    return ""


def self_assessment_complete(assessment: Assessment, actor: Any) -> str:
    missing = [
        i.indicator.code
        for i in assessment.items.select_related("indicator")
        if i.indicator.kind == IndicatorKind.MANUAL and (i.self_score is None or not i.self_explanation.strip())
    ]
    if missing:
        return str(_("以下人工评分指标尚未填写自评分和说明：%(codes)s。") % {"codes": join_list(missing)})
    return ""


def not_own_centre(assessment: Assessment, actor: Any) -> str:
    """Four eyes: a director of both the centre and its parent level does not score their own centre's
    self-assessment (another director of the parent level does)."""
    if assessment.centre_id in centre_ids_with_role(actor, Role.DIRECTOR):
        return str(_("不能为本人担任负责人的机构评分，请由上级机构的其他负责人评分。"))
    return ""


def scoring_complete(assessment: Assessment, actor: Any) -> str:
    missing = [
        i.indicator.code
        for i in assessment.items.select_related("indicator")
        if i.indicator.kind == IndicatorKind.MANUAL and i.reviewed_at is None
    ]
    if missing:
        return str(_("以下人工评分指标尚未评分：%(codes)s。") % {"codes": join_list(missing)})
    return ""


def none_awaiting_scoring(scheme: EvaluationScheme, actor: Any) -> str:
    """Results are published on closing: a self-assessment still waiting for its score would be published without
    one. (Drafts never submitted are closed as they are: the centre took no part.)"""
    waiting = [
        a.centre.display_name
        for a in scheme.assessments.filter(state=AssessmentState.SUBMITTED)
        .select_related("centre")
        .order_by("centre__path")[:5]
    ]
    if waiting:
        return str(
            _("以下机构的自评已提交、尚未评分，评分后才能结束评价：%(centres)s。") % {"centres": join_list(waiting)}
        )
    return ""


def weights_sum_to_hundred(scheme: EvaluationScheme, actor: Any) -> str:
    weights = [i.weight for i in scheme.indicators.all()]
    if not weights:
        return str(_("评价方案还没有指标。"))
    total = sum(weights, Decimal("0"))
    if total != HUNDRED:
        return str(_("各指标权重合计为 %(total)s，须恰好为 100 才能发布。") % {"total": f"{total.normalize():f}"})
    return ""


# --- assessment ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: EvaluationPermission
    label: Promise
    text_field: str = ""  # the text the action needs, named as the form field ("" for none)
    guards: tuple[Callable[[Assessment, Any], str], ...] = field(default=())


TRANSITIONS: tuple[AssessmentTransition, ...] = (
    AssessmentTransition(
        "submit",
        (S.DRAFT, S.RETURNED),
        S.SUBMITTED,
        P.EVALUATION_SELF_ASSESS,
        _("提交自评"),
        guards=(scheme_open, self_assessment_complete),
    ),
    AssessmentTransition(
        "return",
        (S.SUBMITTED,),
        S.RETURNED,
        P.EVALUATION_SCORE,
        _("退回修改"),
        "reason",
        (scheme_open, not_own_centre),
    ),
    AssessmentTransition(
        "finalise",
        (S.SUBMITTED,),
        S.FINALISED,
        P.EVALUATION_SCORE,
        _("确认定分"),
        guards=(scheme_open, not_own_centre, scoring_complete),
    ),
)
TRANSITIONS_BY_ACTION: dict[str, AssessmentTransition] = {t.action: t for t in TRANSITIONS}
SELF_EDITABLE = (S.DRAFT, S.RETURNED)


def check_assessment_transition(assessment: Assessment, action: str, actor: Any) -> AssessmentTransition:
    """The transition if `actor` may take it now; else TransitionRefused (400 unknown, 404 unseen, 403, 409)."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = evaluation_decide(actor, transition.permission, assessment)
    if not decision:
        seen = bool(evaluation_decide(actor, P.EVALUATION_VIEW, assessment))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if assessment.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("评价当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": assessment.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(assessment, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_assessment_actions(assessment: Assessment, actor: Any) -> list[AssessmentTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_assessment_transition(assessment, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed


# --- scheme -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    label: Promise
    guards: tuple[Callable[[EvaluationScheme, Any], str], ...] = field(default=())


SCHEME_TRANSITIONS: tuple[SchemeTransition, ...] = (
    SchemeTransition("publish", (SchemeState.DRAFT,), SchemeState.PUBLISHED, _("发布方案"), (weights_sum_to_hundred,)),
    SchemeTransition(
        "close", (SchemeState.PUBLISHED,), SchemeState.CLOSED, _("结束评价并公布结果"), (none_awaiting_scoring,)
    ),
)
SCHEME_TRANSITIONS_BY_ACTION = {t.action: t for t in SCHEME_TRANSITIONS}


def check_scheme_transition(scheme: EvaluationScheme, action: str, actor: Any) -> SchemeTransition:
    transition = SCHEME_TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = scheme_decide_manage(actor, scheme)
    if not decision:
        seen = bool(scheme_decide_view(actor, scheme))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if scheme.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("评价方案当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": scheme.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(scheme, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_scheme_actions(scheme: EvaluationScheme, actor: Any) -> list[SchemeTransition]:
    allowed = []
    for transition in SCHEME_TRANSITIONS:
        try:
            check_scheme_transition(scheme, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
