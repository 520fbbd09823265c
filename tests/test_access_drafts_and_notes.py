"""Drafts stay with their author; internal notes and their attachments stay with the centre side."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import ApplicantFactory, make_case, pdf_upload
from weiyuan.cases import services
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.evidence.models import EvidenceFile


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_an_unsubmitted_draft_is_invisible_to_the_centre_and_only_its_author_submits(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    draft = make_case(network["shanghai"], applicant, submit=False)
    url = f"/cases/{draft.tracking_number}/"
    assert client_of(applicant).get(url).status_code == 200
    for role in ("sh_intake", "sh_handler", "sh_director", "sh_supervisor", "national_supervisor"):
        assert client_of(network[role]).get(url).status_code == 404, role
        assert not Case.objects.restrict(network[role]).filter(pk=draft.pk).exists(), role
    with pytest.raises(TransitionRefused):
        services.case_submit(case=draft, actor=network["sh_handler"])
    assert services.case_submit(case=draft, actor=applicant).state == CaseState.SUBMITTED
    assert client_of(network["sh_intake"]).get(url).status_code == 200


@pytest.mark.django_db
def test_staff_recording_a_call_submit_their_own_intake(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"], network["sh_intake"], channel="hotline", submit=True)
    assert case.state == CaseState.SUBMITTED and case.applicant_user_id is None


@pytest.mark.django_db
def test_internal_note_attachments_are_for_the_centre_side_only(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    case = make_case(network["shanghai"], applicant)
    services.case_message_post(
        case=case, actor=network["sh_intake"], body="内部评估", internal=True, files=[pdf_upload("内部评估.pdf")]
    )
    attachment = EvidenceFile.objects_unscoped.get(original_name="内部评估.pdf")
    download = f"/evidence/{attachment.pk}/download/"
    page = f"/cases/{case.tracking_number}/"
    assert client_of(applicant).get(download).status_code == 404
    assert "内部评估.pdf" not in client_of(applicant).get(page).content.decode()
    assert client_of(network["sh_handler"]).get(download).status_code == 200
    supervisor_page = client_of(network["sh_supervisor"]).get(page).content.decode()
    assert "内部评估" not in supervisor_page
    assert not EvidenceFile.objects.restrict(network["sh_supervisor"]).filter(pk=attachment.pk).exists()


@pytest.mark.django_db
def test_duplicates_are_checked_live_across_the_network(network: dict[str, Any]) -> None:
    from weiyuan.cases.services import RightInput

    applicant = ApplicantFactory()
    same = {
        "applicant_name": "上海重复检查科技有限公司",
        "respondent_name": "某侵权商贸有限公司",
        "rights": [RightInput(ip_type="trademark", number="88880001")],
    }
    first = make_case(network["shanghai"], applicant, **same)
    second = make_case(network["zhejiang"], applicant, **same)
    page = client_of(network["sh_intake"]).get(f"/cases/{first.tracking_number}/").content.decode()
    assert second.tracking_number in page  # filed later elsewhere, and still flagged on the first
    services.case_withdraw(case=second, actor=applicant)
    page = client_of(network["sh_intake"]).get(f"/cases/{first.tracking_number}/").content.decode()
    assert second.tracking_number not in page
    accepted = services.case_accept(case=first, actor=network["sh_intake"])
    assert accepted.duplicate_of == []


@pytest.mark.django_db
def test_a_person_is_recognised_by_id_number_not_by_name(network: dict[str, Any]) -> None:
    from weiyuan.cases.selectors import case_duplicates
    from weiyuan.cases.services import RightInput

    common = {
        "applicant_kind": "person",
        "applicant_credit_code": "",
        "respondent_name": "某侵权商贸有限公司",
        "rights": [RightInput(ip_type="trademark", number="88880002")],
        "channel": "hotline",
    }
    first = make_case(
        network["shanghai"],
        network["sh_intake"],
        applicant_name="张伟",
        applicant_id_number="11010519491231002X",
        **common,
    )
    namesake = make_case(
        network["shanghai"],
        network["sh_intake"],
        applicant_name="张伟",
        applicant_id_number="110105198001011238",
        **common,
    )
    same_person = make_case(
        network["shanghai"],
        network["sh_intake"],
        applicant_name="张 伟",
        applicant_id_number="11010519491231002x",
        **common,
    )
    found = {d["tracking_number"] for d in case_duplicates(first)}
    assert same_person.tracking_number in found
    assert namesake.tracking_number not in found
