"""The access module: every permission in the product is decided here. Default deny.

Two questions are answered, always from data (memberships, assignments, co-handling grants):
- which records may this user see at all? -> `scope_queryset` (used by every selector through `.restrict(user)`);
- may this user take this action on this record? -> `decide` (used by views, the API and the transition table).

A user's standing towards a case is a set of *relations* ("director of its centre", "its applicant", "expert
assigned to it", ...). Each permission lists the relations that hold it, in one table that is unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.cases.models import Case
    from weiyuan.network.models import Centre


class Relation(StrEnum):
    """How a user stands towards one case."""

    APPLICANT = "applicant"  # the applicant account or the agent acting for it
    INTAKE_OFFICER = "intake_officer"  # intake officer of the case's centre
    HANDLER = "handler"  # handler of the case's centre
    ASSIGNED_HANDLER = "assigned_handler"  # the handler the case is assigned to
    DIRECTOR = "director"  # director of the case's centre
    CO_HANDLER = "co_handler"  # staff of a centre the case is shared with (协同)
    SUPERVISOR = "supervisor"  # supervisor of an ancestor (or the same) centre
    # Expert with an open assignment on the case. It holds no case permission: the expert sees their task instead
    # (weiyuan/access/expert_tasks.py), not the case page, its lists or its files.
    EXPERT = "expert"
    VOLUNTEER = "volunteer"  # volunteer with an open assignment on the case
    REFERRER = "referrer"  # partner who referred the case in
    CREATOR = "creator"  # who recorded the case (the applicant, staff taking a call, a referring partner)


class Permission(StrEnum):
    """Every permission, named once (`resource:action`), alphabetised."""

    AUDIT_VIEW = "audit:view"
    CASE_ACCEPT = "case:accept"
    CASE_ANSWER_INFO = "case:answer_info"
    CASE_ASSIGN = "case:assign"
    CASE_ASSIGN_TASK = "case:assign_task"
    CASE_CLOSE = "case:close"
    CASE_CONCLUDE = "case:conclude"
    CASE_MESSAGE = "case:message"
    CASE_MESSAGE_INTERNAL = "case:message_internal"
    CASE_RECEIVE_TRANSFER = "case:receive_transfer"
    CASE_REJECT = "case:reject"
    CASE_REOPEN = "case:reopen"
    CASE_REQUEST_INFO = "case:request_info"
    CASE_SHARE = "case:share"
    CASE_START = "case:start"
    CASE_SUBMIT = "case:submit"
    CASE_TRANSFER = "case:transfer"
    CASE_VIEW = "case:view"
    CASE_VIEW_PERSONAL_DATA = "case:view_personal_data"
    CASE_WITHDRAW = "case:withdraw"
    EVIDENCE_DOWNLOAD = "evidence:download"
    EVIDENCE_UPLOAD = "evidence:upload"


R = Relation
STAFF = {R.INTAKE_OFFICER, R.HANDLER, R.DIRECTOR}

# The one table: which relations to a case hold which permission on it.
CASE_PERMISSIONS: dict[Permission, frozenset[Relation]] = {
    Permission.AUDIT_VIEW: frozenset({R.DIRECTOR, R.ASSIGNED_HANDLER, R.SUPERVISOR}),
    Permission.CASE_ACCEPT: frozenset({R.INTAKE_OFFICER, R.DIRECTOR}),
    Permission.CASE_ANSWER_INFO: frozenset({R.APPLICANT}),
    Permission.CASE_ASSIGN: frozenset({R.INTAKE_OFFICER, R.DIRECTOR}),
    Permission.CASE_ASSIGN_TASK: frozenset({R.DIRECTOR, R.ASSIGNED_HANDLER}),
    Permission.CASE_CLOSE: frozenset({R.DIRECTOR, R.ASSIGNED_HANDLER}),
    Permission.CASE_CONCLUDE: frozenset({R.DIRECTOR, R.ASSIGNED_HANDLER}),
    Permission.CASE_MESSAGE: frozenset({R.APPLICANT, *STAFF, R.CO_HANDLER}),
    Permission.CASE_MESSAGE_INTERNAL: frozenset({*STAFF, R.CO_HANDLER}),
    Permission.CASE_RECEIVE_TRANSFER: frozenset({R.INTAKE_OFFICER, R.DIRECTOR}),
    Permission.CASE_REJECT: frozenset({R.INTAKE_OFFICER, R.DIRECTOR}),
    Permission.CASE_REOPEN: frozenset({R.DIRECTOR}),
    Permission.CASE_REQUEST_INFO: frozenset({R.INTAKE_OFFICER, R.DIRECTOR}),
    Permission.CASE_SHARE: frozenset({R.DIRECTOR}),
    Permission.CASE_START: frozenset({R.ASSIGNED_HANDLER, R.DIRECTOR}),
    # A draft belongs to whoever is writing it: only they (or the applicant account) send it to the centre.
    Permission.CASE_SUBMIT: frozenset({R.APPLICANT, R.CREATOR}),
    Permission.CASE_TRANSFER: frozenset({R.INTAKE_OFFICER, R.DIRECTOR}),
    Permission.CASE_VIEW: frozenset(
        {
            R.APPLICANT,
            R.CREATOR,
            *STAFF,
            R.ASSIGNED_HANDLER,
            R.CO_HANDLER,
            R.SUPERVISOR,
            R.VOLUNTEER,
            R.REFERRER,
        }
    ),
    Permission.CASE_VIEW_PERSONAL_DATA: frozenset({R.APPLICANT, *STAFF}),
    Permission.CASE_WITHDRAW: frozenset({R.APPLICANT}),
    Permission.EVIDENCE_DOWNLOAD: frozenset({R.APPLICANT, *STAFF, R.CO_HANDLER}),
    Permission.EVIDENCE_UPLOAD: frozenset({R.APPLICANT, *STAFF, R.CO_HANDLER}),
}

STAFF_ROLES = (Role.INTAKE_OFFICER, Role.HANDLER, Role.DIRECTOR)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class MembershipView:
    centre_id: int | None
    centre_path: str
    role: str


def memberships_of(user: Any) -> list[MembershipView]:
    """Active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_access_memberships", None)
    if cached is None:
        from weiyuan.network.models import FilingStatus

        rows = user.memberships.filter(active=True).select_related("centre")
        cached = [
            MembershipView(m.centre_id, m.centre.path if m.centre else "", m.role)
            for m in rows
            if m.centre is None or m.centre.filing_status != FilingStatus.REVOKED
        ]
        user._access_memberships = cached
    return cached


