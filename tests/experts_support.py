"""Helpers shared by the expert database's tests: profiles made through the real service, workbooks in memory."""

from __future__ import annotations

import io
import itertools
from typing import Any

from openpyxl import Workbook, load_workbook

from weiyuan.core.validators import credit_code_check_char
from weiyuan.experts.columns import COLUMNS
from weiyuan.experts.models import Expert
from weiyuan.experts.services import expert_create
from weiyuan.experts.validation import ConflictInput, ExpertInput

_seq = itertools.count(1)
HEADERS = [c.header for c in COLUMNS]


def credit_code(first16: str) -> str:
    """A valid unified social credit code from 16 characters (the 17th is '1', then the check character)."""
    first17 = (first16 + "1")[:17]
    return first17 + credit_code_check_char(first17)


def expert_input(**overrides: Any) -> ExpertInput:
    n = next(_seq)
    conflicts = overrides.pop("conflicts", [])
    data: dict[str, Any] = {
        "name": f"专家{n}",
        "organisation_name": f"测试研究院{n}",
        "fields": ["patent_law"],
        "languages": ["zh"],
        "regions": ["310000"],
        "qualifications": ["professor"],
    }
    data.update(overrides)
    data["conflicts"] = [c if isinstance(c, ConflictInput) else ConflictInput(*c) for c in conflicts]
    return ExpertInput(**data)


def make_expert(actor: Any, centre: Any, **overrides: Any) -> Expert:
    """A profile created by `actor` (a director of `centre`, or an admin) through the service."""
    return expert_create(actor=actor, centre=centre, data=expert_input(**overrides))


def workbook(rows: list[list[Any]], headers: list[str] | None = None) -> io.BytesIO:
    """An .xlsx file in memory: the header row (the template's by default), then the rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS if headers is None else headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def row(**cells: Any) -> list[Any]:
    """One row of the template's columns, by header: row(姓名="张三", 尼斯分类="25")."""
    values = dict.fromkeys(HEADERS, "")
    values.update(cells)
    unknown = set(cells) - set(HEADERS)
    assert not unknown, f"not template columns: {unknown}"
    return [values[h] for h in HEADERS]


def read_rows(data: bytes | io.BytesIO) -> list[list[Any]]:
    buffer = io.BytesIO(data) if isinstance(data, bytes) else data
    buffer.seek(0)
    book = load_workbook(buffer, read_only=True)
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows
