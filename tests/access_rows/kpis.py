"""Access-matrix rows of KPIs and dashboards (weiyuan/kpis, weiyuan/access/kpis.py).

A centre's dashboard, the cases behind its figures and its exports are for the centre's own staff and the
supervisors of it or of a level above (everyone else: 404). The entry page and the ranking of centres are for staff
and supervisors of any centre (others: 404, as the navigation never shows them the link).
"""

from __future__ import annotations

from typing import Any

from tests.access_support import NOT_FOUND, STAFF_SH, STAFF_ZJ, STAFFLIKE, Route, case_rule, only

SEES_SH = {*STAFF_SH, "sh_supervisor", "national_supervisor"}
SEES_ZJ = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}


def sh(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": "sh"}


def zj(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": "zj"}


ROUTES: dict[str, Route] = {
    "kpis:home": Route("GET", expect=only(STAFFLIKE, otherwise=NOT_FOUND)),
    "kpis:ranking": Route("GET", query="metric=on_time_rate", expect=only(STAFFLIKE, otherwise=NOT_FOUND)),
    "kpis:dashboard": Route("GET", kwargs=sh, query="period=2026", expect=case_rule(SEES_SH)),
    "kpis:cases": Route("GET", kwargs=sh, query="set=concluded", expect=case_rule(SEES_SH)),
    "kpis:export": Route(
        "GET", kwargs=lambda w: {"code": "sh", "table": "summary", "fmt": "csv"}, expect=case_rule(SEES_SH)
    ),
    "api:kpis_dashboard": Route("GET", kwargs=sh, query="period=2026-Q1", expect=case_rule(SEES_SH)),
    "api:kpis_ranking": Route("GET", query="metric=satisfaction_mean", expect=only(STAFFLIKE, otherwise=NOT_FOUND)),
}

# The Zhejiang centre: the Shanghai staff and supervisor must get 404.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "kpis:dashboard": Route("GET", kwargs=zj, expect=case_rule(SEES_ZJ)),
    "kpis:cases": Route("GET", kwargs=zj, query="format=xlsx", expect=case_rule(SEES_ZJ)),
    "kpis:export": Route(
        "GET", kwargs=lambda w: {"code": "zj", "table": "by-industry", "fmt": "xlsx"}, expect=case_rule(SEES_ZJ)
    ),
    "api:kpis_dashboard": Route("GET", kwargs=zj, expect=case_rule(SEES_ZJ)),
}
