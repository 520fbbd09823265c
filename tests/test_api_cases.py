"""The API end to end: schema, auth, create, list, detail, transitions, messages, evidence."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.api_support import api_client, create_body, make_token, post_json
from tests.factories import PDF_BYTES, PNG_BYTES, ApplicantFactory, make_case, pdf_upload, png_upload
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.models import Case, CaseState
from weiyuan.clocks.models import Clock
from weiyuan.evidence.models import EvidenceFile

pytestmark = pytest.mark.django_db


def test_schema_and_docs_are_public_everything_else_needs_a_caller(network, client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/cases/{tracking_number}/transitions/{action}" in paths
    create_params = [p["name"] for p in paths["/api/v1/cases"]["post"]["parameters"]]
    assert "Idempotency-Key" in create_params
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content  # served by us, not a CDN

    for path in ("/api/v1/me", "/api/v1/cases", "/api/v1/cases/WY-2026-00001-000001", "/api/v1/evidence/1/download"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert post_json(client, "/api/v1/cases", create_body()).status_code == 401
    bad = Client(headers={"Authorization": "Bearer wy_not-a-real-token"})
    assert bad.get("/api/v1/me").status_code == 401


def test_revoked_token_and_inactive_user_are_refused(network):
    user = network["sh_intake"]
    token = make_token(user)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/me").status_code == 200
    user.api_tokens.update(revoked_at=timezone.now())
    assert client.get("/api/v1/me").status_code == 401
    other = make_token(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client(headers={"Authorization": f"Bearer {other}"}).get("/api/v1/me").status_code == 401


def test_me_lists_roles_per_centre(network):
    body = api_client(network["sh_director"]).get("/api/v1/me").json()
    assert body["id"] == network["sh_director"].pk
    assert body["roles"] == [
        {
            "centre": {"code": "sh", "name": network["shanghai"].name},
            "role": "director",
            "role_label": "负责人",
            "organisation": "",
        }
    ]
    applicant = ApplicantFactory()
    me = api_client(applicant).get("/api/v1/me").json()
    assert me["is_applicant"] is True and me["roles"] == []


def test_session_caller_needs_csrf_for_post(network):
    applicant = ApplicantFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    assert browser.get("/api/v1/me").json()["id"] == applicant.pk
    refused = browser.post("/api/v1/cases", create_body(), content_type="application/json")
    assert refused.status_code == 403 and "X-CSRFToken" in refused.json()["detail"]
    assert Case.objects_unscoped.count() == 0
    browser.get("/api/v1/docs")  # any page that renders the CSRF token sets the cookie
    token = browser.cookies["csrftoken"].value
    created = browser.post(
        "/api/v1/cases", create_body(), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201, created.content


def test_applicant_creates_and_reads_a_case(network):
    applicant = ApplicantFactory(phone="13812345678")
    client = api_client(applicant)
    body = create_body(applicant_phone="13900000000", applicant_id_number="")  # ignored: taken from the account
    response = post_json(client, "/api/v1/cases", body)
    assert response.status_code == 201, response.content
    created = response.json()
    number = created["tracking_number"]
    assert created["state"] == CaseState.SUBMITTED
    assert created["rights"][0]["number"] == body["rights"][0]["number"]
    assert [c["rule"] for c in created["clocks"]] == ["acceptance"]
    assert created["clocks"][0]["due_at"] and created["clocks"][0]["state"] == "running"
    assert [e["action"] for e in created["timeline"]] == ["create", "submit"]
    assert created["timeline"][0]["actor"] is None  # the applicant sees which centre acted, not who
    assert [a["action"] for a in created["allowed_actions"]] == ["withdraw"]
    assert created["applicant_phone"] == "138****5678" and created["personal_data_masked"] is True

    detail = client.get(f"/api/v1/cases/{number}").json()
    assert detail["tracking_number"] == number and detail["centre"]["code"] == "sh"
    assert detail["applicant_region_code"] == "310115"
    revealed = client.get(f"/api/v1/cases/{number}?reveal=personal_data").json()
    assert revealed["applicant_phone"] == "13812345678" and revealed["personal_data_masked"] is False

    draft = post_json(client, "/api/v1/cases", create_body(submit=False)).json()
    assert draft["state"] == CaseState.DRAFT and draft["clocks"] == []
    assert {a["action"] for a in draft["allowed_actions"]} == {"submit", "withdraw"}
    submitted = post_json(client, f"/api/v1/cases/{draft['tracking_number']}/transitions/submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == CaseState.SUBMITTED


def test_personal_data_masked_for_supervisor_and_audited_for_staff(network):
    applicant = ApplicantFactory(phone="13812345678", id_number="11010519491231002X")
    case = make_case(network["shanghai"], applicant)
    supervisor = api_client(network["national_supervisor"]).get(f"/api/v1/cases/{case.tracking_number}").json()
    assert supervisor["personal_data_masked"] is True
    assert supervisor["applicant_phone"] == "138****5678"
    assert supervisor["applicant_id_number"] == "110***********002X"
    assert supervisor["allowed_actions"] == []
    before = AuditEvent.objects.filter(action="case.personal_data_read").count()
    intake_client = api_client(network["sh_intake"])
    masked = intake_client.get(f"/api/v1/cases/{case.tracking_number}").json()
    assert masked["personal_data_masked"] is True and masked["applicant_id_number"] == "110***********002X"
    assert AuditEvent.objects.filter(action="case.personal_data_read").count() == before
    intake = intake_client.get(f"/api/v1/cases/{case.tracking_number}?reveal=personal_data").json()
    assert intake["personal_data_masked"] is False
    assert intake["applicant_id_number"] == "11010519491231002X"
    assert AuditEvent.objects.filter(action="case.personal_data_read").count() == before + 1
    assert {a["action"] for a in intake["allowed_actions"]} == {"request_info", "accept", "reject", "transfer"}
    assert intake["timeline"][0]["actor"] is not None  # staff see who acted


def test_list_filters_paginates_and_has_no_n_plus_one(network, django_assert_max_num_queries):
    applicant = ApplicantFactory()
    for i in range(30):
        make_case(network["shanghai"], applicant if i < 3 else None, channel="online")
    case = make_case(network["shanghai"])
    Case.objects_unscoped.filter(pk=case.pk).update(handler=network["sh_handler"])
    make_case(network["zhejiang"])
    client = api_client(network["sh_intake"])
    client.get("/api/v1/me")  # token touch happens once a minute; keep it out of the counted request
    with django_assert_max_num_queries(5):
        page = client.get("/api/v1/cases", {"page_size": 100}).json()
    assert page["count"] == 31 and page["pages"] == 1 and len(page["items"]) == 31
    assert {item["centre"]["code"] for item in page["items"]} == {"sh"}
    assert any(item["handler"] for item in page["items"])

    second = client.get("/api/v1/cases", {"page": 2, "page_size": 10}).json()
    assert (second["count"], second["page"], second["pages"], len(second["items"])) == (31, 2, 4, 10)
    assert client.get("/api/v1/cases", {"page": 9, "page_size": 10}).json()["items"] == []
    by_number = client.get("/api/v1/cases", {"q": case.tracking_number.lower()}).json()
    assert [i["tracking_number"] for i in by_number["items"]] == [case.tracking_number]
    to_accept = client.get("/api/v1/cases", {"queue": "to_accept", "state": "submitted", "ip_type": "trademark"})
    assert to_accept.json()["count"] == 31
    assert client.get("/api/v1/cases", {"state": "closed"}).json()["count"] == 0
    today = timezone.localdate().isoformat()
    ranged = client.get("/api/v1/cases", {"submitted_from": today, "submitted_to": today, "sort": "oldest"}).json()
    assert ranged["count"] == 31

    mine = api_client(applicant).get("/api/v1/cases").json()
    assert mine["count"] == 3


def test_lifecycle_through_the_api(network):
    applicant = ApplicantFactory()
    number = post_json(api_client(applicant), "/api/v1/cases", create_body()).json()["tracking_number"]
    applicant_api = api_client(applicant)
    intake = api_client(network["sh_intake"])
    director = api_client(network["sh_director"])
    handler = api_client(network["sh_handler"])
    base = f"/api/v1/cases/{number}/transitions"

    allowed = intake.get(base).json()
    assert {a["action"] for a in allowed["allowed_actions"]} == {"request_info", "accept", "reject", "transfer"}
    response = post_json(intake, f"{base}/request_info", {"request_text": "请补充商标注册证书。"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == CaseState.INFO_REQUESTED
    assert [a["action"] for a in applicant_api.get(base).json()["allowed_actions"]] == ["answer_info", "withdraw"]
    assert post_json(applicant_api, f"{base}/answer_info", {"answer_text": "已补充。"}).json()["state"] == "submitted"
    assert post_json(intake, f"{base}/accept", {"note": "材料齐全"}).json()["state"] == CaseState.ACCEPTED
    assigned = post_json(director, f"{base}/assign", {"handler_id": network["sh_handler"].pk})
    assert assigned.json()["state"] == CaseState.ASSIGNED
    started = handler.post(f"{base}/start", "", content_type="application/json")  # no body at all
    assert started.json()["state"] == CaseState.IN_HANDLING
    concluded = post_json(
        handler,
        f"{base}/conclude",
        {"outcome": "opinion_issued", "result_letter": "经审查，被请求人使用的标识与贵司注册商标近似。"},
    )
    assert concluded.status_code == 200 and concluded.json()["action"] == "conclude"

    detail = applicant_api.get(f"/api/v1/cases/{number}").json()
    assert detail["state"] == CaseState.CONCLUDED and detail["outcome"] == "opinion_issued"
    assert detail["result_letter"].startswith("经审查")
    assert {c["rule"]: c["state"] for c in detail["clocks"]} == {
        "acceptance": "met",
        "info_response": "met",
        "handling": "met",
    }
    assert [e["action"] for e in detail["timeline"]] == [
        "create",
        "submit",
        "request_info",
        "answer_info",
        "accept",
        "assign",
        "start",
        "conclude",
    ]
    assert post_json(director, f"{base}/reopen", {"reason": "申请人提出新证据"}).json()["state"] == "reopened"


def test_reject_and_transfer_resolve_centre_codes(network):
    rejected = make_case(network["shanghai"])
    intake = api_client(network["sh_intake"])
    response = post_json(
        intake,
        f"/api/v1/cases/{rejected.tracking_number}/transitions/reject",
        {
            "reason": "out_of_area",
            "text": "申请人不在本市。",
            "fix": "请向浙江省中心申请。",
            "suggested_centre_code": "zj",
        },
    )
    assert response.status_code == 200, response.content
    detail = api_client(rejected.applicant_user).get(f"/api/v1/cases/{rejected.tracking_number}").json()
    assert detail["rejection"]["suggested_centre"]["code"] == "zj"
    assert detail["rejection"]["reason_label"] == "不属于本中心服务地域"

    moved = make_case(network["shanghai"])
    base = f"/api/v1/cases/{moved.tracking_number}/transitions"
    response = post_json(intake, f"{base}/transfer", {"target_centre_code": "zj", "reason": "被请求人在杭州。"})
    assert response.status_code == 200 and response.json()["state"] == CaseState.TRANSFERRED
    assert response.json()["allowed_actions"] == []
    assert intake.get(f"/api/v1/cases/{moved.tracking_number}").status_code == 404  # no longer Shanghai's
    received = post_json(api_client(network["zj_intake"]), f"{base}/receive_transfer")
    assert received.status_code == 200 and received.json()["state"] == CaseState.SUBMITTED
    assert Clock.objects.filter(case=moved, rule="acceptance").count() == 1  # the clock travelled with the case


def test_messages_with_internal_notes(network):
    case = make_case(network["shanghai"])
    applicant = api_client(case.applicant_user)
    intake = api_client(network["sh_intake"])
    path = f"/api/v1/cases/{case.tracking_number}/messages"
    posted = post_json(applicant, path, {"body": "请问何时受理？"})
    assert posted.status_code == 201, posted.content
    assert posted.json()["author"]["id"] == case.applicant_user.pk
    assert post_json(intake, path, {"body": "内部：核实申请人身份", "internal": True}).status_code == 201
    assert post_json(intake, path, {"body": "已收到，正在审查。"}).status_code == 201
    assert [m["body"] for m in applicant.get(path).json()["items"]] == ["请问何时受理？", "已收到，正在审查。"]
    staff_view = intake.get(path, {"page_size": 2}).json()
    assert staff_view["count"] == 3 and staff_view["pages"] == 2
    assert [m["internal"] for m in staff_view["items"]] == [False, True]
    refused = post_json(applicant, path, {"body": "我也想写内部备注", "internal": True})
    assert refused.status_code == 403 and refused.json()["detail"]


def test_evidence_upload_list_and_audited_download(network):
    case = make_case(network["shanghai"])
    applicant = api_client(case.applicant_user)
    path = f"/api/v1/cases/{case.tracking_number}/evidence"
    response = applicant.post(path, {"files": [png_upload("shop.png"), pdf_upload("notary.pdf")]})
    assert response.status_code == 201, response.content
    items = response.json()["items"]
    assert [(i["name"], i["content_type"], i["size"]) for i in items] == [
        ("shop.png", "image/png", len(PNG_BYTES)),
        ("notary.pdf", "application/pdf", len(PDF_BYTES)),
    ]
    assert items[0]["sha256"] == EvidenceFile.objects_unscoped.get(pk=items[0]["id"]).sha256

    listed = api_client(network["sh_handler"]).get(path).json()
    assert listed["count"] == 2 and listed["items"][1]["download_url"] == f"/api/v1/evidence/{items[1]['id']}/download"
    download = api_client(network["sh_handler"]).get(listed["items"][1]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="evidence.download", object_id=str(items[1]["id"])).count() == 1

    supervisor = api_client(network["national_supervisor"])
    assert supervisor.get(path).json()["items"][0]["download_url"] is None
    refused = supervisor.get(f"/api/v1/evidence/{items[0]['id']}/download")
    assert refused.status_code == 403 and refused.json()["detail"]
    assert api_client(network["zj_handler"]).get(f"/api/v1/evidence/{items[0]['id']}/download").status_code == 404
    assert AuditEvent.objects.filter(action="evidence.download").count() == 1


def test_session_that_owes_two_factor_may_not_use_the_api(network, settings):
    settings.OTP_REQUIRED_FOR_PRIVILEGED = True
    director = Client()
    director.force_login(network["sh_director"])  # a director must pass the TOTP step first
    refused = director.get("/api/v1/me")
    assert refused.status_code == 403 and refused.json()["detail"]
    assert api_client(network["sh_director"]).get("/api/v1/me").status_code == 200  # a token is enough
    handler = Client()
    handler.force_login(network["sh_handler"])
    assert handler.get("/api/v1/me").status_code == 200
