"""The signed major-dispute solution as a PDF: its text (title, number, case, parties, members and attendance,
minutes, views, the solution's sections, the signer, the advisory notice), the Chinese font embedded, and the
SHA-256 recorded at signing matching the stored and the downloaded bytes."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory
from tests.panels_support import major_case, ready_to_sign
from tests.pdf_support import pdf_fonts, pdf_text
from weiyuan.audit.models import AuditEvent
from weiyuan.core.pdf import cjk_font_installed
from weiyuan.panels import services as panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = major_case(w, w["applicant"])
    w["panel"] = panels.solution_sign(panel=ready_to_sign(w, case=w["case"]), actor=w["sh_director"])
    return w


def flat(text: str) -> str:
    """The extracted text without line breaks and spaces (a long line wraps anywhere in Chinese)."""
    return re.sub(r"\s+", "", text)


def test_the_pdf_says_what_the_panel_did(signed: dict[str, Any]) -> None:
    panel, case = signed["panel"], signed["case"]
    with panel.pdf.open("rb") as f:
        content = f.read()
    text = flat(pdf_text(content))
    for expected in (
        "重大纠纷解决方案",
        panel.number,
        case.tracking_number,
        case.applicant_name,
        case.respondent_name,
        "组员0（组长）",
        "组员1",
        "组员2",
        "出席",
        "一致建议先行调解",  # the minutes
        "组员1的意见",  # a view
        "工作人员代为记录",  # the views recorded by staff are marked so
        "一、基本事实",
        "二、争议焦点",
        "三、解决方案",
        "四、工作建议",
        "被请求人停止销售并赔偿",
        "签发人",
        "不是行政决定或裁判",
    ):
        assert flat(expected) in text, expected


def test_the_chinese_font_is_embedded(signed: dict[str, Any]) -> None:
    assert cjk_font_installed(), "fonts-noto-cjk is missing: run `make system-deps`"
    with signed["panel"].pdf.open("rb") as f:
        fonts = pdf_fonts(f.read())
    assert any("CJK" in name for name in fonts), fonts
    assert all(fonts.values()), fonts


def test_the_recorded_sha256_matches_the_stored_and_downloaded_bytes(signed: dict[str, Any]) -> None:
    panel = signed["panel"]
    with panel.pdf.open("rb") as f:
        stored = f.read()
    assert hashlib.sha256(stored).hexdigest() == panel.pdf_sha256
    assert panel.pdf_size == len(stored)
    assert AuditEvent.objects.get(action="panel.sign").after["pdf_sha256"] == panel.pdf_sha256
    client = Client()
    client.force_login(signed["applicant"])
    response = client.get(reverse("panels:download", kwargs={"pk": panel.pk}))
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == panel.pdf_sha256
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"


def test_the_pdf_is_stored_privately_under_a_random_name(signed: dict[str, Any]) -> None:
    name = signed["panel"].pdf.name
    assert re.fullmatch(r"panels/[0-9a-f]{32}\.pdf", name), name
    assert signed["case"].tracking_number not in name


def test_no_pdf_before_signing(network: dict[str, Any]) -> None:
    w = dict(network)
    panel = ready_to_sign(w)
    assert not panel.pdf
    client = Client()
    client.force_login(w["sh_director"])
    assert client.get(reverse("panels:download", kwargs={"pk": panel.pk})).status_code == 409
