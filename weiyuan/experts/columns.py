"""The columns of the expert workbook (import template, import and export share them, in this order)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.core.validators import credit_code_check_char

EXAMPLE_CREDIT_CODE = "91310115MA1K4BCD1" + credit_code_check_char("91310115MA1K4BCD1")


@dataclass(frozen=True)
class Column:
    header: str  # exactly as in the file (Chinese; the file format does not change with the UI language)
    attr: str  # the ExpertInput field (or a special name) the cell feeds
    required: bool  # the column must be present (the cell may still be empty unless the field is required)
    example: object
    help: Promise | str


COLUMNS: tuple[Column, ...] = (
    Column("专家编号", "id", False, "", _("更新库中已有的专家时填写其编号（导出文件中有）；新增专家留空。")),
    Column("姓名", "name", True, "张明远", _("必填。")),
    Column("所属单位", "organisation_name", True, "华东知识产权研究院", _("与姓名一起识别重复的专家。")),
    Column("所属单位统一社会信用代码", "organisation_credit_code", False, "", _("18 位，有则填写，用于利益冲突检查。")),
    Column("职称", "title", False, "研究员", ""),
    Column("资格证书编号", "credential_number", False, "", _("执业证、资格证等的编号；同一编号只能属于一位专家。")),
    Column("专业领域", "fields", False, "专利法、电子与通信", _("领域名称或代码，多个用顿号、逗号或分号分隔。")),
    Column(
        "IPC 分类",
        "ipc_classes",
        False,
        "H04L; G06F 16/00",
        _("至少到小类（如 H04L），可到大组/小组（如 H04L 9/32）。"),
    ),
    Column("尼斯分类", "nice_classes", False, "9, 42", _("1-45 的类别号。")),
    Column("工作语言", "languages", False, "中文、英语", _("语言名称或代码（zh、en、ja……）。")),
    Column("服务地区", "regions", False, "上海市、江苏省", _("完整名称或 6 位行政区划代码；留空表示全国。")),
    Column(
        "资格",
        "qualifications",
        False,
        "专利代理师",
        _("专利代理师、律师、审查员（含曾任）、教授或研究员、法官或仲裁员（含曾任）、其他。"),
    ),
    Column("可用状态", "availability", False, "可接受任务", _("可接受任务、忙碌 或 暂不接受任务。")),
    Column("忙碌至", "busy_until", False, "", _("状态为忙碌时必填，格式 YYYY-MM-DD。")),
    Column("收费说明", "fee_terms", False, "按次收费，咨询每次 800 元", ""),
    Column("小时费率（元）", "hourly_rate", False, 600, _("数字。")),
    Column(
        "利益冲突单位",
        "conflicts",
        False,
        f"上海某某科技有限公司|{EXAMPLE_CREDIT_CODE}|曾任法律顾问",
        _("曾任职或代理过的单位：名称|统一社会信用代码|说明，多个单位用分号分隔。"),
    ),
    Column("关联账户邮箱", "user_email", False, "", _("已注册的专家账户的邮箱，有则填写。")),
    Column("在库", "active", False, "是", _("是 或 否；留空为是。")),
)
# Written by the export for reading; the import accepts and ignores them (so an exported file imports as it is).
READONLY_HEADERS: tuple[str, ...] = ("维护机构", "平均评分", "评分次数")


def header_key(text: object) -> str:
    """Headers compare without spaces, case or full-width forms: "IPC分类" = "IPC 分类", "(元)" = "（元）"."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).casefold()


COLUMNS_BY_KEY = {header_key(c.header): c for c in COLUMNS}
READONLY_KEYS = {header_key(h) for h in READONLY_HEADERS}
