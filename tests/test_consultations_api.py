"""Consultations in the API: submit (with an Idempotency-Key), read the answer with the cited articles, rate,
follow up; applicants see their own only (404 for others), bad input is a 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.access_rows.consultations import QUESTION, answered, ask, take
from tests.api_support import api_client, fields_of, post_json
from tests.factories import ApplicantFactory, make_case
from tests.knowledge_support import article, ecommerce_law
from weiyuan.api.idempotency import REPLAYED_HEADER
from weiyuan.consultations.models import Consultation

KEY = "Idempotency-Key"
BODY = {"centre_code": "sh", "ip_type": "trademark", "topic": "dispute", "question": QUESTION}


@pytest.mark.django_db
def test_submit_read_rate_follow_up(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory(region_id="310115")
    client = api_client(applicant)
    created = post_json(client, "/api/v1/consultations", BODY, **{KEY: "ask-1"})
    assert created.status_code == 201, created.content
    data = created.json()
    number = data["tracking_number"]
    assert (data["state"], data["topic"], data["topic_label"]) == ("submitted", "dispute", "纠纷处理方式（维权途径）")
    assert data["rounds"] == [
        {
            "round": 1,
            "question": QUESTION,
            "asked_at": data["rounds"][0]["asked_at"],
            "answer": None,
            "answered_at": None,
            "citations": [],
        }
    ]
    assert (data["may_rate"], data["may_follow_up"], data["rating"]) == (False, False, None)
    # The same key again: one consultation, the same answer replayed.
    replay = post_json(client, "/api/v1/consultations", BODY, **{KEY: "ask-1"})
    assert replay.status_code == 201 and replay[REPLAYED_HEADER] == "true"
    assert replay.json()["tracking_number"] == number
    assert Consultation.objects.count() == 1

    consultation = take(
        Consultation.objects.select_related("case").get(),
        intake=network["sh_intake"],
        director=network["sh_director"],
        handler=network["sh_handler"],
    )
    assert client.get(f"/api/v1/consultations/{number}").json()["answer_due_at"] is not None
    art43 = article(ecommerce_law(), 43)
    answered(consultation, handler=network["sh_handler"], article_ids=(art43.pk,))

    data = client.get(f"/api/v1/consultations/{number}").json()
    assert data["state"] == "concluded"
    first = data["rounds"][0]
    assert first["answer"].startswith("根据《电子商务法》第四十三条")
    assert first["citations"] == [
        {
            "kind": "article",
            "citation": "电子商务法 第四十三条",
            "url": reverse("knowledge:article", args=["电子商务法", "第四十三条"]),
            "text": art43.text,
            "version_label": art43.version.effective_label,
            "is_current": True,
        }
    ]
    assert (data["may_rate"], data["may_follow_up"]) == (True, True)

    rated = post_json(client, f"/api/v1/consultations/{number}/rating", {"score": 4, "comment": "很及时"})
    assert rated.status_code == 200
    assert rated.json()["rating"]["score"] == 4 and rated.json()["may_rate"] is False
    twice = post_json(client, f"/api/v1/consultations/{number}/rating", {"score": 5})
    assert twice.status_code == 409 and "只能评价一次" in twice.json()["detail"]

    followed = post_json(
        client, f"/api/v1/consultations/{number}/follow-up", {"question": "对方起诉怎么办？"}, **{KEY: "f-1"}
    )
    assert followed.status_code == 201
    assert [r["round"] for r in followed.json()["rounds"]] == [1, 2]
    assert followed.json()["may_follow_up"] is False
    assert "只能追问一次" in followed.json()["follow_up_refusal"]
    second = post_json(client, f"/api/v1/consultations/{number}/follow-up", {"question": "还有一个问题？"})
    assert second.status_code == 409 and "只能追问一次" in second.json()["detail"]


@pytest.mark.django_db
def test_others_get_404_and_bad_input_422(network: dict[str, Any]) -> None:
    owner = ApplicantFactory(region_id="310115")
    consultation = ask(network["shanghai"], owner)
    number = consultation.case.tracking_number
    stranger = api_client(ApplicantFactory())
    assert stranger.get(f"/api/v1/consultations/{number}").status_code == 404
    assert post_json(stranger, f"/api/v1/consultations/{number}/rating", {"score": 5}).status_code == 404
    assert post_json(stranger, f"/api/v1/consultations/{number}/follow-up", {"question": "问题问题"}).status_code == 404
    assert api_client(network["zj_director"]).get(f"/api/v1/consultations/{number}").status_code == 404
    # Staff of the centre see it; a case that is not a consultation is not found here.
    assert api_client(network["sh_intake"]).get(f"/api/v1/consultations/{number}").status_code == 200
    other_case = make_case(network["shanghai"], owner)
    assert api_client(owner).get(f"/api/v1/consultations/{other_case.tracking_number}").status_code == 404
    assert fields_of(api_client(owner).get("/api/v1/consultations/WY-12")) == {"tracking_number"}

    client = api_client(owner)
    assert fields_of(post_json(client, "/api/v1/consultations", {**BODY, "question": ""})) == {"question"}
    assert fields_of(post_json(client, "/api/v1/consultations", {**BODY, "question": "问" * 2001})) == {"question"}
    assert fields_of(post_json(client, "/api/v1/consultations", {**BODY, "topic": "x"})) == {"topic"}
    assert fields_of(post_json(client, "/api/v1/consultations", {**BODY, "centre_code": "nope", "ip_type": "?"})) == {
        "centre_code",
        "ip_type",
    }
    assert fields_of(post_json(client, "/api/v1/consultations", {**BODY, "mood": "urgent"})) == {"mood"}
    assert fields_of(post_json(client, f"/api/v1/consultations/{number}/rating", {"score": 6})) == {"score"}
    assert fields_of(post_json(client, f"/api/v1/consultations/{number}/rating", {"score": 0})) == {"score"}
    # Before the answer: the state refuses (409), whatever the body.
    early = post_json(client, f"/api/v1/consultations/{number}/follow-up", {"question": "还有个问题想问一下"})
    assert early.status_code == 409 and "收到答复后才能追问" in early.json()["detail"]
    # A partner refers cases; it does not ask consultations (403 with the reason).
    from weiyuan.accounts.models import Membership
    from weiyuan.core.choices import Role

    partner = ApplicantFactory(applicant_kind="")
    Membership.objects.create(user=partner, centre=None, role=Role.PARTNER, organisation="某电商平台")
    assert post_json(api_client(partner), "/api/v1/consultations", BODY).status_code == 403
