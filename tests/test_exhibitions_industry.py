"""Issue #6: the exhibitor's industry, a section 门类 of GB/T 4754-2017 (`core.choices.Industry`), optional in the
exhibitor import (letter or Chinese name), a bad value refused per row naming the column."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.exhibitions_support import fair
from weiyuan.core.choices import Industry
from weiyuan.exhibitions import importing, services

pytestmark = pytest.mark.django_db


def test_the_twenty_sections_of_the_standard():
    assert Industry.values == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    with translation.override("zh-hans"):
        labels = {code: str(label) for code, label in Industry.choices}
    assert labels["A"] == "农、林、牧、渔业"
    assert labels["C"] == "制造业"
    assert labels["I"] == "信息传输、软件和信息技术服务业"
    assert labels["T"] == "国际组织"


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("C", "C"),
        ("c", "C"),
        ("Ｃ", "C"),  # full-width
        ("制造业", "C"),
        (" 批发和零售业 ", "F"),
        ("农,林,牧,渔业", "A"),
        ("C 制造业", "C"),
        ("I-信息传输、软件和信息技术服务业", "I"),
        ("", ""),
    ],
)
def test_a_cell_is_read_as_letter_or_name(cell: str, code: str):
    assert importing.industry_code(cell) == code


@pytest.mark.parametrize("cell", ["U", "Z", "电器", "C 批发和零售业", "39", "制造"])
def test_a_value_outside_the_standard_is_not_a_section(cell: str):
    assert importing.industry_code(cell) is None


def test_the_import_stores_the_section(network: dict[str, Any]) -> None:
    event, _station = fair(network)
    csv = "展位号,参展企业,industry\nB1,甲公司,C\nB2,乙公司,信息传输、软件和信息技术服务业\nB3,丙公司,\n"
    result = services.exhibitors_import(event=event, actor=network["sh_handler"], name="a.csv", data=csv.encode())
    assert result.created == 3
    assert dict(event.exhibitors.values_list("booth", "industry")) == {"B1": "C", "B2": "I", "B3": ""}
    # Re-imported with another section: updated, not duplicated.
    again = "展位号,参展企业,行业门类\nB1,甲公司,批发和零售业\n"
    services.exhibitors_import(event=event, actor=network["sh_handler"], name="b.csv", data=again.encode())
    assert event.exhibitors.get(booth="B1").industry == "F"


def test_a_bad_section_is_a_row_error_naming_the_column_and_saves_nothing(network: dict[str, Any]) -> None:
    event, _station = fair(network)
    csv = "参展企业,展位号,行业门类\n甲公司,B1,C\n乙公司,B2,电子电器\n丙公司,B3,U\n"
    with pytest.raises(ValidationError) as refused:
        services.exhibitors_import(event=event, actor=network["sh_handler"], name="x.csv", data=csv.encode())
    messages = refused.value.message_dict["file"]
    assert any(m.startswith("第 3 行「行业门类」：无法识别的行业门类「电子电器」") for m in messages), messages
    assert any(m.startswith("第 4 行「行业门类」") and "A 至 T" in m for m in messages), messages
    assert [(e.row, e.column) for e in refused.value.row_errors] == [(3, "industry"), (4, "industry")]
    assert not event.exhibitors.exists()
    # Valid rows only: the good row is saved, the two others listed.
    result = services.exhibitors_import(
        event=event, actor=network["sh_handler"], name="x.csv", data=csv.encode(), valid_only=True
    )
    assert result.created == 1 and [e.row for e in result.skipped] == [3, 4]
    assert event.exhibitors.get().industry == "C"


def test_the_event_page_lists_the_section(network: dict[str, Any], client: Any) -> None:
    event, _station = fair(network)
    csv = "参展企业,展位号,行业门类\n甲公司,B1,C\n"
    services.exhibitors_import(event=event, actor=network["sh_handler"], name="x.csv", data=csv.encode())
    client.force_login(network["sh_handler"])
    page = client.get(f"/exhibitions/{event.pk}/").content.decode()
    assert "C 制造业" in page
    # A bad cell uploaded through the page is named with its row and column.
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.csv", "参展企业,展位号,行业门类\n乙公司,B2,电子\n".encode(), content_type="text/csv")
    response = client.post(f"/exhibitions/{event.pk}/exhibitors/", {"file": bad})
    assert response.status_code == 400
    assert "第 2 行 「行业门类」" in response.content.decode()
