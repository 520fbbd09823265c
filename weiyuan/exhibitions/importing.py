"""The exhibitor list of an event, imported from CSV (UTF-8 or GB18030) or Excel (.xlsx, first sheet).

The first row names the columns (Chinese or English, any order): 参展企业 / company and 展位号 / booth are required;
展品 / products, 联系方式 / contact, 国家或地区 / country and 行业门类 / industry are optional. The industry is a
section (门类) of GB/T 4754-2017, given by its letter ("C") or its name ("制造业", also "C 制造业"). Every problem is
reported with its row, column and reason; a file with any error saves nothing unless the caller asks for the valid
rows only.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from weiyuan.core.choices import Industry
from weiyuan.ecommerce.listings import RowError

MAX_ROWS = 5000
LIMITS = {"company": 200, "booth": 40, "products": 500, "contact": 200, "country": 60}
HEADERS: dict[str, str] = {
    "参展企业": "company",
    "企业名称": "company",
    "company": "company",
    "展位号": "booth",
    "展位": "booth",
    "booth": "booth",
    "展品": "products",
    "products": "products",
    "联系方式": "contact",
    "contact": "contact",
    "国家或地区": "country",
    "国家": "country",
    "country": "country",
    "行业门类": "industry",
    "行业": "industry",
    "所属行业": "industry",
    "industry": "industry",
}
REQUIRED = ("company", "booth")
# Legal-form words dropped when comparing company names across events ("某某有限公司" = "某某公司" = "某某"),
# compared after spaces and punctuation are removed.
_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "公司",
    "coltd",
    "ltd",
    "co",
    "inc",
    "llc",
    "gmbh",
    "corp",
    "corporation",
    "company",
    "limited",
)


def company_key(name: str) -> str:
    """The normalised company name: NFKC, lower case, spaces and punctuation removed, legal-form words dropped
    from the end (repeatedly: "Acme Trading Co., Ltd." = "ACME TRADING CO LTD" = "acmetrading")."""
    value = re.sub(r"[\s,.·()'\"&/-]+", "", unicodedata.normalize("NFKC", name or "").lower())
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            if value.endswith(suffix) and len(value) > len(suffix):
                value = value[: -len(suffix)]
                stripped = True
                break
    return value[:200]


def _industry_form(value: str) -> str:
    """NFKC, no spaces, upper case, the list marks of section names unified ("农,林,牧,渔业" = "农、林、牧、渔业")."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()
    return re.sub(r"[,，;；/]", "、", value)


def _industry_names() -> dict[str, str]:
    """Section name -> letter: the standard's Chinese names whatever the interface language, and the names in the
    active language (an English list may use the English names)."""
    names = {_industry_form(str(label)): code for code, label in Industry.choices}
    with translation.override("zh-hans"):
        names.update({_industry_form(str(label)): code for code, label in Industry.choices})
    return names


def industry_code(value: str) -> str | None:
    """The GB/T 4754-2017 section letter for a cell: the letter itself, the section name, or both ("C 制造业");
    "" for an empty cell; None when the value is none of these."""
    value = _industry_form(value)
    if not value:
        return ""
    if value in Industry.values:
        return value
    names = _industry_names()
    if value in names:
        return names[value]
    letter, rest = value[:1], value[1:].lstrip("-:：.、")
    if letter in Industry.values and names.get(rest) == letter:
        return letter
    return None


def column_label(column: str) -> str:
    labels = {
        "company": _("参展企业"),
        "booth": _("展位号"),
        "products": _("展品"),
        "contact": _("联系方式"),
        "country": _("国家或地区"),
        "industry": _("行业门类"),
        "row": _("整行"),
        "header": _("表头"),
    }
    return str(labels.get(column, column))


@dataclass(frozen=True)
class ExhibitorRow:
    row: int
    company: str
    booth: str
    products: str = ""
    contact: str = ""
    country: str = ""
    industry: str = ""  # a GB/T 4754-2017 section letter, or ""


