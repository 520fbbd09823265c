"""The referrals API: a partner lists and reads the referrals addressed to its organisation (404 for the rest),
acknowledges, decides and reports the outcome with a file; every write requires and honours `Idempotency-Key`;
the list's query count does not grow with its length; partners refer cases in; staff read the statistics."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import pytest
from django.test import Client

from tests.api_support import create_body, post_json
from tests.factories import ApplicantFactory, pdf_upload
from tests.referrals_support import case_files, make_org, partner_of, referrable_case
from weiyuan.accounts.models import ApiToken
from weiyuan.audit.models import AuditEvent
from weiyuan.partners.models import OrganisationKind
from weiyuan.referrals import services
from weiyuan.referrals.models import InboundReferral, Referral, ReferralState

pytestmark = pytest.mark.django_db
BASE = "/api/v1/referrals"


def client_of(user: Any, organisation: Any = None) -> Client:
    """A client with a fresh API token of the user; a partner's token is scoped to its organisation."""
    token = "wy_" + secrets.token_urlsafe(30)
    ApiToken.objects.create(
        user=user,
        name="t",
        prefix=token[3:11],
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        organisation=organisation,
    )
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["case"] = referrable_case(network, ApplicantFactory())
    w["court"] = make_org(network["shanghai"], OrganisationKind.COURT, name="上海知识产权法院")
    w["bureau"] = make_org(network["shanghai"], OrganisationKind.ENFORCEMENT, name="浦东新区市场监督管理局")
    w["court_partner"] = partner_of(w["court"])
    w["bureau_partner"] = partner_of(w["bureau"])
    w["court_api"] = client_of(w["court_partner"], w["court"])
    w["bureau_api"] = client_of(w["bureau_partner"], w["bureau"])
    (w["referral"],) = services.referral_send(
        case=w["case"],
        actor=w["sh_handler"],
        organisations=[w["court"]],
        cover_letter="请贵院依法处理本案被请求人的侵权行为。",
        documents=case_files(w["case"])[:1],
    )
    return w


def url(w: dict[str, Any], suffix: str = "") -> str:
    return f"{BASE}/{w['referral'].pk}{suffix}"


