"""Case reads, always scoped by the acting user through the access module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role, memberships_of
from weiyuan.cases.models import (
    OPEN_STATES,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseMessage,
    CaseRight,
    CaseState,
    ServiceType,
)
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.core.choices import ApplicantKind, Role
from weiyuan.core.punctuation import join_list, parenthesised


def case_get(*, user: Any, tracking_number: str) -> Case:
    """The case if the user may see it; otherwise 404 (never 403, so existence does not leak)."""
    case = (
        Case.objects.restrict(user)
        .select_related("centre", "service_type", "handler", "applicant_region", "applicant_user", "transferred_from")
        .filter(tracking_number=tracking_number.strip().upper())
        .first()
    )
    if case is None:
        raise Http404("case not found")
    return case


# Queues of the staff workbench: (code, label, filter built for the user).
QUEUES = ("to_accept", "mine", "due_soon", "overdue", "transferred_in", "centre", "subtree", "tasks", "applications")

# Sorting and filtering come from allow-lists, never from user-supplied ORM keys.
SORTS = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "tracking": ("tracking_number",),
}


@dataclass
class CaseFilters:
    queue: str = "centre"
    service_type: str = ""
    ip_type: str = ""
    state: str = ""
    channel: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    q: str = ""
    sort: str = "newest"


def _clock_due_filter(before: dt.datetime, after: dt.datetime | None = None) -> Exists:
    clocks = Clock.objects.filter(case=OuterRef("pk"), state=ClockState.RUNNING, due_at__lte=before)
    if after is not None:
        clocks = clocks.filter(due_at__gt=after)
    return Exists(clocks)


def available_queues(user: Any) -> list[str]:
    roles = {m.role for m in memberships_of(user)}
    queues = []
    if roles & {Role.INTAKE_OFFICER, Role.DIRECTOR}:
        queues += ["to_accept", "transferred_in"]
    if roles & {Role.HANDLER, Role.DIRECTOR}:
        queues += ["mine"]
    if roles & set(STAFF_ROLES):
        queues += ["due_soon", "overdue", "centre"]
    if Role.SUPERVISOR in roles:
        queues += ["subtree"]
    if Role.VOLUNTEER in roles:  # experts' tasks are on their own pages (experts:tasks)
        queues += ["tasks"]
    if getattr(user, "is_applicant", False) or Role.PARTNER in roles:
        queues += ["applications"]
    return queues


def case_list(*, user: Any, filters: CaseFilters) -> QuerySet[Case]:
    qs = Case.objects.restrict(user)
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    now = timezone.now()
    queue = filters.queue
    if queue == "to_accept":
        qs = qs.filter(centre_id__in=staff_centres, state=CaseState.SUBMITTED)
    elif queue == "transferred_in":
        qs = qs.filter(centre_id__in=staff_centres, state=CaseState.TRANSFERRED)
    elif queue == "mine":
        qs = qs.filter(handler=user, state__in=OPEN_STATES)
    elif queue == "due_soon":
        qs = qs.filter(centre_id__in=staff_centres).filter(_clock_due_filter(now + dt.timedelta(days=3), now))
    elif queue == "overdue":
        qs = qs.filter(centre_id__in=staff_centres).filter(_clock_due_filter(now))
    elif queue == "centre":
        qs = qs.filter(centre_id__in=staff_centres).exclude(state=CaseState.DRAFT)
    elif queue == "subtree":
        paths = [m.centre_path for m in memberships_of(user) if m.role == Role.SUPERVISOR and m.centre_path]
        subtree = Q(pk__in=[])
        for path in paths:
            subtree |= Q(centre__path__startswith=path)
        qs = qs.filter(subtree).exclude(state=CaseState.DRAFT)
    elif queue == "tasks":
        qs = qs.filter(assignments__user=user, assignments__ended_at__isnull=True).distinct()
    elif queue == "applications":
        qs = qs.filter(Q(applicant_user=user) | Q(created_by=user))
    else:
        qs = qs.none()
    if filters.service_type:
        qs = qs.filter(service_type__code=filters.service_type)
    if filters.ip_type:
        qs = qs.filter(ip_type=filters.ip_type)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        qs = qs.filter(submitted_at__date__lte=filters.submitted_to)
    # PostgreSQL cannot compare with a NUL character (DataError); no stored value holds one.
    term = filters.q.replace("\x00", "").strip()
    if term:
        if term.upper().startswith("WY-"):
            qs = qs.filter(tracking_number=term.upper())
        else:
            # Candidates come from the three indexed lookups first (a union of ids); the access scope and the queue
            # filters above then apply to that small set. One OR across the three made PostgreSQL walk the whole
            # scope (a supervisor's subtree can be the whole network).
            candidates = (
                Case.objects_unscoped.filter(applicant_name__startswith=term)
                .order_by()
                .values("pk")
                .union(
                    Case.objects_unscoped.filter(respondent_name__startswith=term).order_by().values("pk"),
                    CaseRight.objects.filter(number=term.upper()).order_by().values("case_id"),
                )
            )
            qs = qs.filter(pk__in=candidates)
    order = SORTS.get(filters.sort, SORTS["newest"])
    if queue == "applications":
        order = ("-created_at", "-id")
    return qs.select_related("centre", "service_type", "handler").order_by(*order)


def case_timeline(*, case: Case, public_only: bool) -> QuerySet[CaseEvent]:
    qs = case.events.select_related("actor", "centre")
    return qs.filter(public=True) if public_only else qs


def case_messages(*, case: Case, include_internal: bool) -> QuerySet[CaseMessage]:
    from weiyuan.evidence.models import EvidenceFile

    # The caller has the case from `case_get` (visible to the user), so its attachments are too; the reverse
    # manager is scoped and would refuse to run, hence the explicit queryset.
    attachments = EvidenceFile.objects_unscoped.order_by("received_at", "id")
    qs = case.messages.select_related("author").prefetch_related(Prefetch("attachments", queryset=attachments))
    return qs if include_internal else qs.filter(internal=False)


def case_clocks(*, case: Case) -> QuerySet[Clock]:
    return Clock.objects.filter(case=case).order_by("started_at", "id")


def case_open_shares(*, case: Case) -> QuerySet[Any]:
    return case.shares.filter(revoked_at__isnull=True).select_related("centre", "granted_by")


def attach_next_due(cases: Iterable[Case]) -> list[Case]:
    """Set `next_due_at` / `next_due_rule` (the next running clock) on the cases of one page, in one query.

    Done after pagination on purpose: annotating the queryset would compute the subquery for every row an OFFSET
    skips (12,475 rows at page 500), not just the 25 shown.
    """
    rows = list(cases)
    first: dict[int, Clock] = {}
    clocks = Clock.objects.filter(case_id__in=[c.pk for c in rows], state=ClockState.RUNNING)
    for clock in clocks.order_by("case_id", "due_at", "id").only("case_id", "due_at", "rule"):
        first.setdefault(clock.case_id, clock)
    for case in rows:
        next_clock = first.get(case.pk)
        case.next_due_at = next_clock.due_at if next_clock else None  # type: ignore[attr-defined]
        case.next_due_rule = next_clock.rule if next_clock else ""  # type: ignore[attr-defined]
    return rows


def case_rights(*, case: Case) -> QuerySet[CaseRight]:
    return case.rights.select_related("certificate").order_by("id")


def case_open_tasks(*, case: Case) -> QuerySet[CaseAssignment]:
    return case.assignments.filter(ended_at__isnull=True).select_related("user", "assigned_by").order_by("id")


def case_handler_choices(*, centre_ids: set[int] | list[int]) -> QuerySet[Any]:
    """Handlers and directors of the given centres: the people a case there may be assigned to."""
    from weiyuan.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__centre_id__in=centre_ids,
            memberships__role__in=[Role.HANDLER, Role.DIRECTOR],
            memberships__active=True,
        )
        .distinct()
        .order_by("display_name", "id")
    )


def case_task_candidates(*, case: Case, roles: tuple[str, ...] = (Role.EXPERT, Role.VOLUNTEER)) -> QuerySet[Any]:
    """Experts or volunteers (`roles`) of the network-wide pool or of the case's centre and the centres above it."""
    from weiyuan.accounts.models import User

    ancestor_ids = [int(part) for part in case.centre.path.strip("/").split("/") if part.isdigit()]
    return (
        User.objects.filter(
            Q(memberships__centre__isnull=True) | Q(memberships__centre_id__in=ancestor_ids),
            is_active=True,
            memberships__role__in=list(roles),
            memberships__active=True,
        )
        .distinct()
        .order_by("display_name", "id")
    )


