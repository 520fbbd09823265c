"""Reading the listings of a notice: pasted text (one per line, tab or comma separated), a CSV file or an Excel
workbook, each row `URL, shop, title` (an optional header row is recognised). Every row is checked — a URL of the
form http(s)://host/…, no duplicate within the batch or the notice — and every problem is reported with its row and
column, so the rights holder can fix them all at once. A batch with any error adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from weiyuan.ecommerce.models import MAX_LISTINGS

URL_MAX = 1000
SHOP_MAX = 200
TITLE_MAX = 300
# Header cells recognised in the first row (any case): it is skipped, not read as a listing.
HEADER_WORDS = {"url", "链接", "商品链接", "网址", "link"}
COLUMNS = ("url", "shop", "title")
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class ListingRow:
    row: int  # 1-based, as the rights holder sees it (line of the text, row of the sheet)
    url: str
    shop: str = ""
    title: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedListings:
    rows: list[ListingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def normalise_url(url: str) -> str:
    """The form two listings are compared in: scheme and host lower-cased, default port, fragment and trailing
    slash dropped. The path and query keep their case (they often identify the item)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and parts.port not in (80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def url_key(url: str) -> str:
    return hashlib.sha256(normalise_url(url).encode()).hexdigest()


def url_problem(url: str) -> str:
    """Why `url` is not a listing URL ("" if it is one)."""
    if not url:
        return _("缺少链接。")
    if len(url) > URL_MAX:
        return _("链接过长：最多 %(limit)s 个字符。") % {"limit": URL_MAX}
    if any(ch.isspace() for ch in url) or "\x00" in url:
        return _("链接中不能有空格或不可见字符。")
    if not url.lower().startswith(("http://", "https://")):
        return _("链接应以 http:// 或 https:// 开头（例如 https://item.example.com/123）。")
    try:
        _url_validator(url)
        urlsplit(url).port  # noqa: B018 - raises on a port outside 0-65535, which the validator lets through
    except (ValidationError, ValueError):
        return _("不是有效的网址（http 或 https 链接，带域名）。")
    return ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\x00", "").strip()


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lower() in HEADER_WORDS


def _rows_from_cells(raw: list[tuple[int, list[str]]]) -> ParsedListings:
    parsed = ParsedListings()
    for index, (row_number, cells) in enumerate(raw):
        cells = [_cell(c) for c in cells]
        while cells and not cells[-1]:
            cells.pop()
        if not any(cells):
            continue
        if index == 0 and _is_header(cells):
            continue
        cells = [*cells, "", "", ""][:3] if len(cells) <= 3 else cells
        if len(cells) > 3:
            parsed.errors.append(
                RowError(row_number, "row", _("列数过多：每行依次为 链接、店铺、商品标题，最多 3 列。"))
            )
            continue
        url, shop, title = cells
        for column, value, limit in (("shop", shop, SHOP_MAX), ("title", title, TITLE_MAX)):
            if len(value) > limit:
                parsed.errors.append(RowError(row_number, column, _("过长：最多 %(limit)s 个字。") % {"limit": limit}))
        problem = url_problem(url)
        if problem:
            parsed.errors.append(RowError(row_number, "url", problem))
            continue
        parsed.rows.append(ListingRow(row_number, url, shop[:SHOP_MAX], title[:TITLE_MAX]))
    return parsed


def parse_text(text: str) -> ParsedListings:
    """Pasted listings: one per line; columns separated by a tab (copied from a spreadsheet) or a comma."""
    raw: list[tuple[int, list[str]]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        if "\t" in line:
            cells = line.split("\t")
        else:
            try:
                cells = next(csv.reader([line], skipinitialspace=True), [])
            except csv.Error as exc:  # a field over the csv module's size limit, a stray NUL
                raise ValidationError(
                    {"listings": _("第 %(row)s 行无法读取：%(error)s") % {"row": number, "error": exc}}
                ) from None
        raw.append((number, cells))
    return _rows_from_cells(raw)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": _("无法识别文件编码：请保存为 UTF-8 编码的 CSV 文件。")})


def parse_csv(data: bytes) -> ParsedListings:
    text = _decode(data)
    try:
        raw = [(n, cells) for n, cells in enumerate(csv.reader(io.StringIO(text)), start=1)]
    except csv.Error as exc:  # a field over the csv module's size limit, a stray NUL
        raise ValidationError({"file": _("无法读取 CSV 文件：%(error)s") % {"error": exc}}) from None
    return _rows_from_cells(raw)


def parse_excel(data: bytes) -> ParsedListings:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationError({"file": _("无法读取 Excel 文件（.xlsx）：%(error)s") % {"error": exc}}) from None
    try:
        sheet = workbook.worksheets[0]
        raw = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_LISTINGS + 50:  # far beyond the limit: stop reading, the count check refuses it
                raw.append((number, ["-"]))
                break
            cells = [_cell(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            raw.append((number, cells))
    finally:
        workbook.close()
    return _rows_from_cells(raw)


def parse_upload(name: str, data: bytes) -> ParsedListings:
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx"):
        return parse_excel(data)
    if lowered.endswith((".csv", ".txt")):
        return parse_csv(data)
    raise ValidationError({"file": _("请上传 CSV（.csv）或 Excel（.xlsx）文件。")})


def check_batch(rows: list[ListingRow], *, existing_keys: dict[str, int], existing_count: int) -> list[RowError]:
    """Duplicates (within the batch, and against the notice's listings) and the per-notice limit."""
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in rows:
        key = url_key(row.url)
        if key in existing_keys:
            errors.append(
                RowError(
                    row.row,
                    "url",
                    _("重复的链接：通知中第 %(position)s 条已是该链接。") % {"position": existing_keys[key]},
                )
            )
        elif key in seen:
            errors.append(RowError(row.row, "url", _("重复的链接：与第 %(row)s 行相同。") % {"row": seen[key]}))
        else:
            seen[key] = row.row
    total = existing_count + len(rows)
    if total > MAX_LISTINGS:
        errors.insert(
            0,
            RowError(
                0,
                "listings",
                _(
                    "每份通知最多 %(limit)s 条链接：已有 %(existing)s 条，本次 %(new)s 条，"
                    "合计 %(total)s 条。请分成多份通知。"
                )
                % {"limit": MAX_LISTINGS, "existing": existing_count, "new": len(rows), "total": total},
            ),
        )
    return errors


def errors_as_validation(errors: list[RowError], field: str = "listings") -> ValidationError:
    """One ValidationError naming every row and column ("第 3 行「链接」：…")."""
    labels = {"url": _("链接"), "shop": _("店铺"), "title": _("商品标题"), "row": _("整行"), "listings": _("链接清单")}
    messages = []
    for e in errors:
        if e.row:
            messages.append(
                _("第 %(row)s 行「%(column)s」：%(message)s")
                % {"row": e.row, "column": labels.get(e.column, e.column), "message": e.message}
            )
        else:
            messages.append(e.message)
    exc = ValidationError({field: messages})
    exc.row_errors = errors  # type: ignore[attr-defined]
    return exc
