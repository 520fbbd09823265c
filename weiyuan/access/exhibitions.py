"""Access to exhibitions and events 展会驻场服务 (weiyuan/exhibitions). Default deny.

Towards an event, its station and a complaint at the station a user holds relations, from data:

| relation | holds when |
|---|---|
| `centre_staff` | intake officer, handler or director of the event's centre (for a complaint: the station's) |
| `supervisor` | supervisor of that centre or a centre above it (read-only) |
| `on_duty` | an account on the station's duty roster (any day): staff or an expert of the expert database |
| `duty_expert` | an expert on the station's duty roster (any day); deciding needs that day's duty (`flow.py`) |
| `complainant` | the account that filed the complaint online |
| `respondent` | the exhibitor's own account, once the notice has been served |

`EXHIBITION_PERMISSIONS` maps each permission to the relations that hold it. Anyone without a relation: the event,
the station and the complaint do not exist (404). The live board is for those who see the station.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import STAFF_ROLES, Decision, centre_ids_with_role, has_role, memberships_of
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.exhibitions.models import Complaint, Event, Station


class ExhibitionRelation(StrEnum):
    CENTRE_STAFF = "centre_staff"
    SUPERVISOR = "supervisor"
    ON_DUTY = "on_duty"
    DUTY_EXPERT = "duty_expert"
    COMPLAINANT = "complainant"
    RESPONDENT = "respondent"


class ExhibitionPermission(StrEnum):
    """Every exhibitions permission, named once, alphabetised."""

    COMPLAINT_DECIDE = "exhibition_complaint:decide"  # the hearing's finding
    COMPLAINT_DEFEND = "exhibition_complaint:defend"  # the respondent's defence (staff record a paper one)
    COMPLAINT_DOWNLOAD = "exhibition_complaint:download"
    COMPLAINT_HANDLE = "exhibition_complaint:handle"  # serve, measures, confirmation, refusal, withdrawal
    COMPLAINT_MARK_CHECK = "exhibition_complaint:mark_check"  # read the trademark check against the register
    COMPLAINT_VIEW = "exhibition_complaint:view"
    EVENT_MANAGE = "exhibition_event:manage"  # the event, its station, duty roster, exhibitor list
    EVENT_VIEW = "exhibition_event:view"


XR = ExhibitionRelation
P = ExhibitionPermission

EXHIBITION_PERMISSIONS: dict[ExhibitionPermission, frozenset[ExhibitionRelation]] = {
    P.COMPLAINT_DECIDE: frozenset({XR.DUTY_EXPERT}),
    P.COMPLAINT_DEFEND: frozenset({XR.RESPONDENT, XR.CENTRE_STAFF}),
    P.COMPLAINT_DOWNLOAD: frozenset({XR.CENTRE_STAFF, XR.DUTY_EXPERT, XR.ON_DUTY}),
    P.COMPLAINT_HANDLE: frozenset({XR.CENTRE_STAFF}),
    P.COMPLAINT_MARK_CHECK: frozenset({XR.CENTRE_STAFF, XR.ON_DUTY, XR.DUTY_EXPERT}),
    P.COMPLAINT_VIEW: frozenset(
        {XR.CENTRE_STAFF, XR.SUPERVISOR, XR.ON_DUTY, XR.DUTY_EXPERT, XR.COMPLAINANT, XR.RESPONDENT}
    ),
    P.EVENT_MANAGE: frozenset({XR.CENTRE_STAFF}),
    P.EVENT_VIEW: frozenset({XR.CENTRE_STAFF, XR.SUPERVISOR, XR.ON_DUTY, XR.DUTY_EXPERT}),
}

REFUSALS: dict[ExhibitionPermission, Any] = {
    P.COMPLAINT_DECIDE: _("只有工作站值班专家可以作出判定。"),
    P.COMPLAINT_DEFEND: _("只有被投诉人或工作站所属援助机构的工作人员可以提交答辩。"),
    P.COMPLAINT_DOWNLOAD: _("您的角色可以查看投诉，但不能下载文件。"),
    P.COMPLAINT_HANDLE: _("只有工作站所属援助机构的工作人员可以办理此操作。"),
    P.COMPLAINT_MARK_CHECK: _("商标注册核对结果仅供工作站工作人员和值班专家查看。"),
    P.EVENT_MANAGE: _("只有展会所属援助机构的工作人员可以管理展会、工作站和参展商名录。"),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _centre_relations(user: Any, centre: Any) -> set[ExhibitionRelation]:
    relations: set[ExhibitionRelation] = set()
    if centre.pk in centre_ids_with_role(user, *STAFF_ROLES):
        relations.add(XR.CENTRE_STAFF)
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path and centre.path.startswith(m.centre_path):
            relations.add(XR.SUPERVISOR)
    return relations


def _duty_relations(user: Any, station_ids: Any) -> set[ExhibitionRelation]:
    from weiyuan.exhibitions.models import Duty, DutyKind

    kinds = set(Duty.objects.filter(station_id__in=station_ids, user=user).values_list("kind", flat=True))
    relations: set[ExhibitionRelation] = set()
    if kinds:
        relations.add(XR.ON_DUTY)
    if DutyKind.EXPERT in kinds and has_role(user, Role.EXPERT):
        relations.add(XR.DUTY_EXPERT)
    return relations


def event_relations(user: Any, event: Event) -> set[ExhibitionRelation]:
    if not _active(user):
        return set()
    relations = _centre_relations(user, event.centre)
    return relations | _duty_relations(user, event.stations.values("pk"))


def station_relations(user: Any, station: Station) -> set[ExhibitionRelation]:
    if not _active(user):
        return set()
    cached = getattr(station, "_relations_cache", None)
    if cached is not None and cached[0] == user.pk:
        return set(cached[1])
    relations = _centre_relations(user, station.centre) | _duty_relations(user, [station.pk])
    station._relations_cache = (user.pk, frozenset(relations))  # type: ignore[attr-defined]
    return relations


def complaint_relations(user: Any, complaint: Complaint) -> set[ExhibitionRelation]:
    if not _active(user):
        return set()
    cached = getattr(complaint, "_relations_cache", None)
    if cached is not None and cached[0] == user.pk:
        return set(cached[1])
    relations = station_relations(user, complaint.station)
    if complaint.complainant_account_id == user.pk:
        relations.add(XR.COMPLAINANT)
    if complaint.served_at is not None and complaint.respondent.account_id == user.pk:
        relations.add(XR.RESPONDENT)
    complaint._relations_cache = (user.pk, frozenset(relations))  # type: ignore[attr-defined]
    return relations


def _decide(
    relations: set[ExhibitionRelation], permission: ExhibitionPermission, view: ExhibitionPermission, missing: Any
) -> Decision:
    if relations & EXHIBITION_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & EXHIBITION_PERMISSIONS[view]:
        return Decision(False, str(missing))
    return Decision(False, str(REFUSALS[permission]))


def event_decide(user: Any, permission: ExhibitionPermission, event: Event) -> Decision:
    return _decide(event_relations(user, event), permission, P.EVENT_VIEW, _("找不到该展会。"))


def station_decide(user: Any, permission: ExhibitionPermission, station: Station) -> Decision:
    return _decide(station_relations(user, station), permission, P.EVENT_VIEW, _("找不到该工作站。"))


def complaint_decide(user: Any, permission: ExhibitionPermission, complaint: Complaint) -> Decision:
    return _decide(complaint_relations(user, complaint), permission, P.COMPLAINT_VIEW, _("找不到该投诉。"))


def _centre_q(user: Any, field: str) -> Q:
    q = Q(pk__in=[])
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    if staff_centres:
        q |= Q(**{f"{field}_id__in": staff_centres})
    for m in memberships_of(user):
        if m.role == Role.SUPERVISOR and m.centre_path:
            q |= Q(**{f"{field}__path__startswith": m.centre_path})
    return q


def event_scope_q(user: Any) -> Q:
    """The events a user may see, as one filter (the same rule as `event_relations` with EVENT_VIEW)."""
    if not _active(user):
        return Q(pk__in=[])
    return _centre_q(user, "centre") | Q(stations__duties__user_id=user.pk)


def complaint_scope_q(user: Any) -> Q:
    """The complaints a user may see, as one filter (the same rule as `complaint_relations` with VIEW)."""
    if not _active(user):
        return Q(pk__in=[])
    return (
        _centre_q(user, "station__centre")
        | Q(station__duties__user_id=user.pk)
        | Q(complainant_account_id=user.pk)
        | Q(respondent__account_id=user.pk, served_at__isnull=False)
    )


def has_event_list(user: Any) -> bool:
    """Centre staff, supervisors and anyone on a station's duty roster."""
    from weiyuan.exhibitions.models import Duty

    return _active(user) and (
        has_role(user, *STAFF_ROLES, Role.SUPERVISOR) or Duty.objects.filter(user_id=user.pk).exists()
    )


def event_create_refusal(user: Any) -> str:
    """Why the user may not record an event ("" if they may): centre staff, for their own centre."""
    if _active(user) and centre_ids_with_role(user, *STAFF_ROLES):
        return ""
    return str(_("只有援助机构工作人员可以登记展会。"))


def has_event_nav(user: Any) -> bool:
    """The navigation link (no query): centre staff and supervisors. Staff and experts on a duty roster open the
    list too (`has_event_list`), and reach their station from the notices they get."""
    return _active(user) and has_role(user, *STAFF_ROLES, Role.SUPERVISOR)
