"""Centre reads: the public directory, routing of an application to the competent centres, subtrees."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from weiyuan.network.models import Centre, CentreKind, FilingStatus, Region


def centre_directory(
    *, region_code: str = "", ip_type: str = "", service_type: str = "", q: str = "", kind: str = ""
) -> QuerySet[Centre]:
    """Approved centres only; region filter matches the centre's own region and every region inside it."""
    qs = Centre.objects.filter(filing_status=FilingStatus.APPROVED).select_related("region", "parent")
    if region_code:
        prefix = region_prefix(region_code)
        qs = qs.filter(region__code__startswith=prefix)
    if ip_type:
        qs = qs.filter(ip_types__contains=[ip_type]) if _json_contains_supported() else qs.filter(ip_types__icontains=f'"{ip_type}"')
    if service_type:
        qs = (
            qs.filter(service_types__contains=[service_type])
            if _json_contains_supported()
            else qs.filter(service_types__icontains=f'"{service_type}"')
        )
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(address__icontains=q.strip()) | Q(description__icontains=q.strip()))
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
    levels = ["county", "city", "province"][-len(chain):] if len(chain) < 3 else ["county", "city", "province"]
    candidates = list(
        centre_directory(ip_type=ip_type, service_type=service_type).filter(region__code__in=chain)
    )
    proposals: list[RouteProposal] = []
    for code, level in zip(chain, levels, strict=False):
        for centre in sorted((c for c in candidates if c.region_id == code), key=_kind_rank):
            proposals.append(RouteProposal(centre, level))
    national = centre_directory(ip_type=ip_type, service_type=service_type).filter(kind=CentreKind.NATIONAL_CENTRE)
    proposals += [RouteProposal(c, "national") for c in national]
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
    q = q.strip()
    if not q:
        return Region.objects.none()
    if q.isdigit():
        return Region.objects.filter(code__startswith=q).order_by("code")[:limit]
    return Region.objects.filter(Q(name__contains=q) | Q(full_name__contains=q)).order_by("level", "code")[:limit]


def centres_in_subtree(*, centre: Centre) -> QuerySet[Centre]:
    return Centre.objects.filter(path__startswith=centre.path)
