"""The opinion letter: a real PDF (WeasyPrint) with the number, parties, right, basis with the cited article texts,
the chart, reasoning, verdict, notes, signer and the reference-opinion notice; Chinese fonts embedded; the SHA-256
recorded on the opinion matches the stored bytes and the bytes served."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.opinions_support import issued, new_opinion, opinion_world
from tests.pdf_support import pdf_fonts, pdf_text
from weiyuan.core.pdf import cjk_font_installed
from weiyuan.opinions import services
from weiyuan.opinions.letter import opinion_letter_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(network: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = False
    return opinion_world(network)


def flat(text: str) -> str:
    """The extracted text without the line breaks of the layout."""
    return "".join(text.split())


def test_patent_letter_text_fonts_and_fingerprint(w: dict[str, Any]) -> None:
    assert cjk_font_installed(), "fonts-noto-cjk is missing: run `make system-deps`"
    opinion = issued(w, comparison="equivalent")
    stored = opinion.letter.open("rb").read()
    assert stored.startswith(b"%PDF-")
    assert opinion.letter_sha256 == hashlib.sha256(stored).hexdigest()
    assert opinion.letter_size == len(stored) and opinion.state == "issued"
    text = flat(pdf_text(stored))
    for expected in (
        "侵权判定参考意见书",
        opinion.number,
        w["case"].applicant_name,
        w["case"].respondent_name,
        "ZL202320123456.7",
        "专利法第十一条",
        "保护范围以其权利要求的内容为准",  # the cited article's text
        "以卡扣代替销轴",  # equivalence reasoning in the chart
        "构成等同侵权的可能性较大",
        "被请求人未提出现有技术抗辩",
        "可将锁止销改为磁吸定位",
        "本意见仅供参考，不具有法律约束力",
        "上海市知识产权维权援助中心",
        "文件不能包含其自身的指纹",
    ):
        assert flat(expected) in text, expected
    fonts = pdf_fonts(stored)
    assert any("CJK" in name for name in fonts), fonts
    assert all(fonts.values()), f"every font must be embedded: {fonts}"


def test_served_bytes_match_the_recorded_sha256(w: dict[str, Any]) -> None:
    opinion = issued(w)
    client = Client()
    client.force_login(w["applicant"])
    response = client.get(f"/opinions/{opinion.pk}/letter/")
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == opinion.letter_sha256
    assert opinion.number in response["Content-Disposition"]
    # The page of the opinion shows the fingerprint (the PDF cannot).
    client.force_login(w["sh_handler"])
    assert opinion.letter_sha256 in client.get(f"/opinions/{opinion.pk}/").content.decode()


def test_sign_on_the_page_issues_the_letter(w: dict[str, Any]) -> None:
    from tests.opinions_support import reviewed

    opinion = reviewed(w)
    client = Client()
    client.force_login(w["sh_director"])
    response = client.post(f"/opinions/{opinion.pk}/act/sign/")
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.state == "issued" and len(opinion.letter_sha256) == 64


def test_trademark_letter(w: dict[str, Any]) -> None:
    from tests.test_opinions_flow import TRADEMARK

    opinion = new_opinion(w, kind="trademark")
    services.trademark_save(opinion=opinion, actor=w["expert"], data=TRADEMARK)
    services.opinion_update(
        opinion=opinion,
        actor=w["expert"],
        data=services.NotesInput(title=opinion.title, accused_object="雲瀾 蓝牙音箱", basis="专利法 第十一条"),
    )
    opinion = services.opinion_act(opinion=opinion, actor=w["expert"], action="submit")
    opinion = services.opinion_act(opinion=opinion, actor=w["sh_handler"], action="review")
    opinion = services.opinion_act(opinion=opinion, actor=w["sh_director"], action="sign")
    opinion = opinion_letter_generate(opinion=opinion, actor=w["sh_director"])
    text = flat(pdf_text(opinion.letter.open("rb").read()))
    assert "雲瀾" in text and "类似群0907" in text and "构成侵权的可能性较大" in text


def test_bench_command_runs_with_tiny_n(capsys: Any) -> None:
    call_command("opinions_bench", "--runs", "1")
    out = capsys.readouterr().out
    assert "p50" in out and "p95" in out and "features" in out
