"""Import of the similar-group table (类似商品和服务区分表): CSV, TSV or Excel (.xlsx), upserted by code.

Columns (header row; Chinese or English names, any order, other columns ignored):
  类似群 / code (required, four digits: the class number then a sequence, "3002"), 类别 / class (required,
  1-45, the first two digits of the code), 名称 / name (required, the group's Chinese name),
  英文名称 / name_en (optional).

Every row is checked; errors name the row and column. A file with any error saves nothing unless valid_only is
set, in which case the good rows are kept. The rows are upserted by code (INSERT ... ON CONFLICT (code) DO UPDATE)
in one transaction, with one `mark.group_import` audit event for the import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.marks.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    _header_key,
    _text,
    read_rows,
)
from weiyuan.marks.models import NICE_CLASS_COUNT, SimilarGroup

BATCH_SIZE = 1000
NAME_MAX = 200

# Field -> accepted header names (compared case-folded, spaces removed). The first is the name used in messages.
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("类似群", "类似群编号", "类似群号", "code", "group"),
    "nice_class": ("类别", "尼斯分类", "国际分类", "class", "nice_class"),
    "name_zh": ("名称", "类似群名称", "name", "name_zh"),
    "name_en": ("英文名称", "name_en"),
}
REQUIRED = ("code", "nice_class", "name_zh")
_CODE = re.compile(r"^\d{4}$")


def resolve_header(header: list[Any]) -> dict[str, int]:
    """Field -> column index; ImportFileError naming the missing required columns."""
    keys = [_header_key(h) for h in header]
    found: dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            key = _header_key(alias)
            if key in keys and keys.index(key) not in found.values():
                found[name] = keys.index(key)
                break
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in found]
    if missing:
        raise ImportFileError(
            _("缺少必需的列：%(columns)s（表头须含 类似群、类别、名称，或 code、class、name）")
            % {"columns": "、".join(missing)}
        )
    return found


def _code(value: Any) -> str:
    # Excel keeps "0101" as the number 101: a numeric cell is padded back to four digits.
    text = f"{int(value):04d}" if isinstance(value, int | float) and float(value).is_integer() else _text(value)
    if not text:
        raise ValueError(_("类似群编号不能为空。"))
    if not _CODE.match(text):
        raise ValueError(_("类似群编号应为 4 位数字：%(value)s") % {"value": text})
    return text


def _class(value: Any) -> int:
    text = _text(value)
    if not text.isdigit() or not 1 <= int(text) <= NICE_CLASS_COUNT:
        raise ValueError(_("未知的尼斯分类号：%(value)s（应为 1-45）") % {"value": text})
    return int(text)


def _name(value: Any, *, required: bool) -> str:
    text = _text(value)
    if required and not text:
        raise ValueError(_("名称不能为空。"))
    if len(text) > NAME_MAX:
        raise ValueError(_("不能超过 %(max)d 个字符。") % {"max": NAME_MAX})
    return text


def clean_row(cells: list[Any], columns: dict[str, int], row: int) -> tuple[SimilarGroup | None, list[RowError]]:
    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def check(name: str, parse: Callable[[Any], Any]) -> None:
        try:
            values[name] = parse(cell(name))
        except ValueError as error:
            errors.append(RowError(row, COLUMNS[name][0], str(error)))

    check("code", _code)
    check("nice_class", _class)
    check("name_zh", lambda v: _name(v, required=True))
    check("name_en", lambda v: _name(v, required=False))
    if not errors and int(values["code"][:2]) != values["nice_class"]:
        errors.append(
            RowError(
                row,
                COLUMNS["nice_class"][0],
                _("类似群 %(code)s 属于第 %(prefix)d 类，与类别 %(value)d 不符。")
                % {"code": values["code"], "prefix": int(values["code"][:2]), "value": values["nice_class"]},
            )
        )
    if errors:
        return None, errors
    group = SimilarGroup(
        code=values["code"],
        nice_class_id=values["nice_class"],
        name_zh=values["name_zh"],
        name_en=values["name_en"],
    )
    return group, []


class _Rollback(Exception):
    pass


def group_import(
    *, path: Path, valid_only: bool = False, actor: Any = None, progress: Callable[[int], object] | None = None
) -> ImportReport:
    """Check every row of the file and upsert the similar groups by code (see the module docstring)."""
    report = ImportReport()
    rows = read_rows(path)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("文件是空的：第一行应为表头。"))
    columns = resolve_header(list(header))
    seen: dict[str, int] = {}
    batch: list[SimilarGroup] = []
    codes: list[str] = []
    try:
        with transaction.atomic():
            for row_number, cells in enumerate(rows, start=2):
                if progress is not None:
                    progress(1)
                if not any(_text(c) for c in cells):
                    continue  # blank line
                report.rows_total += 1
                group, errors = clean_row(list(cells), columns, row_number)
                if group is not None and group.code in seen:
                    errors = [
                        RowError(
                            row_number,
                            COLUMNS["code"][0],
                            _("类似群 %(code)s 与第 %(row)d 行重复。") % {"code": group.code, "row": seen[group.code]},
                        )
                    ]
                    group = None
                for error in errors:
                    report.add_error(error)
                if group is None:
                    continue
                seen[group.code] = row_number
                report.rows_valid += 1
                if report.error_count and not valid_only:
                    continue  # nothing will be kept: go on checking only
                batch.append(group)
                if len(batch) >= BATCH_SIZE:
                    codes.extend(_write(batch, report))
                    batch = []
            if report.error_count and not valid_only:
                raise _Rollback
            if batch:
                codes.extend(_write(batch, report))
            if codes:
                audit_record(
                    actor=actor,
                    action="mark.group_import",
                    object_type="marks.similargroup",
                    object_id=min(codes),
                    after={
                        "file": path.name,
                        "codes": [min(codes), max(codes)],
                        "created": report.created,
                        "updated": report.updated,
                        "skipped": report.error_count,
                    },
                )
            report.saved = True
    except _Rollback:
        report.created = report.updated = 0
    return report


def _write(batch: list[SimilarGroup], report: ImportReport) -> list[str]:
    """One INSERT ... ON CONFLICT (code) DO UPDATE per batch; existing codes are read first only to count."""
    codes = [g.code for g in batch]
    existing = set(SimilarGroup.objects.filter(code__in=codes).values_list("code", flat=True))
    SimilarGroup.objects.bulk_create(
        batch,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["nice_class", "name_zh", "name_en", "imported_at"],
    )
    updated = sum(1 for code in codes if code in existing)
    report.created += len(batch) - updated
    report.updated += updated
    return codes
