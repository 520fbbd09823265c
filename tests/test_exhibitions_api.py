"""Issue #6: the fair station in the API (`/api/v1/exhibitions`), with the station staff's and the duty expert's
own tokens: the open complaints with their clocks, one complaint, filing, serving, the defence, the finding with
its measures, the confirmation and the refusal; scoped like the pages, idempotent writes, bad input named."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.api_support import api_client
from tests.exhibitions_support import fair_world, file_complaint
from tests.factories import pdf_upload, png_upload
from tests.marks_support import make_mark
from weiyuan.exhibitions import complaint_services as cs
from weiyuan.exhibitions.models import Complaint, ComplaintState
from weiyuan.marks.models import Mark
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
BASE = "/api/v1/exhibitions"
S = ComplaintState


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    world = fair_world(network)
    world["staff_api"] = api_client(world["sh_handler"])
    world["expert_api"] = api_client(world["expert"])
    world["respondent_api"] = api_client(world["respondent"])
    world["zj_api"] = api_client(world["zj_director"])
    return world


def filing(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "complainant": "上海飞科电器股份有限公司",
        "right_type": "trademark",
        "right_number": "12345678",
        "right_title": "飞科",
        "right_owner": "上海飞科电器股份有限公司",
        "right_valid_from": (today - dt.timedelta(days=400)).isoformat(),
        "right_valid_until": (today + dt.timedelta(days=3000)).isoformat(),
        "respondent": "1A01",
        "exhibits": "展台正面陈列的电吹风",
        "accused_mark": "飞利科",
    }
    data.update(overrides)
    return data


def post_json(client: Client, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    return client.post(
        f"{BASE}{path}", body or {}, content_type="application/json", headers=key() if headers is None else headers
    )


def post_form(client: Client, path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.post(f"{BASE}{path}", data, headers=key() if headers is None else headers)


def test_the_station_flow_through_the_api(w: dict[str, Any]) -> None:
    Mark.objects.bulk_create([make_mark("飞科", "12345678", [11], owner="上海飞科电器股份有限公司")])
    station = w["station"]
    staff = w["staff_api"]
    filed = post_form(
        staff,
        f"/stations/{station.pk}/complaints",
        {**filing(), "certificate": pdf_upload("注册证.pdf"), "photos": [png_upload("展台.png")]},
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    cid = body["id"]
    assert body["number"].startswith("EX-") and body["state"] == "filed"
    assert body["clock"] == {
        "rule": "fair_respondent_defence",
        "state": "not_started",
        "hours": 24,
        "started_at": None,
        "due_at": None,
        "seconds_left": None,
    }
    assert body["mark_check"]["status"] == "found" and body["mark_check"]["registration"]["classes"] == [11]
    assert body["mark_check"]["similarity"]["accused_mark"] == "飞利科" and body["mark_check"]["reasons"]
    assert {f["kind"] for f in body["files"]} == {"certificate", "photo"}
    assert "serve" in body["allowed_actions"]

    served = post_json(staff, f"/complaints/{cid}/serve")
    assert served.status_code == 200 and served.json()["clock"]["state"] == "running"
    assert 23 * 3600 < served.json()["clock"]["seconds_left"] <= 24 * 3600

    listed = staff.get(f"{BASE}/stations/{station.pk}/complaints")
    assert listed.status_code == 200
    item = listed.json()["items"][0]
    assert item["id"] == cid and item["clock"]["state"] == "running" and item["mark_check_status"] == "found"
    assert item["respondent"]["booth"] == "1A01" and item["respondent"]["industry"] == "C"
    assert item["respondent"]["industry_label"] == "制造业"

    # The respondent, with its own token once served, defends with evidence; it does not see the check.
    defended = post_form(
        w["respondent_api"], f"/complaints/{cid}/defence", {"text": "我方标识不同。", "files": [pdf_upload("a.pdf")]}
    )
    assert defended.status_code == 200, defended.content
    assert defended.json()["state"] == "defended" and defended.json()["clock"]["state"] == "stopped"
    assert defended.json()["mark_check"] is None and defended.json()["files"] == []

    found = post_json(
        w["expert_api"],
        f"/complaints/{cid}/finding",
        {
            "outcome": "infringing",
            "reason": "标识近似，商品相同。",
            "measures": [{"kind": "remove", "exhibit": "电吹风"}],
        },
    )
    assert found.status_code == 200, found.content
    assert found.json()["state"] == "infringing" and found.json()["measures_due"] == 1

    confirmed = post_form(staff, f"/complaints/{cid}/measures", {"signer": "张三", "photo": png_upload("撤下.png")})
    assert confirmed.status_code == 200, confirmed.content
    result = confirmed.json()
    assert result["state"] == "complied" and result["measures"][0]["state"] == "confirmed"
    assert result["measures"][0]["signer"] == "张三" and result["measures"][0]["confirmed_at"]
    assert [st["action"] for st in result["steps"]] == [
        "file",
        "serve",
        "defend",
        "decide_infringing",
        "confirm_measures",
    ]
    assert staff.get(f"{BASE}/stations/{station.pk}/complaints").json()["count"] == 0  # closed: off the list


def test_the_refusal_tells_the_organiser(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    complaint = cs.complaint_serve(complaint=complaint, actor=w["sh_handler"])
    complaint = cs.complaint_defend(complaint=complaint, actor=w["respondent"], text="不侵权")
    cs.complaint_decide(
        complaint=complaint, actor=w["expert"], outcome="infringing", reason="近似", measures=[("cover", "海报")]
    )
    refused = post_json(w["staff_api"], f"/complaints/{complaint.pk}/refusal", {"note": "拒绝遮盖。"})
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert refused.json()["organiser_told_at"]
    assert OutboxMessage.objects.filter(recipient=w["organiser"]).exists()


def test_bad_input_is_named_and_changes_nothing(w: dict[str, Any]) -> None:
    station = w["station"]
    staff = w["staff_api"]
    path = f"/stations/{station.pk}/complaints"
    # No certificate, an unknown booth, a right not in force: each named by field; nothing filed.
    missing = post_form(staff, path, filing())
    assert missing.status_code == 422 and "certificate" in {e["field"] for e in missing.json()["detail"]}
    booth = post_form(staff, path, {**filing(respondent="9Z99"), "certificate": pdf_upload()})
    assert booth.status_code == 422 and booth.json()["detail"][0]["field"] == "respondent"
    expired = post_form(
        staff,
        path,
        {**filing(right_valid_until=timezone.localdate().replace(year=2000).isoformat()), "certificate": pdf_upload()},
    )
    assert expired.status_code == 422 and "right_valid_until" in {e["field"] for e in expired.json()["detail"]}
    sign = post_form(staff, path, {**filing(right_type="design"), "certificate": pdf_upload()})
    assert sign.status_code == 422 and "accused_mark" in {e["field"] for e in sign.json()["detail"]}
    assert not Complaint.objects.exists()
    # A filter outside the open states.
    bad_state = staff.get(f"{BASE}/stations/{station.pk}/complaints?state=complied")
    assert bad_state.status_code == 422 and bad_state.json()["detail"][0]["field"] == "state"
    # A finding with an unknown measure, and an unknown outcome.
    complaint = cs.complaint_serve(complaint=file_complaint(w), actor=w["sh_handler"])
    cs.complaint_defend(complaint=complaint, actor=w["respondent"], text="不侵权")
    wrong = post_json(
        w["expert_api"],
        f"/complaints/{complaint.pk}/finding",
        {"outcome": "infringing", "reason": "近似", "measures": [{"kind": "burn", "exhibit": "x"}]},
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "measures"
    unknown = post_json(w["expert_api"], f"/complaints/{complaint.pk}/finding", {"outcome": "maybe", "reason": "x"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "outcome"
    # Confirming measures without a photo, on a complaint with no finding yet: refused by state first.
    no_photo = post_form(w["staff_api"], f"/complaints/{complaint.pk}/measures", {"signer": "张三"})
    assert no_photo.status_code == 409
    complaint.refresh_from_db()
    assert complaint.state == S.DEFENDED and not complaint.measures.exists()


def test_a_defence_after_the_clock_is_refused_naming_the_rule(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    cs.complaint_serve(complaint=complaint, actor=w["sh_handler"], now=timezone.now() - dt.timedelta(hours=25))
    late = post_form(w["respondent_api"], f"/complaints/{complaint.pk}/defence", {"text": "迟到的答辩。"})
    assert late.status_code == 409 and "fair_respondent_defence" in late.json()["detail"]
    complaint.refresh_from_db()
    assert complaint.state == S.SERVED and complaint.defence == ""
    listed = w["staff_api"].get(f"{BASE}/stations/{w['station'].pk}/complaints?state=served").json()
    assert listed["items"][0]["clock"]["state"] == "expired" and listed["items"][0]["clock"]["seconds_left"] == 0


def test_scoped_like_the_pages_and_the_key_after_access(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    station = w["station"]
    # Another centre's staff: nothing exists.
    assert w["zj_api"].get(f"{BASE}/stations/{station.pk}/complaints").status_code == 404
    assert w["zj_api"].get(f"{BASE}/complaints/{complaint.pk}").status_code == 404
    assert post_json(w["zj_api"], f"/complaints/{complaint.pk}/serve", headers={}).status_code == 404
    # The respondent before the notice is served: 404 too; the expert on duty sees it but may not serve (403).
    assert w["respondent_api"].get(f"{BASE}/complaints/{complaint.pk}").status_code == 404
    assert post_json(w["expert_api"], f"/complaints/{complaint.pk}/serve", headers={}).status_code == 403
    # Staff without the key: 422 naming it, nothing changes.
    missing = post_json(w["staff_api"], f"/complaints/{complaint.pk}/serve", headers={})
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "Idempotency-Key"
    complaint.refresh_from_db()
    assert complaint.state == S.FILED


def test_a_retried_filing_files_once(w: dict[str, Any]) -> None:
    headers = key()
    data = filing(right_type="design", accused_mark="", right_number="ZL202130123456.7")
    first = post_form(
        w["staff_api"], f"/stations/{w['station'].pk}/complaints", {**data, "certificate": pdf_upload()}, headers
    )
    again = post_form(
        w["staff_api"], f"/stations/{w['station'].pk}/complaints", {**data, "certificate": pdf_upload()}, headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Complaint.objects.count() == 1


def test_the_list_is_a_constant_number_of_queries(w: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    for booth in ("1A01", "1A02", "1A03"):
        cs.complaint_serve(complaint=file_complaint(w, respondent=booth), actor=w["sh_handler"])
    client = w["staff_api"]
    client.get(f"{BASE}/stations/{w['station'].pk}/complaints")  # the token's first use is recorded once
    with django_assert_max_num_queries(12) as few:
        assert client.get(f"{BASE}/stations/{w['station'].pk}/complaints").json()["count"] == 3
    for _i in range(6):
        file_complaint(w, respondent="1A02")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{BASE}/stations/{w['station'].pk}/complaints?page_size=50").json()["count"] == 9


def test_the_openapi_schema_tags_the_station_routes(w: dict[str, Any]) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith(f"{BASE}/")]
    assert len(paths) == 7
    for path in paths:
        for method, operation in schema["paths"][path].items():
            assert operation["tags"] == ["exhibitions"]
            if method == "post":
                assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", [])], path
