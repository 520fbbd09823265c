"""Importing experts from Excel: per-row errors (row, column, reason), wrong columns, bad classes, duplicates,
nothing saved from a file with errors unless "valid rows only", upserts by 专家编号, and the export round trip."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.experts_support import HEADERS, credit_code, make_expert, read_rows, row, workbook
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.experts.exporting import write_export, write_template
from weiyuan.experts.importing import expert_import
from weiyuan.experts.models import Expert, ExpertFacet

pytestmark = pytest.mark.django_db


def run(network: dict[str, Any], rows: list[list[Any]], **kwargs: Any) -> Any:
    headers = kwargs.pop("headers", None)
    actor = kwargs.pop("actor", network["sh_director"])
    centre = kwargs.pop("centre", network["shanghai"])
    return expert_import(actor=actor, centre=centre, fileobj=workbook(rows, headers), **kwargs)


def messages(report: Any) -> list[str]:
    return [e.message for e in report.errors]


def test_a_clean_file_imports_every_row(network: dict[str, Any]) -> None:
    code = credit_code("9131011506012345")
    report = run(
        network,
        [
            row(
                姓名="张明远",
                所属单位="华东知识产权研究院",
                所属单位统一社会信用代码=code,
                专业领域="专利法、电子与通信",
                **{"IPC 分类": "H04L; g06f 16/00", "小时费率（元）": 600},
                尼斯分类="9，42",
                工作语言="中文、英语",
                服务地区="上海市、320500",
                资格="专利代理师",
                可用状态="忙碌",
                忙碌至=dt.date(2031, 1, 31),
                利益冲突单位="上海某某科技有限公司||曾任法律顾问; 杭州某某有限公司",
            ),
            row(姓名="李华", 所属单位=""),
        ],
    )
    assert report.error_count == 0 and report.saved
    assert (report.rows_total, report.created, report.updated) == (2, 2, 0)
    expert = Expert.objects_unscoped.get(name="张明远")
    assert expert.organisation_credit_code == code
    assert expert.ipc_classes == ["H04L", "G06F 16/00"]
    assert expert.nice_classes == [9, 42]
    assert expert.languages == ["zh", "en"]
    assert sorted(r.code for r in expert.regions.all()) == ["310000", "320500"]  # "上海市": the province
    assert sorted(f.code for f in expert.fields.all()) == ["electronics", "patent_law"]
    assert expert.busy_until == dt.date(2031, 1, 31)
    assert [(c.name, c.note) for c in expert.conflicts.all()] == [
        ("上海某某科技有限公司", "曾任法律顾问"),
        ("杭州某某有限公司", ""),
    ]
    assert expert.centre == network["shanghai"] and expert.created_by == network["sh_director"]
    assert ExpertFacet.objects.filter(expert=expert, key="ipc:H04L").exists()
    event = AuditEvent.objects.get(action="expert.import_done")
    assert event.after["created"] == 2 and len(event.after["file_sha256"]) == 64


def test_every_bad_cell_is_reported_by_row_and_column_and_nothing_is_saved(network: dict[str, Any]) -> None:
    report = run(
        network,
        [
            row(姓名="甲", 所属单位="单位甲", 尼斯分类="25, 46"),
            row(姓名="", 所属单位="单位乙"),
            row(姓名="丙", 所属单位="单位丙", **{"IPC 分类": "H04"}),
            row(姓名="丁", 所属单位="单位丁", 工作语言="克林贡语", 可用状态="忙碌"),
            row(姓名="戊", 所属单位="单位戊", 所属单位统一社会信用代码="91310115MA1K4BCD10", 服务地区="火星"),
            row(姓名="己", 所属单位="单位己"),
        ],
    )
    assert not report.saved and not Expert.objects_unscoped.exists()
    assert (report.rows_total, report.rows_valid, report.rows_with_errors) == (6, 1, 5)
    got = messages(report)
    assert "第 2 行，尼斯分类：46 不是 1-45 之间的类别" in got
    assert "第 3 行，姓名：此项必填。" in got
    assert any(m.startswith("第 4 行，IPC 分类：H04 不是有效的 IPC 分类号") for m in got)
    assert any(m.startswith("第 5 行，工作语言：不认识的值：克林贡语") for m in got)
    assert "第 5 行，忙碌至：状态为忙碌时，请填写忙碌至哪一天。" in got
    assert any(m.startswith("第 6 行，所属单位统一社会信用代码：") for m in got)
    assert any(m.startswith("第 6 行，服务地区：找不到地区：火星") for m in got)


def test_valid_only_imports_the_valid_rows_and_reports_the_rest(network: dict[str, Any]) -> None:
    rows = [row(姓名="甲", 所属单位="单位甲", 尼斯分类="46"), row(姓名="乙", 所属单位="单位乙", 尼斯分类="45")]
    report = run(network, rows, valid_only=True)
    assert report.saved and report.created == 1 and report.rows_with_errors == 1
    assert messages(report) == ["第 2 行，尼斯分类：46 不是 1-45 之间的类别"]
    assert list(Expert.objects_unscoped.values_list("name", flat=True)) == ["乙"]


def test_wrong_missing_and_repeated_columns_are_named(network: dict[str, Any]) -> None:
    headers = [h for h in HEADERS if h != "姓名"] + ["尼斯分类号", "所属单位"]
    report = run(network, [["x"] * len(headers)], headers=headers)
    assert not report.saved
    assert report.file_error.startswith("第 1 行（表头）：缺少列：姓名；不认识的列：尼斯分类号；重复的列：所属单位。")
    assert not Expert.objects_unscoped.exists()


def test_headers_match_without_spaces_or_full_width_forms(network: dict[str, Any]) -> None:
    report = run(network, [["王五", "某研究所", "H04L", "3"]], headers=["姓名", "所属单位", "IPC分类", "小时费率(元)"])
    assert report.saved, messages(report)
    assert Expert.objects_unscoped.get(name="王五").ipc_classes == ["H04L"]


def test_not_an_excel_file(network: dict[str, Any]) -> None:
    report = expert_import(
        actor=network["sh_director"], centre=network["shanghai"], fileobj=io.BytesIO("姓名,所属单位\n".encode())
    )
    assert report.file_error.startswith("文件不是 Excel 工作簿（.xlsx）")
    empty = workbook([], headers=[])
    assert (
        "文件是空的：第 1 行应为表头"
        in expert_import(actor=network["sh_director"], centre=network["shanghai"], fileobj=empty).file_error
    )


def test_duplicates_within_the_file_and_against_the_database(network: dict[str, Any]) -> None:
    existing = make_expert(
        network["sh_director"], network["shanghai"], name="赵六", organisation_name="某某大学", credential_number="A123"
    )
    report = run(
        network,
        [
            row(姓名="孙七", 所属单位="某研究院有限公司"),
            row(姓名="孙 七", 所属单位="某研究院有限责任公司"),  # the same person, written differently
            row(姓名="赵六", 所属单位="某某大学"),
            row(姓名="周八", 所属单位="别处", 资格证书编号="a123"),
        ],
    )
    got = messages(report)
    assert "第 3 行，姓名：与第 2 行重复（同一姓名和所属单位）。" in got
    assert (
        f"第 4 行，姓名：与库中专家（编号 {existing.pk}）重复：同一姓名和所属单位。"
        f"如需更新该专家，请在「专家编号」列填写 {existing.pk}。"
    ) in got
    assert any(m.startswith(f"第 5 行，资格证书编号：与库中专家（编号 {existing.pk}）的资格证书编号相同") for m in got)
    assert not report.saved and Expert.objects_unscoped.count() == 1


def test_a_row_with_the_expert_number_updates_that_expert(network: dict[str, Any]) -> None:
    d = network["sh_director"]
    expert = make_expert(d, network["shanghai"], name="钱九", organisation_name="旧单位", nice_classes=["9"])
    version = expert.version
    report = run(
        network, [[expert.pk, "钱九", "新单位", "25, 35"]], headers=["专家编号", "姓名", "所属单位", "尼斯分类"]
    )
    assert report.saved and report.updated == 1 and report.created == 0, messages(report)
    expert.refresh_from_db()
    assert (expert.organisation_name, expert.nice_classes, expert.version) == ("新单位", [25, 35], version + 1)
    # Columns not in the file keep their values.
    assert [f.code for f in expert.fields.all()] == ["patent_law"]
    assert ExpertFacet.objects.filter(expert=expert, key="nice:35").exists()
    assert not ExpertFacet.objects.filter(expert=expert, key="nice:9").exists()


def test_an_update_of_another_centre_s_expert_or_an_unknown_number_is_refused(network: dict[str, Any]) -> None:
    theirs = make_expert(network["zj_director"], network["zhejiang"], name="浙江专家")
    report = run(
        network,
        [
            row(专家编号=theirs.pk, 姓名="浙江专家", 所属单位=theirs.organisation_name),
            row(专家编号=999999, 姓名="无", 所属单位="无"),
        ],
    )
    assert messages(report) == [
        f"第 2 行，专家编号：专家 {theirs.pk} 由其他机构维护，本中心不能修改。",
        "第 3 行，专家编号：库中没有编号为 999999 的专家。",
    ]
    assert not report.saved


def test_only_directors_import_for_their_own_centres(network: dict[str, Any]) -> None:
    with pytest.raises(TransitionRefused) as refused:
        run(network, [row(姓名="甲", 所属单位="乙")], actor=network["sh_handler"])
    assert refused.value.status == 403
    with pytest.raises(TransitionRefused):
        run(network, [row(姓名="甲", 所属单位="乙")], centre=network["zhejiang"])


def test_export_round_trip(network: dict[str, Any]) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    make_expert(
        d,
        sh,
        name="往返",
        organisation_name="往返研究院",
        organisation_credit_code=credit_code("9131011506054321"),
        fields=["trademark_law", "ecommerce_law"],
        ipc_classes=["G06Q 30/02"],
        nice_classes=["35", "9"],
        languages=["zh", "en"],
        regions=["310000", "330100"],
        qualifications=["lawyer", "judge"],
        availability="busy",
        busy_until="2031-06-30",
        fee_terms="按次收费",
        hourly_rate="1200.50",
        conflicts=[("某某贸易有限公司", credit_code("9133010631149999"), "曾任顾问"), ("某某科技有限公司", "", "")],
        credential_number="LAW-001",
    )
    make_expert(d, sh, name="全国", regions=[], title="研究员")
    before = {e.pk: _profile(e) for e in Expert.objects_unscoped.all()}
    buffer = io.BytesIO()
    assert write_export(buffer, Expert.objects_unscoped.all()) == 2
    rows = read_rows(buffer.getvalue())
    assert rows[0][: len(HEADERS)] == HEADERS and rows[0][len(HEADERS) :] == ["维护机构", "平均评分", "评分次数"]
    report = expert_import(actor=d, centre=sh, fileobj=buffer)
    assert report.error_count == 0, messages(report)
    assert (report.created, report.updated) == (0, 2)
    after = {e.pk: _profile(e) for e in Expert.objects_unscoped.all()}
    assert after == before


def _profile(e: Expert) -> dict[str, Any]:
    return {
        "name": e.name,
        "organisation": (e.organisation_name, e.organisation_credit_code),
        "fields": sorted(f.code for f in e.fields.all()),
        "classes": (e.ipc_classes, e.nice_classes),
        "languages": e.languages,
        "regions": sorted(r.code for r in e.regions.all()),
        "qualifications": e.qualifications,
        "availability": (e.availability, e.busy_until),
        "fees": (e.fee_terms, e.hourly_rate),
        "conflicts": [(c.name, c.credit_code, c.note) for c in e.conflicts.all()],
        "credential": e.credential_number,
        "active": e.active,
        "facets": sorted(ExpertFacet.objects.filter(expert=e).values_list("key", flat=True)),
    }


def test_the_template_s_example_row_imports(network: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    write_template(buffer)
    rows = read_rows(buffer.getvalue())
    assert rows[0] == HEADERS and len(rows) == 2
    report = expert_import(actor=network["sh_director"], centre=network["shanghai"], fileobj=buffer)
    assert report.saved and report.created == 1, messages(report)


def test_management_commands_import_and_export(network: dict[str, Any], tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(
        workbook([row(姓名="甲", 所属单位="单位甲"), row(姓名="乙", 所属单位="单位乙", 尼斯分类="0")]).getvalue()
    )
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("experts_import", str(source), "--centre", "sh", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Expert.objects_unscoped.exists()
    out = io.StringIO()
    call_command("experts_import", str(source), "--valid-only", "--centre", "sh", stdout=out, stderr=io.StringIO())
    assert "created 1" in out.getvalue()
    target = tmp_path / "out.xlsx"
    call_command("experts_export", str(target), stdout=io.StringIO())
    assert [r[1] for r in read_rows(target.read_bytes())[1:]] == ["甲"]
