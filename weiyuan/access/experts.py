"""Access to the expert database 专家库 and to the matching of experts for a case. Default deny.

The database is shared by the whole network ("one national network"): the staff of every centre (intake officers,
handlers, directors) look experts up and match them to their cases, and supervisors read it for oversight. Each
profile is kept by one centre: that centre's directors (and platform admins) create, edit, deactivate and import
it; directors of any centre and admins export. An expert with an account sees their own profile and keeps its
availability, fields and languages up to date; they see no other profile. Applicants, partners, volunteers and
anonymous visitors see nothing of it (a profile answers 404, the database's pages 403).

On a case, matching is work on the case: the staff of its centre and of a co-handling centre may match; only the
director of its centre may override a conflict of interest (with a written reason); ratings of a finished task
are given by the director or the assigned handler. Supervisors and the assigned expert see the case but may not
match (403).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import (
    STAFF_ROLES,
    Decision,
    Relation,
    case_relations,
    centre_ids_with_role,
    has_role,
)
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.cases.models import Case
    from weiyuan.experts.models import Expert


class ExpertRelation(StrEnum):
    """How a user stands towards the expert database, or one profile in it."""

    ADMIN = "admin"  # platform admin
    DIRECTOR = "director"  # director of some centre (may create profiles for their own centres)
    NETWORK_STAFF = "network_staff"  # intake officer, handler or director of any centre
    SUPERVISOR = "supervisor"  # supervisor at any level (read-only)
    KEEPER = "keeper"  # director of the centre that keeps this profile
    SELF = "self"  # the expert's own account


class ExpertPermission(StrEnum):
    """Every permission on the expert database, named once (`resource:action`), alphabetised."""

    CONFLICT_OVERRIDE = "expert:conflict_override"  # on a case
    CREATE = "expert:create"
    DEACTIVATE = "expert:deactivate"
    EDIT = "expert:edit"
    EDIT_OWN = "expert:edit_own"  # availability, fields and languages of one's own profile
    EXPORT = "expert:export"
    IMPORT = "expert:import"
    LIST = "expert:list"
    MATCH = "expert:match"  # on a case
    RATE = "expert:rate"  # a finished task on a case
    VIEW = "expert:view"


E = ExpertRelation
P = ExpertPermission
R = Relation

# The database and its profiles: which relations hold which permission.
EXPERT_PERMISSIONS: dict[ExpertPermission, frozenset[ExpertRelation]] = {
    P.CREATE: frozenset({E.DIRECTOR, E.ADMIN}),
    P.DEACTIVATE: frozenset({E.KEEPER, E.ADMIN}),
    P.EDIT: frozenset({E.KEEPER, E.ADMIN}),
    P.EDIT_OWN: frozenset({E.SELF}),
    P.EXPORT: frozenset({E.DIRECTOR, E.ADMIN}),
    P.IMPORT: frozenset({E.DIRECTOR, E.ADMIN}),
    P.LIST: frozenset({E.NETWORK_STAFF, E.SUPERVISOR, E.ADMIN}),
    P.VIEW: frozenset({E.NETWORK_STAFF, E.SUPERVISOR, E.ADMIN, E.SELF}),
}

# On a case: which relations to the case hold which permission.
CASE_EXPERT_PERMISSIONS: dict[ExpertPermission, frozenset[Relation]] = {
    P.CONFLICT_OVERRIDE: frozenset({R.DIRECTOR}),
    P.MATCH: frozenset({R.INTAKE_OFFICER, R.HANDLER, R.DIRECTOR, R.ASSIGNED_HANDLER, R.CO_HANDLER}),
    P.RATE: frozenset({R.DIRECTOR, R.ASSIGNED_HANDLER}),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def database_relations(user: Any) -> set[ExpertRelation]:
    """The user's standing towards the database as a whole (no particular profile)."""
    relations: set[ExpertRelation] = set()
    if not _active(user):
        return relations
    if getattr(user, "is_superuser", False):
        relations.add(E.ADMIN)
    if centre_ids_with_role(user, Role.DIRECTOR):
        relations.add(E.DIRECTOR)
    if centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(E.NETWORK_STAFF)
    if has_role(user, Role.SUPERVISOR):
        relations.add(E.SUPERVISOR)
    return relations


def expert_relations(user: Any, expert: Expert) -> set[ExpertRelation]:
    relations = database_relations(user)
    if not _active(user):
        return relations
    relations.discard(E.DIRECTOR)  # towards one profile, only the keeping centre's directors count
    if expert.centre_id in centre_ids_with_role(user, Role.DIRECTOR):
        relations.add(E.KEEPER)
    if expert.user_id is not None and expert.user_id == user.pk:
        relations.add(E.SELF)
    return relations


def expert_decide(user: Any, permission: ExpertPermission, expert: Expert) -> Decision:
    relations = expert_relations(user, expert)
    if relations & EXPERT_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & EXPERT_PERMISSIONS[P.VIEW]:
        return Decision(False, str(_("您无权查看该专家。")))
    if permission in (P.EDIT, P.DEACTIVATE):
        return Decision(False, str(_("只有维护该专家资料的机构负责人或平台管理员可以修改或停用。")))
    return Decision(False, str(_("您的角色不能执行此操作。")))


def database_decide(user: Any, permission: ExpertPermission) -> Decision:
    if database_relations(user) & EXPERT_PERMISSIONS[permission]:
        return Decision(True)
    if permission in (P.CREATE, P.IMPORT, P.EXPORT):
        return Decision(False, str(_("只有援助机构的负责人或平台管理员可以新增、导入或导出专家。")))
    return Decision(False, str(_("专家库仅供援助机构的工作人员和监督人员查阅。")))


def can_see_expert(user: Any, expert: Expert) -> bool:
    return bool(expert_decide(user, P.VIEW, expert))


def expert_scope_q(user: Any) -> Q:
    """The profiles a user may see, as one filter (the same rule as `can_see_expert`)."""
    if database_relations(user) & EXPERT_PERMISSIONS[P.LIST]:
        return Q()
    if _active(user):
        return Q(user_id=user.pk)
    return Q(pk__in=[])


def keeper_centre_ids(user: Any) -> set[int] | None:
    """Centres whose profiles the user keeps: their director centres; None = every centre (platform admin)."""
    if not _active(user):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    return centre_ids_with_role(user, Role.DIRECTOR)


def case_expert_decide(user: Any, permission: ExpertPermission, case: Case) -> Decision:
    relations = case_relations(user, case)
    if relations & CASE_EXPERT_PERMISSIONS[permission]:
        return Decision(True)
    if not relations:
        return Decision(False, str(_("您无权查看该案件。")))
    if permission == P.CONFLICT_OVERRIDE:
        return Decision(False, str(_("只有本案承办机构的负责人可以豁免利益冲突。")))
    if permission == P.RATE:
        return Decision(False, str(_("只有本案的承办人或中心负责人可以评价专家。")))
    return Decision(False, str(_("只有本案承办机构（或协同机构）的工作人员可以匹配专家。")))
