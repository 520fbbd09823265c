"""Reading referrals, always scoped by the acting user (weiyuan/access/referrals.py): the partner's inbox, the
centre's list (overdue first), one referral, its documents, a case's referrals, the cases a partner referred in,
and the outcome statistics by kind of organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weiyuan.access.referrals import (
    can_see_referral,
    inbound_scope_q,
    referral_scope_q,
    stats_scope_q,
)
from weiyuan.evidence.models import EvidenceFile
from weiyuan.partners.models import Organisation, OrganisationKind
from weiyuan.referrals.models import (
    OPEN_STATES,
    InboundReferral,
    OutcomeKind,
    Referral,
    ReferralDocument,
    ReferralState,
    ReferralUpdate,
)


def overdue_q(now: dt.datetime) -> Q:
    """Overdue: not acknowledged by its due time, or no news by its "no news" due time."""
    return Q(state=ReferralState.SENT, ack_due_at__lt=now) | Q(
        state__in=[ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED], progress_due_at__lt=now
    )


@dataclass(frozen=True)
class ReferralFilters:
    """The allow-list of list filters: `state` (a state or "open"), `kind` (organisation kind), `overdue`."""

    state: str = ""
    kind: str = ""
    overdue: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def parse_filters(data: Any) -> ReferralFilters:
    errors: dict[str, str] = {}
    state = (data.get("state") or "").strip()
    if state and state != "open" and state not in ReferralState.values:
        errors["state"] = str(_("状态可选：%(states)s 或 open。") % {"states": ", ".join(ReferralState.values)})
        state = ""
    kind = (data.get("kind") or "").strip()
    if kind and kind not in OrganisationKind.values:
        errors["kind"] = str(_("合作单位类型可选：%(kinds)s。") % {"kinds": ", ".join(OrganisationKind.values)})
        kind = ""
    overdue = str(data.get("overdue") or "").strip().lower() in ("1", "true", "yes", "on")
    return ReferralFilters(state=state, kind=kind, overdue=overdue, errors=errors)


def _filtered(qs: QuerySet[Referral], filters: ReferralFilters, now: dt.datetime) -> QuerySet[Referral]:
    if filters.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(organisation__kind=filters.kind)
    if filters.overdue:
        qs = qs.filter(overdue_q(now))
    return qs


def _listed(qs: QuerySet[Referral], now: dt.datetime) -> QuerySet[Referral]:
    return qs.select_related("case", "case__centre", "organisation").annotate(
        overdue=Case(When(overdue_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()),
        document_count=Count("documents", distinct=True),
    )


def referral_list(
    *, user: Any, filters: ReferralFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Referral]:
    """The referrals the user may see: a partner's inbox (its organisation's), the staff's centres', a supervisor's
    subtree; overdue first, then the newest."""
    now = now or timezone.now()
    qs = Referral.objects.filter(referral_scope_q(user))
    qs = _filtered(qs, filters or ReferralFilters(), now)
    return _listed(qs, now).order_by("-overdue", "-sent_at", "-id")  # type: ignore[misc]  # annotated above


def referral_get(*, user: Any, pk: int) -> Referral:
    """The referral if the user may see it; otherwise 404."""
    referral = (
        Referral.objects.select_related(
            "case",
            "case__centre",
            "case__handler",
            "organisation",
            "sent_by",
            "acknowledged_by",
            "decided_by",
            "concluded_by",
            "withdrawn_by",
            "outcome_document",
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None or not can_see_referral(user, referral):
        raise Http404("referral not found")
    return referral


def referral_documents(*, referral: Referral) -> list[EvidenceFile]:
    """The case files shared with the partner (callers have checked the user may see the referral)."""
    ids = ReferralDocument.objects.filter(referral=referral).values("evidence_id")
    return list(EvidenceFile.objects_unscoped.filter(pk__in=ids).order_by("received_at", "id"))


def referral_updates(*, referral: Referral) -> list[ReferralUpdate]:
    return list(ReferralUpdate.objects.filter(referral=referral).select_related("author", "document"))


def referral_document_get(*, referral: Referral, evidence_id: int) -> EvidenceFile:
    """A file of the referral: one shared with it, or one the partner uploaded to it (report or outcome). Any other
    file, even of the same case, is a 404 here."""
    shared = ReferralDocument.objects.filter(referral=referral, evidence_id=evidence_id).exists()
    uploaded = (
        shared
        or referral.outcome_document_id == evidence_id
        or ReferralUpdate.objects.filter(referral=referral, document_id=evidence_id).exists()
    )
    if not uploaded:
        raise Http404("document not found")
    return EvidenceFile.objects_unscoped.select_related("case").get(pk=evidence_id)


def case_referrals(*, case: Any, now: dt.datetime | None = None) -> list[Referral]:
    """The case's referrals with their latest report (callers have checked the user may see the section)."""
    now = now or timezone.now()
    qs = _listed(Referral.objects.filter(case=case), now).annotate(update_count=Count("updates", distinct=True))
    return list(qs.order_by("-sent_at", "-id"))


