"""Access to volunteers 志愿者 and staff qualifications (weiyuan/volunteers). Default deny.

A registration belongs to the centre the person applied to. Towards a registration a user holds relations:

| relation | holds when |
|---|---|
| `volunteer` | the person who applied (the registration's account) |
| `director` | director of the registration's centre |

| permission | relations |
|---|---|
| `volunteer:view` (the registration, its hours, drafts and training hours) | volunteer, director |
| `volunteer:decide` (approve, decline, suspend, reinstate, end) | director |
| `volunteer:withdraw` (a pending application) | volunteer |
| `volunteer:log_hours` | volunteer (while approved: the declared table's state check) |

Towards an hours entry: the `volunteer` who logged it, the `director` of its centre, and for case work the case's
assigned `handler`. `volunteer_hours:view` — all three; `volunteer_hours:confirm` (confirm or reject) — director and
handler, never the volunteer (guard in `weiyuan/volunteers/flow.py`).

A staff qualification belongs to a centre: its director adds and removes it; the certificate file is read by that
director and the holder. Anything the user may not see answers 404; an action on something they see, 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import Decision, centre_ids_with_role, has_role
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.volunteers.models import StaffQualification, VolunteerHours, VolunteerRegistration


class VolunteerPermission(StrEnum):
    DECIDE = "volunteer:decide"
    HOURS_CONFIRM = "volunteer_hours:confirm"
    HOURS_VIEW = "volunteer_hours:view"
    LOG_HOURS = "volunteer:log_hours"
    VIEW = "volunteer:view"
    WITHDRAW = "volunteer:withdraw"


class VolunteerRelation(StrEnum):
    DIRECTOR = "director"
    HANDLER = "handler"
    VOLUNTEER = "volunteer"


P = VolunteerPermission
VR = VolunteerRelation

VOLUNTEER_PERMISSIONS: dict[VolunteerPermission, frozenset[VolunteerRelation]] = {
    P.DECIDE: frozenset({VR.DIRECTOR}),
    P.HOURS_CONFIRM: frozenset({VR.DIRECTOR, VR.HANDLER}),
    P.HOURS_VIEW: frozenset({VR.VOLUNTEER, VR.DIRECTOR, VR.HANDLER}),
    P.LOG_HOURS: frozenset({VR.VOLUNTEER}),
    P.VIEW: frozenset({VR.VOLUNTEER, VR.DIRECTOR}),
    P.WITHDRAW: frozenset({VR.VOLUNTEER}),
}

REFUSALS = {
    P.DECIDE: _("只有该机构的负责人可以审核和管理志愿者。"),
    P.HOURS_CONFIRM: _("只有该机构的负责人或案件承办人可以确认服务时长。"),
    P.LOG_HOURS: _("只有志愿者本人可以登记服务时长。"),
    P.WITHDRAW: _("只有申请人本人可以撤回申请。"),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def director_centre_ids(user: Any) -> set[int]:
    return centre_ids_with_role(user, Role.DIRECTOR) if _active(user) else set()


def registration_relations(user: Any, registration: VolunteerRegistration) -> set[VolunteerRelation]:
    if not _active(user):
        return set()
    relations: set[VolunteerRelation] = set()
    if registration.user_id == user.pk:
        relations.add(VR.VOLUNTEER)
    if registration.centre_id in director_centre_ids(user):
        relations.add(VR.DIRECTOR)
    return relations


def hours_relations(user: Any, entry: VolunteerHours) -> set[VolunteerRelation]:
    if not _active(user):
        return set()
    relations: set[VolunteerRelation] = set()
    if entry.user_id == user.pk:
        relations.add(VR.VOLUNTEER)
    if entry.centre_id in director_centre_ids(user):
        relations.add(VR.DIRECTOR)
    if entry.case_id is not None and entry.case is not None and entry.case.handler_id == user.pk:
        relations.add(VR.HANDLER)
    return relations


def _decide(relations: set[VolunteerRelation], permission: VolunteerPermission, view: VolunteerPermission) -> Decision:
    if relations & VOLUNTEER_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & VOLUNTEER_PERMISSIONS[view]:
        return Decision(False, str(_("找不到该志愿者记录。")))
    return Decision(False, str(REFUSALS.get(permission, _("您的角色不能执行此操作。"))))


def volunteer_decide(user: Any, permission: VolunteerPermission, registration: VolunteerRegistration) -> Decision:
    return _decide(registration_relations(user, registration), permission, P.VIEW)


def hours_decide(user: Any, permission: VolunteerPermission, entry: VolunteerHours) -> Decision:
    return _decide(hours_relations(user, entry), permission, P.HOURS_VIEW)


def may_apply(user: Any) -> bool:
    """Any active signed-in account may apply (a new person registers an account first)."""
    return _active(user)


def has_volunteer_admin(user: Any) -> bool:
    """The director's volunteer list and the link "志愿者": directors of a centre."""
    return bool(director_centre_ids(user))


def has_hours_queue(user: Any) -> bool:
    """The queue of hours to confirm: directors (their centres' entries) and handlers (case work on their cases)."""
    return _active(user) and bool(centre_ids_with_role(user, Role.DIRECTOR, Role.HANDLER))


def has_volunteering(user: Any) -> bool:
    """The link "我的志愿服务": volunteers (the page itself is open to every signed-in account)."""
    return _active(user) and has_role(user, Role.VOLUNTEER)


def qualification_manage_decide(user: Any, centre_id: int) -> Decision:
    """A centre's staff qualifications are kept by its director; anyone else: not found."""
    if centre_id in director_centre_ids(user):
        return Decision(True)
    return Decision(False, str(_("找不到该机构的人员资质。")))


def certificate_decide(user: Any, qualification: StaffQualification) -> Decision:
    """The certificate file: the centre's director and the holder; anyone else: not found."""
    if _active(user) and (qualification.user_id == user.pk or qualification.centre_id in director_centre_ids(user)):
        return Decision(True)
    return Decision(False, str(_("找不到该资质证书。")))
