"""Personal data in the API: masked by default for everyone (ID number, phone and e-mail), in clear only with an
explicit, audited `?reveal=personal_data` by a role that may see it; never stored in clear for idempotent replays."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api_support import api_client, create_body, fields_of, post_json
from tests.factories import ApplicantFactory, make_case, staff
from weiyuan.api.masking import mask_personal, mask_personal_data
from weiyuan.api.models import IdempotencyKey
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.models import Case, CaseAssignment
from weiyuan.core.choices import Role

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
EMAIL = "someone@corp.cn"
MASKED = {
    "applicant_id_number": "110***********002X",
    "applicant_phone": "138****5678",
    "applicant_email": "so*******orp.cn",
}


def reads(case: Case) -> int:
    return AuditEvent.objects.filter(case_id=case.pk, action="case.personal_data_read").count()


def personal(detail: dict[str, Any]) -> dict[str, str]:
    return {k: detail[k] for k in ("applicant_id_number", "applicant_phone", "applicant_email")}


@pytest.fixture
def case(network: dict[str, Any]) -> Case:
    applicant = ApplicantFactory(id_number=ID_NUMBER, phone=PHONE, email=EMAIL)
    return make_case(network["shanghai"], applicant)


def test_masking_matches_the_web_for_the_email() -> None:
    from weiyuan.core.validators import mask_middle

    assert mask_personal("applicant_email", EMAIL) == mask_middle(EMAIL, 2, 6) == MASKED["applicant_email"]
    assert mask_personal("applicant_phone", None) == mask_personal("applicant_email", "") == ""


def test_staff_get_masked_data_by_default_and_no_read_is_recorded(network: dict[str, Any], case: Case) -> None:
    url = f"/api/v1/cases/{case.tracking_number}"
    detail = api_client(network["sh_intake"]).get(url).json()
    assert personal(detail) == MASKED
    assert detail["personal_data_masked"] is True and detail["personal_data_revealable"] is True
    assert reads(case) == 0


@pytest.mark.parametrize("who", ["sh_intake", "sh_handler", "sh_director", "applicant"])
def test_reveal_shows_everything_and_is_audited(network: dict[str, Any], case: Case, who: str) -> None:
    user = case.applicant_user if who == "applicant" else network[who]
    response = api_client(user).get(f"/api/v1/cases/{case.tracking_number}", {"reveal": "personal_data"})
    assert response.status_code == 200, response.content
    detail = response.json()
    assert personal(detail) == {"applicant_id_number": ID_NUMBER, "applicant_phone": PHONE, "applicant_email": EMAIL}
    assert detail["personal_data_masked"] is False
    event = AuditEvent.objects.get(case_id=case.pk, action="case.personal_data_read")
    assert event.actor_id == user.pk
    assert "applicant_email" in event.after["fields"]


def test_supervisors_see_the_email_masked_and_may_not_reveal_and_experts_do_not_see_the_case(
    network: dict[str, Any], case: Case
) -> None:
    expert = staff(network["shanghai"], Role.EXPERT)
    CaseAssignment.objects.create(
        case=case, user=expert, kind="expert", task="看看", assigned_by=network["sh_director"]
    )
    # An expert with a task on the case sees the task page, not the case (weiyuan/access/expert_tasks.py).
    for query in ("", "?reveal=personal_data"):
        assert api_client(expert).get(f"/api/v1/cases/{case.tracking_number}{query}").status_code == 404
    for user in (network["national_supervisor"], network["sh_supervisor"]):
        client = api_client(user)
        detail = client.get(f"/api/v1/cases/{case.tracking_number}").json()
        assert personal(detail) == MASKED
        assert EMAIL not in json.dumps(detail)
        assert detail["personal_data_masked"] is True and detail["personal_data_revealable"] is False
        refused = client.get(f"/api/v1/cases/{case.tracking_number}?reveal=personal_data")
        assert refused.status_code == 403
        assert refused.json()["detail"]
        assert EMAIL not in refused.content.decode() and PHONE not in refused.content.decode()
    assert reads(case) == 0


def test_other_centre_gets_404_with_or_without_reveal(network: dict[str, Any], case: Case) -> None:
    client = api_client(network["zj_intake"])
    assert client.get(f"/api/v1/cases/{case.tracking_number}?reveal=personal_data").status_code == 404
    assert reads(case) == 0


def test_an_unknown_reveal_value_is_422_naming_it(network: dict[str, Any], case: Case) -> None:
    client = api_client(network["sh_intake"])
    for value in ("everything", "PERSONAL_DATA", "personal_data\x00"):
        response = client.get(f"/api/v1/cases/{case.tracking_number}", {"reveal": value})
        assert fields_of(response) == {"reveal"}, value
    assert reads(case) == 0


def test_a_case_without_personal_data_reveals_empty_values(network: dict[str, Any]) -> None:
    bare = make_case(network["shanghai"], ApplicantFactory(email=None))
    detail = api_client(network["sh_intake"]).get(f"/api/v1/cases/{bare.tracking_number}?reveal=personal_data").json()
    assert personal(detail) == {"applicant_id_number": "", "applicant_phone": "", "applicant_email": ""}


def test_create_answer_is_masked_and_the_stored_replay_holds_no_clear_data(network: dict[str, Any]) -> None:
    client = api_client(network["sh_intake"])
    body = create_body(channel="hotline", applicant_id_number=ID_NUMBER, applicant_phone=PHONE, applicant_email=EMAIL)
    first = post_json(client, "/api/v1/cases", body, **{"Idempotency-Key": "create-1"})
    assert first.status_code == 201, first.content
    assert personal(first.json()) == MASKED and first.json()["personal_data_masked"] is True
    stored = json.dumps(IdempotencyKey.objects.get(key="create-1").response_body, ensure_ascii=False)
    for clear in (ID_NUMBER, PHONE, EMAIL):
        assert clear not in stored
    replay = post_json(client, "/api/v1/cases", body, **{"Idempotency-Key": "create-1"})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert Case.objects_unscoped.count() == 1


def test_stored_bodies_are_masked_wherever_the_fields_appear() -> None:
    answer = {
        "applicant_id_number": ID_NUMBER,
        "personal_data_masked": False,
        "nested": {"applicant_phone": PHONE, "other": "13812345678"},
        "items": [{"applicant_email": EMAIL}, {"applicant_email": ""}, 3, None],
        "detail": [{"field": "applicant_phone", "message": "x"}],
    }
    masked = mask_personal_data(answer)
    assert masked == {
        "applicant_id_number": MASKED["applicant_id_number"],
        "personal_data_masked": True,
        "nested": {"applicant_phone": MASKED["applicant_phone"], "other": "13812345678"},
        "items": [{"applicant_email": MASKED["applicant_email"]}, {"applicant_email": ""}, 3, None],
        "detail": [{"field": "applicant_phone", "message": "x"}],
    }
    assert mask_personal_data(masked) == masked  # masking twice changes nothing
    assert answer["applicant_id_number"] == ID_NUMBER  # the answer itself is not changed
    assert mask_personal_data(None) is None and mask_personal_data([]) == []
