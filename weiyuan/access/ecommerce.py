"""Access to e-commerce notices 通知, their listings and counter-notices 声明 (weiyuan/ecommerce). Default deny.

Towards a notice a user holds relations, from data:

| relation | holds when |
|---|---|
| `sender` | the rights holder's account that filed the notice (the right owner or its agent) |
| `centre_staff` | intake officer, handler or director of the centre that helps prepare it |
| `supervisor` | supervisor of that centre or a centre above it; only once the notice is sent (read-only) |
| `platform` | an active partner account acting for the platform it is addressed to; only once it is sent |

`ECOMMERCE_PERMISSIONS` maps every permission to the relations that hold it. Anyone without a relation: the notice
(and each of its listings) does not exist — 404, also for the accounts of another platform, so a platform never
learns of notices addressed to a competitor. A draft is the sender's and the centre's working paper: the platform
and supervisors see it only once sent.

The seller acts through the platform (the platform posts its counter-notice); sellers have no account of their own
here. The public notice of Art. 44 (`/ecommerce/public/`) needs no relation and shows no personal data.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import STAFF_ROLES, Decision, centre_ids_with_role, has_role, memberships_of
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.ecommerce.models import Notice


class EcommerceRelation(StrEnum):
    SENDER = "sender"
    CENTRE_STAFF = "centre_staff"
    SUPERVISOR = "supervisor"
    PLATFORM = "platform"
    SYSTEM = "system"  # the sweep


class EcommercePermission(StrEnum):
    """Every e-commerce permission, named once, alphabetised."""

    COMPLAIN = "ecommerce:complain"  # record the complaint to an authority or the lawsuit (stops the clock)
    DOWNLOAD = "ecommerce:download"  # the notice's files and the counter-notices' evidence
    EDIT = "ecommerce:edit"  # a draft: the right, listings, files
    HANDLE = "ecommerce:handle"  # the platform: measures, rejection, counter-notice, restoration
    RECORD_WRONG = "ecommerce:record_wrong"  # a notice shown wrong (Art. 42 para 3)
    SEND = "ecommerce:send"
    VIEW = "ecommerce:view"


ER = EcommerceRelation
P = EcommercePermission

ECOMMERCE_PERMISSIONS: dict[EcommercePermission, frozenset[EcommerceRelation]] = {
    P.COMPLAIN: frozenset({ER.SENDER, ER.CENTRE_STAFF}),
    P.DOWNLOAD: frozenset({ER.SENDER, ER.CENTRE_STAFF, ER.PLATFORM}),
    P.EDIT: frozenset({ER.SENDER, ER.CENTRE_STAFF}),
    P.HANDLE: frozenset({ER.PLATFORM, ER.SYSTEM}),
    P.RECORD_WRONG: frozenset({ER.CENTRE_STAFF, ER.PLATFORM}),
    P.SEND: frozenset({ER.SENDER, ER.CENTRE_STAFF}),
    P.VIEW: frozenset({ER.SENDER, ER.CENTRE_STAFF, ER.SUPERVISOR, ER.PLATFORM}),
}

REFUSALS: dict[EcommercePermission, Any] = {
    P.COMPLAIN: _("只有通知人或协助的援助机构工作人员可以登记投诉或起诉。"),
    P.DOWNLOAD: _("您的角色可以查看通知，但不能下载文件。"),
    P.EDIT: _("只有通知人或协助的援助机构工作人员可以修改通知草稿。"),
    P.HANDLE: _("只有接收通知的电子商务平台可以办理此操作。"),
    P.RECORD_WRONG: _("只有协助的援助机构工作人员或接收通知的平台可以登记错误通知。"),
    P.SEND: _("只有通知人或协助的援助机构工作人员可以发送通知。"),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _platform_org_id(user: Any) -> int | None:
    """The e-commerce platform a partner account acts for (None for anyone else, and for other kinds of partner).
    Honours the organisation an API token was issued for (`partners.selectors.acting_organisation`)."""
    from weiyuan.partners.models import OrganisationKind
    from weiyuan.partners.selectors import acting_organisation

    org = acting_organisation(user)
    if org is None or org.kind != OrganisationKind.ECOMMERCE_PLATFORM:
        return None
    return int(org.pk)


def platform_org_id(user: Any) -> int | None:
    return _platform_org_id(user) if _active(user) else None


def notice_relations(user: Any, notice: Notice) -> set[EcommerceRelation]:
    if user is None:
        return {ER.SYSTEM}
    if not _active(user):
        return set()
    relations: set[EcommerceRelation] = set()
    sent = notice.state == "sent"
    if notice.sender_id == user.pk:
        relations.add(ER.SENDER)
    if notice.centre_id in centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(ER.CENTRE_STAFF)
    if sent:
        for m in memberships_of(user):
            if m.role == Role.SUPERVISOR and m.centre_path and notice.centre.path.startswith(m.centre_path):
                relations.add(ER.SUPERVISOR)
        if has_role(user, Role.PARTNER) and platform_org_id(user) == notice.platform_id:
            relations.add(ER.PLATFORM)
    return relations


def notice_decide(user: Any, permission: EcommercePermission, notice: Notice) -> Decision:
    relations = notice_relations(user, notice)
    if relations & ECOMMERCE_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & ECOMMERCE_PERMISSIONS[P.VIEW]:
        return Decision(False, str(_("找不到该通知。")))
    return Decision(False, str(REFUSALS[permission]))


def can_see_notice(user: Any, notice: Notice) -> bool:
    return bool(notice_decide(user, P.VIEW, notice))


def notice_scope_q(user: Any) -> Q:
    """The notices a user may see, as one filter (the same rule as `notice_relations` with VIEW)."""
    if not _active(user):
        return Q(pk__in=[])
    q = Q(sender_id=user.pk)
    sent = Q(state="sent")
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    if staff_centres:
        q |= Q(centre_id__in=staff_centres)
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            q |= sent & Q(centre__path__startswith=m.centre_path)
    org_id = platform_org_id(user) if has_role(user, Role.PARTNER) else None
    if org_id is not None:
        q |= sent & Q(platform_id=org_id)
    return q


def has_platform_inbox(user: Any) -> bool:
    """Partner accounts acting for an e-commerce platform have the notice inbox."""
    return _active(user) and has_role(user, Role.PARTNER) and platform_org_id(user) is not None


def has_notice_list(user: Any) -> bool:
    """Applicants (their own notices), centre staff (their centres') and supervisors (the subtree)."""
    return _active(user) and (
        bool(getattr(user, "is_applicant", False)) or has_role(user, *STAFF_ROLES, Role.SUPERVISOR)
    )


def notice_create_refusal(user: Any) -> str:
    """Why the user may not file a notice ("" if they may): rights holders' accounts (the owner or its agent)."""
    if _active(user) and getattr(user, "is_applicant", False):
        return ""
    return str(_("只有权利人或其代理人的申请人账户可以提交电商侵权通知。"))
