"""Referrals in the REST API (tag "referrals"), for partner organisations above all: the referrals addressed to
their organisation (list with filters, one referral, its documents), acknowledge, accept or decline, progress
reports and the outcome with its document; the cases they refer in and the state of those; and, for centre staff
and supervisors, their referrals and the outcome statistics by kind of organisation.

Writes require an `Idempotency-Key` header (422 naming it when missing) and honour it (`weiyuan/api/idempotency.py`).
A referral the caller may not see is a 404, also for another organisation's partner.

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from weiyuan.access.policy import can_see_centre
from weiyuan.access.referrals import (
    ReferralPermission,
    has_referral_list,
    is_partner_account,
    referral_decide,
)
from weiyuan.api import selectors as api_selectors
from weiyuan.api import services as api_services
from weiyuan.api.idempotency import idempotent, key_header_required
from weiyuan.api.schemas import CaseCreateIn, CaseDetailOut, CentreRef, CleanIn, DetailOut, ValidationErrorOut
from weiyuan.api.selectors import page_of
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Channel
from weiyuan.core.pagination import COUNT_CAP
from weiyuan.evidence.views import file_response
from weiyuan.network.models import Centre
from weiyuan.referrals import selectors, services
from weiyuan.referrals.flow import allowed_referral_actions
from weiyuan.referrals.models import Referral
from weiyuan.referrals.views import record_download

router = Router(tags=["referrals"])

ERRORS = {400: DetailOut, 401: DetailOut, 403: DetailOut, 404: DetailOut, 409: DetailOut}
INVALID = {422: ValidationErrorOut}
P = ReferralPermission


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def key_required(permission: ReferralPermission | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse a write without an `Idempotency-Key` (partners' systems retry; a retry must not act twice), after the
    access check, so that someone who may not act learns that first: a referral the caller may not see is a 404,
    one they see but may not act on a 403 (`permission`); without a referral (referring a case in), only partner
    accounts pass."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = _user(request)
            if "referral_id" in kwargs:
                referral = selectors.referral_get(user=user, pk=kwargs["referral_id"])
                decision = referral_decide(user, permission, referral) if permission else None
                if decision is not None and not decision:
                    raise TransitionRefused(decision.reason, status=403)
            elif not is_partner_account(user):
                raise TransitionRefused(_("只有代表合作单位的账户可以移交案件。"), status=403)
            key_header_required(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# --- shapes ---------------------------------------------------------------------------------------------------


class ReferralListQuery(CleanIn):
    state: str = Field("", description="sent, acknowledged, accepted, declined, concluded, withdrawn, or open.")
    kind: str = Field("", description="Kind of organisation (court, enforcement, mediation, ...).")
    overdue: bool = Field(False, description="Only those past their acknowledgement or progress due time.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class OrganisationRef(Schema):
    id: int
    name: str
    kind: str


class ReferralSummaryOut(Schema):
    id: int
    case: str = Field(description="The case's tracking number.")
    case_title: str
    centre: CentreRef = Field(description="The centre that referred the case.")
    organisation: OrganisationRef
    state: str
    state_label: str
    sent_at: dt.datetime
    ack_due_at: dt.datetime
    progress_due_at: dt.datetime | None
    overdue: bool
    outcome_kind: str
    outcome_date: dt.date | None
    url: str


class ReferralListOut(Schema):
    items: list[ReferralSummaryOut]
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    download_url: str


class UpdateOut(Schema):
    kind: str
    text: str
    at: dt.datetime
    document: DocumentOut | None


class ReferralOut(ReferralSummaryOut):
    cover_letter: str
    ip_type: str
    respondent_name: str
    acknowledged_at: dt.datetime | None
    decided_at: dt.datetime | None
    decline_reason: str
    outcome_summary: str
    outcome_document: DocumentOut | None
    withdrawn_reason: str
    documents: list[DocumentOut] = Field(description="The case files shared with the organisation.")
    updates: list[UpdateOut]
    allowed_actions: list[str]


class DecisionIn(CleanIn):
    decision: str = Field(description="accept or decline.")
    reason: str = Field("", description="Required to decline.")
    note: str = ""


class ReportIn(CleanIn):
    text: str


class OutcomeIn(CleanIn):
    outcome_kind: str = Field(description="mediation_agreement, penalty_decision, judgment, withdrawn or other.")
    summary: str
    outcome_date: dt.date | None = None


class InboundOut(Schema):
    case: str
    title: str
    centre: CentreRef
    state: str
    state_label: str
    outcome: str
    referred_at: dt.datetime


class InboundListOut(Schema):
    items: list[InboundOut]
    count: int
    page: int
    page_size: int
    pages: int


class PageQuery(CleanIn):
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class StatsQuery(CleanIn):
    centre: str = Field("", description="Code of a centre within the caller's scope: count its subtree only.")
    since: dt.date | None = None
    until: dt.date | None = None


class StatsRowOut(Schema):
    kind: str
    label: str
    counts: dict[str, int]
    total: int


class StatsOut(Schema):
    columns: dict[str, str] = Field(description="Column code -> label: pending, then the outcome kinds.")
    rows: list[StatsRowOut]
    totals: dict[str, int]
    total: int


# --- shaping --------------------------------------------------------------------------------------------------


def _doc(referral: Referral, e: Any) -> DocumentOut:
    return DocumentOut(
        id=e.pk,
        name=e.original_name,
        content_type=e.content_type,
        size=e.size,
        sha256=e.sha256,
        download_url=f"/api/v1/referrals/{referral.pk}/documents/{e.pk}",
    )


def _summary(r: Referral, now: dt.datetime) -> dict[str, Any]:
    overdue = getattr(r, "overdue", None)
    if overdue is None:
        due = r.current_due_at
        overdue = bool(due and due < now)
    return {
        "id": r.pk,
        "case": r.case.tracking_number,
        "case_title": r.case.title,
        "centre": CentreRef(code=r.case.centre.code, name=r.case.centre.name),
        "organisation": OrganisationRef(id=r.organisation.pk, name=r.organisation.name, kind=r.organisation.kind),
        "state": r.state,
        "state_label": r.get_state_display(),
        "sent_at": r.sent_at,
        "ack_due_at": r.ack_due_at,
        "progress_due_at": r.progress_due_at,
        "overdue": overdue,
        "outcome_kind": r.outcome_kind,
        "outcome_date": r.outcome_date,
        "url": f"/api/v1/referrals/{r.pk}",
    }


def _detail(user: Any, referral: Referral) -> ReferralOut:
    may_download = bool(referral_decide(user, P.DOWNLOAD, referral))
    docs = selectors.referral_documents(referral=referral)
    return ReferralOut(
        **_summary(referral, timezone.now()),
        cover_letter=referral.cover_letter,
        ip_type=referral.case.ip_type,
        respondent_name=referral.case.respondent_name,
        acknowledged_at=referral.acknowledged_at,
        decided_at=referral.decided_at,
        decline_reason=referral.decline_reason,
        outcome_summary=referral.outcome_summary,
        outcome_document=_doc(referral, referral.outcome_document)
        if referral.outcome_document and may_download
        else None,
        withdrawn_reason=referral.withdrawn_reason,
        documents=[_doc(referral, d) for d in docs],
        updates=[
            UpdateOut(
                kind=u.kind,
                text=u.text,
                at=u.created_at,
                document=_doc(referral, u.document) if u.document and may_download else None,
            )
            for u in selectors.referral_updates(referral=referral)
        ],
        allowed_actions=[t.action for t in allowed_referral_actions(referral, user)],
    )


# --- routes ---------------------------------------------------------------------------------------------------


@router.get("", response={200: ReferralListOut, **ERRORS, **INVALID}, url_name="referral_list")
def referral_list(request: HttpRequest, query: Query[ReferralListQuery]) -> ReferralListOut:
    """Referrals the caller may see: a partner's, addressed to its organisation; centre staff's, of their centres'
    cases; a supervisor's, of the subtree. Overdue first, then the newest; filtered and paginated."""
    user = _user(request)
    filters = selectors.parse_filters(query.model_dump())
    if filters.errors:
        raise ValidationError(filters.errors)
    now = timezone.now()
    items, count, pages = page_of(
        selectors.referral_list(user=user, filters=filters, now=now), page=query.page, page_size=query.page_size
    )
    return ReferralListOut(
        items=[ReferralSummaryOut(**_summary(r, now)) for r in items],
        count=count,
        count_capped=count >= COUNT_CAP,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.get("/stats", response={200: StatsOut, **ERRORS, **INVALID}, url_name="referral_stats")
def referral_stats(request: HttpRequest, query: Query[StatsQuery]) -> StatsOut:
    """Outcomes counted by kind of organisation: staff of a centre for their centre, supervisors for their subtree
    (optionally one centre's subtree within it). Others 403."""
    user = _user(request)
    if not has_referral_list(user):
        raise TransitionRefused(_("移交统计仅供援助机构工作人员和监督人员查看。"), status=403)
    centre = None
    if query.centre:
        centre = Centre.objects.filter(code=query.centre.strip()).first()
        if centre is None or not can_see_centre(user, centre):
            raise ValidationError({"centre": _("找不到代码为「%(code)s」的机构。") % {"code": query.centre}})
    result = selectors.referral_stats(user=user, centre=centre, since=query.since, until=query.until)
    return StatsOut(
        columns=dict(result.columns),
        rows=[StatsRowOut(kind=r.kind, label=r.label, counts=r.counts, total=r.total) for r in result.rows],
        totals=result.totals,
        total=result.total,
    )


@router.get("/inbound", response={200: InboundListOut, **ERRORS, **INVALID}, url_name="referral_inbound_list")
def inbound_list(request: HttpRequest, query: Query[PageQuery]) -> InboundListOut:
    """Cases the caller's organisation referred in, with their state (partner accounts; others 403)."""
    user = _user(request)
    if not is_partner_account(user):
        raise TransitionRefused(_("仅供代表合作单位的账户使用。"), status=403)
    items, count, pages = page_of(selectors.inbound_list(user=user), page=query.page, page_size=query.page_size)
    return InboundListOut(
        items=[
            InboundOut(
                case=i.case.tracking_number,
                title=i.case.title,
                centre=CentreRef(code=i.case.centre.code, name=i.case.centre.name),
                state=i.case.state,
                state_label=i.case.get_state_display(),
                outcome=i.case.outcome,
                referred_at=i.created_at,
            )
            for i in items
        ],
        count=count,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.post("/inbound", response={201: CaseDetailOut, **ERRORS, **INVALID}, url_name="referral_inbound_create")
@key_required()
@idempotent
def inbound_create(request: HttpRequest, payload: CaseCreateIn) -> Status[CaseDetailOut]:
    """Refer a case in: the same body as `POST /api/v1/cases` (the channel is "referral"); the case records the
    caller's organisation. Partner accounts acting for an organisation only."""
    user = _user(request)
    if not is_partner_account(user):
        raise TransitionRefused(_("只有代表合作单位的账户可以移交案件。"), status=403)
    # case_create_from_api records the caller's organisation on the case (InboundReferral).
    case = api_services.case_create_from_api(
        actor=user, payload=payload.model_copy(update={"channel": Channel.REFERRAL})
    )
    return Status(201, api_selectors.case_detail_of(user=user, case=case))


@router.get("/{int:referral_id}", response={200: ReferralOut, **ERRORS, **INVALID}, url_name="referral_detail")
def referral_detail(request: HttpRequest, referral_id: int) -> ReferralOut:
    """One referral with its cover letter, shared documents, reports and the actions the caller may take."""
    user = _user(request)
    return _detail(user, selectors.referral_get(user=user, pk=referral_id))


@router.post(
    "/{int:referral_id}/acknowledge", response={200: ReferralOut, **ERRORS, **INVALID}, url_name="referral_acknowledge"
)
@key_required(P.ACKNOWLEDGE)
@idempotent
def referral_acknowledge(request: HttpRequest, referral_id: int) -> ReferralOut:
    """Sign for the referral (签收)."""
    user = _user(request)
    referral = services.referral_acknowledge(referral=selectors.referral_get(user=user, pk=referral_id), actor=user)
    return _detail(user, selectors.referral_get(user=user, pk=referral.pk))


@router.post(
    "/{int:referral_id}/decision", response={200: ReferralOut, **ERRORS, **INVALID}, url_name="referral_decision"
)
@key_required(P.DECIDE)
@idempotent
def referral_decision(request: HttpRequest, referral_id: int, payload: DecisionIn) -> ReferralOut:
    """Accept (`decision: accept`, optional `note`) or decline (`decision: decline` with a `reason`)."""
    user = _user(request)
    referral = selectors.referral_get(user=user, pk=referral_id)
    if payload.decision == "accept":
        services.referral_accept(referral=referral, actor=user, note=payload.note)
    elif payload.decision == "decline":
        services.referral_decline(referral=referral, actor=user, reason=payload.reason)
    else:
        raise ValidationError({"decision": _("decision 应为 accept 或 decline。")})
    return _detail(user, selectors.referral_get(user=user, pk=referral_id))


@router.post("/{int:referral_id}/updates", response={201: ReferralOut, **ERRORS, **INVALID}, url_name="referral_report")
@key_required(P.REPORT)
@idempotent
def referral_report(
    request: HttpRequest, referral_id: int, payload: Form[ReportIn], document: File[UploadedFile | None] = None
) -> Status[ReferralOut]:
    """A progress report (multipart: `text`, optional file `document`); restarts the progress clock."""
    user = _user(request)
    referral = selectors.referral_get(user=user, pk=referral_id)
    services.referral_report(referral=referral, actor=user, text=payload.text, document=document)
    return Status(201, _detail(user, selectors.referral_get(user=user, pk=referral_id)))


@router.post(
    "/{int:referral_id}/outcome", response={200: ReferralOut, **ERRORS, **INVALID}, url_name="referral_outcome"
)
@key_required(P.CONCLUDE)
@idempotent
def referral_outcome(
    request: HttpRequest, referral_id: int, payload: Form[OutcomeIn], document: File[UploadedFile | None] = None
) -> ReferralOut:
    """The outcome (multipart: `outcome_kind`, `summary`, `outcome_date`, file `document`). A mediation agreement,
    a penalty decision and a judgment or ruling require the document."""
    user = _user(request)
    referral = selectors.referral_get(user=user, pk=referral_id)
    services.referral_conclude(
        referral=referral,
        actor=user,
        outcome_kind=payload.outcome_kind,
        summary=payload.summary,
        outcome_date=payload.outcome_date,
        document=document,
    )
    return _detail(user, selectors.referral_get(user=user, pk=referral_id))


@router.get(
    "/{int:referral_id}/documents",
    response={200: list[DocumentOut], **ERRORS, **INVALID},
    url_name="referral_documents",
)
def referral_documents(request: HttpRequest, referral_id: int) -> list[DocumentOut]:
    """The case files shared with the organisation."""
    user = _user(request)
    referral = selectors.referral_get(user=user, pk=referral_id)
    return [_doc(referral, d) for d in selectors.referral_documents(referral=referral)]


@router.get(
    "/{int:referral_id}/documents/{int:evidence_id}",
    response={200: None, **ERRORS},
    url_name="referral_document_download",
)
def referral_document_download(request: HttpRequest, referral_id: int, evidence_id: int) -> FileResponse:
    """One file of the referral (shared with it, or uploaded to it by the partner); every download is audited."""
    user = _user(request)
    referral = selectors.referral_get(user=user, pk=referral_id)
    decision = referral_decide(user, P.DOWNLOAD, referral)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    evidence = selectors.referral_document_get(referral=referral, evidence_id=evidence_id)
    record_download(referral=referral, evidence=evidence, user=user)
    return file_response(evidence)
