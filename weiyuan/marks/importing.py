"""Import of register extracts: CSV, TSV or Excel (.xlsx), streamed row by row, upserted by number.

Columns (header row; Chinese or English names, any order, other columns ignored):
  商标 / mark (required), 注册号 / number (required), 类别 / classes (required, "30" or "30;32"),
  商品服务 / goods ("方便面(3002); 饼干(3006)"), 类似群 / groups ("3002;3006"), 注册人 / owner,
  状态 / status (已申请 已注册 已过期 已无效, or applied registered expired invalid; default registered),
  申请日 / applied_on, 注册日 / registered_on, 到期日 / expires_on (YYYY-MM-DD).

Every row is checked; a row with errors is reported (row number, column, message) and skipped. A file with any
error imports nothing unless valid_only is set, in which case the good rows are kept. Rows are written in batches
(INSERT ... ON CONFLICT (number) DO UPDATE) inside one transaction, with one audit event per batch; the
upserted marks get their candidate-index keys replaced (keystore.replace_keys), and the key counts move once at
the end (keystore.StatsBuffer).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.marks.keystore import StatsBuffer, replace_keys
from weiyuan.marks.models import NICE_CLASS_COUNT, Mark, MarkStatus
from weiyuan.marks.normalise import MarkTextError, normalise_mark

BATCH_SIZE = 2000
MAX_ERRORS_KEPT = 10_000

# Field -> accepted header names (compared case-folded, spaces removed). The first is the name used in messages.
COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("商标", "商标名称", "mark", "text"),
    "number": ("注册号", "申请号", "注册号/申请号", "number"),
    "classes": ("类别", "国际分类", "classes", "class"),
    "goods": ("商品服务", "商品/服务", "goods"),
    "groups": ("类似群", "groups"),
    "owner": ("注册人", "申请人", "owner"),
    "status": ("状态", "status"),
    "applied_on": ("申请日", "applied_on"),
    "registered_on": ("注册日", "registered_on"),
    "expires_on": ("到期日", "expires_on"),
}
REQUIRED = ("text", "number", "classes")
STATUS_NAMES = {
    **{s.value: s.value for s in MarkStatus},
    "已申请": "applied",
    "申请中": "applied",
    "已注册": "registered",
    "注册": "registered",
    "已过期": "expired",
    "已无效": "invalid",
    "无效": "invalid",
}
_LIST_SPLIT = re.compile(r"[;；,，、\s]+")
_GOOD = re.compile(r"^(?P<name>.*?)\s*[(（]\s*(?P<group>\d{4})\s*[)）]$")
_GROUP = re.compile(r"^\d{4}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read: unknown type, no header, missing columns."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("第 %(row)d 行 %(column)s：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    rows_total: int = 0
    rows_valid: int = 0
    created: int = 0
    updated: int = 0
    saved: bool = False
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)


def _header_key(name: Any) -> str:
    return re.sub(r"\s+", "", str(name or "")).casefold()


def resolve_header(header: list[Any]) -> dict[str, int]:
    """Field -> column index; ImportFileError naming the missing required columns."""
    found: dict[str, int] = {}
    keys = [_header_key(h) for h in header]
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            if _header_key(alias) in keys:
                found[name] = keys.index(_header_key(alias))
                break
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in found]
    if missing:
        raise ImportFileError(
            _("缺少必需的列：%(columns)s（表头须含 商标、注册号、类别，或 mark、number、classes）")
            % {"columns": "、".join(missing)}
        )
    return found


def read_rows(path: Path) -> Iterator[list[Any]]:
    """The rows of the file, header first, streamed (csv module; openpyxl read-only for .xlsx)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # any unreadable workbook is one file error for the user
            raise ImportFileError(_("无法读取 Excel 文件：%(error)s") % {"error": error}) from error
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()
        return
    if suffix not in (".csv", ".tsv", ".txt"):
        raise ImportFileError(_("不支持的文件类型 %(suffix)s：请用 .csv、.tsv 或 .xlsx。") % {"suffix": suffix})
    delimiter = "\t" if suffix in (".tsv", ".txt") else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle, delimiter=delimiter)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": _text(value)}) from None


def _classes(value: Any) -> list[int]:
    items = [p for p in _LIST_SPLIT.split(_text(value)) if p]
    if not items:
        raise ValueError(_("至少填写一个尼斯分类号（1-45）。"))
    out: set[int] = set()
    for item in items:
        if not item.isdigit() or not 1 <= int(item) <= NICE_CLASS_COUNT:
            raise ValueError(_("未知的尼斯分类号：%(value)s（应为 1-45）") % {"value": item})
        out.add(int(item))
    return sorted(out)


def _goods(value: Any) -> list[dict[str, str]]:
    out = []
    for item in re.split(r"[;；]", _text(value)):
        item = item.strip()
        if not item:
            continue
        match = _GOOD.match(item)
        out.append({"name": match["name"], "group": match["group"]} if match else {"name": item, "group": ""})
    return out


def _groups(value: Any) -> list[str]:
    items = [p for p in _LIST_SPLIT.split(_text(value)) if p]
    bad = [p for p in items if not _GROUP.match(p)]
    if bad:
        raise ValueError(_("类似群编号应为 4 位数字：%(value)s") % {"value": bad[0]})
    return items


