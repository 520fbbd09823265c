"""Funds exports: the report (budget, approved, submitted, remaining per year and category) and the spending list,
as Excel (openpyxl `write_only`: rows stream to the file, the entries are read in chunks) or CSV (streamed row by
row, UTF-8 with a byte-order mark so Excel opens the Chinese text)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from weiyuan.funds.models import SpendingEntry
from weiyuan.funds.selectors import YearFigures

CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def write_xlsx(fileobj: IO[bytes], sheet_name: str, headers: list[str], rows: Iterable[list[Any]]) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    n = 0
    for row in rows:
        sheet.append(row)
        n += 1
    workbook.save(fileobj)
    return n


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])
