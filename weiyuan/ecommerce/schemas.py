"""Shapes of the e-commerce API (`api.py`) and how a notice or listing becomes one.

No `from __future__ import annotations`: django-ninja resolves these annotations at import time.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from weiyuan.access.ecommerce import EcommercePermission, notice_decide
from weiyuan.api.schemas import CentreRef, CleanIn
from weiyuan.ecommerce.checks import notice_problems
from weiyuan.ecommerce.flow import allowed_listing_actions
from weiyuan.ecommerce.listing_services import WAIT_RULE
from weiyuan.ecommerce.models import Listing, ListingState, Notice, NoticeState

P = EcommercePermission


class ListingIn(CleanIn):
    url: str = Field(description="http(s) address of the listing.")
    shop: str = ""
    title: str = ""


class RightIn(CleanIn):
    type: str = Field(description="invention, utility_model, design, trademark, gi, ic_layout, copyright, ...")
    number: str
    title: str = ""
    owner: str
    owner_kind: str = Field(
        "",
        description="organisation or person (a person's name is never public); empty: as the sender's account is.",
    )
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class NoticeCreateIn(CleanIn):
    centre_code: str = Field(description="The centre that helps prepare the notice.")
    platform_id: int = Field(description="The e-commerce platform (a cooperating organisation).")
    case: str = Field("", description="Tracking number of the sender's own case to link (optional).")
    right: RightIn
    statement: str
    listings: list[ListingIn] = Field(default_factory=list, description="At most 300 per notice.")


class ListingsIn(CleanIn):
    listings: list[ListingIn]


class MeasuresIn(CleanIn):
    measures: list[str] = Field(description="delete, block, disconnect, terminate (E-Commerce Law Art. 42).")


class ManyMeasuresIn(MeasuresIn):
    positions: list[int] = Field(description="Positions of the notice's listings (1-based).")


class RejectionIn(CleanIn):
    reason: str


class CounterNoticeIn(CleanIn):
    text: str


class ComplaintIn(CleanIn):
    kind: str = Field(description="complaint (to an authority) or lawsuit (to a court).")
    body: str = Field(description="The authority or court.")


class WrongNoticeIn(CleanIn):
    basis: str = Field(description="judgment, authority, platform or admitted.")
    explanation: str
    malicious: bool = False


class PageQuery(CleanIn):
    state: str = Field("", description="draft or sent.")
    open: bool = Field(False, description="Only notices with listings the platform has not handled yet.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class OrganisationRef(Schema):
    id: int
    name: str


class ClockOut(Schema):
    rule: str
    state: str = Field(description="not_started, running, stopped (complaint or lawsuit recorded), expired.")
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    calendar_fallback: bool


class DocumentOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    download_url: str


class StepOut(Schema):
    action: str
    state: str
    at: dt.datetime
    note: str


class ListingOut(Schema):
    id: int
    position: int
    url: str
    shop: str
    title: str
    state: str
    state_label: str
    measures: list[str]
    measures_at: dt.datetime | None
    rejection_reason: str
    counter_notice: str | None
    clock: ClockOut
    complaint_kind: str
    complaint_body: str
    restored_at: dt.datetime | None
    restoration_confirmed_at: dt.datetime | None
    allowed_actions: list[str]


class ListingDetailOut(ListingOut):
    notice_id: int
    steps: list[StepOut]
    counter_notice_documents: list[DocumentOut]


class NoticeSummaryOut(Schema):
    id: int
    number: str | None
    state: str
    fast_lane: bool
    platform: OrganisationRef
    centre: CentreRef
    right_type: str
    right_number: str
    sent_at: dt.datetime | None
    listings: int
    url: str


class NoticeListOut(Schema):
    items: list[NoticeSummaryOut]
    count: int
    page: int
    page_size: int
    pages: int


class ProblemOut(Schema):
    code: str
    field: str
    message: str


class NoticeOut(NoticeSummaryOut):
    right_title: str
    right_owner: str
    right_valid_from: dt.date | None
    right_valid_until: dt.date | None
    statement: str
    documents: list[DocumentOut]
    problems: list[ProblemOut] = Field(description="What a platform would reject (drafts only).")
    items: list[ListingOut] = Field(description="The listings, in order (at most 300).")


def clock_of(listing: Listing, now: dt.datetime) -> ClockOut:
    if listing.wait_due_at is None:
        state = "not_started"
    elif listing.state == ListingState.COMPLAINT_FILED:
        state = "stopped"
    elif listing.state == ListingState.COUNTER_NOTICED and now <= listing.wait_due_at:
        state = "running"
    else:
        state = "expired"
    return ClockOut(
        rule=WAIT_RULE,
        state=state,
        started_at=listing.wait_started_at,
        due_at=listing.wait_due_at,
        calendar_fallback=listing.calendar_fallback,
    )


def document_out(notice: Notice, kind: str, evidence: Any) -> DocumentOut:
    return DocumentOut(
        id=evidence.pk,
        kind=kind,
        name=evidence.original_name,
        content_type=evidence.content_type,
        size=evidence.size,
        sha256=evidence.sha256,
        download_url=f"/api/v1/ecommerce/notices/{notice.pk}/files/{evidence.pk}",
    )


def listing_out(listing: Listing, user: Any, now: dt.datetime) -> dict[str, Any]:
    counter = getattr(listing, "counter_notice", None) if listing.state != ListingState.DRAFT else None
    return {
        "id": listing.pk,
        "position": listing.position,
        "url": listing.url,
        "shop": listing.shop,
        "title": listing.title,
        "state": listing.state,
        "state_label": listing.get_state_display(),
        "measures": list(listing.measures or []),
        "measures_at": listing.measures_at,
        "rejection_reason": listing.rejection_reason,
        "counter_notice": counter.text if counter else None,
        "clock": clock_of(listing, now),
        "complaint_kind": listing.complaint_kind,
        "complaint_body": listing.complaint_body,
        "restored_at": listing.restored_at,
        "restoration_confirmed_at": listing.restoration_confirmed_at,
        "allowed_actions": [t.action for t in allowed_listing_actions(listing, user, now=now)],
    }


def summary_out(notice: Notice) -> dict[str, Any]:
    count = getattr(notice, "listing_count", None)
    return {
        "id": notice.pk,
        "number": notice.number,
        "state": notice.state,
        "fast_lane": notice.fast_lane,
        "platform": OrganisationRef(id=notice.platform.pk, name=notice.platform.name),
        "centre": CentreRef(code=notice.centre.code, name=notice.centre.name),
        "right_type": notice.right_type,
        "right_number": notice.right_number,
        "sent_at": notice.sent_at,
        "listings": count if count is not None else notice.listings.count(),
        "url": f"/api/v1/ecommerce/notices/{notice.pk}",
    }


def notice_out(notice: Notice, user: Any, listings: list[Listing], documents: list[Any]) -> NoticeOut:
    now = timezone.now()
    may_download = bool(notice_decide(user, P.DOWNLOAD, notice))
    may_edit = notice.state == NoticeState.DRAFT and bool(notice_decide(user, P.EDIT, notice))
    for listing in listings:
        listing.notice = notice  # the access check of each listing reads its notice: no query per row
    return NoticeOut(
        **{**summary_out(notice), "listings": len(listings)},
        right_title=notice.right_title,
        right_owner=notice.right_owner,
        right_valid_from=notice.right_valid_from,
        right_valid_until=notice.right_valid_until,
        statement=notice.statement,
        documents=[document_out(notice, d.kind, d.evidence) for d in documents] if may_download else [],
        problems=[ProblemOut(code=p.code, field=p.field, message=p.message) for p in notice_problems(notice)]
        if may_edit
        else [],
        items=[ListingOut(**listing_out(li, user, now)) for li in listings],
    )