def clean_row(cells: list[Any], columns: dict[str, int], row: int) -> tuple[Mark | None, list[RowError]]:
    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def check(name: str, parse: Callable[[Any], Any]) -> None:
        try:
            values[name] = parse(cell(name))
        except MarkTextError as error:
            errors.append(RowError(row, COLUMNS[name][0], error.message))
        except ValueError as error:
            errors.append(RowError(row, COLUMNS[name][0], str(error)))

    check("text", lambda v: normalise_mark(_text(v), field=COLUMNS["text"][0]))
    check("number", _number)
    check("classes", _classes)
    check("goods", _goods)
    check("groups", _groups)
    check("status", _status)
    for name in ("applied_on", "registered_on", "expires_on"):
        check(name, _date)
    owner = _text(cell("owner"))
    if len(owner) > 200:
        errors.append(RowError(row, COLUMNS["owner"][0], _("不能超过 200 个字符。")))
    if errors:
        return None, errors
    groups = sorted(set(values["groups"]) | {g["group"] for g in values["goods"] if g["group"]})
    mark = Mark(
        text=values["text"].original,
        normalised=values["text"].text,
        number=values["number"],
        classes=values["classes"],
        goods=values["goods"],
        groups=groups,
        owner=owner,
        status=values["status"],
        applied_on=values["applied_on"],
        registered_on=values["registered_on"],
        expires_on=values["expires_on"],
    )
    return mark, []


def _number(value: Any) -> str:
    number = _text(value)
    if not number:
        raise ValueError(_("注册号不能为空。"))
    if len(number) > 32:
        raise ValueError(_("注册号不能超过 32 个字符。"))
    return number


def _status(value: Any) -> str:
    text = _text(value)
    if not text:
        return MarkStatus.REGISTERED.value
    status = STATUS_NAMES.get(text.casefold(), STATUS_NAMES.get(text))
    if status is None:
        raise ValueError(_("未知的状态：%(value)s（应为 已申请、已注册、已过期、已无效）") % {"value": text})
    return status


class _Rollback(Exception):
    pass


def mark_import(
    *, path: Path, valid_only: bool = False, actor: Any = None, progress: Callable[[int], object] | None = None
) -> ImportReport:
    """Check every row of the file and upsert the marks by number (see the module docstring for the rules)."""
    report = ImportReport()
    rows = read_rows(path)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("文件是空的：第一行应为表头。"))
    columns = resolve_header(list(header))
    seen: dict[str, int] = {}
    batch: list[Mark] = []
    stats = StatsBuffer()
    try:
        with transaction.atomic():
            for row_number, cells in enumerate(rows, start=2):
                if progress is not None:
                    progress(1)
                if not any(_text(c) for c in cells):
                    continue  # blank line
                report.rows_total += 1
                mark, errors = clean_row(list(cells), columns, row_number)
                if mark is not None and mark.number in seen:
                    errors = [
                        RowError(
                            row_number,
                            COLUMNS["number"][0],
                            _("注册号 %(number)s 与第 %(row)d 行重复。")
                            % {"number": mark.number, "row": seen[mark.number]},
                        )
                    ]
                    mark = None
                for error in errors:
                    report.add_error(error)
                if mark is None:
                    continue
                seen[mark.number] = row_number
                report.rows_valid += 1
                if report.error_count and not valid_only:
                    continue  # nothing will be kept: go on checking only
                batch.append(mark)
                if len(batch) >= BATCH_SIZE:
                    _write(batch, report, actor, stats)
                    batch = []
            if report.error_count and not valid_only:
                raise _Rollback
            if batch:
                _write(batch, report, actor, stats)
            stats.flush()
            report.saved = True
    except _Rollback:
        report.created = report.updated = 0
    return report


_UPDATE_FIELDS = [
    "text",
    "normalised",
    "classes",
    "goods",
    "groups",
    "owner",
    "status",
    "applied_on",
    "registered_on",
    "expires_on",
    "imported_at",
]


def _write(batch: list[Mark], report: ImportReport, actor: Any, stats: StatsBuffer) -> None:
    """One INSERT ... ON CONFLICT (number) DO UPDATE per batch (PostgreSQL and SQLite alike); the existing
    numbers are looked up first only to count created and updated rows."""
    existing = set(Mark.objects.filter(number__in=[m.number for m in batch]).values_list("number", flat=True))
    Mark.objects.bulk_create(
        batch, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["number"], update_fields=_UPDATE_FIELDS
    )
    # The candidate index follows the rows: the upserted marks get their keys replaced (ids read back, as
    # bulk_create with update_conflicts does not return them on every database).
    saved = list(Mark.objects.filter(number__in=[m.number for m in batch]).only("id", "number", "normalised"))
    replace_keys(saved, stats=stats, new={m.pk for m in saved if m.number not in existing})
    updated = sum(1 for m in batch if m.number in existing)
    report.created += len(batch) - updated
    report.updated += updated
    audit_record(
        actor=actor,
        action="mark.import",
        object_type="marks.mark",
        object_id=batch[0].number,
        after={"numbers": [batch[0].number, batch[-1].number], "created": len(batch) - updated, "updated": updated},
    )


def write_error_report(errors: list[RowError], target: Path) -> None:
    """The row errors as CSV (UTF-8 with BOM, so Excel opens it): row, column, message."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "message"])
    for error in errors:
        writer.writerow([error.row, error.column, error.message])
    target.write_text(buffer.getvalue(), encoding="utf-8-sig")
