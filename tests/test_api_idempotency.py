"""Idempotency-Key on API POSTs: one key, one effect, replayed answers, and 50 requests at once create one case."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from tests.api_support import api_client, create_body, fields_of, make_token, post_json
from tests.factories import ApplicantFactory, make_case, pdf_upload, png_upload
from weiyuan.api import services as api_services
from weiyuan.api.idempotency import REPLAYED_HEADER
from weiyuan.api.models import IdempotencyKey
from weiyuan.cases.models import Case
from weiyuan.evidence.models import EvidenceFile

KEY = "Idempotency-Key"


@pytest.mark.django_db
def test_same_key_same_request_creates_one_case_and_replays_the_answer(network):
    client = api_client(ApplicantFactory())
    body = create_body()
    first = post_json(client, "/api/v1/cases", body, **{KEY: "order-1"})
    second = post_json(client, "/api/v1/cases", body, **{KEY: "order-1"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second[REPLAYED_HEADER] == "true" and REPLAYED_HEADER not in first
    assert Case.objects_unscoped.count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.status_code, row.method, row.path) == (201, "POST", "/api/v1/cases")
    assert row.response_body["tracking_number"] == first.json()["tracking_number"]

    changed = post_json(client, "/api/v1/cases", {**body, "title": "另一个案件"}, **{KEY: "order-1"})
    assert fields_of(changed) == {KEY}
    assert "另一个不同的请求" in changed.json()["detail"][0]["message"]
    assert Case.objects_unscoped.count() == 1

    other_key = post_json(client, "/api/v1/cases", body, **{KEY: "order-2"})
    assert other_key.status_code == 201 and Case.objects_unscoped.count() == 2
    without_key = post_json(client, "/api/v1/cases", body)
    assert without_key.status_code == 201 and Case.objects_unscoped.count() == 3


@pytest.mark.django_db
def test_keys_belong_to_one_user(network):
    body = create_body()
    a = post_json(api_client(ApplicantFactory()), "/api/v1/cases", body, **{KEY: "shared"})
    b = post_json(api_client(ApplicantFactory()), "/api/v1/cases", body, **{KEY: "shared"})
    assert a.status_code == b.status_code == 201
    assert a.json()["tracking_number"] != b.json()["tracking_number"]


@pytest.mark.django_db
def test_key_length_is_checked(network):
    client = api_client(ApplicantFactory())
    assert fields_of(post_json(client, "/api/v1/cases", create_body(), **{KEY: "k" * 121})) == {KEY}
    assert fields_of(post_json(client, "/api/v1/cases", create_body(), **{KEY: "   "})) == {KEY}
    assert post_json(client, "/api/v1/cases", create_body(), **{KEY: "k" * 120}).status_code == 201
    assert Case.objects_unscoped.count() == 1


@pytest.mark.django_db
def test_client_errors_are_stored_and_replayed(network):
    client = api_client(ApplicantFactory())
    bad = create_body(applicant_region_code="000000")
    first = post_json(client, "/api/v1/cases", bad, **{KEY: "bad-1"})
    again = post_json(client, "/api/v1/cases", bad, **{KEY: "bad-1"})
    assert fields_of(first) == fields_of(again) == {"applicant_region_code"}
    assert again[REPLAYED_HEADER] == "true"
    assert IdempotencyKey.objects.get(key="bad-1").status_code == 422
    assert Case.objects_unscoped.count() == 0


@pytest.mark.django_db
def test_transition_with_a_key_is_not_repeated(network):
    case = make_case(network["shanghai"])
    intake = api_client(network["sh_intake"])
    path = f"/api/v1/cases/{case.tracking_number}/transitions/accept"
    first = post_json(intake, path, None, **{KEY: "accept-1"})
    second = post_json(intake, path, None, **{KEY: "accept-1"})
    assert first.status_code == second.status_code == 200
    assert second[REPLAYED_HEADER] == "true"
    assert case.events.filter(action="accept").count() == 1
    assert post_json(intake, path, None, **{KEY: "accept-2"}).status_code == 409


@pytest.mark.django_db
def test_messages_and_uploads_with_a_key_happen_once(network):
    case = make_case(network["shanghai"])
    client = api_client(case.applicant_user)
    messages = f"/api/v1/cases/{case.tracking_number}/messages"
    for _ in range(2):
        assert post_json(client, messages, {"body": "请尽快处理"}, **{KEY: "msg-1"}).status_code == 201
    assert case.messages.count() == 1

    evidence = f"/api/v1/cases/{case.tracking_number}/evidence"
    first = client.post(evidence, {"files": [png_upload("a.png"), pdf_upload("b.pdf")]}, headers={KEY: "up-1"})
    second = client.post(evidence, {"files": [png_upload("a.png"), pdf_upload("b.pdf")]}, headers={KEY: "up-1"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert EvidenceFile.objects_unscoped.filter(case=case).count() == 2
    other_file = client.post(evidence, {"files": [png_upload("c.png")]}, headers={KEY: "up-1"})
    assert fields_of(other_file) == {KEY}


@pytest.mark.django_db
def test_a_failed_request_releases_its_key(network, monkeypatch):
    client = api_client(ApplicantFactory())
    body = create_body()

    def broken(**kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(api_services.cases, "case_create", broken)
    with pytest.raises(RuntimeError):
        post_json(client, "/api/v1/cases", body, **{KEY: "retry-me"})
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()
    monkeypatch.undo()
    retried = post_json(client, "/api/v1/cases", body, **{KEY: "retry-me"})
    assert retried.status_code == 201 and REPLAYED_HEADER not in retried
    assert Case.objects_unscoped.count() == 1


@pytest.mark.django_db
def test_a_key_still_in_progress_answers_409_after_waiting(network, settings):
    settings.API_IDEMPOTENCY_WAIT_SECONDS = 0.2
    user = ApplicantFactory()
    client = api_client(user)
    raw = json.dumps(create_body(), ensure_ascii=False)
    fingerprint = hashlib.sha256(b"POST\n/api/v1/cases\n" + raw.encode()).hexdigest()
    IdempotencyKey.objects.create(user=user, key="busy", method="POST", path="/api/v1/cases", request_hash=fingerprint)
    response = client.post("/api/v1/cases", raw, content_type="application/json", headers={KEY: "busy"})
    assert response.status_code == 409
    assert "仍在处理中" in response.json()["detail"]
    assert Case.objects_unscoped.count() == 0


@pytest.mark.django_db
def test_session_callers_have_keys_too(network):
    applicant = ApplicantFactory()
    browser = Client()
    browser.force_login(applicant)
    body = create_body()
    first = post_json(browser, "/api/v1/cases", body, **{KEY: "web-1"})
    second = post_json(browser, "/api/v1/cases", body, **{KEY: "web-1"})
    assert first.status_code == 201 and second.json() == first.json()
    assert IdempotencyKey.objects.get().user_id == applicant.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_requests_with_one_key_create_one_case(network):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no real race to test")
    token = make_token(ApplicantFactory())
    body = create_body()

    def send(_: int) -> tuple[int, str, bool]:
        try:
            client = Client(headers={"Authorization": f"Bearer {token}", KEY: "burst-1"})
            response = client.post("/api/v1/cases", body, content_type="application/json")
            replayed = response.get(REPLAYED_HEADER) == "true"
            return response.status_code, response.json().get("tracking_number", ""), replayed
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(send, range(50)))

    assert {status for status, _, _ in results} == {201}
    assert sum(1 for *_, replayed in results if not replayed) == 1  # one ran the handler, 49 got its answer
    numbers = {number for _, number, _ in results}
    assert len(numbers) == 1 and numbers != {""}
    assert Case.objects_unscoped.count() == 1
    assert Case.objects_unscoped.get().tracking_number in numbers
    assert IdempotencyKey.objects.get().status_code == 201
