"""Evaluation pages: the scheme and indicator forms with bad input named per field, the assessment page (self
assessment with HTMX, evidence upload and audited download, scoring, steps), results hidden from the centre until
the scheme is closed, the PDFs (bytes start with %PDF, text readable), the ranking's Excel file opened with openpyxl,
query counts of the list pages, and one run against the real KPIs (weiyuan.kpis) with cases made by factories."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.evaluation_support import (
    YEAR,
    assessment_of,
    finalise,
    indicator,
    national_director,
    published,
    scheme_with_indicators,
    self_assess_all,
    use_kpis,
)
from tests.factories import CentreFactory, make_case, pdf_upload, staff
from tests.pdf_support import pdf_text
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as case_services
from weiyuan.core.choices import Role
from weiyuan.core.pdf import cjk_font_installed
from weiyuan.evaluation import services
from weiyuan.evaluation.models import AssessmentFile, AssessmentState, Indicator

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_scheme_and_indicator_forms_name_the_bad_fields(network: dict[str, Any]) -> None:
    client = login(national_director(network))
    response = client.post(reverse("evaluation:scheme_new"), {"year": "20x5", "title": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "年度应为四位数字" in page and "请填写名称" in page
    response = client.post(reverse("evaluation:scheme_new"), {"year": "2025", "title": "2025 年度绩效评价"})
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:scheme", args=[2025])
    url = reverse("evaluation:indicator_new", args=[2025])
    bad = {"code": "A1", "name": "受理率", "kind": "formula", "weight": "60", "max_score": "10", "formula": "rate*10"}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert 'id="field-formula"' in response.content.decode() and "未知的名称：rate" in response.content.decode()
    good = {**bad, "formula": "max_score * acceptance_rate"}
    assert client.post(url, good).status_code == 302
    page = client.get(reverse("evaluation:scheme", args=[2025])).content.decode()
    assert "max_score * acceptance_rate" in page and "须为 100 才能发布" in page
    # Publishing with weights summing to 60: refused with the sum (409).
    response = client.post(reverse("evaluation:scheme_act", args=[2025, "publish"]))
    assert response.status_code == 409 and "60" in response.content.decode()
    indicator = Indicator.objects.get(code="A1")
    edit = reverse("evaluation:indicator_edit", args=[2025, indicator.pk])
    assert client.post(edit, {**good, "weight": "100"}).status_code == 302
    assert client.post(reverse("evaluation:scheme_act", args=[2025, "publish"])).status_code == 302
    assert client.post(edit, {**good, "weight": "50"}).status_code == 409  # frozen once published


def test_the_self_assessment_on_the_page(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    a = assessment_of(scheme, network["shanghai"])
    m1 = a.items.get(indicator__code="M1")
    director = login(network["sh_director"])
    page = director.get(reverse("evaluation:assessment", args=[a.pk])).content.decode()
    assert "保存自评" in page and "依据年度工作报告" in page
    url = reverse("evaluation:item_self", args=[a.pk, m1.pk])
    # HTMX: the item alone comes back, with the field named.
    response = director.post(url, {"self_score": "25", "self_explanation": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    fragment = response.content.decode()
    assert fragment.startswith('<section class="card eval-item"') and "自评分应在 0 至 20 之间" in fragment
    assert "请填写自评说明" in fragment
    response = director.post(
        url, {"self_score": "18", "self_explanation": "全年开展活动 12 场。"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "全年开展活动 12 场。" in response.content.decode()
    upload = reverse("evaluation:file_upload", args=[a.pk, m1.pk])
    assert director.post(upload, {"file": pdf_upload("活动记录.pdf")}).status_code == 302
    attached = AssessmentFile.objects.get(item=m1)
    download = director.get(reverse("evaluation:file", args=[attached.pk]))
    assert download.status_code == 200 and download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert AuditEvent.objects.filter(action="evaluation.file.download").count() == 1
    assert director.post(reverse("evaluation:assessment_act", args=[a.pk, "submit"])).status_code == 302
    a.refresh_from_db()
    assert a.state == AssessmentState.SUBMITTED
    # The reviewer (the national director) scores; the supervisor reads only.
    reviewer = login(national_director(network))
    review = reverse("evaluation:item_review", args=[a.pk, m1.pk])
    response = reviewer.post(review, {"score": "abc", "review_comment": ""})
    assert response.status_code == 400 and "评分应为数字" in response.content.decode()
    assert reviewer.post(review, {"score": "15", "review_comment": "佐证充分。"}).status_code == 302
    response = login(network["national_supervisor"]).post(review, {"score": "1"})
    assert response.status_code == 403
    response = reviewer.post(reverse("evaluation:assessment_act", args=[a.pk, "return"]), {"reason": ""})
    assert response.status_code == 400 and "请填写退回原因" in response.content.decode()
    assert reviewer.post(reverse("evaluation:assessment_act", args=[a.pk, "finalise"])).status_code == 302
    a.refresh_from_db()
    assert a.total == Decimal("83.34")


def test_results_are_shown_to_the_centre_after_the_scheme_closes(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    a = finalise(assessment_of(scheme, network["shanghai"]), network["sh_director"], national_director(network))
    director = login(network["sh_director"])
    page = director.get(reverse("evaluation:assessment", args=[a.pk])).content.decode()
    assert "83.34" not in page and "评价结果在评价方案结束后公布" in page
    assert director.get(reverse("evaluation:assessment_report", args=[a.pk])).status_code == 403
    assert (
        "83.34" in login(network["sh_supervisor"]).get(reverse("evaluation:assessment", args=[a.pk])).content.decode()
    )
    services.scheme_transition(scheme=scheme, actor=national_director(network), action="close")
    page = director.get(reverse("evaluation:assessment", args=[a.pk])).content.decode()
    assert "83.34" in page and "第 1 名（共 1 家）" in page
    ranking = director.get(reverse("evaluation:ranking", args=[YEAR])).content.decode()
    assert "83.34" in ranking


@pytest.mark.skipif(not cjk_font_installed(), reason="Noto CJK fonts not installed (make system-deps)")
def test_pdf_reports(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    a = finalise(assessment_of(scheme, network["shanghai"]), network["sh_director"], national_director(network))
    supervisor = login(network["national_supervisor"])
    response = supervisor.get(reverse("evaluation:assessment_report", args=[a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "83.34" in text and "acceptance_rate = 0.8" in text
    response = supervisor.get(reverse("evaluation:network_report", args=[YEAR]))
    assert response.content.startswith(b"%PDF")
    assert "上海市知识产权维权援助中心" in pdf_text(response.content)
    # The whole network's report is for the organiser and the supervisors above every centre.
    assert login(network["sh_supervisor"]).get(reverse("evaluation:network_report", args=[YEAR])).status_code == 403


def test_ranking_excel(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    national = national_director(network)
    finalise(assessment_of(scheme, network["shanghai"]), network["sh_director"], national, manual_score="15")
    finalise(assessment_of(scheme, network["zhejiang"]), network["zj_director"], national, manual_score="20")
    response = login(network["national_supervisor"]).get(reverse("evaluation:ranking_export", args=[YEAR]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("上级机构", "名次", "机构代码", "机构", "总分") and rows[0][5].startswith("A1 ")
    assert [r[:5] for r in rows[1:]] == [
        ("国家知识产权维权援助指导中心", 1, "zj", "浙江省知识产权维权援助中心", 93.34),
        ("国家知识产权维权援助指导中心", 2, "sh", "上海市知识产权维权援助中心", 83.34),
    ]
    assert rows[1][5:] == (8.89, 20) and rows[2][5:] == (8.89, 15)
    # The Shanghai supervisor's export holds only its subtree.
    response = login(network["sh_supervisor"]).get(reverse("evaluation:ranking_export", args=[YEAR]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["sh"]


def test_list_pages_have_a_constant_number_of_queries(
    network: dict[str, Any], monkeypatch: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        CentreFactory(code=f"p{n}", name=f"省中心{n}", parent=network["national"])
    scheme = published(network)
    supervisor = login(network["national_supervisor"])
    supervisor.get(reverse("evaluation:list"))  # warm the session
    with django_assert_max_num_queries(10):
        assert supervisor.get(reverse("evaluation:list")).status_code == 200
    with django_assert_max_num_queries(14):
        page = supervisor.get(reverse("evaluation:scheme", args=[YEAR]))
    assert page.status_code == 200 and page.content.decode().count('href="/evaluation/assessments/') == 15
    assert scheme.assessments.count() == 15
    with django_assert_max_num_queries(12):
        assert supervisor.get(reverse("evaluation:ranking", args=[YEAR])).status_code == 200


def test_who_gets_the_pages(network: dict[str, Any]) -> None:
    scheme_with_indicators(network)
    # A draft scheme is the organiser's: others get 404; the list is for directors and supervisors.
    assert login(network["sh_director"]).get(reverse("evaluation:scheme", args=[YEAR])).status_code == 404
    assert login(national_director(network)).get(reverse("evaluation:scheme", args=[YEAR])).status_code == 200
    assert login(network["sh_handler"]).get(reverse("evaluation:list")).status_code == 403
    assert login(network["sh_director"]).get(reverse("evaluation:scheme_new")).status_code == 403


def test_formula_indicators_from_the_real_kpis(network: dict[str, Any]) -> None:
    """No stand-in: cases made by factories, the KPI aggregates rebuilt, the formula computed from kpi_values."""
    from weiyuan.kpis.services import kpi_rebuild

    year = timezone.localdate().year
    for accept in (True, True, True, False):
        case = make_case(network["shanghai"])
        if accept:
            case_services.case_accept(case=case, actor=network["sh_intake"])
        else:
            case_services.case_reject(
                case=case,
                actor=network["sh_intake"],
                reason="out_of_remit",
                text="不属于援助范围。",
                fix="请向法院起诉。",
            )
    kpi_rebuild()
    scheme = published(network, year=year)
    a = assessment_of(scheme, network["shanghai"])
    self_assess_all(a, network["sh_director"])
    services.assessment_transition(assessment=a, actor=network["sh_director"], action="submit")
    item = a.items.get(indicator__code="A1")
    assert item.computable is True
    assert item.kpi_snapshot["values"] == {"acceptance_rate": 0.75}
    # 10 x min(0.75 / 0.9, 1) = 8.33
    assert item.score == Decimal("8.33")
    # Pudong has no cases: no denominator, so the indicator is not computable and scores 0 with the reason.
    pudong_director = staff(network["pudong"], Role.DIRECTOR)
    pudong = assessment_of(scheme, network["pudong"])
    self_assess_all(pudong, pudong_director)
    services.assessment_transition(assessment=pudong, actor=pudong_director, action="submit")
    item = pudong.items.get(indicator__code="A1")
    assert (
        item.computable is False and item.score == Decimal("0.00") and "acceptance_rate" in item.not_computable_reason
    )


def test_the_assessment_page_does_not_grow_with_its_items(
    network: dict[str, Any], monkeypatch: Any, django_assert_max_num_queries: Any
) -> None:
    use_kpis(monkeypatch)
    director = national_director(network)
    scheme = services.scheme_create(actor=director, year=YEAR, title="十项指标的方案")
    for n in range(10):
        services.indicator_save(scheme=scheme, actor=director, data=indicator(f"M{n}", "manual", "10", "10"))
    services.scheme_transition(scheme=scheme, actor=director, action="publish")
    a = assessment_of(scheme, network["shanghai"])
    for item in a.items.all():
        services.item_file_add(item=item, actor=network["sh_director"], upload=pdf_upload())
    client = login(network["sh_director"])
    client.get(reverse("evaluation:assessment", args=[a.pk]))  # warm the session
    with django_assert_max_num_queries(14):
        page = client.get(reverse("evaluation:assessment", args=[a.pk]))
    assert page.content.decode().count('href="/evaluation/files/') == 10
