"""The expert database in the REST API (tag "experts"): the list with filters, one profile, and the ranked candidates
for a case. Read-only; the same selectors and access rules as the web pages (a profile the caller may not see is a
404; the list is for centre staff, supervisors and admins, 403 for anyone else; candidates for the staff of the
case's centre or a co-handling centre, 403 for others who see the case, 404 for the rest).

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from weiyuan.access.experts import ExpertPermission, database_decide
from weiyuan.api.schemas import CentreRef, CleanIn, DetailOut, ValidationErrorOut
from weiyuan.api.selectors import case_for, page_of
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.pagination import COUNT_CAP
from weiyuan.experts import selectors
from weiyuan.experts.matching import Candidate, criteria_for_case, criteria_limit_errors
from weiyuan.experts.models import Expert, Language
from weiyuan.experts.normalise import ClassError, parse_ipc_list, parse_nice_list, split_list
from weiyuan.experts.services import availability_label

router = Router(tags=["experts"])
case_router = Router(tags=["experts"])

ERRORS = {401: DetailOut, 403: DetailOut, 404: DetailOut}
INVALID = {422: ValidationErrorOut}


# --- shapes ---------------------------------------------------------------------------------------------------


class ExpertListQuery(CleanIn):
    q: str = Field("", max_length=60, description="Part of the name or the affiliation.")
    field: str = Field("", description="A field code, e.g. `patent_law` or `electronics` (docs/experts.md lists them).")
    ipc: str = Field("", description="An IPC symbol: subclass `H04L` or group `H04L 9/32`.")
    nice: str = Field("", description="A Nice class, 1-45.")
    language: str = Field("", description="A language code: zh, en, ja, ko, de, fr, ...")
    region: str = Field("", description="A 6-digit region code; experts serving that province (or city).")
    qualification: str = Field("", description="patent_attorney, lawyer, examiner, professor, judge or other.")
    availability: str = Field("", description="available, busy or unavailable.")
    active: str = Field("1", description="1: in the database (default), 0: deactivated, all.")
    centre: str = Field("", description="Code of the centre that keeps the profiles.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class CodeName(Schema):
    code: str
    name: str


class ConflictOut(Schema):
    name: str
    credit_code: str
    note: str


class ExpertSummaryOut(Schema):
    id: int
    name: str
    organisation_name: str
    title: str
    fields: list[CodeName]
    ipc_classes: list[str]
    nice_classes: list[int]
    languages: list[str]
    regions: list[CodeName] = Field(description="Empty: serves the whole country.")
    availability: str
    availability_label: str
    busy_until: dt.date | None
    active: bool
    centre: CentreRef = Field(description="The centre that keeps the profile.")
    url: str


class ExpertListOut(Schema):
    items: list[ExpertSummaryOut]
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


class ExpertOut(ExpertSummaryOut):
    organisation_credit_code: str
    credential_number: str
    qualifications: list[str]
    fee_terms: str
    hourly_rate: float | None
    rating_average: float | None
    rating_count: int
    conflicts: list[ConflictOut] = Field(description="Organisations the expert works or acted for.")
    version: int = Field(description="Bumped by every change of the profile.")


class CandidatesQuery(CleanIn):
    fields: str | None = Field(
        None, description="Field codes, comma-separated; omitted: from the case's IP types and service type."
    )
    ipc: str = Field("", description="IPC symbols, `;`-separated, e.g. `H04L 9/32; G06F`.")
    nice: str = Field("", description="Nice classes, comma-separated, e.g. `25,35`.")
    languages: str | None = Field(None, description="Language codes, comma-separated; omitted: en for overseas cases.")
    region: str = Field("", description="6-digit region code; default: the applicant's region.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class ReasonOut(Schema):
    label: str
    detail: str
    points: float


class CandidateOut(Schema):
    expert: ExpertSummaryOut
    score: float
    reasons: list[ReasonOut] = Field(description="Why it ranks: matched field/class/region/language, load, rating.")
    load: int = Field(description="Open expert tasks of the expert.")
    conflicts: list[str]
    override_reason: str | None = Field(None, description="The director's reason, when a conflict was overridden.")


class CriteriaOut(Schema):
    fields: list[str]
    ipc_classes: list[str]
    nice_classes: list[int]
    languages: list[str]
    region: str
    derived: list[str] = Field(description="Which criteria came from the case rather than the query.")


class CandidateListOut(Schema):
    criteria: CriteriaOut
    items: list[CandidateOut]
    count: int
    page: int
    page_size: int
    pages: int
    excluded: list[CandidateOut] = Field(description="Excluded for a conflict of interest (not overridden).")


# --- shaping --------------------------------------------------------------------------------------------------


def _summary(e: Expert) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "organisation_name": e.organisation_name,
        "title": e.title,
        "fields": [CodeName(code=f.code, name=f.display_name) for f in e.fields.all()],
        "ipc_classes": e.ipc_classes,
        "nice_classes": e.nice_classes,
        "languages": e.languages,
        "regions": [CodeName(code=r.code, name=str(r)) for r in e.regions.all()],
        "availability": e.availability,
        "availability_label": availability_label(e),
        "busy_until": e.busy_until,
        "active": e.active,
        "centre": CentreRef(code=e.centre.code, name=e.centre.name),
        "url": reverse("experts:detail", args=[e.pk]),
    }


def _candidate(c: Candidate, summaries: dict[int, ExpertSummaryOut]) -> CandidateOut:
    return CandidateOut(
        expert=summaries[c.expert.pk],
        score=c.score,
        reasons=[ReasonOut(label=r.label, detail=r.detail, points=r.points) for r in c.reasons],
        load=c.load,
        conflicts=[x.text for x in c.conflicts],
        override_reason=c.override.reason if c.override else None,
    )


# --- routes ---------------------------------------------------------------------------------------------------


@router.get("", response={200: ExpertListOut, **ERRORS, **INVALID}, url_name="expert_list")
def expert_list(request: HttpRequest, query: Query[ExpertListQuery]) -> ExpertListOut:
    """Experts of the network's database, by name, filtered by field, class, language, region, qualification and
    availability, paginated (page_size ≤ 100). For centre staff, supervisors and admins."""
    user = request.auth  # type: ignore[attr-defined]
    decision = database_decide(user, ExpertPermission.LIST)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    filters, errors = selectors.parse_filters(query.model_dump())
    if errors:
        raise ValidationError(errors)
    items, count, pages = page_of(
        selectors.expert_list(user=user, filters=filters), page=query.page, page_size=query.page_size
    )
    return ExpertListOut(
        items=[ExpertSummaryOut(**_summary(e)) for e in items],
        count=count,
        count_capped=count >= COUNT_CAP,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.get("/{int:expert_id}", response={200: ExpertOut, **ERRORS, **INVALID}, url_name="expert_detail")
def expert_detail(request: HttpRequest, expert_id: int) -> ExpertOut:
    """One profile with its qualifications, fees, rating and declared conflicts; 404 if the caller may not see it."""
    e = selectors.expert_get(user=request.auth, pk=expert_id)  # type: ignore[attr-defined]
    return ExpertOut(
        **_summary(e),
        organisation_credit_code=e.organisation_credit_code,
        credential_number=e.credential_number,
        qualifications=e.qualifications,
        fee_terms=e.fee_terms,
        hourly_rate=float(e.hourly_rate) if e.hourly_rate is not None else None,
        rating_average=e.rating_average,
        rating_count=e.rating_count,
        conflicts=[ConflictOut(name=c.name, credit_code=c.credit_code, note=c.note) for c in e.conflicts.all()],
        version=e.version,
    )


def _criteria_args(query: CandidatesQuery) -> dict[str, Any]:
    errors: dict[str, str] = {}
    args: dict[str, Any] = {}
    try:
        args["ipc_classes"] = parse_ipc_list(query.ipc)
    except ClassError as exc:
        errors["ipc"] = str(exc)
    try:
        args["nice_classes"] = parse_nice_list(query.nice)
    except ClassError as exc:
        errors["nice"] = str(exc)
    if query.fields is not None:
        args["field_codes"] = split_list(query.fields)
    if query.languages is not None:
        languages = split_list(query.languages)
        unknown = [c for c in languages if c not in Language.values]
        if unknown:
            errors["languages"] = _("不认识的语言代码：%(codes)s（可填：%(known)s）") % {
                "codes": "、".join(unknown),
                "known": ", ".join(Language.values),
            }
        args["languages"] = languages
    if query.region:
        if not (len(query.region) == 6 and query.region.isdigit()):
            errors["region"] = _("请填 6 位行政区划代码，例如 310115。")
        args["region_code"] = query.region
    errors.update(
        criteria_limit_errors(
            fields=args.get("field_codes"),
            ipc=args.get("ipc_classes"),
            nice=args.get("nice_classes"),
            languages=args.get("languages"),
        )
    )
    if errors:
        raise ValidationError(errors)
    return args


@case_router.get(
    "/{tracking_number}/expert-candidates",
    response={200: CandidateListOut, **ERRORS, **INVALID},
    url_name="case_expert_candidates",
)
def case_expert_candidates(request: HttpRequest, tracking_number: str, query: Query[CandidatesQuery]) -> Any:
    """Experts ranked for the case, each with the reasons for its rank; experts with a conflict of interest with
    the applicant or the respondent are listed apart under `excluded` (unless a director overrode the conflict)."""
    user = request.auth  # type: ignore[attr-defined]
    case = case_for(user=user, tracking_number=tracking_number)
    criteria = criteria_for_case(case, **_criteria_args(query))
    result = selectors.expert_candidates(user=user, case=case, criteria=criteria)
    paginator = Paginator(result.ranked, query.page_size)
    page = paginator.get_page(query.page)
    shown = list(page.object_list) if query.page <= paginator.num_pages else []
    # The ranking reads few columns; the answer shows the whole summary of the page's experts.
    full = (
        Expert.objects_unscoped.select_related("centre")
        .prefetch_related("fields", "regions")
        .in_bulk([c.expert.pk for c in [*shown, *result.excluded]])
    )
    summaries = {pk: ExpertSummaryOut(**_summary(e)) for pk, e in full.items()}
    return CandidateListOut(
        criteria=CriteriaOut(
            fields=list(criteria.field_codes),
            ipc_classes=list(criteria.ipc_classes),
            nice_classes=list(criteria.nice_classes),
            languages=list(criteria.languages),
            region=criteria.region_code,
            derived=sorted(criteria.derived),
        ),
        items=[_candidate(c, summaries) for c in shown],
        count=paginator.count,
        page=query.page,
        page_size=query.page_size,
        pages=paginator.num_pages,
        excluded=[_candidate(c, summaries) for c in result.excluded],
    )
