"""Access to the database of cooperating organisations 合作单位, their accounts, webhook endpoints and delivery log.
Default deny.

The database is shared by the network, like the expert database: staff (intake officers, handlers, directors) of
any centre and supervisors read the directory and an organisation's page with its agreements, so a handler in one
province can find the court or platform another centre works with. Each organisation is kept by one centre:

- the keeping centre's staff (any of its intake officers, handlers and directors) edit the organisation and its
  service agreements — routine upkeep of contact details and agreement dates is clerical work that whoever deals
  with the organisation should be able to do, and every change is audited;
- the keeping centre's director adds and deactivates the organisation's accounts and webhook endpoints — these
  grant access (an account reads what is referred to the organisation; an endpoint receives case data), so they
  sit with the person answerable for the centre, as expert profiles and filings do;
- the keeping centre's staff see the accounts, endpoints and delivery log and may redeliver a failed delivery
  (re-sending what was already addressed to the organisation grants nothing new).

A partner account acts for exactly one organisation (`partners.OrganisationMember`, active, with an active
partner role): it reads that organisation's page, its accounts, endpoints and delivery log, and nothing of any
other organisation (404). Applicants, experts, volunteers, editors and anonymous visitors see nothing (the
directory 403 or the login page, an organisation 404). Platform admins may do everything.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import STAFF_ROLES, Decision, centre_ids_with_role, has_role
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.partners.models import Organisation


class PartnerRelation(StrEnum):
    """How a user stands towards the database of organisations, or one organisation in it."""

    ADMIN = "admin"  # platform admin
    NETWORK_STAFF = "network_staff"  # intake officer, handler or director of any centre
    SUPERVISOR = "supervisor"  # supervisor at any level (read-only)
    KEEPER_STAFF = "keeper_staff"  # staff of the centre that keeps this organisation
    KEEPER_DIRECTOR = "keeper_director"  # director of the centre that keeps this organisation
    MEMBER = "member"  # an active account of this organisation


class PartnerPermission(StrEnum):
    """Every permission on the organisations database, named once (`resource:action`), alphabetised."""

    CREATE = "partner:create"  # record a new organisation, kept by one of one's own centres
    EDIT = "partner:edit"  # the organisation's fields and its service agreements
    LIST = "partner:list"  # the directory
    MANAGE_MEMBERS = "partner:manage_members"  # add, link and deactivate accounts
    MANAGE_WEBHOOKS = "partner:manage_webhooks"  # add, change, deactivate endpoints; rotate secrets
    REDELIVER = "partner:redeliver"  # send a failed webhook delivery again
    VIEW = "partner:view"  # the organisation's page and agreements
    VIEW_INTERNALS = "partner:view_internals"  # accounts, endpoints and the delivery log


PR = PartnerRelation
PP = PartnerPermission

PARTNER_PERMISSIONS: dict[PartnerPermission, frozenset[PartnerRelation]] = {
    PP.CREATE: frozenset({PR.NETWORK_STAFF, PR.ADMIN}),
    PP.EDIT: frozenset({PR.KEEPER_STAFF, PR.ADMIN}),
    PP.LIST: frozenset({PR.NETWORK_STAFF, PR.SUPERVISOR, PR.ADMIN}),
    PP.MANAGE_MEMBERS: frozenset({PR.KEEPER_DIRECTOR, PR.ADMIN}),
    PP.MANAGE_WEBHOOKS: frozenset({PR.KEEPER_DIRECTOR, PR.ADMIN}),
    PP.REDELIVER: frozenset({PR.KEEPER_STAFF, PR.ADMIN}),
    PP.VIEW: frozenset({PR.NETWORK_STAFF, PR.SUPERVISOR, PR.ADMIN, PR.MEMBER}),
    PP.VIEW_INTERNALS: frozenset({PR.KEEPER_STAFF, PR.ADMIN, PR.MEMBER}),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def member_organisation_id(user: Any) -> int | None:
    """The organisation an account acts for: its active `OrganisationMember` row, with an active partner role.
    Cached on the user object for the request."""
    if not _active(user) or not has_role(user, Role.PARTNER):
        return None
    if not hasattr(user, "_access_partner_org"):
        from weiyuan.partners.models import OrganisationMember

        user._access_partner_org = (
            OrganisationMember.objects.filter(user_id=user.pk, active=True, organisation__active=True)
            .values_list("organisation_id", flat=True)
            .first()
        )
    org_id: int | None = user._access_partner_org
    return org_id


def database_relations(user: Any) -> set[PartnerRelation]:
    """The user's standing towards the database as a whole (no particular organisation)."""
    relations: set[PartnerRelation] = set()
    if not _active(user):
        return relations
    if getattr(user, "is_superuser", False):
        relations.add(PR.ADMIN)
    if centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(PR.NETWORK_STAFF)
    if has_role(user, Role.SUPERVISOR):
        relations.add(PR.SUPERVISOR)
    return relations


def organisation_relations(user: Any, organisation: Organisation) -> set[PartnerRelation]:
    relations = database_relations(user)
    if not _active(user):
        return relations
    if organisation.keeper_id in centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(PR.KEEPER_STAFF)
    if organisation.keeper_id in centre_ids_with_role(user, Role.DIRECTOR):
        relations.add(PR.KEEPER_DIRECTOR)
    if member_organisation_id(user) == organisation.pk:
        relations.add(PR.MEMBER)
    return relations


def organisation_decide(user: Any, permission: PartnerPermission, organisation: Organisation) -> Decision:
    relations = organisation_relations(user, organisation)
    if relations & PARTNER_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & PARTNER_PERMISSIONS[PP.VIEW]:
        return Decision(False, str(_("您无权查看该合作单位。")))
    if permission == PP.EDIT:
        return Decision(False, str(_("只有维护该合作单位的机构的工作人员可以修改它和它的合作协议。")))
    if permission in (PP.MANAGE_MEMBERS, PP.MANAGE_WEBHOOKS):
        return Decision(False, str(_("只有维护该合作单位的机构负责人可以管理它的账户和 Webhook 接收地址。")))
    if permission == PP.REDELIVER:
        return Decision(False, str(_("只有维护该合作单位的机构的工作人员可以重新推送。")))
    return Decision(False, str(_("您的角色不能执行此操作。")))


def database_decide(user: Any, permission: PartnerPermission) -> Decision:
    if database_relations(user) & PARTNER_PERMISSIONS[permission]:
        return Decision(True)
    if permission == PP.CREATE:
        return Decision(False, str(_("只有援助机构的工作人员或平台管理员可以登记合作单位。")))
    return Decision(False, str(_("合作单位名录仅供援助机构的工作人员和监督人员查阅。")))


def can_see_organisation(user: Any, organisation: Organisation) -> bool:
    return bool(organisation_decide(user, PP.VIEW, organisation))


def organisation_scope_q(user: Any) -> Q:
    """The organisations a user may see, as one filter (the same rule as `can_see_organisation`)."""
    if database_relations(user) & PARTNER_PERMISSIONS[PP.LIST]:
        return Q()
    org_id = member_organisation_id(user)
    if org_id is not None:
        return Q(pk=org_id)
    return Q(pk__in=[])


def keeper_centre_ids(user: Any) -> set[int] | None:
    """Centres for which the user may record organisations (their staff centres); None = any (platform admin)."""
    if not _active(user):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    return centre_ids_with_role(user, *STAFF_ROLES)


def has_partner_directory(user: Any) -> bool:
    """The nav link 合作单位: the directory for network staff, supervisors and admins."""
    return bool(database_decide(user, PP.LIST))
