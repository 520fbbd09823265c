"""Intake rules enforced by the service (so the API and the web both get them): only approved centres, staff only for
their own centre, an online applicant's identity from the account, `is_major` only from staff, rights bounded."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.api_support import api_client, create_body, fields_of, post_json
from tests.factories import ApplicantFactory, UserFactory, case_input
from tests.test_cases_web_flow import intake_post
from weiyuan.accounts.models import Membership
from weiyuan.cases import services
from weiyuan.cases.models import Case, CaseRight
from weiyuan.cases.services.intake import MAX_RIGHTS
from weiyuan.core.choices import Channel, Role
from weiyuan.network.models import Centre, FilingStatus

pytestmark = pytest.mark.django_db

NO_CENTRE = "找不到该维权援助机构，请从列表中选择。"
ID_NUMBER = "11010519491231002X"
PHONE = "13800138000"


def messages_of(response: Any) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["detail"]}


def nothing_created() -> None:
    assert Case.objects_unscoped.count() == 0
    assert CaseRight.objects.count() == 0


# --- the centre -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [FilingStatus.DRAFT, FilingStatus.SUBMITTED, FilingStatus.REVOKED])
def test_unapproved_centre_is_answered_like_an_unknown_one(network: dict[str, Any], status: str) -> None:
    Centre.objects.filter(pk=network["pudong"].pk).update(filing_status=status)
    client = api_client(ApplicantFactory())
    unapproved = post_json(client, "/api/v1/cases", create_body("sh-pd"))
    unknown = post_json(client, "/api/v1/cases", create_body("no-such-centre"))
    assert fields_of(unapproved) == fields_of(unknown) == {"centre_code"}
    assert messages_of(unapproved)["centre_code"] == messages_of(unknown)["centre_code"] == NO_CENTRE
    nothing_created()


def test_unapproved_centre_is_refused_by_the_service_too(network: dict[str, Any]) -> None:
    Centre.objects.filter(pk=network["shanghai"].pk).update(filing_status=FilingStatus.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        services.case_create(actor=ApplicantFactory(), data=case_input(network["shanghai"]), submit=False)
    assert refused.value.message_dict == {"centre": [NO_CENTRE]}
    nothing_created()


@pytest.mark.parametrize("who", ["zj_intake", "zj_handler", "zj_director"])
def test_staff_record_intake_only_for_their_own_centre(network: dict[str, Any], who: str) -> None:
    client = api_client(network[who])
    for submit in (False, True):
        response = post_json(client, "/api/v1/cases", create_body("sh", channel="hotline", submit=submit))
        assert fields_of(response) == {"centre_code"}
        assert "本中心" in messages_of(response)["centre_code"]
    # Nor a sub-centre of their own: a role at the centre itself is needed.
    with pytest.raises(ValidationError) as refused:
        services.case_create(
            actor=network["sh_intake"], data=case_input(network["pudong"], channel=Channel.HOTLINE), submit=True
        )
    assert set(refused.value.message_dict) == {"centre"}
    nothing_created()
    created = post_json(client, "/api/v1/cases", create_body("zj", channel="hotline"))
    assert created.status_code == 201, created.content
    assert created.json()["centre"]["code"] == "zj"


def test_staff_of_two_centres_may_record_for_either(network: dict[str, Any]) -> None:
    officer = network["sh_intake"]
    Membership.objects.create(user=officer, centre=network["zhejiang"], role=Role.HANDLER)
    client = api_client(officer)
    for code in ("sh", "zj"):
        response = post_json(client, "/api/v1/cases", create_body(code, channel="walk_in"))
        assert response.status_code == 201, response.content


# --- identity of an online applicant ----------------------------------------------------------------------------


def test_online_applicant_identity_comes_from_the_account(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory(id_number=ID_NUMBER, phone=PHONE, email="me@applicant.cn")
    body = create_body(
        applicant_id_number="310115199003071239",
        applicant_phone="13911112222",
        applicant_email="victim@elsewhere.cn",
    )
    response = post_json(api_client(applicant), "/api/v1/cases", body)
    assert response.status_code == 201, response.content
    case = Case.objects_unscoped.get()
    assert (case.applicant_id_number, case.applicant_phone, case.applicant_email) == (
        ID_NUMBER,
        PHONE,
        "me@applicant.cn",
    )
    assert case.applicant_user_id == applicant.pk


def test_online_applicant_without_account_data_gets_none_of_the_submitted_values(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory(email=None)
    case = services.case_create(
        actor=applicant,
        data=case_input(
            network["shanghai"], applicant_id_number=ID_NUMBER, applicant_phone=PHONE, applicant_email="x@y.cn"
        ),
    )
    assert (case.applicant_id_number or "", case.applicant_phone or "", case.applicant_email) == ("", "", "")


def test_a_bad_value_the_account_does_not_hold_is_not_an_error(network: dict[str, Any]) -> None:
    """The submitted phone is ignored, so it is neither checked nor stored."""
    response = post_json(api_client(ApplicantFactory()), "/api/v1/cases", create_body(applicant_phone="555"))
    assert response.status_code == 201, response.content


def test_staff_recording_a_call_keep_the_caller_identity_they_entered(network: dict[str, Any]) -> None:
    body = create_body(
        channel="hotline", applicant_id_number=ID_NUMBER, applicant_phone=PHONE, applicant_email="c@x.cn"
    )
    assert post_json(api_client(network["sh_intake"]), "/api/v1/cases", body).status_code == 201
    case = Case.objects_unscoped.get()
    assert (case.applicant_id_number, case.applicant_phone, case.applicant_email) == (ID_NUMBER, PHONE, "c@x.cn")
    assert case.applicant_user_id is None
    bad = post_json(
        api_client(network["sh_intake"]), "/api/v1/cases", create_body(channel="hotline", applicant_phone="5")
    )
    assert fields_of(bad) == {"applicant_phone"}


def test_web_intake_of_an_applicant_still_uses_the_account(network: dict[str, Any], client: Client) -> None:
    applicant = ApplicantFactory(region_id="310115", phone=PHONE, id_number=ID_NUMBER)
    client.force_login(applicant)
    data = {**intake_post(), "applicant_phone": "13911112222", "applicant_id_number": "310115199003071239"}
    response = client.post(reverse("cases:intake_form"), {**data, "intent": "draft"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects_unscoped.get()
    assert (case.applicant_phone, case.applicant_id_number, case.applicant_email) == (PHONE, ID_NUMBER, applicant.email)
    assert case.is_major is False


# --- is_major -----------------------------------------------------------------------------------------------


def test_only_centre_staff_mark_a_case_as_major(network: dict[str, Any]) -> None:
    refused = post_json(api_client(ApplicantFactory()), "/api/v1/cases", create_body(is_major=True))
    assert fields_of(refused) == {"is_major"}
    assert "工作人员" in messages_of(refused)["is_major"]
    partner = UserFactory()
    Membership.objects.create(user=partner, centre=None, role=Role.PARTNER, organisation="某行业协会")
    with pytest.raises(ValidationError) as by_partner:
        services.case_create(
            actor=partner, data=case_input(network["shanghai"], channel=Channel.REFERRAL, is_major=True), submit=False
        )
    assert set(by_partner.value.message_dict) == {"is_major"}
    supervisor = api_client(network["sh_supervisor"])
    assert fields_of(post_json(supervisor, "/api/v1/cases", create_body(is_major=True))) == {"is_major"}
    nothing_created()
    by_staff = post_json(
        api_client(network["sh_director"]), "/api/v1/cases", create_body(channel="walk_in", is_major=True)
    )
    assert by_staff.status_code == 201, by_staff.content
    assert by_staff.json()["is_major"] is True


# --- rights -------------------------------------------------------------------------------------------------


def _right(n: int, **fields: str) -> dict[str, str]:
    return {"ip_type": "trademark", "number": f"{3000000 + n}", **fields}


def test_at_most_max_rights(network: dict[str, Any]) -> None:
    client = api_client(ApplicantFactory())
    too_many = post_json(client, "/api/v1/cases", create_body(rights=[_right(i) for i in range(MAX_RIGHTS + 1)]))
    assert fields_of(too_many) == {"rights"}
    assert str(MAX_RIGHTS) in messages_of(too_many)["rights"]
    many = post_json(client, "/api/v1/cases", create_body(rights=[_right(i) for i in range(500)]))
    assert fields_of(many) == {"rights"}
    nothing_created()
    ok = post_json(client, "/api/v1/cases", create_body(rights=[_right(i) for i in range(MAX_RIGHTS)]))
    assert ok.status_code == 201, ok.content
    assert len(ok.json()["rights"]) == MAX_RIGHTS


def test_right_texts_are_bounded_and_each_named(network: dict[str, Any]) -> None:
    client = api_client(ApplicantFactory())
    rights = [_right(0, title="题" * 161), _right(1, owner="人" * 161, legal_status="效" * 81)]
    response = post_json(client, "/api/v1/cases", create_body(rights=rights))
    assert fields_of(response) == {"rights.0.title", "rights.1.owner", "rights.1.legal_status"}
    messages = messages_of(response)
    assert "160" in messages["rights.0.title"] and "161" in messages["rights.0.title"]
    assert "80" in messages["rights.1.legal_status"]
    nothing_created()
    at_limit = [_right(0, title="题" * 160, owner="人" * 160, legal_status="效" * 80)]
    assert post_json(client, "/api/v1/cases", create_body(rights=at_limit)).status_code == 201


def test_the_service_names_right_fields_like_the_form(network: dict[str, Any]) -> None:
    from weiyuan.cases.services import RightInput

    data = case_input(
        network["shanghai"],
        rights=[RightInput(ip_type="trademark", number="1", title="x" * 161, legal_status="y" * 81)],
    )
    with pytest.raises(ValidationError) as refused:
        services.case_create(actor=ApplicantFactory(), data=data)
    assert set(refused.value.message_dict) == {"rights-0-title", "rights-0-legal_status"}
    with pytest.raises(ValidationError) as too_many:
        services.case_create(
            actor=ApplicantFactory(),
            data=case_input(
                network["shanghai"],
                rights=[RightInput(ip_type="trademark", number=str(i)) for i in range(MAX_RIGHTS + 1)],
            ),
        )
    assert set(too_many.value.message_dict) == {"rights"}
    nothing_created()


def test_forms_and_service_agree_on_the_number_of_rights() -> None:
    from weiyuan.cases.forms import MAX_RIGHTS as FORM_MAX_RIGHTS

    assert FORM_MAX_RIGHTS == MAX_RIGHTS
