"""The tables of the KPI pages as (headers, rows) for Excel and CSV (weiyuan/core/tabular.py streams them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weiyuan.kpis.labels import dimension_titles
from weiyuan.kpis.selectors import Dashboard, breakdown, clock_rows, outcome_rows, referral_rows

CHUNK = 2000


def kpi_titles() -> dict[str, str]:
    return {
        "applications": _("申请数"),
        "accepted": _("受理数"),
        "rejected": _("不予受理数"),
        "acceptance_rate": _("受理率"),
        "concluded": _("办结数"),
        "accept_days_median": _("受理用时中位数（工作日）"),
        "accept_days_p90": _("受理用时第90百分位（工作日）"),
        "conclude_days_median": _("办结用时中位数（工作日）"),
        "conclude_days_p90": _("办结用时第90百分位（工作日）"),
        "on_time_rate": _("按期完成率"),
        "overdue_now": _("当前逾期"),
        "open_now": _("当前在办"),
        "satisfaction_mean": _("满意度均分"),
        "survey_response_rate": _("评价回收率"),
        "return_visit_completion": _("回访完成率"),
        "priority_share": _("重点服务对象占比"),
        "referrals": _("移交数"),
        "expert_tasks": _("专家任务数"),
    }


RATE_KEYS = frozenset(
    {"acceptance_rate", "on_time_rate", "survey_response_rate", "return_visit_completion", "priority_share"}
)


def cell(key: str, value: Any) -> Any:
    """A KPI value for a spreadsheet: rates as percentages with one decimal, means with two, None as empty."""
    if value is None:
        return None
    if key in RATE_KEYS:
        return round(value * 100, 1)
    if isinstance(value, float):
        return round(value, 2)
    return value


def _kpi_header(key: str) -> str:
    title = kpi_titles()[key]
    return f"{title} (%)" if key in RATE_KEYS else title


def summary_table(board: Dashboard) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [_("指标"), board.period.label, _("上一期"), _("上年同期")]
    rows = [
        [_kpi_header(k), cell(k, board.kpis[k]), cell(k, board.previous[k]), cell(k, board.year_before[k])]
        for k in kpi_titles()
    ]
    return headers, rows


def children_table(board: Dashboard) -> tuple[list[str], Iterable[list[Any]]]:
    keys = list(kpi_titles())
    headers = [_("机构代码"), _("机构"), *(_kpi_header(k) for k in keys)]
    rows = [
        [c["centre"].code, c["centre"].display_name, *(cell(k, c["kpis"][k]) for k in keys)] for c in board.children
    ]
    return headers, rows


def monthly_table(board: Dashboard) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [_("月份"), _("申请数"), _("受理数"), _("不予受理数"), _("办结数"), _("移交数"), _("专家任务数")]
    rows = [
        [
            f"{m['month']:%Y-%m}",
            m["applications"],
            m["accepted"],
            m["rejected"],
            m["concluded"],
            m["referrals"],
            m["expert_tasks"],
        ]
        for m in board.monthly
    ]
    return headers, rows


def breakdown_table(board: Dashboard, dimension: str) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [dimension_titles()[dimension], _("申请数"), _("占比 (%)"), _("受理数"), _("办结数")]
    rows = [
        [r["label"], r["applications"], cell("priority_share", r["share"]), r["accepted"], r["concluded"]]
        for r in breakdown(board.agg, dimension)
    ]
    return headers, rows


def outcomes_table(board: Dashboard) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [_("办结结果"), _("件数"), _("占比 (%)")]
    return headers, [[r["label"], r["count"], cell("priority_share", r["share"])] for r in outcome_rows(board.agg)]


def clocks_table(board: Dashboard) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [_("时限"), _("已完成"), _("按期完成"), _("按期完成率 (%)")]
    rows = [[r["label"], r["ended"], r["on_time"], cell("on_time_rate", r["rate"])] for r in clock_rows(board.agg)]
    return headers, rows


def referrals_table(board: Dashboard) -> tuple[list[str], Iterable[list[Any]]]:
    headers = [_("合作单位类型"), _("移交数"), _("结果或状态"), _("件数")]
    rows = [[r["label"], r["total"], label, n] for r in referral_rows(board.agg) for label, n in r["outcomes"]]
    return headers, rows


def ranking_table(rows: list[dict[str, Any]], metrics: Iterable[str]) -> tuple[list[str], Iterable[list[Any]]]:
    metrics = list(metrics)
    headers = [_("名次"), _("机构代码"), _("机构"), *(_kpi_header(m) for m in metrics)]
    body = [
        [r["position"], r["centre"].code, r["centre"].display_name, *(cell(m, r["kpis"][m]) for m in metrics)]
        for r in rows
    ]
    return headers, body


def case_headers() -> list[str]:
    return [_("案件编号"), _("承办机构"), _("服务类型"), _("知识产权类型"), _("渠道"), _("状态"), _("申请人"),
            _("重点服务对象"), _("所属行业"), _("提交时间"), _("受理时间"), _("办结时间"), _("办结结果")]  # fmt: skip


def _local(value: Any) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


CASE_FIELDS = ("tracking_number", "centre__name", "centre__name_en", "service_type__name", "service_type__name_en",
               "ip_type", "channel", "state", "applicant_name", "priority_group", "industry", "submitted_at",
               "accepted_at", "concluded_at", "outcome")  # fmt: skip


def case_rows(cases: QuerySet[Any]) -> Iterator[list[Any]]:
    """Streams the cases as plain values in chunks (no model instances: the encrypted personal fields are never
    read); no personal data beyond the applicant's name, as on the list pages."""
    from weiyuan.cases.models import CaseState, Outcome
    from weiyuan.core.choices import Channel, Industry, IPType, PriorityGroup

    english = (get_language() or "").startswith("en")
    label = {name: {str(k): str(v) for k, v in c.choices} for name, c in (
        ("ip_type", IPType), ("channel", Channel), ("state", CaseState), ("priority_group", PriorityGroup),
        ("industry", Industry), ("outcome", Outcome))}  # fmt: skip
    rows = cases.values_list(*CASE_FIELDS).iterator(chunk_size=CHUNK)
    for (number, centre, centre_en, service, service_en, ip_type, channel, state, applicant, priority, industry,
         submitted, accepted, concluded, outcome) in rows:  # fmt: skip
        yield [
            number,
            centre_en if english and centre_en else centre,
            service_en if english and service_en else service,
            label["ip_type"].get(ip_type, ip_type),
            label["channel"].get(channel, channel),
            label["state"].get(state, state),
            applicant,
            label["priority_group"].get(priority, "") if priority else "",
            label["industry"].get(industry, "") if industry else "",
            _local(submitted),
            _local(accepted),
            _local(concluded),
            label["outcome"].get(outcome, "") if outcome else "",
        ]
