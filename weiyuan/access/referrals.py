"""Access to referrals 衔接 (weiyuan/referrals). Default deny.

Towards a referral a user holds relations, from data:

| relation | holds when |
|---|---|
| `partner` | an active account with the partner role acting for the organisation the referral is addressed to |
| `case_staff` | intake officer, handler or director of the case's centre, or its assigned handler |
| `manager` | the case's assigned handler or a director of the case's centre (send, withdraw) |
| `supervisor` | supervisor of the case's centre or of a centre above it (read-only) |

`REFERRAL_PERMISSIONS` maps every permission to the relations that hold it. Anyone without a relation: the
referral does not exist (404). A partner sees nothing of the case beyond the referral: its cover letter, the case
facts shown there and the documents chosen for it; never the other evidence, the thread or other referrals.
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
    memberships_of,
)
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.cases.models import Case
    from weiyuan.referrals.models import Referral


class ReferralRelation(StrEnum):
    PARTNER = "partner"
    CASE_STAFF = "case_staff"
    MANAGER = "manager"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"  # the sweep


class ReferralPermission(StrEnum):
    """Every referral permission, named once, alphabetised."""

    ACKNOWLEDGE = "referral:acknowledge"
    CONCLUDE = "referral:conclude"  # report the outcome
    CREATE = "referral:create"  # on a case
    DECIDE = "referral:decide"  # accept or decline
    DOWNLOAD = "referral:download"  # the documents shared with the partner, and the partner's own
    REPORT = "referral:report"  # a progress report
    VIEW = "referral:view"
    VIEW_CASE_SECTION = "referral:view_case_section"  # the referrals section of a case page
    WITHDRAW = "referral:withdraw"


RR = ReferralRelation
P = ReferralPermission
R = Relation

CASE_STAFF_RELATIONS = frozenset({R.INTAKE_OFFICER, R.HANDLER, R.DIRECTOR, R.ASSIGNED_HANDLER})
CASE_MANAGER_RELATIONS = frozenset({R.DIRECTOR, R.ASSIGNED_HANDLER})

REFERRAL_PERMISSIONS: dict[ReferralPermission, frozenset[ReferralRelation]] = {
    P.ACKNOWLEDGE: frozenset({RR.PARTNER}),
    P.CONCLUDE: frozenset({RR.PARTNER}),
    P.DECIDE: frozenset({RR.PARTNER}),
    P.DOWNLOAD: frozenset({RR.PARTNER, RR.CASE_STAFF}),
    P.REPORT: frozenset({RR.PARTNER}),
    P.VIEW: frozenset({RR.PARTNER, RR.CASE_STAFF, RR.MANAGER, RR.SUPERVISOR}),
    P.WITHDRAW: frozenset({RR.MANAGER}),
}

# On a case (case relations): who refers it, who sees the referrals section.
CASE_REFERRAL_PERMISSIONS: dict[ReferralPermission, frozenset[Relation]] = {
    P.CREATE: CASE_MANAGER_RELATIONS,
    P.VIEW_CASE_SECTION: frozenset({*CASE_STAFF_RELATIONS, R.SUPERVISOR}),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _own_acting_organisation_id(user: Any) -> int | None:
    from weiyuan.partners.models import OrganisationMember

    row = (
        OrganisationMember.objects.filter(user_id=user.pk, active=True, organisation__active=True)
        .values_list("organisation_id", flat=True)
        .first()
    )
    return row


def acting_organisation_id(user: Any) -> int | None:
    """The organisation a partner account acts for (None for anyone else), cached on the user for the request.

    Uses `weiyuan.partners.selectors.acting_organisation` when the partners app provides it, else reads the
    account's active `OrganisationMember` row."""
    if not _active(user) or not has_role(user, Role.PARTNER):
        return None
    if hasattr(user, "_referral_organisation_id"):
        return user._referral_organisation_id  # type: ignore[no-any-return]
    try:
        from weiyuan.partners.selectors import acting_organisation
    except ImportError:
        org_id = _own_acting_organisation_id(user)
    else:
        org = acting_organisation(user)
        org_id = org.pk if org is not None else None
    user._referral_organisation_id = org_id
    return org_id


def is_partner_account(user: Any) -> bool:
    """A partner account acting for an organisation: has the referral inbox."""
    return acting_organisation_id(user) is not None


def referral_relations(user: Any, referral: Referral) -> set[ReferralRelation]:
    if user is None:
        return {RR.SYSTEM}
    relations: set[ReferralRelation] = set()
    if not _active(user):
        return relations
    org_id = acting_organisation_id(user)
    if org_id is not None and org_id == referral.organisation_id:
        relations.add(RR.PARTNER)
    case_rel = case_relations(user, referral.case)
    if case_rel & CASE_STAFF_RELATIONS:
        relations.add(RR.CASE_STAFF)
    if case_rel & CASE_MANAGER_RELATIONS:
        relations.add(RR.MANAGER)
    if R.SUPERVISOR in case_rel:
        relations.add(RR.SUPERVISOR)
    return relations


def referral_decide(user: Any, permission: ReferralPermission, referral: Referral) -> Decision:
    relations = referral_relations(user, referral)
    if relations & REFERRAL_PERMISSIONS.get(permission, frozenset()):
        return Decision(True)
    if not relations & REFERRAL_PERMISSIONS[P.VIEW] and RR.SYSTEM not in relations:
        return Decision(False, str(_("找不到该移交。")))
    if permission == P.WITHDRAW:
        return Decision(False, str(_("只有本案承办人或中心负责人可以撤回移交。")))
    if permission == P.DOWNLOAD:
        return Decision(False, str(_("您的角色可以查看移交，但不能下载文件。")))
    return Decision(False, str(_("只有接收移交的合作单位可以办理此操作。")))


def can_see_referral(user: Any, referral: Referral) -> bool:
    return bool(referral_decide(user, P.VIEW, referral))


def case_referral_decide(user: Any, permission: ReferralPermission, case: Case) -> Decision:
    relations = case_relations(user, case)
    if relations & CASE_REFERRAL_PERMISSIONS[permission]:
        return Decision(True)
    if not relations:
        return Decision(False, str(_("您无权查看该案件。")))
    return Decision(False, str(_("只有本案承办人或中心负责人可以将案件移交合作单位。")))


def referral_scope_q(user: Any) -> Q:
    """The referrals a user may see, as one filter: the partner's organisation's; the staff's centres' cases';
    a supervisor's subtree."""
    if not _active(user):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    org_id = acting_organisation_id(user)
    if org_id is not None:
        q |= Q(organisation_id=org_id)
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    if staff_centres:
        q |= Q(case__centre_id__in=staff_centres)
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            q |= Q(case__centre__path__startswith=m.centre_path)
    return q


def has_referral_list(user: Any) -> bool:
    """Centre staff and supervisors have the list of their centres' (subtree's) referrals and its statistics."""
    return _active(user) and has_role(user, *STAFF_ROLES, Role.SUPERVISOR)


def stats_scope_q(user: Any) -> Q:
    """Referral statistics: staff count their centres' referrals, supervisors their subtree. Partners: none."""
    if not has_referral_list(user):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    if staff_centres:
        q |= Q(case__centre_id__in=staff_centres)
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            q |= Q(case__centre__path__startswith=m.centre_path)
    return q


def inbound_scope_q(user: Any) -> Q:
    """Cases referred in by the partner's organisation (InboundReferral rows): their status for its accounts."""
    org_id = acting_organisation_id(user)
    if org_id is None:
        return Q(pk__in=[])
    return Q(organisation_id=org_id)
