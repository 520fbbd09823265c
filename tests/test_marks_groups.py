"""The similar-group table (类似商品和服务区分表): `manage.py tm_import_groups`, the name look-up, and goods closeness
naming the shared groups."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from weiyuan.audit.models import AuditEvent
from weiyuan.marks.group_import import group_import
from weiyuan.marks.importing import ImportFileError
from weiyuan.marks.models import SimilarGroup
from weiyuan.marks.score import goods_closeness
from weiyuan.marks.selectors import group_names

pytestmark = pytest.mark.django_db

GROUPS_FILE = Path(__file__).parent / "data" / "tm_similar_groups.csv"


def write_csv(tmp_path: Path, text: str, name: str = "groups.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def run(*args: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("tm_import_groups", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_and_upsert_by_code(tmp_path: Path) -> None:
    out, _ = run(GROUPS_FILE)
    assert "5 rows: 5 valid, 0 errors; created 5, updated 0" in out
    tea = SimilarGroup.objects.get(code="3002")
    assert tea.nice_class_id == 30 and tea.name_zh == "茶、茶饮料" and tea.name_en == "Tea, tea-based beverages"
    assert SimilarGroup.objects.get(code="3007").name_en == ""
    event = AuditEvent.objects.get(action="mark.group_import")
    assert event.after["created"] == 5 and event.after["codes"] == ["3001", "3009"]
    renamed = write_csv(tmp_path, "code,class,name,name_en\n3002,30,茶、茶饮料,Tea and tea drinks\n")
    out, _ = run(renamed)
    assert "created 0, updated 1" in out
    assert SimilarGroup.objects.get(code="3002").name_en == "Tea and tea drinks"
    assert SimilarGroup.objects.count() == 5
    assert AuditEvent.objects.filter(action="mark.group_import").count() == 2


def test_row_errors_name_row_and_column_and_save_nothing(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "类似群,类别,名称\n"
        "3002,30,茶、茶饮料\n"
        "302,30,短编号\n"
        "3006,29,面包，糕点\n"
        "3007,46,方便食品\n"
        "3009,30,\n"
        "3002,30,重复\n",
    )
    with pytest.raises(CommandError, match="Nothing imported"):
        run(path)
    assert not SimilarGroup.objects.exists()
    report = (tmp_path / "groups.csv.errors.csv").read_text(encoding="utf-8-sig")
    assert "3,类似群,类似群编号应为 4 位数字：302" in report
    assert "4,类别,类似群 3006 属于第 30 类，与类别 29 不符。" in report
    assert "5,类别,未知的尼斯分类号：46（应为 1-45）" in report
    assert "6,名称,名称不能为空。" in report
    assert "7,类似群,类似群 3002 与第 2 行重复。" in report
    assert not AuditEvent.objects.filter(action="mark.group_import").exists()


def test_valid_only_keeps_the_good_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code,class,name\n3002,30,茶、茶饮料\n30x2,30,坏编号\n3006,30,面包，糕点\n")
    report = group_import(path=path, valid_only=True)
    assert report.saved and report.created == 2 and report.error_count == 1
    assert sorted(SimilarGroup.objects.values_list("code", flat=True)) == ["3002", "3006"]
    assert AuditEvent.objects.get(action="mark.group_import").after["skipped"] == 1


def test_missing_columns_and_file_types(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="缺少必需的列：名称"):
        group_import(path=write_csv(tmp_path, "类似群,类别\n3002,30\n"))
    with pytest.raises(ImportFileError, match="不支持的文件类型"):
        group_import(path=write_csv(tmp_path, "x", name="groups.pdf"))
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.csv")


def test_excel_with_numeric_codes(tmp_path: Path) -> None:
    """Excel turns 0101 into the number 101; the importer pads it back (0101 is the first group of class 1)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["类似群", "类别", "名称"])
    sheet.append([3002, 30, "茶、茶饮料"])
    sheet.append([101.0, 1, "工业气体，单质"])
    path = tmp_path / "groups.xlsx"
    workbook.save(path)
    report = group_import(path=path)
    assert report.saved and report.created == 2, report.errors
    assert SimilarGroup.objects.get(code="0101").nice_class_id == 1


def test_group_names_in_one_query_and_in_the_active_language(django_assert_num_queries: Any) -> None:
    group_import(path=GROUPS_FILE)
    with django_assert_num_queries(1):
        names = group_names(["3002", "3007", "9999", ""])
    assert names == {"3002": "茶、茶饮料", "3007": "方便食品"}
    with translation.override("en"):
        assert group_names(["3002", "3007"]) == {"3002": "Tea, tea-based beverages", "3007": "方便食品"}
    with django_assert_num_queries(0):
        assert group_names([]) == {}


def test_goods_closeness_names_the_shared_groups() -> None:
    group_import(path=GROUPS_FILE)
    plain = goods_closeness([30], [30, 32], ["3002", "3006"], ["3002", "3202"])
    assert plain.as_dict() == {
        "same_class": True,
        "same_group": True,
        "shared_classes": [30],
        "shared_groups": ["3002"],
    }
    named = goods_closeness([30], [30, 32], ["3002", "3202"], ["3002", "3202"], names=group_names(["3002", "3202"]))
    assert named.group_names == (("3002", "茶、茶饮料"),)  # 3202 is not on the imported table
    assert named.as_dict()["group_names"] == {"3002": "茶、茶饮料"}


def test_tm_compare_names_the_shared_groups() -> None:
    group_import(path=GROUPS_FILE)
    out = StringIO()
    call_command(
        "tm_compare", "康师傅", "康帅傅", "--classes-a", "30", "--groups-a", "3002", "--groups-b", "3002", stdout=out
    )
    goods = json.loads(out.getvalue())["goods"]
    assert goods["shared_groups"] == ["3002"] and goods["group_names"] == {"3002": "茶、茶饮料"}
