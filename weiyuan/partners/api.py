"""Cooperating organisations in the REST API (tag "partners"). Read-only; the same selectors and access rules as
the web pages: `GET /partners/me` is a partner account's own organisation (404 for anyone else); the list and one
organisation are for centre staff, supervisors and admins (the list 403 for anyone else; an organisation the
caller may not see 404 — a partner sees only its own).

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from weiyuan.access.partners import PartnerPermission, database_decide
from weiyuan.api.schemas import CentreRef, CleanIn, DetailOut, ValidationErrorOut
from weiyuan.api.selectors import page_of
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.pagination import COUNT_CAP
from weiyuan.partners import selectors
from weiyuan.partners.models import Organisation, OrganisationKind

router = Router(tags=["partners"])

ERRORS = {401: DetailOut, 403: DetailOut, 404: DetailOut}
INVALID = {422: ValidationErrorOut}


class PartnerListQuery(CleanIn):
    q: str = Field("", max_length=60, description="Part of the name (Chinese or English), or a credit code.")
    kind: str = Field("", description="enforcement, court, arbitration, mediation, ecommerce_platform, customs, ...")
    region: str = Field("", description="A 6-digit region code; a province's or city's code covers the regions below.")
    active: str = Field("1", description="1: in use (default), 0: retired, empty: both.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class RegionOut(Schema):
    code: str
    name: str


class AgreementOut(Schema):
    title: str
    scope: str
    centre: CentreRef
    starts_on: dt.date
    ends_on: dt.date | None
    status: str = Field(description="current, upcoming or expired (today's date).")


class PartnerSummaryOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    kind_label: str
    credit_code: str
    region: RegionOut
    keeper: CentreRef = Field(description="The centre that keeps the record.")
    active: bool
    url: str


class PartnerListOut(Schema):
    items: list[PartnerSummaryOut]
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


class PartnerOut(PartnerSummaryOut):
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    website: str
    agreements: list[AgreementOut]


def _summary(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "name_en": org.name_en,
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),  # type: ignore[attr-defined]
        "credit_code": org.credit_code,
        "region": RegionOut(code=org.region.code, name=str(org.region)),
        "keeper": CentreRef(code=org.keeper.code, name=org.keeper.name),
        "active": org.active,
        "url": reverse("partners:detail", args=[org.pk]),
    }


def _detail(org: Organisation) -> PartnerOut:
    return PartnerOut(
        **_summary(org),
        address=org.address,
        contact_name=org.contact_name,
        contact_phone=org.contact_phone,
        contact_email=org.contact_email,
        website=org.website,
        agreements=[
            AgreementOut(
                title=row.agreement.title,
                scope=row.agreement.scope,
                centre=CentreRef(code=row.agreement.centre.code, name=row.agreement.centre.name),
                starts_on=row.agreement.starts_on,
                ends_on=row.agreement.ends_on,
                status=row.status,
            )
            for row in selectors.agreements_of(org)
        ],
    )


@router.get("/me", response={200: PartnerOut, **ERRORS}, url_name="partner_me")
def partner_me(request: HttpRequest) -> PartnerOut:
    """The organisation the caller acts for (a partner account, or a token scoped to its organisation); 404 for
    anyone else."""
    org = selectors.acting_organisation(request)
    if org is None:
        raise Http404
    return _detail(org)


@router.get("", response={200: PartnerListOut, **ERRORS, **INVALID}, url_name="partner_list")
def partner_list(request: HttpRequest, query: Query[PartnerListQuery]) -> PartnerListOut:
    """The network's directory of cooperating organisations, filtered and paginated (page_size ≤ 100). For centre
    staff, supervisors and admins."""
    user = request.auth  # type: ignore[attr-defined]
    decision = database_decide(user, PartnerPermission.LIST)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    errors: dict[str, str] = {}
    if query.kind and query.kind not in OrganisationKind.values:
        errors["kind"] = _("未知类型：%(kind)s（可填：%(known)s）") % {
            "kind": query.kind,
            "known": ", ".join(OrganisationKind.values),
        }
    if query.region and not (len(query.region) == 6 and query.region.isdigit()):
        errors["region"] = _("请填 6 位行政区划代码，例如 310000。")
    if query.active not in ("", "0", "1"):
        errors["active"] = _("只能填 1（在用）、0（已停用）或留空（全部）。")
    if errors:
        raise ValidationError(errors)
    filters = selectors.OrganisationFilters.from_params(query.model_dump())
    items, count, pages = page_of(
        selectors.organisation_list(user=user, filters=filters), page=query.page, page_size=query.page_size
    )
    return PartnerListOut(
        items=[PartnerSummaryOut(**_summary(o)) for o in items],
        count=count,
        count_capped=count >= COUNT_CAP,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.get("/{int:partner_id}", response={200: PartnerOut, **ERRORS}, url_name="partner_detail")
def partner_detail(request: HttpRequest, partner_id: int) -> PartnerOut:
    """One organisation with its contact details and service agreements; 404 if the caller may not see it."""
    return _detail(selectors.organisation_get(user=request.auth, pk=partner_id))  # type: ignore[attr-defined]
