"""Reads of events, stations and complaints, always scoped by the acting user (`weiyuan.access.exhibitions`), with
a constant number of queries per page (counts annotated, never counted per row)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from weiyuan.access.exhibitions import (
    ExhibitionPermission,
    complaint_decide,
    event_decide,
    event_scope_q,
    station_decide,
)
from weiyuan.exhibitions.models import (
    OPEN_STATES,
    Complaint,
    ComplaintFile,
    ComplaintState,
    ComplaintStep,
    Event,
    Measure,
    MeasureState,
    Station,
)

P = ExhibitionPermission
S = ComplaintState


def event_list(*, user: Any) -> QuerySet[Event]:
    ids = Event.objects.filter(event_scope_q(user)).values("pk")
    return (
        Event.objects.filter(pk__in=ids)
        .select_related("centre")
        .annotate(
            exhibitor_count=Count("exhibitors", distinct=True),
            open_count=Count(
                "stations__complaints", filter=Q(stations__complaints__state__in=OPEN_STATES), distinct=True
            ),
        )
        .order_by("-starts_on", "-id")
    )


def event_get(*, user: Any, pk: int) -> Event:
    event = Event.objects.select_related("centre").filter(pk=pk).first()
    if event is None or not event_decide(user, P.EVENT_VIEW, event):
        raise Http404(_("找不到该展会。"))
    return event


def station_get(*, user: Any, pk: int) -> Station:
    station = Station.objects.select_related("event", "centre").filter(pk=pk).first()
    if station is None or not station_decide(user, P.EVENT_VIEW, station):
        raise Http404(_("找不到该工作站。"))
    return station


def complaint_get(*, user: Any, pk: int) -> Complaint:
    complaint = (
        Complaint.objects.select_related(
            "station", "station__event", "station__centre", "respondent", "decided_by", "complainant_account"
        )
        .prefetch_related(
            Prefetch("files", queryset=ComplaintFile.objects.select_related("evidence")),
            Prefetch("measures", queryset=Measure.objects.select_related("confirmed_by")),
            Prefetch("steps", queryset=ComplaintStep.objects.select_related("actor")),
        )
        .filter(pk=pk)
        .first()
    )
    if complaint is None or not complaint_decide(user, P.COMPLAINT_VIEW, complaint):
        raise Http404(_("找不到该投诉。"))
    return complaint


def board_complaints(*, station: Station, state: str = "") -> QuerySet[Complaint]:
    """The live board (and the station API): the station's open complaints (or those in one open `state`), running
    clocks first (soonest due), then by filing time; measures due counted in the same query."""
    states = [state] if state else list(OPEN_STATES)
    return (
        Complaint.objects.filter(station=station, state__in=states)
        .select_related("respondent", "station__event")
        .annotate(measures_due=Count("measures", filter=Q(measures__state=MeasureState.DUE)))
        .order_by("state", "defence_due_at", "filed_at", "id")
    )


def board_counts(*, station: Station) -> dict[str, int]:
    row = Complaint.objects.filter(station=station).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES), distinct=True),
        clocks=Count("pk", filter=Q(state=S.SERVED), distinct=True),
        measures_due=Count("measures", filter=Q(measures__state=MeasureState.DUE), distinct=True),
        closed=Count("pk", filter=~Q(state__in=OPEN_STATES), distinct=True),
    )
    return {k: int(v or 0) for k, v in row.items()}