# --- acceptance criteria ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptanceCheck:
    """One acceptance criterion (Guideline 2020 No. 22, part six) as far as it can be checked from the data."""

    code: str
    status: str  # "ok", "warn" or "bad"
    label: str
    detail: str

    @property
    def css(self) -> str:
        return f"check-{self.status}"


@dataclass
class _Subject:
    centre: Any
    service_type: ServiceType | None
    ip_type: str
    applicant_name: str
    applicant_kind: str
    applicant_credit_code: str
    applicant_id_given: bool
    applicant_region_code: str
    respondent_name: str
    respondent_credit_code: str
    respondent_address: str
    facts: str
    evidence_count: int
    duplicates: list[dict[str, str]] | None


def _subject(subject: Any, evidence_count: int | None) -> _Subject:
    from weiyuan.network.models import Centre

    if isinstance(subject, Case):
        if evidence_count is None:
            from weiyuan.evidence.models import EvidenceFile

            evidence_count = EvidenceFile.objects_unscoped.filter(case=subject).count()
        return _Subject(
            centre=subject.centre,
            service_type=subject.service_type,
            ip_type=subject.ip_type,
            applicant_name=subject.applicant_name,
            applicant_kind=subject.applicant_kind,
            applicant_credit_code=subject.applicant_credit_code,
            applicant_id_given=bool(subject.applicant_id_number),
            applicant_region_code=subject.applicant_region_id,
            respondent_name=subject.respondent_name,
            respondent_credit_code=subject.respondent_credit_code,
            respondent_address=subject.respondent_address,
            facts=subject.facts,
            evidence_count=evidence_count,
            duplicates=case_duplicates(subject),
        )
    # A CaseInput (from weiyuan.cases.services): resolve the codes it carries.
    centre = Centre.objects.select_related("region").filter(code=subject.centre_code).first()
    service_type = ServiceType.objects.filter(code=subject.service_type_code, active=True).first()
    return _Subject(
        centre=centre,
        service_type=service_type,
        ip_type=subject.ip_type,
        applicant_name=subject.applicant_name,
        applicant_kind=subject.applicant_kind,
        applicant_credit_code=subject.applicant_credit_code,
        applicant_id_given=bool(subject.applicant_id_number),
        applicant_region_code=subject.applicant_region_code.strip(),
        respondent_name=subject.respondent_name,
        respondent_credit_code=subject.respondent_credit_code,
        respondent_address=subject.respondent_address,
        facts=subject.facts,
        evidence_count=len(subject.evidence) if evidence_count is None else evidence_count,
        duplicates=None,
    )


