"""KPI pages: a dashboard per centre or subtree and period (the national summary is the root's), the ranking of
centres, the cases behind a figure, and the Excel/CSV export of every table. Thin: parse, one selector, render."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weiyuan.access.kpis import can_view_ranking, home_centre_ids, supervises
from weiyuan.cases.views.common import paginate
from weiyuan.core.pagination import CappedPaginator
from weiyuan.core.tabular import EXPORT_FORMATS, export_response
from weiyuan.kpis import exports, selectors
from weiyuan.kpis.aggregate import DIMENSIONS
from weiyuan.kpis.labels import dimension_titles, labeller
from weiyuan.kpis.periods import parse_period, period_choices

RANKING_PAGE_SIZE = 50
KEY_PATTERN = re.compile(r"[\w-]{0,40}", re.ASCII)


def _board(request: HttpRequest, code: str) -> selectors.Dashboard:
    centre = selectors.centre_for_dashboard(request.user, code)
    period = parse_period(request.GET.get("period"))
    subtree = selectors.scope_for(request.user, centre, request.GET.get("scope"))
    return selectors.dashboard(request.user, centre, period, subtree=subtree)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    ids = home_centre_ids(request.user)
    if not ids:
        raise Http404("no dashboard")
    from weiyuan.network.models import Centre

    # The first dashboard is shown here (not redirected to) so the navigation link lands on it directly.
    return dashboard(request, Centre.objects.values_list("code", flat=True).get(pk=ids[0]))


def _charts(board: selectors.Dashboard, regions: list[dict[str, Any]], ip_types: list[dict[str, Any]]) -> dict:
    return {
        "monthly": {
            "months": [f"{m['month']:%Y-%m}" for m in board.monthly],
            "series": [
                {"name": _("申请数"), "data": [m["applications"] for m in board.monthly]},
                {"name": _("受理数"), "data": [m["accepted"] for m in board.monthly]},
                {"name": _("办结数"), "data": [m["concluded"] for m in board.monthly]},
            ],
        },
        "ip_types": [{"name": r["label"], "value": r["applications"]} for r in ip_types],
        "regions": {"names": [r["label"] for r in regions[:15]], "values": [r["applications"] for r in regions[:15]]},
        "children": {
            "names": [c["centre"].display_name for c in board.children],
            "applications": [c["kpis"]["applications"] for c in board.children],
            "on_time": [
                None if c["kpis"]["on_time_rate"] is None else round(c["kpis"]["on_time_rate"] * 100, 1)
                for c in board.children
            ],
            "labels": {"applications": _("申请数"), "on_time": _("按期完成率 (%)")},
        },
    }


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    board = _board(request, code)
    breakdowns = selectors.breakdowns(board.agg)
    return render(
        request,
        "kpis/dashboard.html",
        {
            "board": board,
            "centre": board.centre,
            "period_choices": period_choices(),
            "may_subtree": supervises(request.user, board.centre),
            "parent_visible": board.centre.parent is not None and supervises(request.user, board.centre.parent),
            "cards": _cards(board),
            "breakdowns": [(d, dimension_titles()[d], breakdowns[d]) for d in DIMENSIONS],
            "outcomes": selectors.outcome_rows(board.agg),
            "clocks": selectors.clock_rows(board.agg),
            "referrals": selectors.referral_rows(board.agg),
            "charts": _charts(board, breakdowns["region"], breakdowns["ip_type"]),
            "query": _query(request, "period", "scope"),
        },
    )


# The cases behind a card, for the cards that count cases.
CARD_DRILL = {
    "applications": "applications",
    "accepted": "accepted",
    "rejected": "rejected",
    "concluded": "concluded",
    "open_now": "open",
    "overdue_now": "overdue",
}


def _cards(board: selectors.Dashboard) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "title": title,
            "value": board.kpis[key],
            "previous": board.previous[key],
            "year_before": board.year_before[key],
            "drill": CARD_DRILL.get(key, ""),
        }
        for key, title in exports.kpi_titles().items()
    ]


def _query(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for key in list(params):
        if key not in names:
            del params[key]
    return params.urlencode()


def _table(board: selectors.Dashboard, table: str) -> tuple[list[str], Any]:
    if table == "summary":
        return exports.summary_table(board)
    if table == "children" and board.children:
        return exports.children_table(board)
    if table == "monthly":
        return exports.monthly_table(board)
    if table == "outcomes":
        return exports.outcomes_table(board)
    if table == "clocks":
        return exports.clocks_table(board)
    if table == "referrals":
        return exports.referrals_table(board)
    if table.startswith("by-") and table[3:] in DIMENSIONS:
        return exports.breakdown_table(board, table[3:])
    raise Http404("no such table")


@login_required
@require_GET
def export(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponseBase:
    if fmt not in EXPORT_FORMATS:
        raise Http404("no such format")
    board = _board(request, code)
    headers, rows = _table(board, table)
    name = f"kpi-{board.centre.code}-{board.period.code}-{table}"
    return export_response(name, fmt, headers, rows, sheet=f"{board.period.code} {table}")


@login_required
@require_GET
def cases(request: HttpRequest, code: str) -> HttpResponseBase:
    centre = selectors.centre_for_dashboard(request.user, code)
    period = parse_period(request.GET.get("period"))
    subtree = selectors.scope_for(request.user, centre, request.GET.get("scope"))
    which = request.GET.get("set", "applications")
    which = which if which in selectors.DRILL_SETS else "applications"
    dimension = request.GET.get("dim", "")
    dimension = dimension if dimension in DIMENSIONS else ""
    key = request.GET.get("key", "") if dimension else ""
    if not KEY_PATTERN.fullmatch(key):
        raise Http404("no such key")  # stored keys are codes: letters, digits, "_" and "-"
    qs = selectors.drill_cases(request.user, centre, period, subtree=subtree, which=which, dimension=dimension, key=key)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in EXPORT_FORMATS:
            raise Http404("no such format")
        name = f"cases-{centre.code}-{period.code}-{which}"
        return export_response(name, fmt, exports.case_headers(), exports.case_rows(qs), sheet=period.code)
    return render(
        request,
        "kpis/cases.html",
        {
            "centre": centre,
            "period": period,
            "subtree": subtree,
            "which": which,
            "sets": _drill_set_labels(),
            "dimension_title": dimension_titles().get(dimension, ""),
            "key_label": labeller(dimension)(key) if dimension else "",
            "page": paginate(request, qs),
            "query": _query(request, "period", "scope", "set", "dim", "key"),
        },
    )


def _drill_set_labels() -> dict[str, str]:
    return {
        "applications": _("申请"),
        "accepted": _("已受理"),
        "rejected": _("不予受理"),
        "concluded": _("已办结"),
        "open": _("当前在办"),
        "overdue": _("当前逾期"),
    }


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponseBase:
    if not can_view_ranking(request.user):
        raise Http404("no ranking")
    period = parse_period(request.GET.get("period"))
    metric = request.GET.get("metric", "applications")
    metric = metric if metric in selectors.RANKING_METRICS else "applications"
    rows = selectors.ranking(period, metric)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in EXPORT_FORMATS:
            raise Http404("no such format")
        headers, body = exports.ranking_table(rows, selectors.RANKING_METRICS)
        return export_response(f"ranking-{period.code}-{metric}", fmt, headers, body, sheet=period.code)
    titles = exports.kpi_titles()
    return render(
        request,
        "kpis/ranking.html",
        {
            "period": period,
            "metric": metric,
            "metrics": [(m, titles[m]) for m in selectors.RANKING_METRICS],
            "period_choices": period_choices(),
            "page": CappedPaginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page")),
            "min_base": selectors.RANKING_MIN_BASE,
            "rate_keys": exports.RATE_KEYS,
            "own_ids": set(home_centre_ids(request.user)),
            "query": _query(request, "period", "metric"),
        },
    )
