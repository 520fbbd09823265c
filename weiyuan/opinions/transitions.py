"""The life of an opinion as one declared table (action, from-states, to-state, permission, guards), in the style of
`weiyuan/cases/transitions.py`:

    draft / returned -> submitted   the author or the assigned handler; a complete chart (or comparison)
    submitted -> reviewed           a second expert with a task on the case, or the assigned handler; not the author
    submitted -> returned           the same, with comments
    reviewed -> returned            the director, with comments (send back)
    reviewed -> signed              the director of the case's centre; everything compared and reasoned, basis cited
    signed -> issued                the director or the assigned handler: the PDF letter is generated and stored

The services in `services.py` go through `check_opinion_transition` before they change anything; the pages list
the allowed actions from this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.opinions import OpinionPermission, can_see_opinion, opinion_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.opinions.models import Comparison, Opinion, OpinionState

S = OpinionState
P = OpinionPermission
Guard = Callable[[Opinion, Any], str | None]


def chart_has_features(opinion: Opinion, actor: Any) -> str | None:
    """A patent chart needs claims, an independent claim, and features on every claim; a design or trademark
    opinion needs its comparison."""
    if opinion.is_patent:
        claims = list(opinion.claims.all())
        if not claims:
            return str(_("权利要求对比表为空：请先录入权利要求并分解技术特征。"))
        if not any(c.independent for c in claims):
            return str(_("权利要求中没有独立权利要求，不能按全面覆盖原则判定。"))
        empty = [str(c.number) for c in claims if not c.features.exists()]
        if empty:
            return str(_("权利要求%(claims)s尚未分解技术特征。") % {"claims": "、".join(empty)})
        return None
    if opinion.kind == "design" and not hasattr(opinion, "design"):
        return str(_("请先填写外观设计比对。"))
    if opinion.kind == "trademark" and not hasattr(opinion, "trademark"):
        return str(_("请先填写商标比对。"))
    return None


def features_compared(opinion: Opinion, actor: Any) -> str | None:
    from weiyuan.opinions.models import Feature

    if not opinion.is_patent:
        return None
    missing = Feature.objects.filter(claim__opinion=opinion, comparison=Comparison.NONE).select_related("claim")
    labels = [f"{f.claim.number}-{f.position}" for f in missing[:10]]
    if labels:
        return str(_("以下技术特征尚未比对：%(features)s。") % {"features": "、".join(labels)})
    return None


def equivalents_reasoned(opinion: Opinion, actor: Any) -> str | None:
    from weiyuan.opinions.models import Feature

    if not opinion.is_patent:
        return None
    rows = Feature.objects.filter(claim__opinion=opinion, comparison=Comparison.EQUIVALENT).select_related("claim")
    labels = [f"{f.claim.number}-{f.position}" for f in rows if not f.row().equivalence_reasoned]
    if labels:
        return str(
            _("以下等同特征缺少手段、功能、效果的比对理由：%(features)s。") % {"features": "、".join(labels[:10])}
        )
    return None


def basis_cited(opinion: Opinion, actor: Any) -> str | None:
    if not opinion.basis.exists():
        return str(_("请引用判定依据的法律条文。"))
    return None


def not_the_author(opinion: Opinion, actor: Any) -> str | None:
    if opinion.author_id == getattr(actor, "pk", None):
        return str(_("审核须由撰写人以外的人进行（第二位专家或本案承办人）。"))
    return None


@dataclass(frozen=True)
class OpinionTransition:
    action: str
    sources: tuple[str, ...]
    target: str
    permission: OpinionPermission
    label: Promise
    guards: tuple[Guard, ...] = field(default=())
    needs_comment: bool = False
    style: str = "secondary"


TRANSITIONS: tuple[OpinionTransition, ...] = (
    OpinionTransition(
        "submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, P.EDIT, _("提交审核"), (chart_has_features,), style="primary"
    ),
    OpinionTransition(
        "review",
        (S.SUBMITTED,),
        S.REVIEWED,
        P.REVIEW,
        _("审核通过"),
        (not_the_author, chart_has_features),
        style="primary",
    ),
    OpinionTransition(
        "return", (S.SUBMITTED,), S.RETURNED, P.REVIEW, _("退回修改"), (not_the_author,), needs_comment=True
    ),
    OpinionTransition("send_back", (S.REVIEWED,), S.RETURNED, P.SIGN, _("退回修改"), needs_comment=True),
    OpinionTransition(
        "sign",
        (S.REVIEWED,),
        S.SIGNED,
        P.SIGN,
        _("签发"),
        (chart_has_features, features_compared, equivalents_reasoned, basis_cited),
        style="primary",
    ),
    OpinionTransition("generate", (S.SIGNED,), S.ISSUED, P.GENERATE, _("生成意见书"), style="primary"),
)

TRANSITIONS_BY_ACTION: dict[str, OpinionTransition] = {t.action: t for t in TRANSITIONS}


def check_opinion_transition(opinion: Opinion, action: str, actor: Any) -> OpinionTransition:
    """The transition if `actor` may take it now; else TransitionRefused (404 unseen, 403 role, 409 state/guard)."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = opinion_decide(actor, transition.permission, opinion)
    if not decision:
        raise TransitionRefused(decision.reason, status=403 if can_see_opinion(actor, opinion) else 404)
    if opinion.state not in transition.sources:
        if action == "generate":
            raise TransitionRefused(str(_("意见尚未签发，不能生成意见书 PDF。")))
        raise TransitionRefused(
            str(
                _("意见当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": opinion.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(opinion, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_opinion_actions(opinion: Opinion, actor: Any) -> list[OpinionTransition]:
    allowed = []
    for transition in TRANSITIONS:
        if opinion.state not in transition.sources or not opinion_decide(actor, transition.permission, opinion):
            continue
        if not_the_author in transition.guards and not_the_author(opinion, actor):
            continue  # the author never gets the review buttons
        allowed.append(transition)
    return allowed
