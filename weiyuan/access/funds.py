"""Access to funds 经费 (weiyuan/funds): budgets, spending entries and their invoices, reports. Default deny.

Everything belongs to one centre. Towards a centre a user holds relations:

| relation | holds when |
|---|---|
| `centre_staff` | intake officer, handler or director of the centre |
| `director` | director of the centre |
| `parent_director` | director of the centre's parent level (sets and closes the budget of the level below) |
| `supervisor` | supervisor of the centre or of a centre above it (read-only) |

| permission | relations |
|---|---|
| `funds:view` (budget, spending, invoices, the centre's report) | centre staff, director, parent director, supervisor |
| `budget:set`, `budget:close_year` | director, parent director |
| `spending:create`, `spending:edit`, `spending:submit` | centre staff |
| `spending:approve`, `spending:return`, `spending:void` | director |
| `funds:report_subtree` (the report over the centre and every centre below) | supervisor |

Four eyes: the director may not approve an entry they submitted themselves (guard in weiyuan/funds/flow.py).
Without `funds:view` a centre's funds, an entry or an invoice answer 404; with it but not the permission, 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import STAFF_ROLES, Decision, centre_ids_with_role, memberships_of
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.network.models import Centre


class FundsPermission(StrEnum):
    """Every funds permission, named once, alphabetised."""

    BUDGET_CLOSE_YEAR = "budget:close_year"
    BUDGET_SET = "budget:set"
    FUNDS_REPORT_SUBTREE = "funds:report_subtree"
    FUNDS_VIEW = "funds:view"
    SPENDING_APPROVE = "spending:approve"
    SPENDING_CREATE = "spending:create"
    SPENDING_EDIT = "spending:edit"
    SPENDING_RETURN = "spending:return"
    SPENDING_SUBMIT = "spending:submit"
    SPENDING_VOID = "spending:void"


class FundsRelation(StrEnum):
    CENTRE_STAFF = "centre_staff"
    DIRECTOR = "director"
    PARENT_DIRECTOR = "parent_director"
    SUPERVISOR = "supervisor"


P = FundsPermission
FR = FundsRelation

FUNDS_PERMISSIONS: dict[FundsPermission, frozenset[FundsRelation]] = {
    P.BUDGET_CLOSE_YEAR: frozenset({FR.DIRECTOR, FR.PARENT_DIRECTOR}),
    P.BUDGET_SET: frozenset({FR.DIRECTOR, FR.PARENT_DIRECTOR}),
    P.FUNDS_REPORT_SUBTREE: frozenset({FR.SUPERVISOR}),
    P.FUNDS_VIEW: frozenset({FR.CENTRE_STAFF, FR.DIRECTOR, FR.PARENT_DIRECTOR, FR.SUPERVISOR}),
    P.SPENDING_APPROVE: frozenset({FR.DIRECTOR}),
    P.SPENDING_CREATE: frozenset({FR.CENTRE_STAFF}),
    P.SPENDING_EDIT: frozenset({FR.CENTRE_STAFF}),
    P.SPENDING_RETURN: frozenset({FR.DIRECTOR}),
    P.SPENDING_SUBMIT: frozenset({FR.CENTRE_STAFF}),
    P.SPENDING_VOID: frozenset({FR.DIRECTOR}),
}

REFUSALS = {
    P.BUDGET_CLOSE_YEAR: _("只有本机构或上级机构的负责人可以结账。"),
    P.BUDGET_SET: _("只有本机构或上级机构的负责人可以编制预算。"),
    P.FUNDS_REPORT_SUBTREE: _("下级机构汇总报表仅供监督人员查看。"),
    P.SPENDING_APPROVE: _("只有本机构负责人可以审批支出。"),
    P.SPENDING_CREATE: _("只有本机构的工作人员可以登记支出。"),
    P.SPENDING_EDIT: _("只有本机构的工作人员可以修改支出。"),
    P.SPENDING_RETURN: _("只有本机构负责人可以退回支出。"),
    P.SPENDING_SUBMIT: _("只有本机构的工作人员可以提交支出。"),
    P.SPENDING_VOID: _("只有本机构负责人可以作废已批准的支出。"),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def funds_relations(user: Any, centre: Centre) -> set[FundsRelation]:
    if not _active(user):
        return set()
    relations: set[FundsRelation] = set()
    if centre.pk in centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(FR.CENTRE_STAFF)
    directs = centre_ids_with_role(user, Role.DIRECTOR)
    if centre.pk in directs:
        relations.add(FR.DIRECTOR)
    if centre.parent_id is not None and centre.parent_id in directs:
        relations.add(FR.PARENT_DIRECTOR)
    if any(
        m.role == Role.SUPERVISOR and m.centre_path and centre.path.startswith(m.centre_path)
        for m in memberships_of(user)
    ):
        relations.add(FR.SUPERVISOR)
    return relations


def funds_decide(user: Any, permission: FundsPermission, centre: Centre) -> Decision:
    relations = funds_relations(user, centre)
    if relations & FUNDS_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & FUNDS_PERMISSIONS[P.FUNDS_VIEW]:
        return Decision(False, str(_("找不到该机构的经费信息。")))
    return Decision(False, str(REFUSALS.get(permission, _("您的角色不能执行此操作。"))))


def can_view_funds(user: Any, centre: Centre) -> bool:
    return bool(funds_decide(user, P.FUNDS_VIEW, centre))


def has_funds(user: Any) -> bool:
    """The funds pages (and the navigation link): centre staff and supervisors."""
    return _active(user) and any(
        m.role in (*STAFF_ROLES, Role.SUPERVISOR) and m.centre_id for m in memberships_of(user)
    )


def funds_scope_q(user: Any, field: str = "centre") -> Q:
    """The rows of the centres whose funds the user may see, as one filter on `field` (a FK to Centre)."""
    if not _active(user):
        return Q(pk__in=[])
    q = Q(**{f"{field}_id__in": centre_ids_with_role(user, *STAFF_ROLES)})
    directs = centre_ids_with_role(user, Role.DIRECTOR)
    if directs:
        q |= Q(**{f"{field}__parent_id__in": directs})
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            q |= Q(**{f"{field}__path__startswith": m.centre_path})
    return q


def centre_scope_q(user: Any) -> Q:
    """The same rule on the Centre table itself."""
    if not _active(user):
        return Q(pk__in=[])
    q = Q(pk__in=centre_ids_with_role(user, *STAFF_ROLES))
    directs = centre_ids_with_role(user, Role.DIRECTOR)
    if directs:
        q |= Q(parent_id__in=directs)
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            q |= Q(path__startswith=m.centre_path)
    return q
