"""Access to evaluation 绩效评价 (weiyuan/evaluation). Default deny.

A scheme is kept by its organiser (the national guidance centre, the root of the tree); an assessment belongs to
the centre assessed. Towards an assessment a user holds relations:

| relation | holds when |
|---|---|
| `director` | director of the centre assessed (self-assesses) |
| `parent_director` | director of the centre's parent level (scores; the national centre scores the provinces) |
| `supervisor` | supervisor of the centre or of a centre above it (read-only) |

| permission | relations |
|---|---|
| `evaluation:view` (the assessment, its self scores and evidence) | director, parent director, supervisor |
| `evaluation:self_assess` (self scores, evidence files, submit) | director |
| `evaluation:score` (scores and comments, return for revision, finalise) | parent director |
| `evaluation:view_result` (scores, total, rank, PDF) | parent director, supervisor; the director once closed |

Towards a scheme: `scheme:manage` (indicators, publish, close) for the organiser's directors; `scheme:view` for them
while a draft, and once published for every director and supervisor of the network; `scheme:network_report` (the
whole network's report) for the organiser's directors and supervisors. The ranking shows each user the finalised
assessments whose result they may see; once the scheme is closed the ranking is published to every director and
supervisor. An assessment or scheme the user may not see answers 404; an action they may not take, 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import Decision, centre_ids_with_role, memberships_of
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.evaluation.models import Assessment, EvaluationScheme


class EvaluationPermission(StrEnum):
    """Every evaluation permission, named once, alphabetised."""

    EVALUATION_SCORE = "evaluation:score"
    EVALUATION_SELF_ASSESS = "evaluation:self_assess"
    EVALUATION_VIEW = "evaluation:view"
    EVALUATION_VIEW_RESULT = "evaluation:view_result"


class EvaluationRelation(StrEnum):
    DIRECTOR = "director"
    DIRECTOR_AFTER_CLOSE = "director_after_close"
    PARENT_DIRECTOR = "parent_director"
    SUPERVISOR = "supervisor"


P = EvaluationPermission
ER = EvaluationRelation

EVALUATION_PERMISSIONS: dict[EvaluationPermission, frozenset[EvaluationRelation]] = {
    P.EVALUATION_SCORE: frozenset({ER.PARENT_DIRECTOR}),
    P.EVALUATION_SELF_ASSESS: frozenset({ER.DIRECTOR}),
    P.EVALUATION_VIEW: frozenset({ER.DIRECTOR, ER.PARENT_DIRECTOR, ER.SUPERVISOR}),
    P.EVALUATION_VIEW_RESULT: frozenset({ER.PARENT_DIRECTOR, ER.SUPERVISOR, ER.DIRECTOR_AFTER_CLOSE}),
}

REFUSALS = {
    P.EVALUATION_SCORE: _("只有上级机构的负责人可以评分。"),
    P.EVALUATION_SELF_ASSESS: _("只有本机构负责人可以填写自评。"),
    P.EVALUATION_VIEW_RESULT: _("评价结果在评价方案结束后公布。"),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _supervised_paths(user: Any) -> list[str]:
    return [m.centre_path for m in memberships_of(user) if m.role == Role.SUPERVISOR and m.centre_path]


def has_evaluation(user: Any) -> bool:
    """The evaluation pages and the navigation link "绩效评价": directors and supervisors of a centre."""
    return _active(user) and any(
        m.role in (Role.DIRECTOR, Role.SUPERVISOR) and m.centre_id for m in memberships_of(user)
    )


def evaluation_relations(user: Any, assessment: Assessment) -> set[EvaluationRelation]:
    if not _active(user):
        return set()
    centre = assessment.centre
    relations: set[EvaluationRelation] = set()
    directs = centre_ids_with_role(user, Role.DIRECTOR)
    if centre.pk in directs:
        relations.add(ER.DIRECTOR)
        if assessment.scheme.state == "closed":
            relations.add(ER.DIRECTOR_AFTER_CLOSE)
    if centre.parent_id is not None and centre.parent_id in directs:
        relations.add(ER.PARENT_DIRECTOR)
    if any(centre.path.startswith(p) for p in _supervised_paths(user)):
        relations.add(ER.SUPERVISOR)
    return relations


def evaluation_decide(user: Any, permission: EvaluationPermission, assessment: Assessment) -> Decision:
    relations = evaluation_relations(user, assessment)
    if relations & EVALUATION_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & EVALUATION_PERMISSIONS[P.EVALUATION_VIEW]:
        return Decision(False, str(_("找不到该评价。")))
    return Decision(False, str(REFUSALS.get(permission, _("您的角色不能执行此操作。"))))


def assessment_scope_q(user: Any) -> Q:
    """The assessments the user may see, as one filter (the same rule as `evaluation_relations`)."""
    if not _active(user):
        return Q(pk__in=[])
    directs = centre_ids_with_role(user, Role.DIRECTOR)
    q = Q(centre_id__in=directs) | Q(centre__parent_id__in=directs)
    for path in _supervised_paths(user):
        q |= Q(centre__path__startswith=path)
    return q


def result_scope_q(user: Any) -> Q:
    """The assessments whose result (scores, total, rank) the user may see: those they score or supervise, their
    own once the scheme is closed, and every one of a closed scheme for directors and supervisors (the published
    ranking)."""
    if not _active(user):
        return Q(pk__in=[])
    directs = centre_ids_with_role(user, Role.DIRECTOR)
    q = Q(centre__parent_id__in=directs)
    for path in _supervised_paths(user):
        q |= Q(centre__path__startswith=path)
    if has_evaluation(user):
        q |= Q(scheme__state="closed")
    return q


# --- schemes ------------------------------------------------------------------------------------------------------


def manages_scheme(user: Any, scheme: EvaluationScheme) -> bool:
    return _active(user) and scheme.organiser_id in centre_ids_with_role(user, Role.DIRECTOR)


def may_create_scheme(user: Any) -> list[int]:
    """The organiser centres the user may open a scheme for: the root centres they direct."""
    if not _active(user):
        return []
    from weiyuan.network.models import Centre

    directs = centre_ids_with_role(user, Role.DIRECTOR)
    return list(Centre.objects.filter(pk__in=directs, parent__isnull=True).values_list("pk", flat=True))


def scheme_decide_view(user: Any, scheme: EvaluationScheme) -> Decision:
    if manages_scheme(user, scheme) or (scheme.state != "draft" and has_evaluation(user)):
        return Decision(True)
    return Decision(False, str(_("找不到该评价方案。")))


def scheme_decide_manage(user: Any, scheme: EvaluationScheme) -> Decision:
    if manages_scheme(user, scheme):
        return Decision(True)
    if not scheme_decide_view(user, scheme):
        return Decision(False, str(_("找不到该评价方案。")))
    return Decision(False, str(_("只有组织机构的负责人可以管理评价方案。")))


def scheme_decide_network_report(user: Any, scheme: EvaluationScheme) -> Decision:
    if not scheme_decide_view(user, scheme):
        return Decision(False, str(_("找不到该评价方案。")))
    organiser_path = scheme.organiser.path
    if manages_scheme(user, scheme) or any(organiser_path.startswith(p) for p in _supervised_paths(user)):
        return Decision(True)
    return Decision(False, str(_("全网评价报告仅供组织机构的负责人和监督人员查看。")))


def scheme_scope_q(user: Any) -> Q:
    if not _active(user):
        return Q(pk__in=[])
    q = Q(organiser_id__in=centre_ids_with_role(user, Role.DIRECTOR))
    if has_evaluation(user):
        q |= ~Q(state="draft")
    return q
