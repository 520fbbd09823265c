"""Access to training and seminars 培训 (weiyuan/training). Default deny.

An event belongs to its organiser centre. Towards an event a user holds relations:

| relation | holds when |
|---|---|
| `organiser` | intake officer, handler or director of the organiser centre |
| `supervisor` | supervisor of the organiser centre or of a centre above it (read-only) |
| `member` | staff of any centre or a volunteer of the network (may register) |
| `public_applicant` | an applicant account, when the event is public |

| permission | relations |
|---|---|
| `training:view` | organiser, supervisor; member and public applicant once the event is no longer a draft |
| `training:manage` (edit, steps, attendance) | organiser |
| `training:register` (register, cancel one's registration) | member, public applicant (not while a draft) |
| `training:roster` (a centre's staff roster with their training hours) | the centre's director |

An event the user may not see answers 404; an action they may not take on an event they see, 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import STAFF_ROLES, Decision, centre_ids_with_role, has_role, memberships_of
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.network.models import Centre
    from weiyuan.training.models import TrainingEvent


class TrainingPermission(StrEnum):
    MANAGE = "training:manage"
    REGISTER = "training:register"
    VIEW = "training:view"


class TrainingRelation(StrEnum):
    MEMBER = "member"
    ORGANISER = "organiser"
    PUBLIC_APPLICANT = "public_applicant"
    SUPERVISOR = "supervisor"


P = TrainingPermission
TR = TrainingRelation

TRAINING_PERMISSIONS: dict[TrainingPermission, frozenset[TrainingRelation]] = {
    P.MANAGE: frozenset({TR.ORGANISER}),
    P.REGISTER: frozenset({TR.MEMBER, TR.PUBLIC_APPLICANT}),
    P.VIEW: frozenset({TR.ORGANISER, TR.SUPERVISOR, TR.MEMBER, TR.PUBLIC_APPLICANT}),
}

REFUSALS = {
    P.MANAGE: _("只有主办机构的工作人员可以管理该培训。"),
    P.REGISTER: _("只有援助网络的工作人员和志愿者可以报名该培训。"),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_network_member(user: Any) -> bool:
    """Staff of a centre or a volunteer of the network: those training is for."""
    return _active(user) and (bool(centre_ids_with_role(user, *STAFF_ROLES)) or has_role(user, Role.VOLUNTEER))


def _supervised_paths(user: Any) -> list[str]:
    return [m.centre_path for m in memberships_of(user) if m.role == Role.SUPERVISOR and m.centre_path]


def training_relations(user: Any, event: TrainingEvent) -> set[TrainingRelation]:
    if not _active(user):
        return set()
    relations: set[TrainingRelation] = set()
    if event.centre_id in centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(TR.ORGANISER)
    if any(event.centre.path.startswith(p) for p in _supervised_paths(user)):
        relations.add(TR.SUPERVISOR)
    if event.state != "draft":
        if is_network_member(user):
            relations.add(TR.MEMBER)
        if event.public and getattr(user, "is_applicant", False):
            relations.add(TR.PUBLIC_APPLICANT)
    return relations


def training_decide(user: Any, permission: TrainingPermission, event: TrainingEvent) -> Decision:
    relations = training_relations(user, event)
    if relations & TRAINING_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & TRAINING_PERMISSIONS[P.VIEW]:
        return Decision(False, str(_("找不到该培训。")))
    return Decision(False, str(REFUSALS.get(permission, _("您的角色不能执行此操作。"))))


def can_view_event(user: Any, event: TrainingEvent) -> bool:
    return bool(training_decide(user, P.VIEW, event))


def has_training(user: Any) -> bool:
    """The training pages and the navigation link "培训": centre staff, supervisors and volunteers."""
    return _active(user) and (is_network_member(user) or bool(_supervised_paths(user)))


def has_training_list(user: Any) -> bool:
    """The event list: those of `has_training`, and applicant accounts (they see the public events)."""
    return has_training(user) or (_active(user) and bool(getattr(user, "is_applicant", False)))


def may_organise(user: Any) -> set[int]:
    """The centres whose events the user may create (their staff centres)."""
    return centre_ids_with_role(user, *STAFF_ROLES) if _active(user) else set()


def event_scope_q(user: Any) -> Q:
    """The events the user may see, as one filter (the same rule as `training_relations`)."""
    if not _active(user):
        return Q(pk__in=[])
    q = Q(centre_id__in=centre_ids_with_role(user, *STAFF_ROLES))
    for path in _supervised_paths(user):
        q |= Q(centre__path__startswith=path)
    if is_network_member(user):
        q |= ~Q(state="draft")
    elif getattr(user, "is_applicant", False):
        q |= Q(public=True) & ~Q(state="draft")
    return q


def director_centre_ids(user: Any) -> set[int]:
    return centre_ids_with_role(user, Role.DIRECTOR) if _active(user) else set()


def roster_decide(user: Any, centre: Centre) -> Decision:
    """A centre's staff roster with training hours: its director. Anyone else: not found."""
    if _active(user) and centre.pk in centre_ids_with_role(user, Role.DIRECTOR):
        return Decision(True)
    return Decision(False, str(_("找不到该机构的人员名册。")))
