"""The applicant's whole path through the web pages: intake with evidence, a request for information, the answer,
acceptance, assignment, handling, conclusion, and the timeline and result letter the applicant sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, pdf_upload, png_upload
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.models import Case, CaseEvent, CaseState
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.evidence.models import EvidenceFile

CREDIT_CODE = "91310115MA1K4ABCDD"


def rights_management(total: int = 5, ip_type: str = "trademark") -> dict[str, Any]:
    """The rights formset as a browser sends it: every row's type select carries its default."""
    data: dict[str, Any] = {
        "rights-TOTAL_FORMS": str(total),
        "rights-INITIAL_FORMS": "0",
        "rights-MIN_NUM_FORMS": "0",
        "rights-MAX_NUM_FORMS": "5",
    }
    for i in range(total):
        data[f"rights-{i}-ip_type"] = ip_type
    return data


def intake_post(centre_code: str = "sh", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service_type": "infringement_opinion",
        "ip_type": "trademark",
        "centre": centre_code,
        "region": "310115",
        "applicant_name": "上海申援科技有限公司",
        "applicant_kind": "organisation",
        "applicant_credit_code": CREDIT_CODE,
        "applicant_region": "310115",
        "priority_group": "sme",
        "respondent_name": "某某商贸有限公司",
        "respondent_address": "某电商平台「某某旗舰店」",
        "title": "网店销售假冒注册商标商品",
        "facts": "被请求人在其网店销售带有与我方注册商标近似标识的运动鞋，我方已进行购买公证。",
        "request": "请求出具侵权判定参考意见。",
        "rights-0-number": "12345678",
        "rights-0-title": "申援",
        "rights-0-owner": "上海申援科技有限公司",
        "rights-0-legal_status": "有效",
        "intent": "submit",
        **rights_management(),
    }
    data.update(overrides)
    return data


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_applicant_path_from_intake_to_result_letter(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory(region_id="310115", credit_code=CREDIT_CODE, organisation_name="上海申援科技有限公司")
    login(client, applicant)

    # Step 1: routing proposes the nearest centres first (county sub-centre, then the province, then national).
    response = client.get(
        reverse("cases:intake_start"),
        {"service_type": "infringement_opinion", "ip_type": "trademark", "region": "310115"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        html.index(network["pudong"].name) < html.index(network["shanghai"].name) < html.index(network["national"].name)
    )
    # The same proposals come as an HTMX fragment.
    fragment = client.get(
        reverse("cases:intake_route"),
        {"service_type": "infringement_opinion", "ip_type": "trademark", "region": "310115"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert network["pudong"].code.encode() in fragment.content

    # Step 2: the form is prefilled from the account and shows the acceptance checks.
    params = {"service_type": "infringement_opinion", "ip_type": "trademark", "region": "310115", "centre": "sh"}
    response = client.get(reverse("cases:intake_form"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "上海申援科技有限公司" in html and CREDIT_CODE in html
    assert 'type="file"' in html and "multiple" in html
    assert "check-ok" in html

    # Live checks (HTMX): with two files the evidence criterion is met.
    checks = client.post(reverse("cases:intake_checks"), {**intake_post(), "evidence_count": "2"})
    assert checks.status_code == 200
    assert b'class="check-ok" data-check="evidence"' in checks.content

    response = client.post(
        reverse("cases:intake_form"),
        {**intake_post(), "evidence": [pdf_upload("公证书.pdf"), png_upload("网店截图.png")]},
    )
    assert response.status_code == 302
    case = Case.objects.restrict(applicant).get()
    assert response["Location"] == reverse("cases:detail", args=[case.tracking_number])
    assert case.state == CaseState.SUBMITTED and case.applicant_user_id == applicant.pk
    assert case.centre == network["shanghai"]
    assert EvidenceFile.objects.restrict(applicant).filter(case=case).count() == 2
    assert case.rights.get().number == "12345678"

    page = client.get(response["Location"]).content.decode()
    assert case.tracking_number in page and "公证书.pdf" in page
    sha = EvidenceFile.objects.restrict(applicant).get(case=case, original_name="公证书.pdf").sha256
    assert sha in page

    # The intake officer asks for more information; the acceptance clock pauses.
    login(client, network["sh_intake"])
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert 'data-action="accept"' in page and 'data-action="request_info"' in page
    assert "acceptance-checks" in page
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "request_info"]),
        {"request_text": "请补充商标注册证书复印件。"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.INFO_REQUESTED
    assert Clock.objects.get(case=case, rule="acceptance").state == ClockState.PAUSED

    # The applicant sees the request and answers it with a file.
    login(client, applicant)
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert "请补充商标注册证书复印件。" in page and "提交补正材料" in page
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "answer_info"]),
        {"answer_text": "已上传注册证。", "files": [pdf_upload("注册证.pdf")]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert Clock.objects.get(case=case, rule="acceptance").state == ClockState.RUNNING

    # Accept, assign, start, conclude — each by the role that may.
    login(client, network["sh_intake"])
    assert client.post(reverse("cases:action", args=[case.tracking_number, "accept"])).status_code == 302
    login(client, network["sh_director"])
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "assign"]), {"handler": network["sh_handler"].pk}
    )
    assert response.status_code == 302
    login(client, network["sh_handler"])
    assert client.post(reverse("cases:action", args=[case.tracking_number, "start"])).status_code == 302
    letter_text = "经比对，被请求人使用的标识与贵司注册商标构成近似，建议向市场监督管理部门投诉。"
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "conclude"]),
        {"outcome": "opinion_issued", "result_letter": letter_text},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED and case.handler == network["sh_handler"]

    # The applicant sees every public step, the clocks and the letter.
    login(client, applicant)
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    for label in ("登记申请", "提交申请", "要求补正", "提交补正材料", "受理", "分派承办人", "开始办理", "办结"):
        assert f"<strong>{label}</strong>" in page, label
    assert "受理审查" in page and "办理" in page  # clock rules
    assert reverse("cases:letter", args=[case.tracking_number]) in page
    public_steps = CaseEvent.objects.filter(case=case, public=True).count()
    assert page.count("<li>\n        <strong>") >= public_steps
    letter = client.get(reverse("cases:letter", args=[case.tracking_number]))
    assert letter.status_code == 200
    body = letter.content.decode()
    assert letter_text in body and "已出具参考意见" in body and network["shanghai"].name in body

    assert AuditEvent.objects.filter(case_id=case.pk, action="case.conclude").exists()


