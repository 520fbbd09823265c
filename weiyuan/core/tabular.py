"""Table exports shared by every page with an "export" link: Excel (openpyxl `write_only`: rows stream into a
spooled temporary file, in memory up to 8 MB and then on disk, and the file is served in chunks) and CSV (streamed
row by row, UTF-8 with a byte-order mark so Excel opens the Chinese text)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("xlsx", "csv")
SPOOL_BYTES = 8 * 1024 * 1024


def write_xlsx(fileobj: IO[bytes], sheet_name: str, headers: list[str], rows: Iterable[list[Any]]) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])  # Excel's limit on sheet names
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


def export_response(name: str, fmt: str, headers: list[str], rows: Iterable[list[Any]], sheet: str) -> HttpResponseBase:
    """A download of the table: `fmt` is "csv" or "xlsx"; `name` is the file name without extension."""
    from weiyuan.evidence.views import content_disposition

    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition(f"{name}.csv")
        return response
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    write_xlsx(spool, sheet, headers, rows)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"{name}.xlsx")
    return response
