"""The expert database in English and Chinese: an English export imports again, the allowed values are listed in
the reader's language, and the pages and the matching reasons use the punctuation of the active language."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation

from tests.experts_support import expert_input, make_expert, row, workbook
from tests.factories import ApplicantFactory, make_case
from tests.test_english_pages import full_width_marks, reader
from tests.test_english_pages import visible as visible_text
from weiyuan.experts.exporting import write_export
from weiyuan.experts.importing import expert_import
from weiyuan.experts.models import Expert
from weiyuan.experts.validation import Lookups, clean_expert

pytestmark = pytest.mark.django_db


def test_an_english_export_imports_again(network: dict[str, Any]) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    make_expert(
        d,
        sh,
        name="双语",
        languages=["zh", "en", "ja"],
        qualifications=["lawyer", "judge"],
        availability="busy",
        busy_until="2031-01-31",
    )
    buffer = io.BytesIO()
    with translation.override("en"):
        assert write_export(buffer, Expert.objects_unscoped.all()) == 1
        buffer.seek(0)
        report = expert_import(actor=d, centre=sh, fileobj=buffer)
    assert report.error_count == 0, [e.message for e in report.errors]
    expert = Expert.objects_unscoped.get()
    assert expert.languages == ["zh", "en", "ja"] and expert.qualifications == ["lawyer", "judge"]
    assert expert.availability == "busy"


def test_names_and_codes_of_both_languages_are_accepted(network: dict[str, Any]) -> None:
    for language in ("zh-hans", "en"):
        with translation.override(language):
            clean, errors = clean_expert(
                expert_input(languages=["English", "日语", "ko"], qualifications=["Lawyer", "专利代理师"]), Lookups()
            )
        assert not errors, errors
        assert clean is not None
        assert clean.languages == ["en", "ja", "ko"] and clean.qualifications == ["lawyer", "patent_attorney"]


def test_the_allowed_values_follow_the_reader_s_language(network: dict[str, Any]) -> None:
    with translation.override("en"):
        _clean, errors = clean_expert(expert_input(languages=["Klingon"], qualifications=["wizard"]), Lookups())
    assert "Chinese, English, Japanese…" in errors["languages"] and "zh, en, ja…" in errors["languages"]
    assert "Patent attorney, Lawyer" in errors["qualifications"] and "、" not in errors["qualifications"]
    _clean, errors = clean_expert(expert_input(languages=["克林贡语"]), Lookups())
    assert "中文、英语、日语……或 zh、en、ja……" in errors["languages"]


def test_an_import_error_lists_values_in_english(network: dict[str, Any]) -> None:
    with translation.override("en"):
        report = expert_import(
            actor=network["sh_director"],
            centre=network["shanghai"],
            fileobj=workbook([row(姓名="甲", 所属单位="乙研究院", 工作语言="Elvish; Orcish")]),
        )
    message = report.errors[0].message
    assert "Elvish, Orcish" in message and "（" not in message


def _pages(network: dict[str, Any]) -> tuple[Any, Any]:
    d, sh = network["sh_director"], network["shanghai"]
    expert = make_expert(
        d,
        sh,
        name="标点专家",
        organisation_name="标点研究院",
        fields=["trademark_law", "patent_law"],
        ipc_classes=["H04L 9/32"],
        languages=["zh", "en"],
        regions=["310000", "330000"],
        qualifications=["lawyer", "judge"],
    )
    expert.rating_total, expert.rating_count = 9, 2
    expert.save(update_fields=["rating_total", "rating_count"])
    make_expert(d, sh, name="冲突专家", fields=["trademark_law"], organisation_name="上海云澜智能科技有限公司")
    case = make_case(
        sh, ApplicantFactory(), applicant_name="上海云澜智能科技有限公司", respondent_name="某被请求人公司"
    )
    return expert, case


def test_expert_pages_in_english_have_no_full_width_marks(network: dict[str, Any]) -> None:
    expert, case = _pages(network)
    client = reader(network["sh_director"], "en")
    data = ("上海云澜智能科技有限公司", "标点研究院")
    assert full_width_marks(client.get("/experts/")) == []
    assert full_width_marks(client.get(f"/experts/{expert.pk}/"), user_content=data) == []
    criteria = "given=1&expertise=trademark_law&expertise=patent_law&ipc=H04L+9/32&languages=en&languages=zh"
    url = f"/cases/{case.tracking_number}/experts/?{criteria}"
    page = client.get(url)
    assert full_width_marks(page, user_content=data) == []
    text = page.content.decode()
    assert "H04L 9/32 (" in text
    bad = client.get("/experts/?nice=46")
    assert full_width_marks(bad) == []


def test_expert_pages_in_chinese_keep_their_punctuation(network: dict[str, Any]) -> None:
    expert, case = _pages(network)
    client = reader(network["sh_director"], "zh-hans")
    detail = client.get(f"/experts/{expert.pk}/").content.decode()
    assert "律师、法官或仲裁员（含曾任）" in detail and "4.5（" in detail
    page = client.get(
        f"/cases/{case.tracking_number}/experts/?given=1&expertise=trademark_law&expertise=patent_law&ipc=H04L+9/32"
    )
    text = " ".join(visible_text(page).split())
    assert "申请人：" in text and "H04L 9/32（大组相同）" in text and "（上海云澜智能科技有限公司）" in text, text
