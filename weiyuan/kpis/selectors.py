"""Reads of the KPI aggregates, scoped by the acting user (weiyuan/access/kpis.py decides what a user may see).

A dashboard reads the node's rows of the period (one row per month), the "now" snapshot, the same for the two
comparison periods, and one row per month per child for the table of the level below: a handful of indexed
queries whatever the number of cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTransform
from django.http import Http404
from django.utils import timezone

from weiyuan.access.kpis import can_view_dashboard, supervises
from weiyuan.kpis.aggregate import COUNTERS, DIMENSIONS, Agg, empty, merge_into
from weiyuan.kpis.formulas import kpis_of, ratio
from weiyuan.kpis.labels import labeller
from weiyuan.kpis.models import KpiCurrent, KpiMonth
from weiyuan.kpis.periods import Period

RANKING_METRICS = (
    "applications",
    "acceptance_rate",
    "on_time_rate",
    "satisfaction_mean",
    "survey_response_rate",
    "concluded",
)
# A rate over fewer cases than this is shown but ranked after the others ("too few to rank").
RANKING_MIN_BASE = 5
DRILL_SETS = ("applications", "accepted", "rejected", "concluded", "open", "overdue")


def centre_for_dashboard(user: Any, code: str) -> Any:
    from weiyuan.network.models import Centre

    centre = Centre.objects.filter(code=code).select_related("parent", "region").first()
    if centre is None or not can_view_dashboard(user, centre):
        raise Http404("no such centre")
    return centre


def scope_for(user: Any, centre: Any, requested: str | None) -> bool:
    """True for the subtree figures (a supervisor's default), False for the centre's own cases only (staff)."""
    if not supervises(user, centre):
        return False
    return requested != "own"


def figures(centre_id: int, months: list[dt.date], subtree: bool) -> Agg:
    agg = empty()
    for row in KpiMonth.objects.filter(centre_id=centre_id, subtree=subtree, month__in=months):
        merge_into(agg, row)
    return agg


# What the KPI formulas read of `detail`: the two histograms. The headline figures of other periods and of the
# level below read only these (not the breakdowns), which keeps a national page's rows small.
HEADLINE_DETAIL = ("accept_days", "conclude_days")


def headline_figures(rows: QuerySet[KpiMonth], key: str = "centre_id") -> dict[Any, Agg]:
    """Counters and histograms of `rows`, merged per `key`."""
    lean = rows.values(key, *COUNTERS, **{name: KeyTransform(name, "detail") for name in HEADLINE_DETAIL})
    merged: dict[Any, Agg] = defaultdict(empty)
    for row in lean:
        detail = {name: row.pop(name) or {} for name in HEADLINE_DETAIL}
        merge_into(merged[row.pop(key)], {**row, "detail": detail})
    return merged


def headline(centre_id: int, months: list[dt.date], subtree: bool) -> Agg:
    rows = KpiMonth.objects.filter(centre_id=centre_id, subtree=subtree, month__in=months)
    return headline_figures(rows).get(centre_id) or empty()


def current(centre_id: int, subtree: bool) -> dict[str, Any]:
    row = KpiCurrent.objects.filter(centre_id=centre_id, subtree=subtree).first()
    if row is None:
        # No row: nothing open nor overdue there. Every row of a refresh bears the same time, so any row tells it.
        refreshed_at = KpiCurrent.objects.aggregate(at=Max("refreshed_at"))["at"]
        return {"open_cases": 0, "overdue_clocks": 0, "refreshed_at": refreshed_at}
    return {"open_cases": row.open_cases, "overdue_clocks": row.overdue_clocks, "refreshed_at": row.refreshed_at}


@dataclass
class Dashboard:
    centre: Any
    period: Period
    subtree: bool
    agg: Agg
    kpis: dict[str, Any]
    previous: dict[str, Any]
    year_before: dict[str, Any]
    monthly: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    refreshed_at: dt.datetime | None = None


def dashboard(user: Any, centre: Any, period: Period, *, subtree: bool) -> Dashboard:
    rows = list(KpiMonth.objects.filter(centre_id=centre.pk, subtree=subtree, month__in=period.months))
    agg = empty()
    for row in rows:
        merge_into(agg, row)
    now = current(centre.pk, subtree)
    by_month = {row.month: row for row in rows}
    monthly = [
        {
            "month": month,
            **{name: getattr(by_month[month], name) if month in by_month else 0 for name in COUNTERS},
        }
        for month in period.months
    ]
    return Dashboard(
        centre=centre,
        period=period,
        subtree=subtree,
        agg=agg,
        kpis=kpis_of(agg, now),
        previous=kpis_of(headline(centre.pk, period.previous().months, subtree)),
        year_before=kpis_of(headline(centre.pk, period.year_before().months, subtree)),
        monthly=monthly,
        children=children_rows(user, centre, period) if subtree else [],
        refreshed_at=now["refreshed_at"],
    )


def children_rows(user: Any, centre: Any, period: Period) -> list[dict[str, Any]]:
    """The level below: each child centre's subtree figures of the period, with its "now" snapshot."""
    from weiyuan.network.models import Centre

    if not supervises(user, centre):
        return []
    # Administrative-division order (GB/T 2260 codes: Beijing, Tianjin, … Shanghai, Jiangsu, Zhejiang, …).
    children = list(Centre.objects.filter(parent=centre).order_by("region_id", "code"))
    ids = [c.pk for c in children]
    aggs = headline_figures(KpiMonth.objects.filter(centre_id__in=ids, subtree=True, month__in=period.months))
    now = {
        r.centre_id: {"open_cases": r.open_cases, "overdue_clocks": r.overdue_clocks}
        for r in KpiCurrent.objects.filter(centre_id__in=ids, subtree=True)
    }
    return [{"centre": c, "kpis": kpis_of(aggs.get(c.pk) or empty(), now.get(c.pk))} for c in children]


def breakdown(agg: Agg, dimension: str) -> list[dict[str, Any]]:
    """Rows of one breakdown of the period's applications, largest first, with each key's share."""
    values = agg["detail"].get("by", {}).get(dimension, {})
    label = labeller(dimension)
    total = sum(v.get("applications", 0) for v in values.values())
    rows = [
        {
            "key": key,
            "label": label(key),
            "applications": v.get("applications", 0),
            "accepted": v.get("accepted", 0),
            "concluded": v.get("concluded", 0),
            "share": ratio(v.get("applications", 0), total),
        }
        for key, v in values.items()
    ]
    return sorted(rows, key=lambda r: (-r["applications"], -r["concluded"], r["label"]))


def breakdowns(agg: Agg) -> dict[str, list[dict[str, Any]]]:
    return {dimension: breakdown(agg, dimension) for dimension in DIMENSIONS}


def outcome_rows(agg: Agg) -> list[dict[str, Any]]:
    label = labeller("outcome")
    values = agg["detail"].get("outcome", {})
    total = sum(values.values())
    rows = [{"key": k, "label": label(k), "count": n, "share": ratio(n, total)} for k, n in values.items()]
    return sorted(rows, key=lambda r: -r["count"])


def referral_rows(agg: Agg) -> list[dict[str, Any]]:
    """Referral outcomes by partner kind: each kind's total and its outcomes (or states while unfinished)."""
    kind_label, outcome_label = labeller("partner_kind"), labeller("referral_outcome")
    rows = []
    for kind, outcomes in agg["detail"].get("referrals", {}).items():
        parts = sorted(((outcome_label(k), n) for k, n in outcomes.items()), key=lambda p: -p[1])
        rows.append({"key": kind, "label": kind_label(kind), "total": sum(outcomes.values()), "outcomes": parts})
    return sorted(rows, key=lambda r: -r["total"])


def clock_rows(agg: Agg) -> list[dict[str, Any]]:
    from weiyuan.kpis.formulas import clock_rates

    label = labeller("clock")
    return [
        {"key": rule, "label": label(rule), "ended": ended, "on_time": on_time, "rate": rate}
        for rule, ended, on_time, rate in clock_rates(agg)
    ]


# --- the ranking of centres ---------------------------------------------------------------------------------------


def _metric(sums: dict[str, int], metric: str) -> tuple[float | None, int]:
    """(value, the number it rests on) of a ranking metric from summed counters."""
    if metric == "acceptance_rate":
        base = sums["accepted"] + sums["rejected"]
        return ratio(sums["accepted"], base), base
    if metric == "on_time_rate":
        return ratio(sums["clocks_on_time"], sums["clocks_due"]), sums["clocks_due"]
    if metric == "satisfaction_mean":
        return ratio(sums["satisfaction_sum"], sums["surveys_answered"]), sums["surveys_answered"]
    if metric == "survey_response_rate":
        return ratio(sums["surveys_answered"], sums["surveys_sent"]), sums["surveys_sent"]
    return float(sums[metric]), sums[metric]


def ranking(period: Period, metric: str) -> list[dict[str, Any]]:
    """Every centre with figures in the period (own cases), best first; rates over too few cases after the rest."""
    from weiyuan.network.models import Centre

    if metric not in RANKING_METRICS:
        metric = "applications"
    sums_by_centre: dict[int, dict[str, int]] = {
        row["centre_id"]: row  # type: ignore[misc]
        for row in KpiMonth.objects.filter(subtree=False, month__in=period.months)
        .values("centre_id")
        .annotate(**{name: Sum(name) for name in COUNTERS})
    }
    centres = Centre.objects.only("id", "code", "name", "name_en", "path").in_bulk(list(sums_by_centre))
    rows: list[dict[str, Any]] = []
    for centre_id, sums in sums_by_centre.items():
        value, base = _metric(sums, metric)
        rows.append(
            {
                "centre": centres[centre_id],
                "value": value,
                "base": base,
                "ranked": value is not None and (metric in ("applications", "concluded") or base >= RANKING_MIN_BASE),
                "kpis": {m: _metric(sums, m)[0] for m in RANKING_METRICS},
            }
        )
    rows.sort(key=lambda r: (not r["ranked"], -(r["value"] or 0), r["centre"].code))
    # Competition ranking: equal values share a place and the next place is skipped (1, 2, 2, 4).
    previous: float | None = None
    position = 0
    for n, row in enumerate(rows, start=1):
        if not row["ranked"]:
            row["position"] = None
            continue
        if row["value"] != previous:
            position, previous = n, row["value"]
        row["position"] = position
    return rows


# --- the cases behind a figure -----------------------------------------------------------------------------------


def _period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    from weiyuan.kpis.aggregate import next_month
    from weiyuan.kpis.compute import local_bounds

    return local_bounds(period.first, next_month(period.months[-1]))


def drill_cases(
    user: Any, centre: Any, period: Period, *, subtree: bool, which: str, dimension: str = "", key: str = ""
) -> QuerySet[Any]:
    """The cases a figure counts, as the user's case scope allows (a supervisor read-only over the subtree)."""
    from weiyuan.cases.models import OPEN_STATES, Case, CaseState
    from weiyuan.clocks.models import Clock, ClockState

    qs = Case.objects.restrict(user)
    qs = qs.filter(centre__path__startswith=centre.path) if subtree else qs.filter(centre=centre)
    start, end = _period_bounds(period)
    if which == "concluded":
        qs = qs.filter(concluded_at__gte=start, concluded_at__lt=end)
    elif which == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif which == "overdue":
        late = Clock.objects.filter(state=ClockState.RUNNING, due_at__lt=timezone.now()).values("case_id")
        qs = qs.filter(pk__in=late)
    else:
        qs = qs.filter(submitted_at__gte=start, submitted_at__lt=end)
        if which == "accepted":
            qs = qs.filter(accepted_at__isnull=False)
        elif which == "rejected":
            qs = qs.filter(state=CaseState.REJECTED)
    if dimension in DIMENSIONS:
        qs = qs.filter(_dimension_q(dimension, key))
    return qs.select_related("centre", "service_type").order_by("-submitted_at", "-id")


def _dimension_q(dimension: str, key: str) -> Q:
    if dimension == "service_type":
        return Q(service_type__code=key)
    if dimension == "region":
        return Q(applicant_region__code__startswith=key[:2]) if key else Q(applicant_region__isnull=True)
    return Q(**{dimension: key})


# --- for other apps (evaluation): unscoped, the caller decides who may see the result --------------------------


def kpi_values(*, centre: Any, start: dt.date, end: dt.date) -> dict[str, float | None]:
    """The KPIs of a centre's subtree over the whole months from `start` to `end` (inclusive)."""
    from weiyuan.kpis.aggregate import months_between

    months = months_between(start, end)
    values = kpis_of(headline(centre.pk, months, True), current(centre.pk, True))
    return {k: (None if v is None else float(v)) for k, v in values.items()}