@pytest.mark.django_db
def test_draft_is_saved_then_submitted_from_the_case_page(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory(region_id="310115")
    login(client, applicant)
    response = client.post(reverse("cases:intake_form"), {**intake_post(), "intent": "draft"})
    assert response.status_code == 302
    case = Case.objects.restrict(applicant).get()
    assert case.state == CaseState.DRAFT and not Clock.objects.filter(case=case).exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-action="submit"' in page and "草稿" in page
    response = client.post(reverse("cases:action", args=[case.tracking_number, "submit"]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


@pytest.mark.django_db
def test_rejection_shows_reason_fix_and_suggested_centre(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory(region_id="310115")
    login(client, applicant)
    client.post(reverse("cases:intake_form"), {**intake_post(), "evidence": [pdf_upload()]})
    case = Case.objects.restrict(applicant).get()

    login(client, network["sh_intake"])
    # Missing fields come back next to the fields, and nothing changes.
    response = client.post(reverse("cases:action", args=[case.tracking_number, "reject"]), {"reason": "out_of_area"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="field-text"' in html and 'id="field-fix"' in html and "errorlist" in html
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED

    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "reject"]),
        {
            "reason": "out_of_area",
            "text": "被请求人与申请人均不在本中心服务地域。",
            "fix": "请向浙江省知识产权维权援助中心申请。",
            "suggested_centre": "zj",
            "suggested_channel": "12330 热线",
        },
    )
    assert response.status_code == 302

    login(client, applicant)
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert "不属于本中心服务地域" in page
    assert "请向浙江省知识产权维权援助中心申请。" in page
    assert network["zhejiang"].name in page and "12330 热线" in page


@pytest.mark.django_db
def test_staff_records_a_hotline_intake_for_a_caller(network: dict[str, Any], client: Client) -> None:
    login(client, network["sh_intake"])
    params = {"service_type": "early_warning", "ip_type": "invention", "region": "310115"}
    page = client.get(reverse("cases:intake_start"), params).content.decode()
    assert "本中心" in page  # the officer's own centre is offered first
    response = client.get(reverse("cases:intake_form"), {**params, "centre": "sh"})
    html = response.content.decode()
    assert 'name="channel"' in html and 'name="applicant_phone"' in html and 'name="applicant_id_number"' in html
    data = {
        **intake_post(),
        "service_type": "early_warning",
        "ip_type": "invention",
        "channel": "hotline",
        "applicant_name": "张三",
        "applicant_kind": "person",
        "applicant_credit_code": "",
        "applicant_id_number": "310115199003071239",
        "applicant_phone": "13800138000",
        "respondent_name": "",
        "rights-0-number": "",
        "rights-0-title": "",
        "rights-0-owner": "",
        "rights-0-legal_status": "",
        **rights_management(ip_type="invention"),
    }
    response = client.post(reverse("cases:intake_form"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.restrict(network["sh_intake"]).get()
    assert case.channel == "hotline" and case.applicant_user_id is None
    assert case.applicant_phone == "13800138000"
    page = client.get(response["Location"]).content.decode()
    # Masked until revealed, and revealing is audited.
    assert "13800138000" not in page and "138****8000" in page
    reveal = client.post(reverse("cases:personal_data", args=[case.tracking_number]), headers={"HX-Request": "true"})
    assert reveal.status_code == 200 and b"13800138000" in reveal.content and b"<html" not in reveal.content
    assert AuditEvent.objects.filter(case_id=case.pk, action="case.personal_data_read").count() == 1


@pytest.mark.django_db
def test_messages_thread_with_attachment_and_internal_notes(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory(region_id="310115")
    login(client, applicant)
    client.post(reverse("cases:intake_form"), {**intake_post(), "evidence": [pdf_upload()]})
    case = Case.objects.restrict(applicant).get()

    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "message"]),
        {"body": "请问大约多久能受理？", "files": [png_upload("补充截图.png")]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'id="messages"' in fragment and "请问大约多久能受理？" in fragment and "补充截图.png" in fragment
    # An empty message is answered next to the field (HTMX fragment), nothing saved.
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "message"]), {"body": "  "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    # The applicant cannot write internal notes.
    response = client.post(reverse("cases:action", args=[case.tracking_number, "note"]), {"body": "x"})
    assert response.status_code == 403

    login(client, network["sh_intake"])
    response = client.post(reverse("cases:action", args=[case.tracking_number, "note"]), {"body": "申请人已来电催办。"})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert "申请人已来电催办。" in page and "请问大约多久能受理？" in page

    login(client, applicant)
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert "申请人已来电催办。" not in page and "请问大约多久能受理？" in page


@pytest.mark.django_db
def test_fallback_calendar_is_flagged_on_the_clock(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory(region_id="310115")
    login(client, applicant)
    client.post(reverse("cases:intake_form"), {**intake_post(), "evidence": [pdf_upload()]})
    case = Case.objects.restrict(applicant).get()
    url = reverse("cases:detail", args=[case.tracking_number])
    assert "按周末计算" not in client.get(url).content.decode()
    # A due date in a year the official calendar does not cover yet was computed on weekends only.
    Clock.objects.filter(case=case, rule="acceptance").update(calendar_fallback=True)
    assert "该年度官方节假日安排尚未发布，按周末计算" in client.get(url).content.decode()


@pytest.mark.django_db
def test_transfer_and_receive_through_the_case_page(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory(region_id="310115")
    login(client, applicant)
    client.post(reverse("cases:intake_form"), {**intake_post(), "evidence": [pdf_upload()]})
    case = Case.objects.restrict(applicant).get()

    login(client, network["sh_intake"])
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "transfer"]),
        {"target": "zj", "reason": "被请求人住所地在杭州。"},
    )
    assert response.status_code == 302
    # The sending centre no longer sees the case; the receiving centre does, with its history and clock.
    assert client.get(reverse("cases:detail", args=[case.tracking_number])).status_code == 404

    login(client, network["zj_intake"])
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert "移送中" in page and 'data-action="receive_transfer"' in page
    assert "登记申请" in page and "受理审查" in page
    assert client.post(reverse("cases:action", args=[case.tracking_number, "receive_transfer"])).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.centre == network["zhejiang"]
    assert case.tracking_number in client.get(reverse("cases:workbench")).content.decode()


@pytest.mark.django_db
def test_staff_record_intakes_only_for_their_own_centre(network: dict[str, Any], client: Client) -> None:
    login(client, network["zj_intake"])
    params = {"service_type": "infringement_opinion", "ip_type": "trademark", "region": "310115"}
    html = client.get(reverse("cases:intake_start"), params).content.decode()
    # The competent Shanghai centres are listed for reference; only the officer's own centre can be chosen.
    assert network["shanghai"].name in html and 'value="zj"' in html and 'value="sh"' not in html
    response = client.get(reverse("cases:intake_form"), {**params, "centre": "sh"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:intake_start")
    assert "工作人员只能为本中心登记申请" in response.content.decode()
    response = client.post(
        reverse("cases:intake_form"), {**intake_post(centre_code="sh"), "channel": "hotline"}, follow=True
    )
    assert "工作人员只能为本中心登记申请" in response.content.decode()
    assert not Case.objects_unscoped.exists()