def case_shareable_documents(*, case: Any) -> QuerySet[EvidenceFile]:
    """Files of the case that may be shared with a partner: everything but the attachments of internal notes."""
    return (
        EvidenceFile.objects_unscoped.filter(case=case)
        .filter(Q(message__isnull=True) | Q(message__internal=False))
        .order_by("received_at", "id")
    )


def organisation_choices() -> QuerySet[Organisation]:
    """The organisations a case may be referred to: the network's active cooperating organisations."""
    return Organisation.objects.filter(active=True).order_by("kind", "name")


def inbound_of(*, case: Any) -> InboundReferral | None:
    """Which organisation referred the case in, if one did (callers have checked the user may see the section)."""
    return InboundReferral.objects.filter(case=case).select_related("organisation").first()


def inbound_list(*, user: Any) -> QuerySet[InboundReferral]:
    """The cases the partner's organisation referred in, with their state (newest first)."""
    return (
        InboundReferral.objects.filter(inbound_scope_q(user))
        .select_related("case", "case__centre", "referred_by")
        .order_by("-created_at", "-id")
    )


# --- statistics ---------------------------------------------------------------------------------------------

PENDING = "pending"
STATS_COLUMNS: tuple[str, ...] = (PENDING, *OutcomeKind.values)


@dataclass
class StatsRow:
    kind: str
    label: str
    counts: dict[str, int]
    total: int


@dataclass
class ReferralStats:
    columns: list[tuple[str, str]]
    rows: list[StatsRow]
    totals: dict[str, int]
    total: int


def _result(state: str, outcome: str) -> str:
    """A referral's column: pending while not yet decided (sent, acknowledged), else its outcome kind."""
    if state in (ReferralState.SENT, ReferralState.ACKNOWLEDGED) or not outcome:
        return PENDING
    return outcome


def referral_stats(
    *, user: Any, centre: Any = None, since: dt.date | None = None, until: dt.date | None = None
) -> ReferralStats:
    """Referral outcomes counted by kind of partner organisation, within the user's scope (staff: their centres;
    supervisors: their subtree), optionally narrowed to one centre's subtree and a period of sending."""
    qs = Referral.objects.filter(stats_scope_q(user))
    if centre is not None:
        qs = qs.filter(case__centre__path__startswith=centre.path)
    if since is not None:
        qs = qs.filter(sent_at__date__gte=since)
    if until is not None:
        qs = qs.filter(sent_at__date__lte=until)
    grouped = qs.values("organisation__kind", "state", "outcome_kind").annotate(n=Count("id")).order_by()
    by_kind: dict[str, dict[str, int]] = {}
    for row in grouped:
        counts = by_kind.setdefault(row["organisation__kind"], dict.fromkeys(STATS_COLUMNS, 0))
        counts[_result(row["state"], row["outcome_kind"])] += row["n"]
    labels = dict(OrganisationKind.choices)
    rows = [
        StatsRow(kind=k, label=str(labels[k]), counts=by_kind[k], total=sum(by_kind[k].values()))
        for k in OrganisationKind.values
        if k in by_kind
    ]
    totals = {c: sum(r.counts[c] for r in rows) for c in STATS_COLUMNS}
    outcome_labels = dict(OutcomeKind.choices)
    columns = [(c, str(_("办理中") if c == PENDING else outcome_labels[c])) for c in STATS_COLUMNS]
    return ReferralStats(columns=columns, rows=rows, totals=totals, total=sum(totals.values()))
