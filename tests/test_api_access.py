"""Access through the API: what a caller may not see is 404, what they may not do is 403 with the reason."""

from __future__ import annotations

import pytest

from tests.api_support import api_client, create_body, post_json
from tests.factories import ApplicantFactory, make_case, png_upload
from weiyuan.cases import services
from weiyuan.cases.models import CaseMessage, CaseState
from weiyuan.evidence.models import EvidenceFile

pytestmark = pytest.mark.django_db


def test_other_centre_gets_404_on_every_case_route(network):
    case = make_case(network["shanghai"])
    number = case.tracking_number
    zj = api_client(network["zj_director"])
    for path in (
        f"/api/v1/cases/{number}",
        f"/api/v1/cases/{number}/transitions",
        f"/api/v1/cases/{number}/messages",
        f"/api/v1/cases/{number}/evidence",
    ):
        assert zj.get(path).status_code == 404, path
    assert post_json(zj, f"/api/v1/cases/{number}/transitions/accept").status_code == 404
    assert post_json(zj, f"/api/v1/cases/{number}/messages", {"body": "你好"}).status_code == 404
    assert zj.post(f"/api/v1/cases/{number}/evidence", {"files": [png_upload()]}).status_code == 404
    assert zj.get("/api/v1/cases").json()["count"] == 0
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert CaseMessage.objects.filter(case=case).count() == 0


def test_visible_but_not_permitted_is_403_with_reason(network):
    case = make_case(network["shanghai"])
    base = f"/api/v1/cases/{case.tracking_number}/transitions"
    supervisor = api_client(network["sh_supervisor"])
    assert supervisor.get(f"/api/v1/cases/{case.tracking_number}").status_code == 200
    refused = post_json(supervisor, f"{base}/accept")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "您的角色不能执行此操作。"}
    # The permission refusal comes before any look at the body.
    assert post_json(supervisor, f"{base}/reject", {"reason": "?"}).status_code == 403
    assert post_json(api_client(network["sh_handler"]), f"{base}/accept").status_code == 403
    assert post_json(api_client(case.applicant_user), f"{base}/accept").status_code == 403
    assert post_json(api_client(network["sh_intake"]), f"{base}/withdraw").status_code == 403
    message = post_json(supervisor, f"/api/v1/cases/{case.tracking_number}/messages", {"body": "监督意见"})
    assert message.status_code == 403
    upload = supervisor.post(f"/api/v1/cases/{case.tracking_number}/evidence", {"files": [png_upload()]})
    assert upload.status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_state_conflict_is_409(network):
    case = make_case(network["shanghai"])
    intake = api_client(network["sh_intake"])
    base = f"/api/v1/cases/{case.tracking_number}/transitions"
    assert post_json(intake, f"{base}/accept").status_code == 200
    again = post_json(intake, f"{base}/accept")
    assert again.status_code == 409
    assert "已受理" in again.json()["detail"]
    assert post_json(api_client(network["sh_director"]), f"{base}/close").status_code == 409


def test_applicant_lists_and_reads_only_own_cases(network):
    alice, bob = ApplicantFactory(), ApplicantFactory()
    alice_api, bob_api = api_client(alice), api_client(bob)
    mine = [post_json(alice_api, "/api/v1/cases", create_body()).json()["tracking_number"] for _ in range(2)]
    theirs = post_json(bob_api, "/api/v1/cases", create_body()).json()["tracking_number"]
    listed = alice_api.get("/api/v1/cases").json()
    assert sorted(i["tracking_number"] for i in listed["items"]) == sorted(mine)
    assert alice_api.get(f"/api/v1/cases/{theirs}").status_code == 404
    assert post_json(alice_api, f"/api/v1/cases/{theirs}/transitions/withdraw").status_code == 404
    assert bob_api.get("/api/v1/cases", {"q": mine[0]}).json()["count"] == 0


def test_internal_notes_and_their_attachments_stay_with_staff(network):
    case = make_case(network["shanghai"])
    note = services.case_message_post(
        case=case, actor=network["sh_intake"], body="内部核查记录", internal=True, files=[png_upload("check.png")]
    )
    attachment = EvidenceFile.objects_unscoped.get(message=note)
    applicant = api_client(case.applicant_user)
    assert applicant.get(f"/api/v1/cases/{case.tracking_number}/messages").json()["count"] == 0
    assert applicant.get(f"/api/v1/cases/{case.tracking_number}/evidence").json()["count"] == 0
    assert applicant.get(f"/api/v1/evidence/{attachment.pk}/download").status_code == 404
    staff = api_client(network["sh_handler"])
    listed = staff.get(f"/api/v1/cases/{case.tracking_number}/messages").json()
    assert listed["items"][0]["attachments"][0]["name"] == "check.png"
    assert staff.get(f"/api/v1/evidence/{attachment.pk}/download").status_code == 200


def test_supervisor_sees_subtree_not_other_provinces(network):
    sh_case = make_case(network["pudong"])
    zj_case = make_case(network["zhejiang"])
    sh_supervisor = api_client(network["sh_supervisor"])
    listed = sh_supervisor.get("/api/v1/cases").json()
    assert [i["tracking_number"] for i in listed["items"]] == [sh_case.tracking_number]
    assert sh_supervisor.get(f"/api/v1/cases/{zj_case.tracking_number}").status_code == 404
    national = api_client(network["national_supervisor"]).get("/api/v1/cases").json()
    assert national["count"] == 2
