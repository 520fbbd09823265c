"""KPIs in the REST API (tag "kpis"), read-only, for supervisors' and centres' own reporting systems: one centre's
figures for a period (with the comparisons, the months, the level below and the breakdowns), and the ranking of
centres. Same selectors and access rules as the pages (weiyuan/access/kpis.py): a centre the caller may not see,
and the ranking for a caller without any centre, answer 404.

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from weiyuan.access.kpis import can_view_ranking
from weiyuan.api.schemas import CentreRef, DetailOut, ValidationErrorOut
from weiyuan.core.pagination import page_bounds
from weiyuan.kpis import selectors
from weiyuan.kpis.aggregate import DIMENSIONS
from weiyuan.kpis.periods import parse_period

router = Router(tags=["kpis"])

ERRORS = {401: DetailOut, 403: DetailOut, 404: DetailOut}
INVALID = {422: ValidationErrorOut}
PERIOD_HELP = "2026 (year), 2026-Q3 (quarter) or 2026-07 (month); the current year when absent or unreadable."


class PeriodOut(Schema):
    code: str
    label: str
    first_day: dt.date
    last_day: dt.date


class Kpis(Schema):
    applications: int
    accepted: int
    rejected: int
    acceptance_rate: float | None
    concluded: int
    accept_days_median: int | None
    accept_days_p90: int | None
    conclude_days_median: int | None
    conclude_days_p90: int | None
    on_time_rate: float | None
    overdue_now: int
    open_now: int
    satisfaction_mean: float | None
    survey_response_rate: float | None
    return_visit_completion: float | None
    priority_share: float | None
    referrals: int
    expert_tasks: int


class MonthOut(Schema):
    month: str
    applications: int
    accepted: int
    rejected: int
    concluded: int
    referrals: int
    expert_tasks: int


class ChildOut(Schema):
    centre: CentreRef
    kpis: Kpis


class BreakdownRow(Schema):
    key: str
    label: str
    applications: int
    accepted: int
    concluded: int


class DashboardOut(Schema):
    centre: CentreRef
    period: PeriodOut
    subtree: bool = Field(description="True: the centre and every centre below it; False: its own cases only.")
    refreshed_at: dt.datetime | None
    kpis: Kpis
    previous: Kpis
    year_before: Kpis
    months: list[MonthOut]
    children: list[ChildOut] = Field(description="The level below (supervisors with the subtree scope).")
    breakdowns: dict[str, list[BreakdownRow]]


class DashboardQuery(Schema):
    period: str = Field("", description=PERIOD_HELP)
    scope: str = Field("subtree", description="subtree or own (supervisors); a centre's staff always get own.")


class RankingQuery(Schema):
    period: str = Field("", description=PERIOD_HELP)
    metric: str = Field("applications", description="One of: " + ", ".join(selectors.RANKING_METRICS))
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class RankingRow(Schema):
    position: int | None = Field(description="Empty when the rate rests on too few cases to rank.")
    centre: CentreRef
    value: float | None
    base: int
    metrics: dict[str, float | None]


class RankingOut(Schema):
    period: PeriodOut
    metric: str
    items: list[RankingRow]
    count: int
    page: int
    page_size: int
    pages: int


def _ref(centre: Any) -> CentreRef:
    return CentreRef(code=centre.code, name=centre.display_name)


def _period(period: Any) -> PeriodOut:
    return PeriodOut(code=period.code, label=period.label, first_day=period.first, last_day=period.last_day)


@router.get("/centres/{code}", response={200: DashboardOut, **ERRORS, **INVALID}, url_name="kpis_dashboard")
def dashboard(request: HttpRequest, code: str, query: Query[DashboardQuery]) -> DashboardOut:
    """A centre's figures for the period, as on its dashboard page."""
    user = request.auth  # type: ignore[attr-defined]
    centre = selectors.centre_for_dashboard(user, code)
    period = parse_period(query.period)
    board = selectors.dashboard(user, centre, period, subtree=selectors.scope_for(user, centre, query.scope))
    return DashboardOut(
        centre=_ref(centre),
        period=_period(period),
        subtree=board.subtree,
        refreshed_at=board.refreshed_at,
        kpis=Kpis(**board.kpis),
        previous=Kpis(**board.previous),
        year_before=Kpis(**board.year_before),
        months=[MonthOut(**{**m, "month": f"{m['month']:%Y-%m}"}) for m in board.monthly],
        children=[ChildOut(centre=_ref(c["centre"]), kpis=Kpis(**c["kpis"])) for c in board.children],
        breakdowns={d: [BreakdownRow(**r) for r in selectors.breakdown(board.agg, d)] for d in DIMENSIONS},
    )


@router.get("/ranking", response={200: RankingOut, **ERRORS, **INVALID}, url_name="kpis_ranking")
def ranking(request: HttpRequest, query: Query[RankingQuery]) -> RankingOut:
    """Every centre's own figures in the period, ranked by one metric (the public ranking of the pages)."""
    user = request.auth  # type: ignore[attr-defined]
    if not can_view_ranking(user):
        raise Http404("no ranking")
    period = parse_period(query.period)
    metric = query.metric if query.metric in selectors.RANKING_METRICS else "applications"
    rows = selectors.ranking(period, metric)
    count = len(rows)
    pages, start = page_bounds(count, query.page, query.page_size)
    items = rows[start : start + query.page_size]
    return RankingOut(
        period=_period(period),
        metric=metric,
        items=[
            RankingRow(
                position=r["position"], centre=_ref(r["centre"]), value=r["value"], base=r["base"], metrics=r["kpis"]
            )
            for r in items
        ],
        count=count,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )
