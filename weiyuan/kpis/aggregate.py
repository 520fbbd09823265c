"""The figures of one centre (or subtree) and month, as a plain dict: counters plus a nested `detail` of
histograms and breakdowns. Everything is a count or a sum, so any set of months and centres merges by addition."""

from __future__ import annotations

import datetime as dt
from typing import Any

COUNTERS = (
    "applications",
    "accepted",
    "rejected",
    "priority",
    "concluded",
    "clocks_due",
    "clocks_on_time",
    "surveys_sent",
    "surveys_answered",
    "satisfaction_sum",
    "visits_due",
    "visits_done",
    "referrals",
    "expert_tasks",
)

# The breakdowns of the cohort of applications: dimension -> Case attribute (resolved in weiyuan/kpis/compute.py).
DIMENSIONS = ("ip_type", "service_type", "channel", "region", "industry", "priority_group")

Agg = dict[str, Any]


def empty() -> Agg:
    agg: Agg = dict.fromkeys(COUNTERS, 0)
    agg["detail"] = {}
    return agg


def bump(detail: dict[str, Any], *path: str, amount: int = 1) -> None:
    node = detail
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = node.get(path[-1], 0) + amount


def _merge_detail(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, dict):
            _merge_detail(target.setdefault(key, {}), value)
        else:
            target[key] = target.get(key, 0) + value


def merge_into(target: Agg, source: Agg | Any) -> Agg:
    """Add `source` (an Agg or a KpiMonth/KpiCurrent-like object with the counter attributes) to `target`."""
    if isinstance(source, dict):
        for name in COUNTERS:
            target[name] += source.get(name, 0)
        _merge_detail(target["detail"], source.get("detail") or {})
    else:
        for name in COUNTERS:
            target[name] += getattr(source, name)
        _merge_detail(target["detail"], source.detail or {})
    return target


def is_empty(agg: Agg) -> bool:
    return not any(agg[name] for name in COUNTERS) and not agg["detail"]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every first-of-month from the month of `first` to the month of `last`, inclusive."""
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months
