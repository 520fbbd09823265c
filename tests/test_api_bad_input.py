"""Bad input: every invalid field answered with a 422 naming it; a failed write changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api_support import api_client, create_body, fields_of, post_json
from tests.factories import PNG_BYTES, ApplicantFactory, make_case, png_upload
from weiyuan.cases.models import Case, CaseState
from weiyuan.evidence.models import EvidenceFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant_api(network):
    return api_client(ApplicantFactory())


def _messages(response) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["detail"]}


def test_malformed_tracking_number_is_422_well_formed_but_invisible_is_404(network, applicant_api):
    for path in ("/api/v1/cases/12345", "/api/v1/cases/WY-26-1-1/transitions", "/api/v1/cases/x/messages"):
        response = applicant_api.get(path)
        assert fields_of(response) == {"tracking_number"}, path
        assert "WY-" in _messages(response)["tracking_number"]
    other = make_case(network["shanghai"])
    assert applicant_api.get(f"/api/v1/cases/{other.tracking_number}").status_code == 404
    assert applicant_api.get("/api/v1/cases/WY-2026-00001-999999").status_code == 404
    assert post_json(applicant_api, "/api/v1/cases/bad/transitions/withdraw").status_code == 422


def test_unknown_region_bad_credit_code_over_long_title_change_nothing(network, applicant_api):
    body = create_body(
        applicant_region_code="999999",
        applicant_credit_code="91310000ABCDEFGHIJ",
        title="长" * 161,
        respondent_credit_code="123",
    )
    response = post_json(applicant_api, "/api/v1/cases", body)
    assert fields_of(response) == {
        "applicant_region_code",
        "applicant_credit_code",
        "title",
        "respondent_credit_code",
    }
    messages = _messages(response)
    assert "999999" in messages["applicant_region_code"]
    assert "160" in messages["title"]
    assert Case.objects_unscoped.count() == 0


def test_unknown_codes_and_rights_are_named_in_the_api_spelling(network, applicant_api):
    body = create_body(
        centre_code="nowhere",
        service_type_code="nothing",
        ip_type="patent?",
        rights=[{"ip_type": "trademark", "number": ""}, {"ip_type": "bogus", "number": "1" * 41}],
    )
    assert fields_of(post_json(applicant_api, "/api/v1/cases", body)) == {
        "centre_code",
        "service_type_code",
        "ip_type",
        "rights.0.number",
        "rights.1.ip_type",
        "rights.1.number",
    }


def test_missing_required_fields_and_wrong_types_are_each_named(network, applicant_api):
    response = post_json(applicant_api, "/api/v1/cases", {"centre_code": "sh", "is_major": "perhaps", "rights": {}})
    assert fields_of(response) == {
        "service_type_code",
        "ip_type",
        "title",
        "facts",
        "request",
        "applicant_name",
        "applicant_kind",
        "applicant_region_code",
        "is_major",
        "rights",
    }
    messages = _messages(response)
    assert messages["title"] == "此项必填。"
    assert messages["is_major"] == "应为 true 或 false。"
    missing_right_number = post_json(applicant_api, "/api/v1/cases", create_body(rights=[{"ip_type": "trademark"}]))
    assert fields_of(missing_right_number) == {"rights.0.number"}
    misspelt = post_json(applicant_api, "/api/v1/cases", create_body(respondant_name="某公司"))
    assert fields_of(misspelt) == {"respondant_name"}
    not_json = applicant_api.post("/api/v1/cases", "{not json", content_type="application/json")
    assert not_json.status_code == 400 and "JSON" in not_json.json()["detail"]
    assert fields_of(post_json(applicant_api, "/api/v1/cases", [create_body()])) == {"body"}
    assert Case.objects_unscoped.count() == 0


def test_blank_required_text_is_named(network, applicant_api):
    response = post_json(applicant_api, "/api/v1/cases", create_body(title="   ", facts=""))
    assert fields_of(response) == {"title", "facts"}


def test_file_whose_content_does_not_match_its_name_stores_nothing(network):
    case = make_case(network["shanghai"])
    client = api_client(case.applicant_user)
    path = f"/api/v1/cases/{case.tracking_number}/evidence"
    disguised = SimpleUploadedFile("contract.pdf", PNG_BYTES, content_type="application/pdf")
    response = client.post(path, {"files": [png_upload("ok.png"), disguised]})
    assert fields_of(response) == {"files"}
    message = _messages(response)["files"]
    assert "contract.pdf" in message and "image/png" in message
    assert EvidenceFile.objects_unscoped.count() == 0  # the good file of the same request is not kept either
    script = SimpleUploadedFile("notes.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")
    assert fields_of(client.post(path, {"files": [script]})) == {"files"}
    assert fields_of(client.post(path, {})) == {"files"}
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")
    assert fields_of(client.post(path, {"files": [empty]})) == {"files"}


def test_file_over_the_size_limit_is_refused(network, settings):
    settings.EVIDENCE_MAX_BYTES = 40
    case = make_case(network["shanghai"])
    response = api_client(case.applicant_user).post(
        f"/api/v1/cases/{case.tracking_number}/evidence", {"files": [png_upload("big.png")]}
    )
    assert fields_of(response) == {"files"}
    assert "big.png" in _messages(response)["files"]


def test_unknown_action_is_400_and_action_fields_are_422(network):
    case = make_case(network["shanghai"])
    intake = api_client(network["sh_intake"])
    base = f"/api/v1/cases/{case.tracking_number}/transitions"
    unknown = post_json(intake, f"{base}/approve")
    assert unknown.status_code == 400
    assert "approve" in unknown.json()["detail"]
    assert fields_of(post_json(intake, f"{base}/request_info", {"request_text": "  "})) == {"request_text"}
    assert fields_of(post_json(intake, f"{base}/reject", {"reason": "because"})) == {"reason", "text", "fix"}
    reject = post_json(
        intake, f"{base}/reject", {"reason": "other", "text": "说明", "fix": "补救", "suggested_centre_code": "mars"}
    )
    assert fields_of(reject) == {"suggested_centre_code"}
    assert fields_of(post_json(intake, f"{base}/transfer", {"reason": "被请求人在杭州"})) == {"target_centre_code"}
    assert fields_of(post_json(intake, f"{base}/transfer", {"target_centre_code": "sh", "reason": "x"})) == {
        "target_centre_code"
    }
    assert fields_of(post_json(intake, f"{base}/accept", {"handler": 3})) == {"handler"}
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED

    post_json(intake, f"{base}/accept")
    director = api_client(network["sh_director"])
    assert fields_of(post_json(director, f"{base}/assign")) == {"handler_id"}
    assert fields_of(post_json(director, f"{base}/assign", {"handler_id": network["zj_handler"].pk})) == {"handler_id"}
    assert fields_of(post_json(director, f"{base}/assign", {"handler_id": 10**9})) == {"handler_id"}
    assert fields_of(post_json(director, f"{base}/assign", {"handler_id": "someone"})) == {"handler_id"}


def test_conclude_needs_outcome_and_letter(network):
    case = make_case(network["shanghai"])
    base = f"/api/v1/cases/{case.tracking_number}/transitions"
    post_json(api_client(network["sh_intake"]), f"{base}/accept")
    director = api_client(network["sh_director"])
    post_json(director, f"{base}/assign", {"handler_id": network["sh_handler"].pk})
    handler = api_client(network["sh_handler"])
    post_json(handler, f"{base}/start")
    assert fields_of(post_json(handler, f"{base}/conclude", {"outcome": "won", "result_letter": "短"})) == {
        "outcome",
        "result_letter",
    }


def test_message_body_is_checked(network):
    case = make_case(network["shanghai"])
    client = api_client(case.applicant_user)
    path = f"/api/v1/cases/{case.tracking_number}/messages"
    assert fields_of(post_json(client, path, {"body": " "})) == {"body"}
    assert fields_of(post_json(client, path, {"body": "长" * 5001})) == {"body"}
    assert fields_of(post_json(client, path, {})) == {"body"}


def test_list_parameters_come_from_allow_lists(network):
    intake = api_client(network["sh_intake"])
    assert fields_of(intake.get("/api/v1/cases", {"page_size": 101})) == {"page_size"}
    assert fields_of(intake.get("/api/v1/cases", {"page": 0})) == {"page"}
    assert fields_of(intake.get("/api/v1/cases", {"page": "two"})) == {"page"}
    response = intake.get(
        "/api/v1/cases",
        {"state": "lost", "ip_type": "x", "channel": "fax", "sort": "-applicant_id_number", "service_type": "y"},
    )
    assert fields_of(response) == {"state", "ip_type", "channel", "sort", "service_type"}
    assert fields_of(intake.get("/api/v1/cases", {"submitted_from": "2026-13-01"})) == {"submitted_from"}
    wrong_order = intake.get("/api/v1/cases", {"submitted_from": "2026-05-01", "submitted_to": "2026-04-01"})
    assert fields_of(wrong_order) == {"submitted_to"}
    assert fields_of(intake.get("/api/v1/cases", {"queue": "subtree"})) == {"queue"}
    assert fields_of(intake.get("/api/v1/cases", {"q": "x" * 101})) == {"q"}
    applicant = api_client(ApplicantFactory())
    assert fields_of(applicant.get("/api/v1/cases", {"queue": "centre"})) == {"queue"}
    assert fields_of(
        intake.get(f"/api/v1/cases/{make_case(network['shanghai']).tracking_number}/messages", {"page_size": 0})
    ) == {"page_size"}
