"""E-commerce fast handling in the REST API (tag "ecommerce", `/api/v1/ecommerce/…`).

For platforms (a partner token scoped to the platform): the notices received (fast lane first), one notice with its
listings and their clocks, measures per listing (or for many listings at once), a rejection, the seller's
counter-notice with its evidence, the restoration once the 15-day wait is over, a notice shown wrong. For rights
holders and their agents: a notice with its listings in bulk, more listings, its files, sending it, the complaint or
lawsuit that stops the clock.

Every write requires an `Idempotency-Key` (422 naming it when missing, checked after access: a notice or listing
the caller may not see is 404 first, one it may not act on 403) and honours it (`weiyuan/api/idempotency.py`).

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from weiyuan.access.ecommerce import EcommercePermission, has_platform_inbox, notice_create_refusal, notice_decide
from weiyuan.api.idempotency import idempotent, key_header_required
from weiyuan.api.schemas import DetailOut, ValidationErrorOut
from weiyuan.api.selectors import page_of
from weiyuan.cases.models import Case
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.ecommerce import listing_services, selectors, services
from weiyuan.ecommerce import listings as listing_rows
from weiyuan.ecommerce import schemas as s
from weiyuan.ecommerce.models import Listing, Notice
from weiyuan.evidence.views import file_response
from weiyuan.network.models import Centre
from weiyuan.partners.models import Organisation

router = Router(tags=["ecommerce"])

ERRORS = {400: DetailOut, 401: DetailOut, 403: DetailOut, 404: DetailOut, 409: DetailOut}
INVALID = {422: ValidationErrorOut}
P = EcommercePermission


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _notice(user: Any, pk: int) -> Notice:
    return selectors.notice_get(user=user, pk=pk)


def _listing(user: Any, pk: int) -> Listing:
    """A listing the caller may see; otherwise 404 naming the rule (a platform handles only its own notices)."""
    try:
        return selectors.listing_get(user=user, pk=pk)
    except Http404 as exc:
        raise TransitionRefused(str(exc), status=404) from None


def key_required(permission: EcommercePermission | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Access first (404 unseen, 403 may not), then the `Idempotency-Key` header (platforms' systems retry; a retry
    must not act twice)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = _user(request)
            notice = None
            if "notice_id" in kwargs:
                notice = _notice(user, kwargs["notice_id"])
            elif "listing_id" in kwargs:
                notice = _listing(user, kwargs["listing_id"]).notice
            elif notice_create_refusal(user):
                raise TransitionRefused(notice_create_refusal(user), status=403)
            if notice is not None and permission is not None:
                decision = notice_decide(user, permission, notice)
                if not decision:
                    raise TransitionRefused(decision.reason, status=403)
            key_header_required(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _detail(user: Any, notice_id: int) -> s.NoticeOut:
    notice = _notice(user, notice_id)
    listings = list(selectors.notice_listings(notice=notice))
    return s.notice_out(notice, user, listings, selectors.notice_documents(notice=notice))


def _listing_detail(user: Any, listing_id: int) -> s.ListingDetailOut:
    listing = _listing(user, listing_id)
    notice = listing.notice
    may_download = bool(notice_decide(user, P.DOWNLOAD, notice))
    docs = selectors.counter_notice_documents(listing=listing) if may_download else []
    return s.ListingDetailOut(
        **s.listing_out(listing, user, timezone.now()),
        notice_id=notice.pk,
        steps=[
            s.StepOut(action=st.action, state=st.state, at=st.at, note=st.note)
            for st in selectors.listing_steps(listing=listing)
        ],
        counter_notice_documents=[s.document_out(notice, "counter_notice", d.evidence) for d in docs],
    )


def _rows(items: list[s.ListingIn]) -> listing_rows.ParsedListings:
    """JSON listings as parsed rows; row n is the n-th item (1-based) of the array."""
    parsed = listing_rows.ParsedListings()
    for n, item in enumerate(items, start=1):
        problem = listing_rows.url_problem(item.url.strip())
        if problem:
            parsed.errors.append(listing_rows.RowError(n, "url", problem))
            continue
        parsed.rows.append(
            listing_rows.ListingRow(
                n,
                item.url.strip(),
                item.shop.strip()[: listing_rows.SHOP_MAX],
                item.title.strip()[: listing_rows.TITLE_MAX],
            )
        )
    return parsed


def _add_listings(notice: Notice, user: Any, items: list[s.ListingIn]) -> None:
    """Refusals name the item: `listings.<index>.url` (0-based, as in the request), or `listings` for the limit."""
    try:
        services.notice_listings_add(notice=notice, actor=user, parsed=_rows(items))
    except ValidationError as exc:
        row_errors = getattr(exc, "row_errors", None)
        if not row_errors:
            raise
        raise ValidationError(
            {(f"listings.{e.row - 1}.{e.column}" if e.row else "listings"): e.message for e in row_errors}
        ) from None


# --- notices --------------------------------------------------------------------------------------------------


@router.get("/notices", response={200: s.NoticeListOut, **ERRORS, **INVALID}, url_name="ecommerce_notice_list")
def notice_list(request: HttpRequest, query: Query[s.PageQuery]) -> s.NoticeListOut:
    """A platform: the notices it received, fast lane first. Others: the notices they may see (a sender's own, a
    centre's, a supervisor's subtree)."""
    user = _user(request)
    filters = selectors.NoticeFilters.from_params(query.model_dump())
    if filters.errors:
        raise ValidationError(filters.errors)
    qs = (
        selectors.platform_inbox(user=user, filters=filters)
        if has_platform_inbox(user)
        else selectors.notice_list(user=user, filters=filters)
    )
    items, count, pages = page_of(qs, page=query.page, page_size=query.page_size)
    return s.NoticeListOut(
        items=[s.NoticeSummaryOut(**s.summary_out(n)) for n in items],
        count=count,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.post("/notices", response={201: s.NoticeOut, **ERRORS, **INVALID}, url_name="ecommerce_notice_create")
@key_required(None)
@idempotent
def notice_create(request: HttpRequest, payload: s.NoticeCreateIn) -> Status[s.NoticeOut]:
    """A draft notice with its listings in bulk (rights holders and their agents). Upload the certificate and the
    evidence to `/notices/{id}/documents`, then send it."""
    user = _user(request)
    case = None
    if payload.case:
        case = Case.objects.restrict(user).filter(tracking_number=payload.case.strip()).first()
        if case is None:
            raise ValidationError({"case": _("找不到编号为「%(number)s」的案件。") % {"number": payload.case}})
    try:
        notice = _create(user, payload, case)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({API_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}) from None
    if payload.listings:
        _add_listings(notice, user, payload.listings)
    return Status(201, _detail(user, notice.pk))


# The service's field names as the request spells them.
API_FIELDS = {
    "centre": "centre_code",
    "platform": "platform_id",
    "right_type": "right.type",
    "right_number": "right.number",
    "right_title": "right.title",
    "right_owner": "right.owner",
    "right_owner_kind": "right.owner_kind",
    "right_valid_from": "right.valid_from",
    "right_valid_until": "right.valid_until",
}


def _create(user: Any, payload: s.NoticeCreateIn, case: Case | None) -> Notice:
    right = payload.right
    return services.notice_create(
        actor=user,
        centre=Centre.objects.filter(code=payload.centre_code.strip()).first(),
        platform=Organisation.objects.filter(pk=payload.platform_id).first(),
        case=case,
        data=services.NoticeInput(
            right_type=right.type,
            right_number=right.number,
            right_title=right.title,
            right_owner=right.owner,
            right_owner_kind=right.owner_kind,
            right_valid_from=right.valid_from,
            right_valid_until=right.valid_until,
            statement=payload.statement,
        ),
    )


@router.get(
    "/notices/{int:notice_id}", response={200: s.NoticeOut, **ERRORS, **INVALID}, url_name="ecommerce_notice_detail"
)
def notice_detail(request: HttpRequest, notice_id: int) -> s.NoticeOut:
    """One notice: the right, files, the listings with their state, clock and allowed actions; for a draft's
    editors, what a platform would reject."""
    return _detail(_user(request), notice_id)


@router.post(
    "/notices/{int:notice_id}/listings",
    response={201: s.NoticeOut, **ERRORS, **INVALID},
    url_name="ecommerce_notice_listings_add",
)
@key_required(P.EDIT)
@idempotent
def notice_listings_add(request: HttpRequest, notice_id: int, payload: s.ListingsIn) -> Status[s.NoticeOut]:
    """More listings for a draft, all or none (at most 300 in a notice; http(s) URLs; no duplicates)."""
    user = _user(request)
    _add_listings(_notice(user, notice_id), user, payload.listings)
    return Status(201, _detail(user, notice_id))


@router.post(
    "/notices/{int:notice_id}/documents",
    response={201: s.NoticeOut, **ERRORS, **INVALID},
    url_name="ecommerce_notice_documents_add",
)
@key_required(P.EDIT)
@idempotent
def notice_documents_add(
    request: HttpRequest, notice_id: int, kind: Form[str], files: File[list[UploadedFile]]
) -> Status[s.NoticeOut]:
    """Files of a draft (multipart: `kind` certificate, evidence or power_of_attorney; `files`)."""
    user = _user(request)
    services.notice_documents_add(notice=_notice(user, notice_id), actor=user, kind=kind, uploads=list(files))
    return Status(201, _detail(user, notice_id))


@router.post(
    "/notices/{int:notice_id}/send", response={200: s.NoticeOut, **ERRORS, **INVALID}, url_name="ecommerce_notice_send"
)
@key_required(P.SEND)
@idempotent
def notice_send(request: HttpRequest, notice_id: int) -> s.NoticeOut:
    """Send the notice to the platform (409 listing what is missing while it is incomplete)."""
    user = _user(request)
    services.notice_send(notice=_notice(user, notice_id), actor=user)
    return _detail(user, notice_id)


@router.post(
    "/notices/{int:notice_id}/measures",
    response={200: s.NoticeOut, **ERRORS, **INVALID},
    url_name="ecommerce_notice_measures",
)
@key_required(P.HANDLE)
@idempotent
def notice_measures(request: HttpRequest, notice_id: int, payload: s.ManyMeasuresIn) -> s.NoticeOut:
    """The same measures on several listings of the notice (by position), all or none."""
    user = _user(request)
    listing_services.measures_record_many(
        notice=_notice(user, notice_id), actor=user, positions=payload.positions, measures=payload.measures
    )
    return _detail(user, notice_id)


@router.post(
    "/notices/{int:notice_id}/wrong",
    response={201: DetailOut, **ERRORS, **INVALID},
    url_name="ecommerce_wrong_notice",
)
@key_required(P.RECORD_WRONG)
@idempotent
def wrong_notice(request: HttpRequest, notice_id: int, payload: s.WrongNoticeIn) -> Status[DetailOut]:
    """Record that the notice was shown wrong (Art. 42 para 3), against its sender."""
    user = _user(request)
    services.wrong_notice_record(
        notice=_notice(user, notice_id),
        actor=user,
        basis=payload.basis,
        explanation=payload.explanation,
        malicious=payload.malicious,
    )
    return Status(201, DetailOut(detail=_("已登记错误通知。")))


@router.get(
    "/notices/{int:notice_id}/files/{int:evidence_id}",
    response={200: None, **ERRORS},
    url_name="ecommerce_notice_file",
)
def notice_file(request: HttpRequest, notice_id: int, evidence_id: int) -> FileResponse:
    """A file of the notice, of a counter-notice or a complaint; every download is audited."""
    user = _user(request)
    notice = _notice(user, notice_id)
    decision = notice_decide(user, P.DOWNLOAD, notice)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    evidence = selectors.notice_file_get(notice=notice, evidence_id=evidence_id)
    services.notice_file_download_record(notice=notice, evidence=evidence, user=user)
    return file_response(evidence)


# --- listings -------------------------------------------------------------------------------------------------


@router.get(
    "/listings/{int:listing_id}",
    response={200: s.ListingDetailOut, **ERRORS, **INVALID},
    url_name="ecommerce_listing_detail",
)
def listing_detail(request: HttpRequest, listing_id: int) -> s.ListingDetailOut:
    """One listing: its state, measures, counter-notice, clock, steps and the actions the caller may take."""
    return _listing_detail(_user(request), listing_id)


@router.get(
    "/listings/{int:listing_id}/clock",
    response={200: s.ClockOut, **ERRORS, **INVALID},
    url_name="ecommerce_listing_clock",
)
def listing_clock(request: HttpRequest, listing_id: int) -> s.ClockOut:
    """The 15-day wait of Art. 43 on this listing: not started, running (due time), stopped, expired."""
    return s.clock_of(_listing(_user(request), listing_id), timezone.now())


def _act(request: HttpRequest, listing_id: int, action: str, **kwargs: Any) -> s.ListingDetailOut:
    user = _user(request)
    listing_services.listing_act(listing=_listing(user, listing_id), actor=user, action=action, **kwargs)
    return _listing_detail(user, listing_id)


@router.post(
    "/listings/{int:listing_id}/measures",
    response={200: s.ListingDetailOut, **ERRORS, **INVALID},
    url_name="ecommerce_listing_measures",
)
@key_required(P.HANDLE)
@idempotent
def listing_measures(request: HttpRequest, listing_id: int, payload: s.MeasuresIn) -> s.ListingDetailOut:
    """The platform's measures on the listing: delete, block, disconnect, terminate."""
    return _act(request, listing_id, "take_measures", measures=payload.measures)


