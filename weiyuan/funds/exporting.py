"""Funds exports: the report (budget, approved, submitted, remaining per year and category) and the spending list,
as Excel (openpyxl `write_only`: rows stream to the file, the entries are read in chunks) or CSV (streamed row by
row, UTF-8 with a byte-order mark so Excel opens the Chinese text)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weiyuan.core.tabular import XLSX_CONTENT_TYPE, csv_stream, write_xlsx
from weiyuan.funds.models import SpendingEntry
from weiyuan.funds.selectors import YearFigures

CHUNK = 2000


def report_headers() -> list[str]:
    return [
        _("年度"),
        _("类别"),
        _("预算（元）"),
        _("已批准支出（元）"),
        _("待审批（元）"),
        _("剩余（元）"),
        _("超出预算"),
    ]


def report_rows(report: list[YearFigures]) -> Iterator[list[Any]]:
    for figures in report:
        for r in [*figures.rows, figures.total]:
            yield [figures.year, r.label, r.budget, r.approved, r.pending, r.remaining, _("是") if r.over else ""]


def spending_headers() -> list[str]:
    return [
        _("编号"),
        _("机构"),
        _("年度"),
        _("类别"),
        _("金额（元）"),
        _("支出日期"),
        _("收款方"),
        _("用途说明"),
        _("状态"),
        _("来源"),
        _("超出预算"),
        _("超预算说明"),
    ]


def spending_rows(entries: QuerySet[SpendingEntry]) -> Iterator[list[Any]]:
    for e in entries.select_related("centre").order_by("-spent_on", "-id").iterator(chunk_size=CHUNK):
        yield [
            e.number,
            e.centre.display_name,
            e.year,
            e.get_category_display(),
            e.amount,
            e.spent_on,
            e.payee,
            e.description,
            e.get_state_display(),
            e.get_source_display(),
            _("是") if e.over_budget else "",
            e.over_budget_reason,
        ]


__all__ = [
    "XLSX_CONTENT_TYPE",
    "csv_stream",
    "report_headers",
    "report_rows",
    "spending_headers",
    "spending_rows",
    "write_xlsx",
]
