"""Centre reads: the public directory, routing of an application to the competent centres, subtrees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from weiyuan.access.policy import (
    can_decide_filing,
    can_manage_centre,
    can_see_centre,
    centre_ids_with_role,
)
from weiyuan.core.choices import Role
from weiyuan.network.models import Centre, CentreKind, Filing, FilingStatus, Region


def centre_directory(
    *, region_code: str = "", ip_type: str = "", service_type: str = "", q: str = "", kind: str = ""
) -> QuerySet[Centre]:
    """Approved centres only; region filter matches the centre's own region and every region inside it."""
    qs = Centre.objects.filter(filing_status=FilingStatus.APPROVED).select_related("region", "parent")
    if region_code:
        prefix = region_prefix(region_code)
        qs = qs.filter(region__code__startswith=prefix)
    if ip_type:
        qs = (
            qs.filter(ip_types__contains=[ip_type])
            if _json_contains_supported()
            else qs.filter(ip_types__icontains=f'"{ip_type}"')
        )
    if service_type:
        qs = (
            qs.filter(service_types__contains=[service_type])
            if _json_contains_supported()
            else qs.filter(service_types__icontains=f'"{service_type}"')
        )
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(
            Q(name__icontains=q.strip()) | Q(address__icontains=q.strip()) | Q(description__icontains=q.strip())
        )
    return qs.order_by("depth", "region__code", "name")


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def region_prefix(code: str) -> str:
    """The code prefix a region covers: 310000 -> "31", 310100 -> "3101", 310115 -> "310115"."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def region_chain(code: str) -> list[str]:
    """County, city, province codes for a region, nearest first."""
    chain = [code]
    if not code.endswith("00"):
        chain.append(code[:4] + "00")
    if not code.endswith("0000"):
        chain.append(code[:2] + "0000")
    return chain


@dataclass(frozen=True)
class RouteProposal:
    centre: Centre
    level: str  # "county", "city", "province", "national"


def centre_route(*, region_code: str, ip_type: str, service_type: str) -> list[RouteProposal]:
    """The competent centres for an application, nearest level first (county, city, province, national)."""
    chain = region_chain(region_code)
    levels = ["county", "city", "province"][-len(chain) :] if len(chain) < 3 else ["county", "city", "province"]
    candidates = list(centre_directory(ip_type=ip_type, service_type=service_type).filter(region__code__in=chain))
    proposals: list[RouteProposal] = []
    for code, level in zip(chain, levels, strict=False):
        for centre in sorted((c for c in candidates if c.region_id == code), key=_kind_rank):
            proposals.append(RouteProposal(centre, level))
    # The national guidance centre closes the list once, even when its own region is in the chain (Beijing).
    seen = {p.centre.pk for p in proposals if p.centre.kind != CentreKind.NATIONAL_CENTRE}
    proposals = [p for p in proposals if p.centre.kind != CentreKind.NATIONAL_CENTRE]
    national = centre_directory(ip_type=ip_type, service_type=service_type).filter(kind=CentreKind.NATIONAL_CENTRE)
    proposals += [RouteProposal(c, "national") for c in national if c.pk not in seen]
    return proposals


_KIND_ORDER = [
    CentreKind.WORKSTATION,
    CentreKind.SUB_CENTRE,
    CentreKind.ASSISTANCE_CENTRE,
    CentreKind.RAPID_CENTRE,
    CentreKind.PROTECTION_CENTRE,
    CentreKind.NATIONAL_CENTRE,
]


def _kind_rank(centre: Centre) -> int:
    # At one level an assistance centre is the general entry; workstations sit closest to the applicant.
    return _KIND_ORDER.index(CentreKind(centre.kind))


def region_search(*, q: str, limit: int = 20) -> QuerySet[Region]:
    q = q.replace("\x00", "").strip()  # PostgreSQL cannot compare with a NUL character (DataError)
    if not q:
        return Region.objects.none()
    if q.isdigit():
        return Region.objects.filter(code__startswith=q).order_by("code")[:limit]
    return Region.objects.filter(Q(name__contains=q) | Q(full_name__contains=q)).order_by("level", "code")[:limit]


def centres_in_subtree(*, centre: Centre) -> QuerySet[Centre]:
    return Centre.objects.filter(path__startswith=centre.path)


# --- who sees what of a centre -------------------------------------------------------------------------------


def centre_visible_to(user: Any, centre: Centre) -> bool:
    """Decided by the access module (kept under this name for the network views)."""
    return can_see_centre(user, centre)


def centre_get(*, user: Any, code: str) -> Centre:
    """One centre by its code, or 404 when it does not exist or the user may not see it."""
    centre = Centre.objects.select_related("region", "parent").filter(code=code).first()
    if centre is None or not centre_visible_to(user, centre):
        raise Http404(_("没有找到该机构。"))
    return centre


def centre_children(*, centre: Centre) -> QuerySet[Centre]:
    """The approved centres directly under a centre (the public part of the tree)."""
    return (
        Centre.objects.filter(parent=centre, filing_status=FilingStatus.APPROVED)
        .select_related("region")
        .order_by("kind", "region__code", "name")
    )


def filing_history_visible(user: Any, centre: Centre) -> bool:
    """Filing records are seen by the centre's director and by the director of the level that decides them."""
    return bool(
        getattr(user, "is_superuser", False) or can_manage_centre(user, centre) or can_decide_filing(user, centre)
    )


def filing_history(*, user: Any, centre: Centre) -> QuerySet[Filing]:
    if not filing_history_visible(user, centre):
        return Filing.objects.none()
    return Filing.objects.filter(centre=centre).select_related("submitted_by", "decided_by").order_by("-id")


# Queue tabs of the filing page: an allow-list, never a user-supplied filter key.
FILING_QUEUE_STATUSES = (
    FilingStatus.SUBMITTED,
    FilingStatus.APPROVED,
    FilingStatus.RETURNED,
    FilingStatus.REVOKED,
    FilingStatus.DRAFT,
)


def filing_queue_allowed(user: Any) -> bool:
    """Directors (who decide the filings of the centres under theirs) and platform admins."""
    return bool(getattr(user, "is_superuser", False) or centre_ids_with_role(user, Role.DIRECTOR))


def filing_queue(*, user: Any, status: str = FilingStatus.SUBMITTED) -> QuerySet[Centre]:
    """The child centres whose filing this user decides, in one filing status, with their latest filing record."""
    if status not in FILING_QUEUE_STATUSES:
        status = FilingStatus.SUBMITTED
    decided_here = Q(parent_id__in=centre_ids_with_role(user, Role.DIRECTOR))
    if getattr(user, "is_superuser", False):
        decided_here |= Q(parent__isnull=True)
    latest = Filing.objects.filter(centre=OuterRef("pk")).order_by("-id").values("pk")[:1]
    return (
        Centre.objects.filter(decided_here, filing_status=status)
        .select_related("region", "parent")
        .annotate(latest_filing_id=Subquery(latest))
        .order_by("parent__path", "code")
    )


def filings_by_id(ids: list[int]) -> dict[int, Filing]:
    """Filing rows for a page of the queue, in one query."""
    rows = Filing.objects.filter(pk__in=[i for i in ids if i]).select_related("submitted_by", "decided_by")
    return {f.pk: f for f in rows}
