"""Reads of notices and listings, always scoped by the acting user (`weiyuan.access.ecommerce`), with a constant
number of queries per page (listing counts per state are annotated, never counted per row)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404
from django.utils.translation import gettext as _

from weiyuan.access.ecommerce import notice_scope_q, platform_org_id
from weiyuan.ecommerce.models import (
    CounterNotice,
    CounterNoticeDocument,
    Listing,
    ListingState,
    ListingStep,
    Notice,
    NoticeDocument,
    NoticeState,
)

S = ListingState


COUNTS: dict[str, Q | None] = {
    "listing_count": None,
    "open_count": Q(state__in=[S.NOTIFIED]),
    "measures_count": Q(state__in=[S.MEASURES_TAKEN, S.COUNTER_NOTICED, S.COMPLAINT_FILED]),
    "waiting_count": Q(state=S.COUNTER_NOTICED),
    "restored_count": Q(state=S.RESTORED),
    "rejected_count": Q(state=S.REJECTED),
}


def attach_counts(notices: list[Notice]) -> None:
    """Set the listing counts per state on each notice: one GROUP BY over these notices' listings."""
    if not notices:
        return
    rows: dict[int, dict[str, Any]] = {
        r["notice_id"]: dict(r)
        for r in Listing.objects.filter(notice_id__in=[n.pk for n in notices])
        .order_by()
        .values("notice_id")
        .annotate(**{name: Count("id", filter=q) for name, q in COUNTS.items()})
    }
    for notice in notices:
        row = rows.get(notice.pk, {})
        for name in COUNTS:
            setattr(notice, name, row.get(name, 0))


class _CountedNotices(QuerySet[Notice]):
    """Notices whose listing counts are attached once fetched (`attach_counts`), i.e. for the rows of a page
    only. Annotating the counts in the list's query joined and grouped every listing of every notice in scope
    before the LIMIT: 0.7 s for a page of a platform with 5,000 notices (docs/benchmarks.md, e-commerce)."""

    def _fetch_all(self) -> None:
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and self._iterable_class is ModelIterable:
            attach_counts(self._result_cache)  # type: ignore[arg-type]


def _with_counts(qs: QuerySet[Notice]) -> QuerySet[Notice]:
    return _CountedNotices(model=Notice, query=qs.query.chain(), using=qs.db)


@dataclass(frozen=True)
class NoticeFilters:
    """An allow-list of filters, never raw kwargs."""

    state: str = ""  # draft, sent
    open: bool = False  # with listings the platform has not handled yet
    errors: dict[str, str] | None = None

    @classmethod
    def from_params(cls, params: Any) -> NoticeFilters:
        errors: dict[str, str] = {}
        state = str(params.get("state") or "").strip()
        if state and state not in NoticeState.values:
            errors["state"] = _("状态只能是 draft 或 sent。")
            state = ""
        raw = params.get("open")
        open_ = raw if isinstance(raw, bool) else str(raw or "").strip() in ("1", "true", "on")
        return cls(state=state, open=open_, errors=errors)


def _filtered(qs: QuerySet[Notice], filters: NoticeFilters | None) -> QuerySet[Notice]:
    if filters is None:
        return qs
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.open:
        # A subquery, not a join: one row per notice.
        qs = qs.filter(Exists(Listing.objects.filter(notice=OuterRef("pk"), state=S.NOTIFIED)))
    return qs


def notice_list(*, user: Any, filters: NoticeFilters | None = None) -> QuerySet[Notice]:
    """The notices the user may see: a sender's own, a centre's, a supervisor's subtree (sent), a platform's."""
    qs = Notice.objects.filter(notice_scope_q(user)).select_related("platform", "centre")
    return _with_counts(_filtered(qs, filters)).order_by("-created_at", "-id")


def platform_inbox(*, user: Any, filters: NoticeFilters | None = None) -> QuerySet[Notice]:
    """Sent notices addressed to the caller's platform: fast lane first, newest first (index ecom_notice_inbox_idx)."""
    org_id = platform_org_id(user)
    if org_id is None:
        return Notice.objects.none()
    qs = Notice.objects.filter(platform_id=org_id, state=NoticeState.SENT).select_related("centre", "platform")
    return _with_counts(_filtered(qs, filters)).order_by("-fast_lane", "-sent_at", "-id")


def notice_get(*, user: Any, pk: int) -> Notice:
    notice = (
        Notice.objects.filter(notice_scope_q(user))
        .select_related("platform", "centre", "sender", "case", "sent_by")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404(_("找不到该通知。"))
    return notice


def listing_get(*, user: Any, pk: int) -> Listing:
    """One listing if the user may see its notice. A platform asking for a listing of a notice addressed to
    another platform gets the same 404 as for one that does not exist, with the rule named."""
    listing = (
        Listing.objects.filter(notice__in=Notice.objects.filter(notice_scope_q(user)))
        .select_related("notice", "notice__platform", "notice__centre", "notice__sender", "notice__case")
        .filter(pk=pk)
        .first()
    )
    if listing is None:
        raise Http404(_("找不到该链接：平台只能处理发给本平台的通知中的链接（《电子商务法》第四十二条）。"))
    return listing


def notice_listings(*, notice: Notice, state: str = "") -> QuerySet[Listing]:
    qs = notice.listings.select_related("counter_notice").order_by("position")
    if state and state in S.values:
        qs = qs.filter(state=state)
    return qs


def listing_steps(*, listing: Listing) -> QuerySet[ListingStep]:
    return listing.steps.select_related("actor").order_by("at", "id")


def notice_documents(*, notice: Notice) -> list[NoticeDocument]:
    return list(notice.documents.select_related("evidence").order_by("id"))


def counter_notice_documents(*, listing: Listing) -> list[CounterNoticeDocument]:
    counter = CounterNotice.objects.filter(listing=listing).first()
    if counter is None:
        return []
    return list(counter.documents.select_related("evidence").order_by("id"))


def notice_file_get(*, notice: Notice, evidence_id: int) -> Any:
    """A file of the notice, of one of its counter-notices or a complaint document; any other file 404."""
    from weiyuan.evidence.models import EvidenceFile

    linked = (
        Q(pk__in=NoticeDocument.objects.filter(notice=notice).values("evidence_id"))
        | Q(pk__in=CounterNoticeDocument.objects.filter(counter_notice__listing__notice=notice).values("evidence_id"))
        | Q(
            pk__in=Listing.objects.filter(notice=notice, complaint_document__isnull=False).values(
                "complaint_document_id"
            )
        )
    )
    evidence = EvidenceFile.objects_unscoped.filter(linked, pk=evidence_id).first()
    if evidence is None:
        raise Http404(_("找不到该文件。"))
    return evidence


# --- the public notice (Art. 44) ------------------------------------------------------------------------------


def public_notices(*, platform_id: int | None = None) -> QuerySet[Notice]:
    """Sent notices for the public notice of Art. 44: no scope needed, and the pages show no personal data."""
    qs = Notice.objects.filter(state=NoticeState.SENT).select_related("platform")
    if platform_id:
        qs = qs.filter(platform_id=platform_id)
    return _with_counts(qs).order_by("-sent_at", "-id")


def public_notice_get(*, pk: int) -> Notice:
    notice = (
        Notice.objects.filter(state=NoticeState.SENT, pk=pk)
        .select_related("platform")
        .prefetch_related(
            Prefetch("listings", queryset=Listing.objects.select_related("counter_notice").order_by("position"))
        )
        .first()
    )
    if notice is None:
        raise Http404(_("找不到该通知。"))
    return notice
