"""NUL characters: PostgreSQL cannot store one (nor look one up), so every text input refuses it with a 422 (API) or a
field error (services) naming the field, instead of a server error. Also the Idempotency-Key header."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.api_support import api_client, create_body, fields_of, post_json
from tests.factories import ApplicantFactory, UserFactory, case_input, make_case
from weiyuan.accounts.models import Membership
from weiyuan.api import schemas
from weiyuan.api.models import IdempotencyKey
from weiyuan.cases import services
from weiyuan.cases.models import Case, CaseMessage, CaseShare
from weiyuan.cases.services import RightInput
from weiyuan.cases.services.intake import nul_message
from weiyuan.core.choices import Channel, Role

pytestmark = pytest.mark.django_db

NUL = "\x00"


def messages_of(response: Any) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["detail"]}


def test_every_input_schema_refuses_nul() -> None:
    inputs = [
        cls
        for _, cls in inspect.getmembers(schemas, inspect.isclass)
        if cls.__module__ == schemas.__name__ and (cls.__name__.endswith("In") or cls.__name__.endswith("Query"))
    ]
    assert {c.__name__ for c in inputs} >= {"RightIn", "CaseCreateIn", "TransitionIn", "MessageIn", "CaseListQuery"}
    for cls in inputs:
        assert issubclass(cls, schemas.CleanIn), cls


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "a\x00b"}, "title"),
        ({"centre_code": "sh\x00"}, "centre_code"),
        ({"service_type_code": NUL}, "service_type_code"),
        ({"applicant_region_code": "310115\x00"}, "applicant_region_code"),
        ({"applicant_credit_code": NUL}, "applicant_credit_code"),
        ({"respondent_address": "x\x00"}, "respondent_address"),
        ({"rights": [{"ip_type": "trademark", "number": "1", "title": "a\x00"}]}, "rights.0.title"),
        ({"rights": [{"ip_type": "trademark", "number": "1\x00"}]}, "rights.0.number"),
    ],
)
def test_api_create_refuses_nul_naming_the_field(
    network: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    response = post_json(api_client(network["sh_intake"]), "/api/v1/cases", create_body(channel="hotline", **overrides))
    assert fields_of(response) == {field}
    assert messages_of(response)[field] == nul_message()
    assert Case.objects_unscoped.count() == 0


def test_api_messages_transitions_and_queries_refuse_nul(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"])
    client = api_client(network["sh_intake"])
    base = f"/api/v1/cases/{case.tracking_number}"
    assert fields_of(post_json(client, f"{base}/messages", {"body": "a\x00b"})) == {"body"}
    assert CaseMessage.objects.count() == 0
    reject = {"reason": "other", "text": "t\x00", "fix": "f", "suggested_centre_code": NUL}
    assert fields_of(post_json(client, f"{base}/transitions/reject", reject)) == {"text", "suggested_centre_code"}
    case.refresh_from_db()
    assert case.state == "submitted"
    assert fields_of(client.get("/api/v1/cases", {"q": "a\x00b"})) == {"q"}
    assert fields_of(client.get("/api/v1/cases", {"state": NUL})) == {"state"}
    assert fields_of(client.get(f"{base}/messages", {"page": "1\x00"})) == {"page"}
    assert client.get("/api/v1/cases", {"q": "ab"}).status_code == 200


@pytest.mark.parametrize("key", ["a\x00", "\x00", "key\x07x", "key\x7f", "k\u0085ey"])
def test_idempotency_key_with_control_characters_is_422_naming_the_header(network: dict[str, Any], key: str) -> None:
    case = make_case(network["shanghai"])
    client = api_client(network["sh_intake"])
    response = post_json(
        client, f"/api/v1/cases/{case.tracking_number}/messages", {"body": "x"}, **{"Idempotency-Key": key}
    )
    assert fields_of(response) == {"Idempotency-Key"}
    assert "控制字符" in messages_of(response)["Idempotency-Key"]
    assert CaseMessage.objects.count() == 0 and IdempotencyKey.objects.count() == 0
    ok = post_json(
        client, f"/api/v1/cases/{case.tracking_number}/messages", {"body": "x"}, **{"Idempotency-Key": "k-1"}
    )
    assert ok.status_code == 201


# --- the services (what the web forms reach) -------------------------------------------------------------------


def test_case_create_names_every_field_with_nul_and_looks_none_up(network: dict[str, Any]) -> None:
    data = case_input(
        network["shanghai"],
        centre_code="sh\x00",
        service_type_code="\x00",
        applicant_region_code="\x00",
        title="a\x00",
        applicant_id_number="1\x00",
        rights=[RightInput(ip_type="trademark", number="1", owner="o\x00")],
        channel=Channel.HOTLINE,
    )
    with pytest.raises(ValidationError) as refused:
        services.case_create(actor=network["sh_intake"], data=data)
    errors = refused.value.message_dict
    for name in ("centre", "service_type", "applicant_region", "title", "applicant_id_number", "rights-0-owner"):
        assert errors[name] == [nul_message()], name
    assert Case.objects_unscoped.count() == 0


def test_an_online_applicant_nul_in_ignored_identity_fields_does_not_matter(network: dict[str, Any]) -> None:
    """The submitted identity of an online applicant is replaced by the account's, NUL included."""
    case = services.case_create(
        actor=ApplicantFactory(), data=case_input(network["shanghai"], applicant_phone="\x00", applicant_email="\x00")
    )
    assert case.applicant_phone in ("", None)


def test_message_share_and_task_services_refuse_nul(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"])
    with pytest.raises(ValidationError) as message:
        services.case_message_post(case=case, actor=case.applicant_user, body="hello\x00")
    assert message.value.message_dict == {"body": [nul_message()]}
    with pytest.raises(ValidationError) as note:
        services.case_message_post(case=case, actor=network["sh_intake"], body="\x00", internal=True)
    assert set(note.value.message_dict) == {"body"}
    assert CaseMessage.objects.count() == 0
    with pytest.raises(ValidationError) as share:
        services.case_share_grant(case=case, actor=network["sh_director"], centre=network["zhejiang"], reason="r\x00")
    assert set(share.value.message_dict) == {"reason"}
    assert CaseShare.objects.count() == 0
    case = services.case_accept(case=case, actor=network["sh_director"])
    case = services.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    expert = UserFactory()
    Membership.objects.create(user=expert, centre=None, role=Role.EXPERT)
    with pytest.raises(ValidationError) as task:
        services.case_task_assign(case=case, actor=network["sh_director"], user=expert, kind="expert", task="t\x00")
    assert set(task.value.message_dict) == {"task"}