def acceptance_checks(subject: Any, *, evidence_count: int | None = None) -> list[AcceptanceCheck]:
    """Check a case (staff acceptance screen) or a CaseInput (intake, before submit) against the acceptance criteria.

    Only what the data can show is decided here; "ok" is not an acceptance decision, which stays with the officer.
    """
    from weiyuan.network.models import CentreKind
    from weiyuan.network.selectors import region_prefix

    s = _subject(subject, evidence_count)
    checks: list[AcceptanceCheck] = []

    def add(code: str, status: str, label: str, detail: str) -> None:
        checks.append(AcceptanceCheck(code, status, label, detail))

    # 1. Real identity.
    label = _("申请人身份")
    if not s.applicant_name.strip():
        add("identity", "bad", label, _("未填写申请人姓名或名称。"))
    elif s.applicant_kind == ApplicantKind.ORGANISATION and not s.applicant_credit_code:
        add("identity", "warn", label, _("单位申请人未填写统一社会信用代码，受理时须核实主体身份。"))
    elif s.applicant_kind == ApplicantKind.PERSON and not s.applicant_id_given:
        add("identity", "warn", label, _("未提供身份证号码，受理时须核实申请人身份。"))
    else:
        add("identity", "ok", label, _("已提供申请人身份信息。"))

    # 2. A clear respondent.
    label = _("被请求人")
    needs_respondent = bool(s.service_type and s.service_type.needs_respondent)
    if not s.respondent_name.strip():
        if needs_respondent:
            add("respondent", "bad", label, _("该服务类型须写明被请求人（侵权方）名称。"))
        else:
            add("respondent", "ok", label, _("该服务类型无须指明被请求人。"))
    elif not (s.respondent_credit_code or s.respondent_address.strip()):
        add("respondent", "warn", label, _("仅有被请求人名称；建议补充其统一社会信用代码或地址、网店链接。"))
    else:
        add("respondent", "ok", label, _("被请求人明确。"))

    # 3. Facts and preliminary evidence.
    label = _("事实与初步证据")
    needs_evidence = bool(s.service_type and s.service_type.needs_right)
    if not s.facts.strip():
        add("evidence", "bad", label, _("未填写事实与理由。"))
    elif s.evidence_count == 0:
        add(
            "evidence",
            "bad" if needs_evidence else "warn",
            label,
            _("尚未上传证据文件；请至少上传一份初步证据（如购买公证、网页截图、权利证书）。"),
        )
    else:
        add("evidence", "ok", label, _("已填写事实并提供 %(n)s 个文件。") % {"n": s.evidence_count})

    centre = s.centre
    if centre is None:
        add("centre", "bad", _("援助机构"), _("尚未选择援助机构。"))
        return checks

    # 4. Within the centre's area: the applicant or the respondent is located in its region.
    label = _("服务地域")
    covered = centre.kind == CentreKind.NATIONAL_CENTRE or s.applicant_region_code.startswith(
        region_prefix(centre.region_id)
    )
    region_name = centre.region.name if centre.region_id else ""
    if covered:
        add("area", "ok", label, _("申请人所在地区属于%(centre)s的服务地域。") % {"centre": centre.display_name})
    elif region_name and region_name in s.respondent_address:
        add("area", "ok", label, _("被请求人位于%(centre)s的服务地域。") % {"centre": centre.display_name})
    else:
        add(
            "area",
            "warn",
            label,
            _("申请人不在%(region)s；如被请求人位于该地，请在被请求人地址中写明，否则可能被建议向属地机构申请。")
            % {"region": region_name},
        )

    # 5. Within the centre's remit: it serves this IP type and this service type, and is filed.
    label = _("服务范围")
    problems = []
    if not centre.takes_cases:
        problems.append(_("该机构尚未完成备案，暂不能受理案件。"))
    if s.ip_type not in (centre.ip_types or []):
        problems.append(_("该机构不受理此类知识产权。"))
    if s.service_type is None:
        problems.append(_("服务类型无效。"))
    elif s.service_type.code not in (centre.service_types or []):
        problems.append(_("该机构不提供「%(service)s」服务。") % {"service": s.service_type.display_name})
    if problems:
        add("remit", "bad", label, " ".join(str(p) for p in problems))
    else:
        add("remit", "ok", label, _("该机构受理此类知识产权和服务类型。"))

    # 6. Not pending elsewhere (known only once the application exists).
    if s.duplicates is not None:
        label = _("重复申请")
        if s.duplicates:
            numbers = join_list(
                f"{d.get('tracking_number', '')}{parenthesised(d.get('centre', ''))}" for d in s.duplicates
            )
            add("duplicate", "warn", label, _("疑似重复：%(numbers)s 仍在办理中。") % {"numbers": numbers})
        else:
            add("duplicate", "ok", label, _("未发现同一申请人、权利和被请求人的在办案件。"))
    return checks