@dataclass
class ParsedExhibitors:
    rows: list[ExhibitorRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _cell(value: Any) -> str:
    return "" if value is None else str(value).replace("\x00", "").strip()


def _rows(raw: list[list[str]]) -> ParsedExhibitors:
    parsed = ParsedExhibitors()
    if not raw:
        parsed.errors.append(RowError(1, "header", _("文件是空的：第一行应为表头（参展企业、展位号 等）。")))
        return parsed
    header = [_cell(c) for c in raw[0]]
    columns: list[str | None] = []
    for name in header:
        key = HEADERS.get(name.lower()) if name else None
        if name and key is None:
            parsed.errors.append(
                RowError(
                    1,
                    "header",
                    _("未知的列「%(name)s」：可用的列为 参展企业、展位号、展品、联系方式、国家或地区、行业门类。")
                    % {"name": name},
                )
            )
        columns.append(key)
    for required in REQUIRED:
        if required not in columns:
            parsed.errors.append(
                RowError(1, required, _("缺少必填列「%(column)s」。") % {"column": column_label(required)})
            )
    if parsed.errors:
        return parsed
    seen: dict[str, int] = {}
    for number, cells in enumerate(raw[1:], start=2):
        values = [_cell(c) for c in cells]
        if not any(values):
            continue
        data = {key: values[i] if i < len(values) else "" for i, key in enumerate(columns) if key}
        problems = False
        for column in REQUIRED:
            if not data.get(column):
                parsed.errors.append(RowError(number, column, _("必填项为空。")))
                problems = True
        for column, limit in LIMITS.items():
            if len(data.get(column, "")) > limit:
                parsed.errors.append(RowError(number, column, _("过长：最多 %(limit)s 个字。") % {"limit": limit}))
                problems = True
        industry = industry_code(data.get("industry", ""))
        if industry is None:
            parsed.errors.append(
                RowError(
                    number,
                    "industry",
                    _(
                        "无法识别的行业门类「%(value)s」：请填写 GB/T 4754-2017 的门类代码（A 至 T）或门类名称，"
                        "例如「C」或「制造业」。"
                    )
                    % {"value": data.get("industry", "")[:40]},
                )
            )
            problems = True
        booth = data.get("booth", "").upper()
        if booth and booth in seen:
            parsed.errors.append(
                RowError(number, "booth", _("展位号重复：与第 %(row)s 行相同。") % {"row": seen[booth]})
            )
            problems = True
        if problems:
            continue
        seen[booth] = number
        parsed.rows.append(
            ExhibitorRow(
                number,
                data["company"],
                booth,
                data.get("products", ""),
                data.get("contact", ""),
                data.get("country", ""),
                industry or "",
            )
        )
    if len(parsed.rows) + len(parsed.errors) > MAX_ROWS:
        parsed.errors.append(RowError(0, "row", _("一次最多导入 %(max)s 行。") % {"max": MAX_ROWS}))
    return parsed


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": _("无法识别文件编码：请保存为 UTF-8 编码的 CSV 文件。")})


def parse_csv(data: bytes) -> ParsedExhibitors:
    return _rows(list(csv.reader(io.StringIO(_decode(data)))))


def parse_excel(data: bytes) -> ParsedExhibitors:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationError({"file": _("无法读取 Excel 文件（.xlsx）：%(error)s") % {"error": exc}}) from None
    try:
        raw = []
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 2:
                raw.append(["-"] * 2)
                break
            raw.append([_cell(v) for v in values])
    finally:
        workbook.close()
    return _rows(raw)


def parse_upload(name: str, data: bytes) -> ParsedExhibitors:
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx"):
        return parse_excel(data)
    if lowered.endswith((".csv", ".txt")):
        return parse_csv(data)
    raise ValidationError({"file": _("请上传 CSV（.csv）或 Excel（.xlsx）文件。")})


def errors_as_validation(errors: list[RowError]) -> ValidationError:
    """One ValidationError naming every row and column ("第 3 行「展位号」：…"); `row_errors` keeps them."""
    messages = [
        _("第 %(row)s 行「%(column)s」：%(message)s")
        % {"row": e.row, "column": column_label(e.column), "message": e.message}
        if e.row
        else e.message
        for e in errors
    ]
    exc = ValidationError({"file": messages})
    exc.row_errors = errors  # type: ignore[attr-defined]
    return exc
