"""Reads of the organisations database, always scoped by the acting user (`weiyuan.access.partners`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from weiyuan.access.partners import (
    PartnerPermission,
    member_organisation_id,
    organisation_decide,
    organisation_scope_q,
)
from weiyuan.partners.models import Organisation, OrganisationKind, OrganisationMember, ServiceAgreement

MAX_QUERY_LENGTH = 60


def acting_organisation(request_or_user: Any) -> Organisation | None:
    """The organisation the caller acts for: a partner account's own (active) organisation, or None for everyone
    else. Takes a request (API or web; `request.auth` or `request.user`) or a user.

    A token created by a partner account is scoped to its organisation (`ApiToken.organisation`); such a token is
    refused at authentication once the account no longer acts for that organisation, so the organisation returned
    here is always the one the token was issued for."""
    user = request_or_user
    if hasattr(request_or_user, "META"):  # an HttpRequest
        user = getattr(request_or_user, "auth", None) or getattr(request_or_user, "user", None)
    if user is None:
        return None
    org_id = member_organisation_id(user)
    if org_id is None:
        return None
    # A request authenticated by an API token carries the token's organisation (None: not scoped, e.g. made
    # before the account joined an organisation); such a token acts for no organisation.
    if hasattr(user, "_api_token_organisation_id") and user._api_token_organisation_id != org_id:
        return None
    cached = getattr(user, "_acting_organisation", None)
    if cached is None or cached.pk != org_id:
        cached = Organisation.objects.select_related("region", "keeper").get(pk=org_id)
        user._acting_organisation = cached
    return cached  # type: ignore[no-any-return]


@dataclass(frozen=True)
class OrganisationFilters:
    """The directory's filters: an allow-list, never raw kwargs."""

    q: str = ""
    kind: str = ""
    region: str = ""  # a region code; a province's code matches every region below it
    active: str = "1"  # "1" active only (default), "0" inactive only, "" both
    keeper: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> OrganisationFilters:
        kind = (params.get("kind") or "").strip()
        region = (params.get("region") or "").strip()
        active = params.get("active", "1")
        keeper = (params.get("keeper") or "").strip()
        return cls(
            q=(params.get("q") or "").strip()[:MAX_QUERY_LENGTH],
            kind=kind if kind in OrganisationKind.values else "",
            region=region if region.isdigit() and len(region) <= 12 else "",
            active=active if active in ("", "0", "1") else "1",
            keeper=int(keeper) if keeper.isdigit() else None,
        )


def _region_q(code: str) -> Q:
    # Administrative division codes (GB/T 2260): a province is XX0000, a city XXXX00; the regions below one share
    # its leading digits.
    code = code[:6]
    if len(code) == 6 and code.endswith("0000"):
        return Q(region__code__startswith=code[:2])
    if len(code) == 6 and code.endswith("00"):
        return Q(region__code__startswith=code[:4])
    return Q(region_id=code)


def organisation_list(*, user: Any, filters: OrganisationFilters | None = None) -> QuerySet[Organisation]:
    """The organisations the user may see, filtered, with what the directory shows (no per-row queries)."""
    f = filters or OrganisationFilters()
    qs = Organisation.objects.filter(organisation_scope_q(user)).select_related("region", "keeper")
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q) | Q(name_en__icontains=f.q) | Q(credit_code__iexact=f.q) | Q(contact_name=f.q)
        )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.region:
        qs = qs.filter(_region_q(f.region))
    if f.active == "1":
        qs = qs.filter(active=True)
    elif f.active == "0":
        qs = qs.filter(active=False)
    if f.keeper is not None:
        qs = qs.filter(keeper_id=f.keeper)
    today = timezone.localdate()
    current = ServiceAgreement.objects.filter(organisation=OuterRef("pk"), starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    return qs.annotate(has_current_agreement=Exists(current)).order_by("kind", "name", "id")


def organisation_get(*, user: Any, pk: int) -> Organisation:
    """One organisation the user may see, or 404."""
    try:
        org = Organisation.objects.select_related("region", "keeper").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404 from None
    if not organisation_decide(user, PartnerPermission.VIEW, org):
        raise Http404
    return org


@dataclass(frozen=True)
class AgreementRow:
    agreement: ServiceAgreement
    status: str  # "current", "upcoming", "expired"


def agreement_status(agreement: ServiceAgreement, today: dt.date) -> str:
    if agreement.starts_on > today:
        return "upcoming"
    if agreement.ends_on is not None and agreement.ends_on < today:
        return "expired"
    return "current"


def agreements_of(organisation: Organisation) -> list[AgreementRow]:
    """The organisation's agreements, current first, then upcoming, then expired (caller checked `VIEW`)."""
    today = timezone.localdate()
    rows = [
        AgreementRow(a, agreement_status(a, today))
        for a in organisation.agreements.select_related("centre", "document").order_by("-starts_on", "-id")
    ]
    order = {"current": 0, "upcoming": 1, "expired": 2}
    return sorted(rows, key=lambda r: order[r.status])


def members_of(organisation: Organisation) -> QuerySet[OrganisationMember]:
    """The organisation's accounts, active first (caller checked `VIEW_INTERNALS`)."""
    return organisation.members.select_related("user").order_by("-active", "user__display_name", "id")


def endpoints_of(organisation: Organisation) -> QuerySet[Any]:
    from weiyuan.webhooks.models import WebhookEndpoint

    return WebhookEndpoint.objects.filter(organisation=organisation).order_by("-active", "id")


def deliveries_of(organisation: Organisation, *, state: str = "", endpoint_id: int | None = None) -> QuerySet[Any]:
    """The delivery log of an organisation, newest first, with each delivery's attempts (caller checked
    `VIEW_INTERNALS`)."""
    from weiyuan.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery

    qs = WebhookDelivery.objects.filter(organisation=organisation).select_related("endpoint")
    if state in DeliveryState.values:
        qs = qs.filter(state=state)
    if endpoint_id is not None:
        qs = qs.filter(endpoint_id=endpoint_id)
    return qs.prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id"))).order_by(
        "-created_at", "-id"
    )


def delivery_get(*, user: Any, organisation: Organisation, pk: int) -> Any:
    from weiyuan.webhooks.models import WebhookDelivery

    if not organisation_decide(user, PartnerPermission.VIEW_INTERNALS, organisation):
        raise Http404
    try:
        return WebhookDelivery.objects.select_related("endpoint", "organisation").get(pk=pk, organisation=organisation)
    except WebhookDelivery.DoesNotExist:
        raise Http404 from None


def endpoint_get(*, user: Any, organisation: Organisation, pk: int) -> Any:
    from weiyuan.webhooks.models import WebhookEndpoint

    if not organisation_decide(user, PartnerPermission.VIEW_INTERNALS, organisation):
        raise Http404
    try:
        return WebhookEndpoint.objects.select_related("organisation").get(pk=pk, organisation=organisation)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None