def centre_ids_with_role(user: Any, *roles: str) -> set[int]:
    return {m.centre_id for m in memberships_of(user) if m.role in roles and m.centre_id is not None}


def is_staff_member(user: Any) -> bool:
    return bool(centre_ids_with_role(user, *STAFF_ROLES))


def has_role(user: Any, *roles: str) -> bool:
    return any(m.role in roles for m in memberships_of(user))


def case_relations(user: Any, case: Case) -> set[Relation]:
    """Every relation the user holds towards the case, from data."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    # Memoised on the case for this user and its current centre/handler (a transition may change those).
    key = (user.pk, case.centre_id, case.handler_id, case.applicant_user_id, case.state)
    cached = getattr(case, "_relations_cache", None)
    if cached and cached[0] == key:
        return set(cached[1])
    relations = _compute_relations(user, case)
    case._relations_cache = (key, frozenset(relations))  # type: ignore[attr-defined]
    return relations


def _compute_relations(user: Any, case: Case) -> set[Relation]:
    relations: set[Relation] = set()
    if case.applicant_user_id == user.pk:
        relations.add(R.APPLICANT)
    ms = memberships_of(user)
    case_centre_path = case.centre.path
    for m in ms:
        if m.centre_id == case.centre_id and m.role in STAFF_ROLES:
            relations.add(Relation(m.role))
        if m.role == Role.SUPERVISOR and m.centre_path and case_centre_path.startswith(m.centre_path):
            relations.add(R.SUPERVISOR)
        if m.role == Role.PARTNER and case.created_by_id == user.pk:
            relations.add(R.REFERRER)
    if case.handler_id == user.pk and R.HANDLER in relations:
        relations.add(R.ASSIGNED_HANDLER)
    staff_centres = {m.centre_id for m in ms if m.role in STAFF_ROLES and m.centre_id is not None}
    if staff_centres and case.shares.filter(centre_id__in=staff_centres, revoked_at__isnull=True).exists():
        relations.add(R.CO_HANDLER)
    open_tasks = set(case.assignments.filter(user=user, ended_at__isnull=True).values_list("kind", flat=True))
    if "expert" in open_tasks and has_role(user, Role.EXPERT):
        relations.add(R.EXPERT)
    if "volunteer" in open_tasks and has_role(user, Role.VOLUNTEER):
        relations.add(R.VOLUNTEER)
    if case.created_by_id == user.pk:
        relations.add(R.CREATOR)
    if case.state == "draft" and case.created_by_id != user.pk:
        # An unsubmitted draft is not yet with the centre: nobody but its author and applicant stands towards it.
        relations &= {R.APPLICANT}
    return relations


def decide(user: Any, permission: Permission, case: Case) -> Decision:
    relations = case_relations(user, case)
    if relations & CASE_PERMISSIONS[permission]:
        return Decision(True)
    if not relations & CASE_PERMISSIONS[Permission.CASE_VIEW]:  # e.g. an expert: a task, not the case
        return Decision(False, str(_("您无权查看该案件。")))
    return Decision(False, str(_("您的角色不能执行此操作。")))


def can_see_case(user: Any, case: Case) -> bool:
    return bool(decide(user, Permission.CASE_VIEW, case))


def case_scope_q(user: Any, action: str = "view") -> Q:
    """The cases a user may see (action "view") or work on (action "change"), as one filter."""
    from weiyuan.cases.models import CaseAssignment, CaseShare

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    q: Any = Q(applicant_user=user) | Q(created_by=user, state="draft")
    # Drafts stay with their author until submitted: centre and supervisor terms cover submitted cases only.
    submitted = ~Q(state="draft")
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    if staff_centres:
        q |= Q(centre_id__in=staff_centres) & submitted
        q |= Exists(CaseShare.objects.filter(case=OuterRef("pk"), centre_id__in=staff_centres, revoked_at__isnull=True))
    if action == "view":
        for m in memberships_of(user):
            if m.role == Role.SUPERVISOR and m.centre_path:
                q |= Q(centre__path__startswith=m.centre_path) & submitted
        if has_role(user, Role.PARTNER):
            q |= Q(created_by=user)
        # Volunteers see the cases of their open tasks; experts do not (they see their task pages only).
        if has_role(user, Role.VOLUNTEER):
            q |= Exists(
                CaseAssignment.objects.filter(case=OuterRef("pk"), user=user, kind="volunteer", ended_at__isnull=True)
            )
    return q


def case_staff_q(user: Any) -> Q:
    """Cases the user works on as centre staff: their centres' submitted cases and cases shared with them."""
    from weiyuan.cases.models import CaseShare

    staff_centres = centre_ids_with_role(user, *STAFF_ROLES) if getattr(user, "is_authenticated", False) else set()
    if not staff_centres:
        return Q(pk__in=[])
    shared: Any = Exists(
        CaseShare.objects.filter(case=OuterRef("pk"), centre_id__in=staff_centres, revoked_at__isnull=True)
    )
    return (Q(centre_id__in=staff_centres) & ~Q(state="draft")) | shared


