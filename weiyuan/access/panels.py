"""Access to major-dispute work: marking a case major 重大案件 and its expert panel 专家组. Default deny.

On the case (`CASE_MAJOR_PERMISSIONS`, built on the case relations of `policy.py`): the staff of the case's centre
(intake officer, handler, director, the assigned handler) evaluate the criteria, propose the mark and form a
panel; the director confirms or takes off the mark.

Towards a panel a user holds panel relations (`PanelRelation`):

| relation | holds when |
|---|---|
| `staff` | intake officer, handler or director of the case's centre, or its assigned handler |
| `director` | director of the case's centre |
| `observer` | a co-handling centre's staff or a supervisor above the centre (read-only) |
| `member` | an expert account seated on this panel (active, with the expert role) |
| `chair` | the member who chairs it |
| `applicant` | the case's applicant: the signed solution's PDF only |

A panel member sees that panel only: the panel page, its meetings and its solution — not the case page (experts'
sight of the case comes from their tasks, never from a panel seat) and no other panel (404). Everyone without a
relation gets 404; a relation without the permission 403 with the reason.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q
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
    from weiyuan.panels.models import Panel


class PanelRelation(StrEnum):
    STAFF = "staff"
    DIRECTOR = "director"
    OBSERVER = "observer"
    MEMBER = "member"
    CHAIR = "chair"
    APPLICANT = "applicant"


class PanelPermission(StrEnum):
    """Every permission on major-dispute work, named once (`resource:action`), alphabetised."""

    CANCEL = "panel:cancel"  # a forming panel, with a reason
    CONFLICT_OVERRIDE = "panel:conflict_override"  # seat a conflicted expert, with a written reason
    CONVENE = "panel:convene"
    DISSOLVE = "panel:dissolve"  # a convened panel, with a reason
    DOWNLOAD = "panel:download"  # the signed solution (PDF)
    DRAFT = "panel:draft"  # the solution document
    MEETING = "panel:meeting"  # schedule a meeting, record attendance and minutes
    MEMBERS = "panel:members"  # add and remove members, name the chair
    SIGN = "panel:sign"
    VIEW = "panel:view"
    VIEW_OWN = "panel:view_own"  # write one's own view
    VIEW_RECORD = "panel:view_record"  # record a member's view on their behalf


class MajorPermission(StrEnum):
    CONFIRM = "major:confirm"
    EVALUATE = "major:evaluate"  # see the criteria and the designation
    MARK = "major:mark"
    PANEL_CREATE = "major:panel_create"
    UNMARK = "major:unmark"


PR = PanelRelation
P = PanelPermission
M = MajorPermission
R = Relation

CASE_STAFF = frozenset({R.INTAKE_OFFICER, R.HANDLER, R.DIRECTOR, R.ASSIGNED_HANDLER})

CASE_MAJOR_PERMISSIONS: dict[MajorPermission, frozenset[Relation]] = {
    M.CONFIRM: frozenset({R.DIRECTOR}),
    M.EVALUATE: frozenset({*CASE_STAFF, R.CO_HANDLER, R.SUPERVISOR}),
    M.MARK: CASE_STAFF,
    M.PANEL_CREATE: CASE_STAFF,
    M.UNMARK: frozenset({R.DIRECTOR}),
}

PANEL_PERMISSIONS: dict[PanelPermission, frozenset[PanelRelation]] = {
    P.CANCEL: frozenset({PR.STAFF}),
    P.CONFLICT_OVERRIDE: frozenset({PR.DIRECTOR}),
    P.CONVENE: frozenset({PR.STAFF}),
    P.DISSOLVE: frozenset({PR.DIRECTOR}),
    P.DOWNLOAD: frozenset({PR.STAFF, PR.OBSERVER, PR.MEMBER, PR.APPLICANT}),
    P.DRAFT: frozenset({PR.STAFF, PR.CHAIR}),
    P.MEETING: frozenset({PR.STAFF, PR.CHAIR}),
    P.MEMBERS: frozenset({PR.STAFF}),
    P.SIGN: frozenset({PR.DIRECTOR}),
    P.VIEW: frozenset({PR.STAFF, PR.OBSERVER, PR.MEMBER}),
    P.VIEW_OWN: frozenset({PR.MEMBER}),
    P.VIEW_RECORD: frozenset({PR.STAFF}),
}

REFUSALS = {
    P.CANCEL: _("只有本案承办机构的工作人员可以取消专家组。"),
    P.CONFLICT_OVERRIDE: _("只有本案承办机构的负责人可以豁免利益冲突。"),
    P.CONVENE: _("只有本案承办机构的工作人员可以组成专家组。"),
    P.DISSOLVE: _("只有本案承办机构的负责人可以解散专家组。"),
    P.DOWNLOAD: _("您不能下载该解决方案。"),
    P.DRAFT: _("解决方案由承办机构的工作人员或专家组组长起草。"),
    P.MEETING: _("会商由承办机构的工作人员或专家组组长安排和记录。"),
    P.MEMBERS: _("只有本案承办机构的工作人员可以调整专家组成员。"),
    P.SIGN: _("只有本案承办机构的负责人可以签发解决方案。"),
    P.VIEW_OWN: _("只有专家组成员本人可以撰写自己的意见。"),
    P.VIEW_RECORD: _("只有承办机构的工作人员可以代专家记录意见。"),
}


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def panel_relations(user: Any, panel: Panel) -> set[PanelRelation]:
    relations: set[PanelRelation] = set()
    if not _active(user):
        return relations
    case = panel.case
    on_case = case_relations(user, case)
    if on_case & CASE_STAFF:
        relations.add(PR.STAFF)
    if R.DIRECTOR in on_case:
        relations.add(PR.DIRECTOR)
    if on_case & {R.CO_HANDLER, R.SUPERVISOR}:
        relations.add(PR.OBSERVER)
    if R.APPLICANT in on_case:
        relations.add(PR.APPLICANT)
    if has_role(user, Role.EXPERT):
        seat = _seat_of(user, panel)
        if seat is not None:
            relations.add(PR.MEMBER)
            if seat.is_chair:
                relations.add(PR.CHAIR)
    return relations


def _seat_of(user: Any, panel: Panel) -> Any:
    cache: dict[int, Any] = panel.__dict__.setdefault("_seat_cache", {})
    if user.pk not in cache:
        cache[user.pk] = panel.members.filter(user_id=user.pk).first()
    return cache[user.pk]


def panel_decide(user: Any, permission: PanelPermission, panel: Panel) -> Decision:
    relations = panel_relations(user, panel)
    if relations & PANEL_PERMISSIONS[permission]:
        if permission == P.DOWNLOAD and not panel.pdf:
            return Decision(False, str(_("解决方案尚未签发。")))
        return Decision(True)
    if not relations & PANEL_PERMISSIONS[P.VIEW]:
        return Decision(False, str(_("找不到该专家组。")))
    return Decision(False, str(REFUSALS.get(permission, _("您的角色不能执行此操作。"))))


def can_see_panel(user: Any, panel: Panel) -> bool:
    return bool(panel_decide(user, P.VIEW, panel))


def can_download_solution(user: Any, panel: Panel) -> bool:
    return bool(panel_decide(user, P.DOWNLOAD, panel))


def case_major_decide(user: Any, permission: MajorPermission, case: Case) -> Decision:
    relations = case_relations(user, case)
    if relations & CASE_MAJOR_PERMISSIONS[permission]:
        return Decision(True)
    if not relations:
        return Decision(False, str(_("您无权查看该案件。")))
    if permission in (M.CONFIRM, M.UNMARK):
        return Decision(False, str(_("重大案件的确认和取消由本案承办机构的负责人决定。")))
    return Decision(False, str(_("只有本案承办机构的工作人员可以认定重大案件和组建专家组。")))


def has_panel_list(user: Any) -> bool:
    """Centre staff (their centres' panels) and experts (their own panels) have the list `/panels/`."""
    return _active(user) and (bool(centre_ids_with_role(user, *STAFF_ROLES)) or has_role(user, Role.EXPERT))


def sits_on_a_panel(user: Any) -> bool:
    """Whether an expert account holds a seat on some panel (the navigation's link to their panels)."""
    from weiyuan.panels.models import PanelMember

    if not (_active(user) and has_role(user, Role.EXPERT)):
        return False
    return PanelMember.objects.filter(user_id=user.pk).exists()


def panel_list_q(user: Any) -> Q:
    """The panels on a user's list: their staff centres' panels (not co-handled or supervised ones: those are read
    from the case), and for an expert the panels they sit on."""
    from weiyuan.panels.models import PanelMember

    if not _active(user):
        return Q(pk__in=[])
    q: Any = Q(pk__in=[])
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    if staff_centres:
        q |= Q(case__centre_id__in=staff_centres)
    if has_role(user, Role.EXPERT):
        q |= Exists(PanelMember.objects.filter(panel=OuterRef("pk"), user_id=user.pk))
    return q
