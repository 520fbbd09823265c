"""Who sees what on the case pages: 404 for a case the user may not see, 403 with the reason for an action they
may not take, sections and buttons by permission, personal data masked for experts and supervisors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, make_case, pdf_upload, staff
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services
from weiyuan.cases.models import Case
from weiyuan.core.choices import Role
from weiyuan.evidence.models import EvidenceFile

ID_NUMBER = "310115199003071239"
PHONE = "13800138000"


@pytest.fixture
def case(network: dict[str, Any]) -> Case:
    applicant = ApplicantFactory(id_number=ID_NUMBER, phone=PHONE, applicant_kind="person")
    return make_case(
        network["shanghai"],
        applicant,
        applicant_kind="person",
        applicant_id_number=ID_NUMBER,
        applicant_phone=PHONE,
        evidence=[pdf_upload("证据.pdf")],
    )


def evidence_of(case: Case) -> EvidenceFile:
    return EvidenceFile.objects_unscoped.get(case=case)


def case_urls(case: Case) -> list[str]:
    number = case.tracking_number
    return [
        reverse("cases:detail", args=[number]),
        reverse("cases:audit", args=[number]),
        reverse("cases:action", args=[number, "accept"]),
        reverse("cases:action", args=[number, "message"]),
    ]


def action_buttons(html: str) -> list[str]:
    return re.findall(r'data-action="(\w+)"', html)


@pytest.mark.django_db
def test_other_centres_staff_get_404_everywhere(network: dict[str, Any], client: Client, case: Case) -> None:
    client.force_login(network["zj_intake"])
    for url in case_urls(case):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("cases:action", args=[case.tracking_number, "accept"])).status_code == 404
    assert client.post(reverse("cases:personal_data", args=[case.tracking_number])).status_code == 404
    assert client.get(reverse("evidence:download", args=[evidence_of(case).pk])).status_code == 404
    case.refresh_from_db()
    assert case.state == "submitted"
    assert not AuditEvent.objects.filter(case_id=case.pk, action="evidence.download").exists()


@pytest.mark.django_db
def test_applicant_of_another_case_gets_404(network: dict[str, Any], client: Client, case: Case) -> None:
    client.force_login(ApplicantFactory())
    for url in case_urls(case):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("evidence:download", args=[evidence_of(case).pk])).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client: Client, case: Case) -> None:
    response = client.get(reverse("cases:detail", args=[case.tracking_number]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_supervisor_sees_the_case_read_only(network: dict[str, Any], client: Client, case: Case) -> None:
    for supervisor in (network["sh_supervisor"], network["national_supervisor"]):
        client.force_login(supervisor)
        response = client.get(reverse("cases:detail", args=[case.tracking_number]))
        assert response.status_code == 200
        html = response.content.decode()
        assert action_buttons(html) == []
        assert 'id="actions"' not in html
        assert ID_NUMBER not in html and PHONE not in html
        assert reverse("evidence:download", args=[evidence_of(case).pk]) not in html
        assert reverse("cases:audit", args=[case.tracking_number]) in html
        refused = client.post(reverse("cases:action", args=[case.tracking_number, "accept"]))
        assert refused.status_code == 403 and "您的角色不能执行此操作" in refused.content.decode()
        assert client.post(reverse("cases:personal_data", args=[case.tracking_number])).status_code == 403
        assert client.get(reverse("evidence:download", args=[evidence_of(case).pk])).status_code == 403
    case.refresh_from_db()
    assert case.state == "submitted"


@pytest.mark.django_db
def test_expert_has_no_case_page_only_the_task(network: dict[str, Any], client: Client, case: Case) -> None:
    """An expert with a task on the case does not see the case (page, files, lists): only their task page, with
    the applicant's personal data masked (tests/test_experts_tasks.py covers the task page)."""
    case = services.case_accept(case=case, actor=network["sh_intake"])
    case = services.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    expert = staff(network["shanghai"], Role.EXPERT)
    # Experts get their task through an accepted invitation (the case page assigns volunteers only).
    task = services.case_task_assign(
        case=case, actor=network["sh_handler"], user=expert, kind="expert", task="请就商标近似性出具专家意见。"
    )
    client.force_login(network["sh_handler"])
    refused = client.post(
        reverse("cases:action", args=[case.tracking_number, "task_assign"]),
        {"user": expert.pk, "task": "直接指派专家"},
    )
    assert refused.status_code == 200 and case.assignments.count() == 1  # not a volunteer: the form refuses

    client.force_login(expert)
    assert client.get(reverse("cases:detail", args=[case.tracking_number])).status_code == 404
    assert client.get(reverse("evidence:download", args=[evidence_of(case).pk])).status_code == 404
    assert client.post(reverse("cases:personal_data", args=[case.tracking_number])).status_code == 404
    assert case.tracking_number not in client.get(reverse("cases:workbench"), {"queue": "tasks"}).content.decode()
    response = client.get(reverse("experts:task", args=[task.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "请就商标近似性出具专家意见。" in html
    assert ID_NUMBER not in html and PHONE not in html
    assert "证据.pdf" not in html  # nothing shared yet


@pytest.mark.django_db
def test_staff_reveal_is_audited_and_page_works_without_javascript(
    network: dict[str, Any], client: Client, case: Case
) -> None:
    client.force_login(network["sh_intake"])
    html = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert ID_NUMBER not in html and 'data-role="reveal"' in html
    response = client.post(reverse("cases:personal_data", args=[case.tracking_number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ID_NUMBER in html and PHONE in html and "<html" in html
    assert AuditEvent.objects.filter(
        case_id=case.pk, action="case.personal_data_read", actor=network["sh_intake"]
    ).exists()


@pytest.mark.django_db
def test_buttons_follow_the_transition_table(network: dict[str, Any], client: Client, case: Case) -> None:
    client.force_login(network["sh_intake"])
    html = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert set(action_buttons(html)) >= {"accept", "request_info", "reject", "transfer"}
    assert "conclude" not in action_buttons(html)

    client.force_login(network["sh_handler"])
    html = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert action_buttons(html) == []
    refused = client.post(reverse("cases:action", args=[case.tracking_number, "accept"]))
    assert refused.status_code == 403

    client.force_login(case.applicant_user)
    html = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert action_buttons(html) == ["withdraw"]


@pytest.mark.django_db
def test_state_refusal_is_409_with_the_reason(network: dict[str, Any], client: Client, case: Case) -> None:
    services.case_accept(case=case, actor=network["sh_intake"])
    client.force_login(network["sh_intake"])
    response = client.post(reverse("cases:action", args=[case.tracking_number, "accept"]))
    assert response.status_code == 409
    assert "案件当前状态为「已受理」" in response.content.decode()
    # GET on an action shows its form; an unknown action is not a page.
    assert client.get(reverse("cases:action", args=[case.tracking_number, "assign"])).status_code == 200
    assert client.get(reverse("cases:action", args=[case.tracking_number, "explode"])).status_code == 404


@pytest.mark.django_db
def test_withdraw_by_applicant(network: dict[str, Any], client: Client, case: Case) -> None:
    client.force_login(case.applicant_user)
    response = client.post(reverse("cases:action", args=[case.tracking_number, "withdraw"]), {"reason": "已和解"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "withdrawn"


@pytest.mark.django_db
def test_audit_trail_is_paginated_and_only_for_those_who_may_see_it(
    network: dict[str, Any], client: Client, case: Case
) -> None:
    for i in range(30):
        services.case_message_post(case=case, actor=network["sh_intake"], body=f"备注 {i}", internal=True)
    url = reverse("cases:audit", args=[case.tracking_number])

    client.force_login(network["sh_intake"])
    response = client.get(url)
    assert response.status_code == 403 and "您的角色不能执行此操作" in response.content.decode()

    client.force_login(network["sh_director"])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr>") == 25 + 1  # header row + one page
    assert "case.create" in html
    last = client.get(url, {"page": 999}).content.decode()
    total = AuditEvent.objects.filter(case_id=case.pk).count()
    assert last.count("<tr>") == 1 + (total - 25 * ((total - 1) // 25))
    # Read-only: the page offers no form.
    assert "<form" not in html.split('<main class="container">', 1)[1].split("</main>")[0]


@pytest.mark.django_db
def test_co_handling_grant_and_revoke_from_the_case_page(network: dict[str, Any], client: Client, case: Case) -> None:
    client.force_login(network["sh_director"])
    response = client.post(
        reverse("cases:action", args=[case.tracking_number, "share_grant"]),
        {"centre": "zj", "reason": "被请求人位于浙江。"},
    )
    assert response.status_code == 302
    client.force_login(network["zj_handler"])
    assert client.get(reverse("cases:detail", args=[case.tracking_number])).status_code == 200

    client.force_login(network["sh_director"])
    share = case.shares.get()
    html = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert network["zhejiang"].name in html
    response = client.post(reverse("cases:action", args=[case.tracking_number, "share_revoke"]), {"share": share.pk})
    assert response.status_code == 302
    client.force_login(network["zj_handler"])
    assert client.get(reverse("cases:detail", args=[case.tracking_number])).status_code == 404


@pytest.mark.django_db
def test_duplicates_are_flagged_for_staff_not_the_applicant(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory()
    same = {"applicant_name": "上海重复科技有限公司", "respondent_name": "某某商行"}
    first = make_case(network["zhejiang"], applicant, **same)
    rights = [services.RightInput(ip_type="trademark", number=first.rights.get().number)]
    second = make_case(network["shanghai"], applicant, rights=rights, **same)
    assert second.duplicate_of and second.duplicate_of[0]["tracking_number"] == first.tracking_number

    client.force_login(network["sh_intake"])
    html = client.get(reverse("cases:detail", args=[second.tracking_number])).content.decode()
    assert 'id="duplicates"' in html and first.tracking_number in html and network["zhejiang"].name in html
    assert 'class="check-warn" data-check="duplicate"' in html
    assert "疑似重复" in client.get(reverse("cases:workbench")).content.decode()

    client.force_login(applicant)
    assert 'id="duplicates"' not in client.get(reverse("cases:detail", args=[second.tracking_number])).content.decode()