def scope_queryset(qs: QuerySet[Any], user: Any, action: str = "view") -> Any:
    """Apply the access scope of the queryset's model. Models without a scope here are never visible."""
    label = qs.model._meta.label_lower
    if label == "cases.case":
        return qs.filter(case_scope_q(user, action))
    if label == "evidence.evidencefile":
        from weiyuan.cases.models import Case

        visible = Case.objects_unscoped.filter(case_scope_q(user, action))
        own_uploads = (
            Q(uploaded_by=user, case__isnull=True) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
        )
        # Attachments of internal notes are for the centre side only (its staff and co-handling centres).
        centre_side = Case.objects_unscoped.filter(case_staff_q(user))
        not_internal = Q(message__isnull=True) | Q(message__internal=False) | Q(case__in=centre_side)
        return qs.filter((Q(case__in=visible) & not_internal) | own_uploads)
    return qs.none()


def can_manage_centre(user: Any, centre: Centre) -> bool:
    """A centre's director edits its profile and submits its filing."""
    return centre.pk in centre_ids_with_role(user, Role.DIRECTOR)


def can_decide_filing(user: Any, centre: Centre) -> bool:
    """Filing is decided by the parent level: a director of the parent centre (or a platform admin for the root)."""
    if centre.parent_id is None:
        return bool(getattr(user, "is_superuser", False))
    return centre.parent_id in centre_ids_with_role(user, Role.DIRECTOR)


def can_record_intake_for_others(user: Any) -> bool:
    return is_staff_member(user)


def intake_refusal(user: Any) -> str:
    """Why the user may not file an application on the web ("" if they may): applicants and centre staff only;
    partners refer cases in through the API."""
    if getattr(user, "is_applicant", False) or is_staff_member(user):
        return ""
    return str(_("只有申请人账户或援助机构的工作人员可以登记援助申请。"))


def can_see_centre(user: Any, centre: Centre) -> bool:
    """Approved centres are public; one that is not yet (or no longer) filed is seen only by the people concerned:
    its own staff, the parent level that decides its filing, supervisors above it and platform admins."""
    from weiyuan.network.models import FilingStatus

    if centre.filing_status == FilingStatus.APPROVED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False) or can_decide_filing(user, centre):
        return True
    for m in memberships_of(user):
        if m.centre_id == centre.pk:
            return True
        if m.role == Role.SUPERVISOR and m.centre_path and centre.path.startswith(m.centre_path):
            return True
    return False