def test_list_is_the_organisations_own_paginated_and_filtered(w):
    body = w["court_api"].get(BASE).json()
    assert [i["id"] for i in body["items"]] == [w["referral"].pk] and body["count"] == 1
    item = body["items"][0]
    assert (
        item["case"] == w["case"].tracking_number
        and item["state"] == "sent"
        and item["organisation"]["kind"] == "court"
    )
    assert w["bureau_api"].get(BASE).json()["count"] == 0
    assert w["court_api"].get(BASE, {"state": "concluded"}).json()["count"] == 0
    assert w["court_api"].get(BASE, {"state": "open", "page_size": 1}).json()["pages"] == 1
    bad = w["court_api"].get(BASE, {"state": "nonsense"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "state"
    assert w["court_api"].get(BASE, {"page_size": 101}).status_code == 422


def test_detail_for_the_addressee_404_for_everyone_else(w):
    mine = w["court_api"].get(url(w))
    assert mine.status_code == 200
    body = mine.json()
    assert body["cover_letter"].startswith("请贵院") and [d["name"] for d in body["documents"]] == ["证据0.pdf"]
    assert set(body["allowed_actions"]) == {"acknowledge", "accept", "decline"}
    assert w["bureau_api"].get(url(w)).status_code == 404
    assert client_of(w["zj_director"]).get(url(w)).status_code == 404
    assert client_of(ApplicantFactory()).get(url(w)).status_code == 404
    assert w["court_api"].get(f"{BASE}/999999").status_code == 404
    # A partner's token that is not scoped to the organisation acts for none.
    assert client_of(w["court_partner"]).get(url(w)).status_code == 404
    # Staff of the case's centre read it too.
    assert client_of(w["sh_intake"]).get(url(w)).status_code == 200


def test_writes_require_an_idempotency_key(w):
    response = post_json(w["court_api"], url(w, "/acknowledge"))
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "Idempotency-Key"
    w["referral"].refresh_from_db()
    assert w["referral"].state == ReferralState.SENT


def test_acknowledge_replays_with_the_same_key(w):
    first = post_json(w["court_api"], url(w, "/acknowledge"), **{"Idempotency-Key": "ack-1"})
    assert first.status_code == 200 and first.json()["state"] == "acknowledged"
    again = post_json(w["court_api"], url(w, "/acknowledge"), **{"Idempotency-Key": "ack-1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AuditEvent.objects.filter(action="referral.acknowledge").count() == 1
    # A new key for the same step: the table refuses it (409 with the reason).
    late = post_json(w["court_api"], url(w, "/acknowledge"), **{"Idempotency-Key": "ack-2"})
    assert late.status_code == 409 and "已签收" in late.json()["detail"]


def test_other_organisation_cannot_write(w):
    response = post_json(w["bureau_api"], url(w, "/acknowledge"), **{"Idempotency-Key": "x"})
    assert response.status_code == 404
    staff = post_json(client_of(w["sh_director"]), url(w, "/acknowledge"), **{"Idempotency-Key": "x"})
    assert staff.status_code == 403


def test_decision_and_outcome_with_a_file(w):
    api = w["court_api"]
    bad = post_json(api, url(w, "/decision"), {"decision": "maybe"}, **{"Idempotency-Key": "d0"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "decision"
    no_reason = post_json(api, url(w, "/decision"), {"decision": "decline"}, **{"Idempotency-Key": "d1"})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "reason"
    ok = post_json(api, url(w, "/decision"), {"decision": "accept", "note": "已立案"}, **{"Idempotency-Key": "d2"})
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    report = api.post(
        url(w, "/updates"), {"text": "已开庭。", "document": pdf_upload("笔录.pdf")}, headers={"Idempotency-Key": "u1"}
    )
    assert report.status_code == 201 and report.json()["updates"][-1]["document"]["name"] == "笔录.pdf"
    missing = api.post(
        url(w, "/outcome"), {"outcome_kind": "judgment", "summary": "判决支持原告。"}, headers={"Idempotency-Key": "o1"}
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "document"
    done = api.post(
        url(w, "/outcome"),
        {"outcome_kind": "judgment", "summary": "判决支持原告。", "document": pdf_upload("判决书.pdf")},
        headers={"Idempotency-Key": "o2"},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "concluded" and body["outcome_kind"] == "judgment"
    assert body["outcome_document"]["name"] == "判决书.pdf"
    replay = api.post(
        url(w, "/outcome"),
        {"outcome_kind": "judgment", "summary": "判决支持原告。", "document": pdf_upload("判决书.pdf")},
        headers={"Idempotency-Key": "o2"},
    )
    assert replay["Idempotent-Replayed"] == "true"
    download = api.get(body["outcome_document"]["download_url"])
    assert download.status_code == 200


def test_documents_list_and_download_only_the_shared_ones(w):
    shared, unshared = case_files(w["case"])[:2]
    docs = w["court_api"].get(url(w, "/documents")).json()
    assert [d["id"] for d in docs] == [shared.pk]
    assert w["court_api"].get(url(w, f"/documents/{shared.pk}")).status_code == 200
    assert w["court_api"].get(url(w, f"/documents/{unshared.pk}")).status_code == 404
    assert w["bureau_api"].get(url(w, f"/documents/{shared.pk}")).status_code == 404
    assert AuditEvent.objects.filter(action="referral.document_download").count() == 1
    # A supervisor sees the referral but downloads nothing through it.
    assert client_of(w["sh_supervisor"]).get(url(w, f"/documents/{shared.pk}")).status_code == 403


def test_list_query_count_does_not_grow(w, django_assert_max_num_queries):
    api = w["court_api"]
    with django_assert_max_num_queries(12) as few:
        assert api.get(BASE).json()["count"] == 1
    for _i in range(8):
        case = referrable_case(w, files=0)
        services.referral_send(
            case=case, actor=w["sh_director"], organisations=[w["court"]], cover_letter="请依法处理侵权行为。"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(BASE).json()["count"] == 9
    staff = client_of(w["sh_director"])
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        assert staff.get(BASE).json()["count"] == 9


def test_refer_a_case_in_and_follow_its_state(w):
    api = w["court_api"]
    response = post_json(api, f"{BASE}/inbound", create_body(), **{"Idempotency-Key": "in-1"})
    assert response.status_code == 201, response.content
    number = response.json()["tracking_number"]
    inbound = InboundReferral.objects.get(case__tracking_number=number)
    assert inbound.organisation == w["court"] and inbound.case.channel == "referral"
    replay = post_json(api, f"{BASE}/inbound", create_body(title="x"), **{"Idempotency-Key": "in-1"})
    assert replay.status_code == 422  # same key, different body
    # Another account of the same organisation sees its status; another organisation does not.
    colleague = partner_of(w["court"])
    listed = client_of(colleague, w["court"]).get(f"{BASE}/inbound").json()
    assert [i["case"] for i in listed["items"]] == [number] and listed["items"][0]["state"] == "submitted"
    assert w["bureau_api"].get(f"{BASE}/inbound").json()["count"] == 0
    assert client_of(w["sh_handler"]).get(f"{BASE}/inbound").status_code == 403
    refused = post_json(client_of(ApplicantFactory()), f"{BASE}/inbound", create_body(), **{"Idempotency-Key": "a"})
    assert refused.status_code == 403
    assert InboundReferral.objects.count() == 1


def test_stats_for_staff_and_supervisors_only(w):
    body = client_of(w["sh_handler"]).get(f"{BASE}/stats").json()
    assert body["total"] == 1 and body["rows"][0]["kind"] == "court" and body["rows"][0]["counts"]["pending"] == 1
    assert client_of(w["zj_director"]).get(f"{BASE}/stats").json()["total"] == 0
    assert client_of(w["national_supervisor"]).get(f"{BASE}/stats", {"centre": "sh"}).json()["total"] == 1
    assert client_of(w["national_supervisor"]).get(f"{BASE}/stats", {"centre": "nope"}).status_code == 422
    assert w["court_api"].get(f"{BASE}/stats").status_code == 403


def test_withdrawn_referral_stays_visible_to_the_partner(w):
    services.referral_withdraw(referral=w["referral"], actor=w["sh_director"], reason="申请人已和解。")
    body = w["court_api"].get(url(w)).json()
    assert (
        body["state"] == "withdrawn" and body["withdrawn_reason"] == "申请人已和解。" and body["allowed_actions"] == []
    )
    assert Referral.objects.get(pk=w["referral"].pk).state == ReferralState.WITHDRAWN


def test_a_case_a_partner_files_through_the_generic_endpoint_records_its_organisation(w):
    response = post_json(w["court_api"], "/api/v1/cases", create_body(channel="referral"), **{"Idempotency-Key": "g-1"})
    assert response.status_code == 201, response.content
    inbound = InboundReferral.objects.get(case__tracking_number=response.json()["tracking_number"])
    assert inbound.organisation == w["court"]
