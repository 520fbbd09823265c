"""Messages and uploads only while the case is with the centre: not on a draft, nor on a rejected, withdrawn or closed
case (409 with the reason). A concluded case still takes them (the applicant may have questions about the result)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.api_support import api_client, post_json
from tests.factories import ApplicantFactory, make_case, pdf_upload, png_upload
from weiyuan.cases import services
from weiyuan.cases.models import Case, CaseMessage, CaseState
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.evidence.models import EvidenceFile

pytestmark = pytest.mark.django_db


def _concluded(network: dict[str, Any]) -> Case:
    case = make_case(network["shanghai"])
    case = services.case_accept(case=case, actor=network["sh_intake"])
    case = services.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    case = services.case_start(case=case, actor=network["sh_handler"])
    return services.case_conclude(
        case=case,
        actor=network["sh_handler"],
        outcome="opinion_issued",
        result_letter="经审查，被请求人使用的标识与贵司注册商标近似。",
    )


def _closed(network: dict[str, Any]) -> Case:
    return services.case_close(case=_concluded(network), actor=network["sh_handler"])


def _rejected(network: dict[str, Any]) -> Case:
    case = make_case(network["shanghai"])
    return services.case_reject(
        case=case, actor=network["sh_intake"], reason="no_evidence", text="缺少证据。", fix="请补充购买公证。"
    )


def _withdrawn(network: dict[str, Any]) -> Case:
    case = make_case(network["shanghai"])
    return services.case_withdraw(case=case, actor=case.applicant_user, reason="已和解。")


def _draft(network: dict[str, Any]) -> Case:
    return make_case(network["shanghai"], submit=False)


FINAL: dict[str, Callable[[dict[str, Any]], Case]] = {
    CaseState.REJECTED: _rejected,
    CaseState.WITHDRAWN: _withdrawn,
    CaseState.CLOSED: _closed,
}
REFUSED: dict[str, Callable[[dict[str, Any]], Case]] = {CaseState.DRAFT: _draft, **FINAL}


def _nothing_added(case: Case) -> None:
    assert CaseMessage.objects.filter(case=case).count() == 0
    assert EvidenceFile.objects_unscoped.filter(case=case).count() == 0


@pytest.mark.parametrize("state", list(REFUSED))
def test_applicant_message_and_upload_refused_409(network: dict[str, Any], state: str) -> None:
    case = REFUSED[state](network)
    assert case.state == state
    with pytest.raises(TransitionRefused) as refused:
        services.case_message_post(case=case, actor=case.applicant_user, body="请问进展？", files=[pdf_upload()])
    assert refused.value.status == 409 and refused.value.reason
    client = api_client(case.applicant_user)
    base = f"/api/v1/cases/{case.tracking_number}"
    message = post_json(client, f"{base}/messages", {"body": "请问进展？"})
    assert message.status_code == 409, message.content
    assert message.json()["detail"] == refused.value.reason
    upload = client.post(f"{base}/evidence", {"files": [png_upload()]})
    assert upload.status_code == 409, upload.content
    assert upload.json()["detail"] == refused.value.reason
    _nothing_added(case)


def test_draft_reason_says_to_submit_and_final_reason_names_the_state(network: dict[str, Any]) -> None:
    draft = _draft(network)
    with pytest.raises(TransitionRefused) as on_draft:
        services.case_message_post(case=draft, actor=draft.applicant_user, body="hi")
    assert "草稿" in on_draft.value.reason and "提交" in on_draft.value.reason
    closed = _closed(network)
    with pytest.raises(TransitionRefused) as on_closed:
        services.case_message_post(case=closed, actor=closed.applicant_user, body="hi")
    assert str(CaseState.CLOSED.label) in on_closed.value.reason


@pytest.mark.parametrize("state", list(FINAL))
def test_staff_messages_and_notes_refused_on_final_cases(network: dict[str, Any], state: str) -> None:
    case = FINAL[state](network)
    for internal in (False, True):
        with pytest.raises(TransitionRefused) as refused:
            services.case_message_post(case=case, actor=network["sh_director"], body="备注", internal=internal)
        assert refused.value.status == 409
    client = api_client(network["sh_director"])
    response = post_json(client, f"/api/v1/cases/{case.tracking_number}/messages", {"body": "备注", "internal": True})
    assert response.status_code == 409
    _nothing_added(case)


def test_concluded_case_still_takes_messages_and_files(network: dict[str, Any]) -> None:
    case = _concluded(network)
    client = api_client(case.applicant_user)
    base = f"/api/v1/cases/{case.tracking_number}"
    message = post_json(client, f"{base}/messages", {"body": "对结论有一个问题。"})
    assert message.status_code == 201, message.content
    upload = client.post(f"{base}/evidence", {"files": [png_upload()]})
    assert upload.status_code == 201, upload.content
    staff = services.case_message_post(case=case, actor=network["sh_handler"], body="已答复。", files=[pdf_upload()])
    assert staff.pk and CaseMessage.objects.filter(case=case).count() == 2


def test_open_cases_take_messages(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"])
    assert services.case_message_post(case=case, actor=case.applicant_user, body="补充说明").pk
    reopened = services.case_reopen(case=_concluded(network), actor=network["sh_director"], reason="申请人补充新证据。")
    assert services.case_message_post(case=reopened, actor=reopened.applicant_user, body="新证据").pk


def test_permission_is_refused_before_the_state(network: dict[str, Any]) -> None:
    """Who may not message the case at all gets 403 (the access module's reason), whatever its state."""
    case = _closed(network)
    supervisor = api_client(network["national_supervisor"])
    response = post_json(supervisor, f"/api/v1/cases/{case.tracking_number}/messages", {"body": "x"})
    assert response.status_code == 403
    assert (
        supervisor.post(f"/api/v1/cases/{case.tracking_number}/evidence", {"files": [png_upload()]}).status_code == 403
    )
    other = api_client(ApplicantFactory())
    assert post_json(other, f"/api/v1/cases/{case.tracking_number}/messages", {"body": "x"}).status_code == 404
    _nothing_added(case)


def test_web_message_on_a_closed_case_is_409_with_the_reason(network: dict[str, Any], client: Client) -> None:
    case = _closed(network)
    client.force_login(case.applicant_user)
    response = client.post(reverse("cases:action", args=[case.tracking_number, "message"]), {"body": "请问？"})
    assert response.status_code == 409
    assert "不能再留言" in response.content.decode()
    _nothing_added(case)
