"""The register of marks: Nice classes (data migration) and `manage.py tm_import` (CSV, TSV, XLSX)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from weiyuan.audit.models import AuditEvent
from weiyuan.marks.importing import ImportFileError, mark_import
from weiyuan.marks.models import Mark, NiceClass

pytestmark = pytest.mark.django_db

HEADER = "商标,注册号,类别,商品服务,类似群,注册人,状态,申请日,注册日,到期日"


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "marks.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_45_nice_classes_ship_with_the_project() -> None:
    assert NiceClass.objects.count() == 45
    assert list(NiceClass.objects.values_list("number", flat=True)) == list(range(1, 46))
    assert NiceClass.objects.get(number=30).heading_zh == "方便食品"
    assert NiceClass.objects.get(number=25).heading_en == "Clothing, footwear and headwear"
    assert all(c.heading_zh and c.heading_en for c in NiceClass.objects.all())


def test_csv_import_creates_marks(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "康師傅®,1234567,30;29,方便面(3002); 饼干(3006),,顶益公司,已注册,2000-01-02,2001/03/04,2031-03-03",
        "Haier,7654321,11,,1101,海尔集团,registered,,,",
    )
    report = mark_import(path=path)
    assert (report.saved, report.created, report.updated, report.error_count) == (True, 2, 0, 0)
    mark = Mark.objects.get(number="1234567")
    assert mark.text == "康師傅®" and mark.normalised == "康师傅"
    assert mark.classes == [29, 30]
    assert mark.goods == [{"name": "方便面", "group": "3002"}, {"name": "饼干", "group": "3006"}]
    assert mark.groups == ["3002", "3006"]
    assert (mark.applied_on, mark.registered_on) == (dt.date(2000, 1, 2), dt.date(2001, 3, 4))
    assert Mark.objects.get(number="7654321").groups == ["1101"]
    assert AuditEvent.objects.filter(action="mark.import").count() == 1


def test_upsert_by_number(tmp_path: Path) -> None:
    mark_import(path=csv_file(tmp_path, "康师傅,1,30,,,,,,,"))
    report = mark_import(path=csv_file(tmp_path, "康師傅方便面,1,30;29,,,新注册人,已过期,,,", "雪碧,2,32,,,,,,,"))
    assert (report.created, report.updated) == (1, 1)
    mark = Mark.objects.get(number="1")
    assert (mark.normalised, mark.owner, mark.status, mark.classes) == ("康师傅方便面", "新注册人", "expired", [29, 30])
    assert Mark.objects.count() == 2


def test_tsv_and_english_headers(tmp_path: Path) -> None:
    path = tmp_path / "marks.tsv"
    path.write_text("number\tmark\tclasses\n9\tNIKE\t25\n", encoding="utf-8")
    assert mark_import(path=path).created == 1
    assert Mark.objects.get(number="9").normalised == "nike"


def test_xlsx_import(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["商标", "注册号", "类别", "申请日"])
    sheet.append(["雪碧", 880001, 32, dt.datetime(2010, 5, 6)])
    sheet.append([None, None, None, None])  # blank rows are skipped
    sheet.append(["可口可乐", "880002", "32", None])
    path = tmp_path / "marks.xlsx"
    workbook.save(path)
    report = mark_import(path=path)
    assert (report.created, report.error_count) == (2, 0)
    assert Mark.objects.get(number="880001").applied_on == dt.date(2010, 5, 6)


def test_wrong_columns_name_what_is_missing(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "康师傅,1", header="名称,号码")
    with pytest.raises(ImportFileError) as error:
        mark_import(path=path)
    assert "缺少必需的列：商标、注册号、类别" in str(error.value)


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "marks.pdf"
    path.write_text("x")
    with pytest.raises(ImportFileError, match="不支持的文件类型"):
        mark_import(path=path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("")
    with pytest.raises(ImportFileError, match="表头"):
        mark_import(path=path)


def bad_file(tmp_path: Path) -> Path:
    return csv_file(
        tmp_path,
        "康师傅,1,30,,,,,,,",  # row 2: good
        ",2,30,,,,,,,",  # row 3: empty mark
        "雪碧,3,46,,,,,,,",  # row 4: unknown class
        "红牛,1,32,,,,,,,",  # row 5: number already in row 2
        "！！,4,32,,,,,,,",  # row 6: only punctuation
        "王老吉,5,32,,32A,,,,,",  # row 7: bad similar group
        "加多宝,6,32,,,,已撤销,,,",  # row 8: unknown status
        "脉动,7,32,,,,,2020-13-01,,",  # row 9: bad date
        "冰露,8,32,,,,,,,",  # row 10: good
    )


def test_row_errors_name_row_and_column_and_nothing_is_imported(tmp_path: Path) -> None:
    report = mark_import(path=bad_file(tmp_path))
    assert not report.saved and report.created == 0
    assert Mark.objects.count() == 0
    messages = [str(e) for e in report.errors]
    assert messages[0] == "第 3 行 商标：商标文字不能为空。"
    assert "第 4 行 类别：未知的尼斯分类号：46（应为 1-45）" in messages
    assert "第 5 行 注册号：注册号 1 与第 2 行重复。" in messages
    assert "第 6 行 商标：商标文字只有标点或符号，没有可比对的文字。" in messages
    assert any(m.startswith("第 7 行 类似群：") for m in messages)
    assert any(m.startswith("第 8 行 状态：未知的状态：已撤销") for m in messages)
    assert any(m.startswith("第 9 行 申请日：日期格式") for m in messages)
    assert (report.rows_total, report.rows_valid, report.error_count) == (9, 2, 7)


def test_valid_only_keeps_the_good_rows(tmp_path: Path) -> None:
    report = mark_import(path=bad_file(tmp_path), valid_only=True)
    assert report.saved and report.created == 2
    assert sorted(Mark.objects.values_list("number", flat=True)) == ["1", "8"]


def test_over_long_mark_and_number(tmp_path: Path) -> None:
    report = mark_import(path=csv_file(tmp_path, f"{'商' * 61},1,30,,,,,,,", f"康师傅,{'9' * 33},30,,,,,,,"))
    messages = [str(e) for e in report.errors]
    assert messages[0].startswith("第 2 行 商标：商标文字过长")
    assert messages[1] == "第 3 行 注册号：注册号不能超过 32 个字符。"


def test_errors_in_english(tmp_path: Path) -> None:
    with translation.override("en"):
        report = mark_import(path=csv_file(tmp_path, "康师傅,1,46,,,,,,,"))
    # gettext: English once locale/en has the message, the Chinese msgid until then; the row is named either way.
    assert report.errors[0].row == 2 and report.errors[0].column == "类别"


def test_command_writes_report_and_refuses_without_valid_only(tmp_path: Path) -> None:
    path = bad_file(tmp_path)
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("tm_import", str(path), "--no-progress", stderr=err)
    report_file = tmp_path / "marks.csv.errors.csv"
    lines = report_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,column,message"
    assert lines[1] == "3,商标,商标文字不能为空。"
    assert len(lines) == 8
    assert "第 3 行 商标" in err.getvalue()
    assert Mark.objects.count() == 0


def test_command_valid_only(tmp_path: Path) -> None:
    out = StringIO()
    target = tmp_path / "errors.csv"
    call_command(
        "tm_import",
        str(bad_file(tmp_path)),
        "--valid-only",
        "--report",
        str(target),
        "--no-progress",
        stdout=out,
        stderr=StringIO(),
    )
    assert "9 rows: 2 valid, 7 errors; created 2, updated 0" in out.getvalue()
    assert target.exists()
    assert Mark.objects.count() == 2


def test_command_file_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("tm_import", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="缺少必需的列"):
        call_command("tm_import", str(csv_file(tmp_path, "a", header="foo")), "--no-progress")


def test_batches_are_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("weiyuan.marks.importing.BATCH_SIZE", 3)
    rows = [f"商标{i},{i},30,,,,,,," for i in range(8)]
    report = mark_import(path=csv_file(tmp_path, *rows))
    assert report.created == 8
    assert AuditEvent.objects.filter(action="mark.import").count() == 3