@router.post(
    "/listings/{int:listing_id}/rejection",
    response={200: s.ListingDetailOut, **ERRORS, **INVALID},
    url_name="ecommerce_listing_reject",
)
@key_required(P.HANDLE)
@idempotent
def listing_reject(request: HttpRequest, listing_id: int, payload: s.RejectionIn) -> s.ListingDetailOut:
    """The platform takes no measure, with its reason."""
    return _act(request, listing_id, "reject", reason=payload.reason)


@router.post(
    "/listings/{int:listing_id}/counter-notice",
    response={201: s.ListingDetailOut, **ERRORS, **INVALID},
    url_name="ecommerce_counter_notice",
)
@key_required(P.HANDLE)
@idempotent
def counter_notice(
    request: HttpRequest,
    listing_id: int,
    payload: Form[s.CounterNoticeIn],
    files: File[list[UploadedFile] | None] = None,
) -> Status[s.ListingDetailOut]:
    """The seller's counter-notice (multipart: `text`, `files` — preliminary evidence, required by Art. 43). It is
    forwarded to the rights holder now, and the 15-day wait starts."""
    return Status(201, _act(request, listing_id, "counter_notice", text=payload.text, files=list(files or [])))


@router.post(
    "/listings/{int:listing_id}/complaint",
    response={200: s.ListingDetailOut, **ERRORS, **INVALID},
    url_name="ecommerce_listing_complaint",
)
@key_required(P.COMPLAIN)
@idempotent
def listing_complaint(
    request: HttpRequest,
    listing_id: int,
    payload: Form[s.ComplaintIn],
    document: File[UploadedFile | None] = None,
) -> s.ListingDetailOut:
    """The rights holder's complaint or lawsuit with its document (multipart), within the wait: stops the clock."""
    return _act(request, listing_id, "complain", kind=payload.kind, body=payload.body, document=document)


@router.post(
    "/listings/{int:listing_id}/restoration",
    response={200: s.ListingDetailOut, **ERRORS, **INVALID},
    url_name="ecommerce_listing_restore",
)
@key_required(P.HANDLE)
@idempotent
def listing_restore(request: HttpRequest, listing_id: int) -> s.ListingDetailOut:
    """The platform ended the measures: allowed once the wait is over without a complaint (409 before, naming
    the rule); on a listing the sweep already restored, the platform's confirmation."""
    return _act(request, listing_id, "restore")
