"""Access to infringement-judgment reference opinions 侵权判定参考意见. Default deny.

Towards an opinion (and its case) a user holds relations, computed from data:

| relation | holds when |
|---|---|
| `centre_staff` | intake officer, handler or director of the case's centre |
| `assigned_handler` | the handler the case is assigned to |
| `director` | director of the case's centre |
| `co_handler` | staff of a centre the case is shared with (协同) |
| `task_expert` | an account with the expert role and an open `CaseAssignment(kind="expert")` on the case |
| `author` | who created the opinion |
| `applicant` | the case's applicant account |
| `supervisor` | supervisor of the case's centre or a centre above it |

Experts are decided from the assignment itself, never from the case permission `case:view` (an expert does not see
the whole case page). The applicant and supervisors see only issued opinions, and of those only the letter; every
other opinion does not exist for them (404). Partners, volunteers, other centres: 404.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import (
    Decision,
    Relation,
    case_relations,
    case_staff_q,
    has_role,
    memberships_of,
)
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.cases.models import Case
    from weiyuan.opinions.models import Opinion


class OpinionRelation(StrEnum):
    CENTRE_STAFF = "centre_staff"
    ASSIGNED_HANDLER = "assigned_handler"
    DIRECTOR = "director"
    CO_HANDLER = "co_handler"
    TASK_EXPERT = "task_expert"
    AUTHOR = "author"
    APPLICANT = "applicant"
    SUPERVISOR = "supervisor"


class OpinionPermission(StrEnum):
    """Every permission on opinions, named once (`resource:action`), alphabetised."""

    CREATE = "opinion:create"  # on a case
    DOWNLOAD = "opinion:download"  # the issued letter
    EDIT = "opinion:edit"  # the chart, comparison, basis and notes; also submit
    GENERATE = "opinion:generate"  # the PDF letter of a signed opinion
    REVIEW = "opinion:review"  # approve or return a submitted opinion
    SIGN = "opinion:sign"  # sign a reviewed opinion, or send it back
    VIEW = "opinion:view"  # the working opinion in every state


OR = OpinionRelation
OP = OpinionPermission
WORKING_SIDE = frozenset({OR.CENTRE_STAFF, OR.ASSIGNED_HANDLER, OR.DIRECTOR, OR.CO_HANDLER, OR.TASK_EXPERT})

# The one table: which relations hold which permission. Guards (state, four eyes) live in opinions/transitions.py.
OPINION_PERMISSIONS: dict[OpinionPermission, frozenset[OpinionRelation]] = {
    OP.CREATE: frozenset({OR.ASSIGNED_HANDLER, OR.TASK_EXPERT}),
    OP.DOWNLOAD: frozenset({*WORKING_SIDE, OR.APPLICANT, OR.SUPERVISOR}),
    # The author while they still work on the case, and the assigned handler who answers for it.
    OP.EDIT: frozenset({OR.ASSIGNED_HANDLER, OR.AUTHOR}),
    OP.GENERATE: frozenset({OR.DIRECTOR, OR.ASSIGNED_HANDLER}),
    # A second expert with a task on the case, or the handler; never the author (guard `not_the_author`).
    OP.REVIEW: frozenset({OR.ASSIGNED_HANDLER, OR.TASK_EXPERT}),
    OP.SIGN: frozenset({OR.DIRECTOR}),
    OP.VIEW: WORKING_SIDE,
}

# The applicant and supervisors know of an opinion once its letter is issued.
LETTER_READERS = frozenset({OR.APPLICANT, OR.SUPERVISOR})


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def has_expert_task(user: Any, case: Case) -> bool:
    """An open expert task on the case, held by an account that is (still) an expert."""
    from weiyuan.cases.models import CaseAssignment

    if not _active(user) or not has_role(user, Role.EXPERT):
        return False
    return CaseAssignment.objects.filter(case=case, user=user, kind="expert", ended_at__isnull=True).exists()


def case_opinion_relations(user: Any, case: Case) -> set[OpinionRelation]:
    """The relations that do not depend on one opinion (everything but `author`)."""
    if not _active(user):
        return set()
    cached = getattr(case, "_opinion_relations", None)
    if cached is not None and cached[0] == (user.pk, case.centre_id, case.handler_id, case.state):
        return set(cached[1])
    relations: set[OpinionRelation] = set()
    case_rel = case_relations(user, case)
    if case_rel & {Relation.INTAKE_OFFICER, Relation.HANDLER, Relation.DIRECTOR}:
        relations.add(OR.CENTRE_STAFF)
    for source, target in (
        (Relation.ASSIGNED_HANDLER, OR.ASSIGNED_HANDLER),
        (Relation.DIRECTOR, OR.DIRECTOR),
        (Relation.CO_HANDLER, OR.CO_HANDLER),
        (Relation.APPLICANT, OR.APPLICANT),
        (Relation.SUPERVISOR, OR.SUPERVISOR),
    ):
        if source in case_rel:
            relations.add(target)
    if case.state != "draft" and has_expert_task(user, case):
        relations.add(OR.TASK_EXPERT)
    case._opinion_relations = ((user.pk, case.centre_id, case.handler_id, case.state), frozenset(relations))  # type: ignore[attr-defined]
    return relations


def opinion_relations(user: Any, opinion: Opinion) -> set[OpinionRelation]:
    relations = case_opinion_relations(user, opinion.case)
    # The author counts only while they still work on the case (an expert whose task ended is out).
    if opinion.author_id == getattr(user, "pk", None) and relations & {OR.ASSIGNED_HANDLER, OR.TASK_EXPERT}:
        relations.add(OR.AUTHOR)
    return relations


def can_see_opinion(user: Any, opinion: Opinion) -> bool:
    relations = opinion_relations(user, opinion)
    if relations & WORKING_SIDE:
        return True
    return bool(relations & LETTER_READERS) and opinion.state == "issued"


def opinion_decide(user: Any, permission: OpinionPermission, opinion: Opinion) -> Decision:
    """May the user take the action on the opinion? (State and four-eyes guards: opinions/transitions.py.)"""
    relations = opinion_relations(user, opinion)
    if permission == OP.DOWNLOAD and not opinion.letter_sha256:
        return Decision(False, str(_("该意见尚未生成意见书。")))
    if relations & OPINION_PERMISSIONS[permission]:
        if permission == OP.DOWNLOAD and not relations & WORKING_SIDE and opinion.state != "issued":
            return Decision(False, str(_("找不到该意见。")))
        return Decision(True)
    if not can_see_opinion(user, opinion):
        return Decision(False, str(_("找不到该意见。")))
    reasons = {
        OP.EDIT: _("只有意见的撰写人或本案承办人可以修改和提交意见。"),
        OP.REVIEW: _("审核须由本案承办人或另一位承担本案任务的专家进行。"),
        OP.SIGN: _("意见须由本案承办机构的负责人签发。"),
        OP.GENERATE: _("意见书由签发的负责人或本案承办人生成。"),
    }
    return Decision(False, str(reasons.get(permission, _("您的角色不能执行此操作。"))))


def opinion_create_decide(user: Any, case: Case) -> Decision:
    relations = case_opinion_relations(user, case)
    if relations & OPINION_PERMISSIONS[OP.CREATE]:
        return Decision(True)
    if not relations:
        return Decision(False, str(_("您无权查看该案件。")))
    return Decision(False, str(_("参考意见由本案承办人或承担本案任务的专家起草。")))


def case_opinions_visibility(user: Any, case: Case) -> str:
    """What of a case's opinions the user sees: "all", "issued" (their letters only) or "" (nothing)."""
    relations = case_opinion_relations(user, case)
    if relations & WORKING_SIDE:
        return "all"
    if relations & LETTER_READERS:
        return "issued"
    return ""


def opinion_scope_q(user: Any) -> Q:
    """The opinions a user may see, as one filter over `opinions.Opinion` (the same rule as `can_see_opinion`)."""
    from weiyuan.cases.models import Case, CaseAssignment

    if not _active(user):
        return Q(pk__in=[])
    q: Any = Q(case__in=Case.objects_unscoped.filter(case_staff_q(user)))
    if has_role(user, Role.EXPERT):
        q |= Exists(
            CaseAssignment.objects.filter(case=OuterRef("case"), user=user, kind="expert", ended_at__isnull=True)
        ) & ~Q(case__state="draft")
    issued: Any = Q(case__applicant_user=user)
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            issued |= Q(case__centre__path__startswith=m.centre_path)
    return q | (Q(state="issued") & issued)
