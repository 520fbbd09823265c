"""The KPI formulas, from merged figures (weiyuan/kpis/aggregate.py). Every rate is a fraction in [0, 1] or None
when its denominator is zero; medians and 90th percentiles are in working days, by the nearest-rank method over
the histogram (exact: the days are whole numbers).

| KPI | formula |
|---|---|
| applications | applications submitted in the period |
| accepted, rejected | of those, accepted / rejected so far |
| acceptance_rate | accepted / (accepted + rejected) |
| accept_days_median, _p90 | working days from submission to acceptance, accepted applications of the period |
| concluded | cases concluded in the period |
| conclude_days_median, _p90 | working days from submission to conclusion, cases concluded in the period |
| on_time_rate | clocks ended in the period by their due time / clocks ended in the period |
| overdue_now | clocks running past their due time now (not period-bound) |
| open_now | open cases now (not period-bound) |
| satisfaction_mean | mean overall score (1-5) of the surveys of the period that were answered |
| survey_response_rate | answered / sent, surveys sent in the period |
| return_visit_completion | done / due, return visits due in the period (by today) |
| priority_share | applications from priority applicants / applications |
| referrals | referrals sent in the period |
| expert_tasks | expert tasks assigned in the period |
"""

from __future__ import annotations

import math
from typing import Any

from weiyuan.kpis.aggregate import Agg

KPI_KEYS = (
    "applications",
    "accepted",
    "rejected",
    "acceptance_rate",
    "concluded",
    "accept_days_median",
    "accept_days_p90",
    "conclude_days_median",
    "conclude_days_p90",
    "on_time_rate",
    "overdue_now",
    "open_now",
    "satisfaction_mean",
    "survey_response_rate",
    "return_visit_completion",
    "priority_share",
    "referrals",
    "expert_tasks",
)


def ratio(part: int | float, whole: int | float) -> float | None:
    return None if not whole else part / whole


def percentile(histogram: dict[str, int], q: float) -> int | None:
    """Nearest rank: the smallest value with at least q of the observations at or below it."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value in sorted(histogram, key=int):
        seen += histogram[value]
        if seen >= rank:
            return int(value)
    return None  # unreachable: seen reaches total


def kpis_of(agg: Agg, current: dict[str, int] | None = None) -> dict[str, Any]:
    detail = agg["detail"]
    accept_days = detail.get("accept_days", {})
    conclude_days = detail.get("conclude_days", {})
    current = current or {}
    return {
        "applications": agg["applications"],
        "accepted": agg["accepted"],
        "rejected": agg["rejected"],
        "acceptance_rate": ratio(agg["accepted"], agg["accepted"] + agg["rejected"]),
        "concluded": agg["concluded"],
        "accept_days_median": percentile(accept_days, 0.5),
        "accept_days_p90": percentile(accept_days, 0.9),
        "conclude_days_median": percentile(conclude_days, 0.5),
        "conclude_days_p90": percentile(conclude_days, 0.9),
        "on_time_rate": ratio(agg["clocks_on_time"], agg["clocks_due"]),
        "overdue_now": current.get("overdue_clocks", 0),
        "open_now": current.get("open_cases", 0),
        "satisfaction_mean": ratio(agg["satisfaction_sum"], agg["surveys_answered"]),
        "survey_response_rate": ratio(agg["surveys_answered"], agg["surveys_sent"]),
        "return_visit_completion": ratio(agg["visits_done"], agg["visits_due"]),
        "priority_share": ratio(agg["priority"], agg["applications"]),
        "referrals": agg["referrals"],
        "expert_tasks": agg["expert_tasks"],
    }


def clock_rates(agg: Agg) -> list[tuple[str, int, int, float | None]]:
    """(rule, ended, on time, on-time rate) per clock rule, most used first."""
    rows = [
        (rule, v.get("due", 0), v.get("on_time", 0), ratio(v.get("on_time", 0), v.get("due", 0)))
        for rule, v in agg["detail"].get("clocks", {}).items()
    ]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def question_means(agg: Agg) -> dict[str, float | None]:
    questions = agg["detail"].get("questions", {})
    return {q: ratio(v.get("sum", 0), v.get("n", 0)) for q, v in questions.items()}
