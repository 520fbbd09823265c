"""Bad input on the intake and tracking pages: every invalid field is answered next to the field, nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, make_case, pdf_upload, staff
from tests.test_cases_web_flow import intake_post
from weiyuan.cases.models import Case
from weiyuan.core.choices import Role
from weiyuan.evidence.models import EvidenceFile


def field_block(html: str, name: str) -> str:
    """The markup of one form field (label, widget, help text and its error list)."""
    marker = f'id="field-{name}"'
    assert marker in html, f"field {name} not rendered"
    return html.split(marker, 1)[1].split('<div class="field', 1)[0]


def nothing_saved() -> None:
    assert Case.objects_unscoped.count() == 0
    assert EvidenceFile.objects_unscoped.count() == 0


@pytest.fixture
def applicant_client(network: dict[str, Any], client: Client) -> Client:
    client.force_login(ApplicantFactory(region_id="310115"))
    return client


@pytest.mark.django_db
def test_empty_facts_and_overlong_title_are_named_on_their_fields(applicant_client: Client) -> None:
    response = applicant_client.post(
        reverse("cases:intake_form"),
        {**intake_post(), "facts": "", "title": "标" * 161, "evidence": [pdf_upload()]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in field_block(html, "facts")
    title = field_block(html, "title")
    assert "errorlist" in title and "160" in title
    # The summary names each field, and says the files must be chosen again.
    assert "事实与理由：" in html and "事项：" in html
    assert "请改正后重新选择要上传的文件" in html
    nothing_saved()


@pytest.mark.django_db
def test_unknown_region_code_is_named_with_the_fix(applicant_client: Client) -> None:
    response = applicant_client.post(reverse("cases:intake_form"), {**intake_post(), "applicant_region": "999999"})
    assert response.status_code == 200
    block = field_block(response.content.decode(), "applicant_region")
    assert "999999" in block and "不存在" in block
    nothing_saved()
    # The routing step answers a malformed code on its field too.
    response = applicant_client.get(
        reverse("cases:intake_start"), {"service_type": "consultation", "ip_type": "trademark", "region": "31011"}
    )
    assert "6 位数字" in field_block(response.content.decode(), "region")


@pytest.mark.django_db
def test_a_pdf_that_is_really_text_is_refused_by_content(applicant_client: Client) -> None:
    fake = SimpleUploadedFile("合同.pdf", "这其实是一段文字。".encode(), content_type="application/pdf")
    response = applicant_client.post(
        reverse("cases:intake_form"), {**intake_post(), "evidence": [pdf_upload("真的.pdf"), fake]}
    )
    assert response.status_code == 200
    block = field_block(response.content.decode(), "evidence")
    assert "合同.pdf" in block and "errorlist" in block
    nothing_saved()


@pytest.mark.django_db
def test_a_certificate_whose_name_lies_is_refused_on_its_row(applicant_client: Client) -> None:
    renamed_png = SimpleUploadedFile("证书.pdf", pdf_upload().read().replace(b"%PDF", b"\x89PNG\r\n\x1a\n"))
    response = applicant_client.post(
        reverse("cases:intake_form"), {**intake_post(), "rights-0-certificate": renamed_png}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "证书.pdf" in field_block(html, "rights-0-certificate")
    assert "权利 1 · 权利证书：" in html
    nothing_saved()


@pytest.mark.django_db
def test_service_types_that_need_a_right_and_respondent_require_them(applicant_client: Client) -> None:
    response = applicant_client.post(
        reverse("cases:intake_form"),
        {
            **intake_post(),
            "respondent_name": "",
            "rights-0-number": "",
            "rights-0-title": "",
            "rights-0-owner": "",
            "rights-0-legal_status": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "被请求人（侵权方）名称" in field_block(html, "respondent_name")
    assert "至少填写一项权利" in html
    # A right row with a title but no number names the number field.
    response = applicant_client.post(reverse("cases:intake_form"), {**intake_post(), "rights-1-title": "第二个商标"})
    assert "请填写专利号或商标注册号" in field_block(response.content.decode(), "rights-1-number")
    nothing_saved()


@pytest.mark.django_db
def test_submit_without_evidence_is_held_back_but_a_draft_is_saved(applicant_client: Client) -> None:
    response = applicant_client.post(reverse("cases:intake_form"), intake_post())
    assert response.status_code == 200
    html = response.content.decode()
    assert "受理条件尚未满足" in html and "事实与初步证据" in html
    nothing_saved()
    response = applicant_client.post(reverse("cases:intake_form"), {**intake_post(), "intent": "draft"})
    assert response.status_code == 302
    assert Case.objects_unscoped.get().state == "draft"


@pytest.mark.django_db
def test_a_service_without_rights_or_respondent_asks_for_neither(applicant_client: Client) -> None:
    params = {"service_type": "early_warning", "ip_type": "copyright", "region": "310115", "centre": "sh"}
    html = applicant_client.get(reverse("cases:intake_form"), params).content.decode()
    assert "（可选）" in html
    data = {
        **intake_post(),
        **params,
        "respondent_name": "",
        "rights-0-number": "",
        "rights-0-title": "",
        "rights-0-owner": "",
        "rights-0-legal_status": "",
    }
    for i in range(5):
        data[f"rights-{i}-ip_type"] = "copyright"
    response = applicant_client.post(reverse("cases:intake_form"), data)
    assert response.status_code == 302
    case = Case.objects_unscoped.get()
    assert case.state == "submitted" and not case.rights.exists()


@pytest.mark.django_db
def test_intake_without_step_one_goes_back_to_it(applicant_client: Client) -> None:
    response = applicant_client.get(reverse("cases:intake_form"), {"service_type": "consultation"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:intake_start")
    response = applicant_client.get(
        reverse("cases:intake_form"),
        {"service_type": "consultation", "ip_type": "trademark", "region": "310115", "centre": "no-such-centre"},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_region_lookup_offers_codes_by_place_name(applicant_client: Client) -> None:
    response = applicant_client.get(reverse("cases:region_options"), {"region": "浦东"})
    assert response.status_code == 200 and b'value="310115"' in response.content


@pytest.mark.django_db
def test_only_applicants_and_staff_record_intakes(network: dict[str, Any], client: Client) -> None:
    client.force_login(staff(network["shanghai"], Role.EXPERT))
    response = client.get(reverse("cases:intake_start"))
    assert response.status_code == 403 and "申请人账户或援助机构的工作人员" in response.content.decode()
    response = client.post(reverse("cases:intake_form"), intake_post())
    assert response.status_code == 403
    nothing_saved()


@pytest.mark.django_db
def test_track_page_answers_malformed_missing_and_foreign_numbers_alike(
    network: dict[str, Any], client: Client
) -> None:
    applicant = ApplicantFactory()
    own = make_case(network["shanghai"], applicant)
    foreign = make_case(network["shanghai"])
    client.force_login(applicant)

    response = client.get(reverse("cases:track"), {"tracking_number": "WY-26-1-2"})
    assert response.status_code == 200
    assert "WY-年份-5位机构号-6位序号" in field_block(response.content.decode(), "tracking_number")

    missing = client.get(reverse("cases:track"), {"tracking_number": "WY-2026-00001-999999"}).content.decode()
    other = client.get(reverse("cases:track"), {"tracking_number": foreign.tracking_number}).content.decode()
    assert "未找到案件" in field_block(missing, "tracking_number")
    assert "未找到案件" in field_block(other, "tracking_number")
    assert foreign.title not in other

    response = client.get(reverse("cases:track"), {"tracking_number": own.tracking_number.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[own.tracking_number])


@pytest.mark.django_db
def test_action_form_errors_name_the_field_and_change_nothing(network: dict[str, Any], client: Client) -> None:
    case = make_case(network["shanghai"])
    client.force_login(network["sh_intake"])
    response = client.post(reverse("cases:action", args=[case.tracking_number, "request_info"]), {"request_text": ""})
    assert response.status_code == 200
    assert "errorlist" in field_block(response.content.decode(), "request_text")
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "transfer"]), {"target": "no-such", "reason": "x"}
    )
    assert "errorlist" in field_block(response.content.decode(), "target")
    case.refresh_from_db()
    assert case.state == "submitted" and case.centre == network["shanghai"]


@pytest.mark.django_db
def test_acceptance_checks_for_area_and_remit(network: dict[str, Any]) -> None:
    from tests.factories import case_input
    from weiyuan.cases.selectors import acceptance_checks

    def status(data: Any, **kwargs: Any) -> dict[str, str]:
        return {c.code: c.status for c in acceptance_checks(data, **kwargs)}

    # A Pudong applicant at the Zhejiang centre: outside its area unless the respondent is there.
    assert status(case_input(network["zhejiang"]))["area"] == "warn"
    assert status(case_input(network["zhejiang"], respondent_address="浙江省杭州市某路 1 号"))["area"] == "ok"
    assert status(case_input(network["national"]))["area"] == "ok"
    # A centre that does not serve the IP type or the service type is outside its remit.
    zj = network["zhejiang"]
    zj.ip_types = ["invention"]
    zj.service_types = ["consultation"]
    zj.save()
    remit = {c.code: c for c in acceptance_checks(case_input(zj))}["remit"]
    assert remit.status == "bad" and "知识产权" in remit.detail and "侵权判定参考意见" in remit.detail
    assert remit.css == "check-bad"
    # Evidence: required for dispute services, advisory for a consultation.
    assert status(case_input(network["shanghai"]))["evidence"] == "bad"
    assert status(case_input(network["shanghai"]), evidence_count=1)["evidence"] == "ok"
    assert status(case_input(network["shanghai"], service_type_code="consultation"))["evidence"] == "warn"
    # A person without an ID number, an organisation without a credit code: identity to be verified.
    assert status(case_input(network["shanghai"], applicant_kind="person"))["identity"] == "warn"
    assert status(case_input(network["shanghai"], applicant_credit_code="91310115MA1K4ABCDD"))["identity"] == "ok"
    # On a saved case the duplicate check is included.
    case = make_case(network["shanghai"])
    assert status(case)["duplicate"] == "ok"