def case_duplicates(case: Case) -> list[dict[str, str]]:
    """Open cases anywhere in the network with the same applicant, right number and respondent — computed now,
    so a later filing elsewhere flags the earlier one too and a case closed since no longer counts.

    Deliberately across the access scope: it tells the officer only the tracking number, centre and state of the
    other case, which is what the network-wide duplicate check (seed §六) needs; the case itself stays unseen.
    """
    numbers = list(CaseRight.objects.filter(case=case).values_list("number", flat=True))
    if not numbers or not case.respondent_name:
        return []
    if case.applicant_credit_code:
        same_applicant = Q(applicant_credit_code=case.applicant_credit_code)
    elif case.applicant_id_digest:
        same_applicant = Q(applicant_id_digest=case.applicant_id_digest)
    else:
        same_applicant = Q(applicant_name=case.applicant_name)
    matches = (
        Case.objects_unscoped.filter(
            same_applicant,
            state__in=OPEN_STATES,
            respondent_name=case.respondent_name,
            rights__number__in=numbers,
        )
        .exclude(pk=case.pk)
        .select_related("centre")
        .order_by("-submitted_at", "-id")
        .distinct()[:10]
    )
    return [{"tracking_number": m.tracking_number, "centre": m.centre.display_name, "state": m.state} for m in matches]
