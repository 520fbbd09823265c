"""Volunteer registration 志愿者 (weiyuan/volunteers): applying with the confidentiality undertaking, bad input named
by field, one open application per centre, the director's approval (the volunteer role at the centre) or decline
with the applicant notified, suspension and ending (role deactivated, open volunteer tasks ended), the declared
table walked from every state, and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ApplicantFactory, CentreFactory, UserFactory, make_case, staff
from tests.volunteers_support import application, make_registration, volunteer_task
from weiyuan.access.policy import has_role
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as case_services
from weiyuan.cases.models import CaseAssignment
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.notifications.models import OutboxMessage
from weiyuan.volunteers import services
from weiyuan.volunteers.demo import volunteers_demo_seed
from weiyuan.volunteers.flow import REGISTRATION_TRANSITIONS
from weiyuan.volunteers.models import UNDERTAKING, RegistrationState, VolunteerHours, VolunteerRegistration

pytestmark = pytest.mark.django_db


def test_apply_records_the_undertaking_and_tells_the_director(network: dict[str, Any]) -> None:
    person = ApplicantFactory()
    registration = services.registration_apply(actor=person, centre=network["shanghai"], data=application())
    assert registration.state == RegistrationState.PENDING
    assert registration.undertaking_text == str(UNDERTAKING) and "保密" in registration.undertaking_text
    assert registration.undertaking_signed_at is not None
    assert registration.ip_types == ["copyright", "trademark"] and registration.languages == ["en", "zh"]
    assert OutboxMessage.objects.filter(recipient=network["sh_director"], kind="volunteers.application").exists()
    assert AuditEvent.objects.filter(action="volunteers.registration.create", object_id=str(registration.pk)).exists()
    assert not has_role(person, Role.VOLUNTEER)


def test_bad_input_is_named_by_field(network: dict[str, Any]) -> None:
    person = ApplicantFactory()
    with pytest.raises(ValidationError) as bad:
        services.registration_apply(
            actor=person,
            centre=network["shanghai"],
            data=application(
                undertaking=False,
                organisation_kind="company",
                organisation_name=" ",
                availability="",
                ip_types=["film"],
                languages=["xx"],
                expertise=[999999],
                member_number="1" * 41,
            ),
        )
    errors = bad.value.message_dict
    assert set(errors) == {
        "undertaking",
        "organisation_kind",
        "organisation_name",
        "availability",
        "ip_types",
        "languages",
        "expertise",
        "member_number",
    }
    assert errors["undertaking"] == ["请阅读保密承诺并勾选同意，才能提交申请。"]
    unfiled = CentreFactory(code="not-filed", filing_status="submitted", parent=network["national"])
    with pytest.raises(ValidationError) as bad:
        services.registration_apply(actor=person, centre=unfiled, data=application())
    assert "centre" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.registration_apply(actor=person, centre=network["shanghai"], data=application(motivation="a\x00b"))
    assert "motivation" in bad.value.message_dict
    assert not VolunteerRegistration.objects.exists()


def test_one_open_application_per_centre(network: dict[str, Any]) -> None:
    person = ApplicantFactory()
    services.registration_apply(actor=person, centre=network["shanghai"], data=application())
    with pytest.raises(ValidationError) as bad:
        services.registration_apply(actor=person, centre=network["shanghai"], data=application())
    assert bad.value.message_dict["centre"] == ["您已向该机构提交了志愿者申请，请等待审核结果。"]
    # Another centre is a separate application.
    services.registration_apply(actor=person, centre=network["zhejiang"], data=application())
    # Once declined, the person may apply again.
    other = ApplicantFactory()
    declined = make_registration(other, network["shanghai"], network["sh_director"], "declined")
    assert declined.state == RegistrationState.DECLINED
    again = services.registration_apply(actor=other, centre=network["shanghai"], data=application())
    assert again.state == RegistrationState.PENDING
    # A serving volunteer cannot apply to the same centre again.
    serving = make_registration(ApplicantFactory(), network["zhejiang"], network["zj_director"], "approved")
    with pytest.raises(ValidationError, match="已是该机构的志愿者"):
        services.registration_apply(actor=serving.user, centre=network["zhejiang"], data=application())


def test_approve_gives_the_role_and_decline_needs_a_reason(network: dict[str, Any]) -> None:
    person = ApplicantFactory()
    registration = services.registration_apply(actor=person, centre=network["shanghai"], data=application())
    with pytest.raises(TransitionRefused) as refused:
        services.registration_transition(registration=registration, actor=network["zj_director"], action="approve")
    assert refused.value.status == 404
    with pytest.raises(TransitionRefused) as refused:
        services.registration_transition(registration=registration, actor=person, action="approve")
    assert refused.value.status == 403
    with pytest.raises(TransitionRefused) as refused:
        services.registration_transition(registration=registration, actor=network["sh_handler"], action="approve")
    assert refused.value.status == 404
    with pytest.raises(ValidationError) as bad:
        services.registration_transition(registration=registration, actor=network["sh_director"], action="decline")
    assert "reason" in bad.value.message_dict
    approved = services.registration_transition(
        registration=registration, actor=network["sh_director"], action="approve"
    )
    assert approved.state == RegistrationState.APPROVED and approved.decided_by == network["sh_director"]
    membership = Membership.objects.get(user=person, centre=network["shanghai"], role=Role.VOLUNTEER)
    assert membership.active and membership.organisation == "华东政法大学知识产权法律诊所"
    assert approved.membership == membership
    assert OutboxMessage.objects.filter(recipient=person, kind="volunteers.approve").exists()

    other = ApplicantFactory()
    pending = services.registration_apply(actor=other, centre=network["shanghai"], data=application())
    declined = services.registration_transition(
        registration=pending, actor=network["sh_director"], action="decline", reason="本学期志愿者名额已满。"
    )
    assert declined.reason == "本学期志愿者名额已满。"
    notice = OutboxMessage.objects.get(recipient=other, kind="volunteers.decline", channel="in_app")
    assert "本学期志愿者名额已满" in notice.body
    assert not Membership.objects.filter(user=other, role=Role.VOLUNTEER).exists()
    assert AuditEvent.objects.filter(action="volunteers.registration.decline").count() == 1


def test_a_director_does_not_approve_their_own_application(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    registration = services.registration_apply(actor=director, centre=network["shanghai"], data=application())
    with pytest.raises(TransitionRefused, match="不能审核本人"):
        services.registration_transition(registration=registration, actor=director, action="approve")


@pytest.mark.parametrize("action", ["suspend", "end"])
def test_suspend_or_end_deactivates_the_role_and_ends_open_tasks(network: dict[str, Any], action: str) -> None:
    sh, director, handler = network["shanghai"], network["sh_director"], network["sh_handler"]
    person = ApplicantFactory()
    registration = make_registration(person, sh, director, "approved")
    case = make_case(sh)
    case = case_services.case_accept(case=case, actor=network["sh_intake"])
    case = case_services.case_assign(case=case, actor=director, handler=handler)
    task = volunteer_task(case, handler, person)
    elsewhere = make_case(network["zhejiang"])
    elsewhere = case_services.case_accept(case=elsewhere, actor=network["zj_intake"])
    Membership.objects.create(user=person, centre=network["zhejiang"], role=Role.VOLUNTEER)
    other_task = CaseAssignment.objects.create(
        case=elsewhere, user=person, kind="volunteer", task="起草", assigned_by=network["zj_director"]
    )
    with pytest.raises(ValidationError) as bad:
        services.registration_transition(registration=registration, actor=director, action=action)
    assert "reason" in bad.value.message_dict
    done = services.registration_transition(
        registration=registration, actor=director, action=action, reason="连续两次未按时提交答复草稿。"
    )
    assert done.state == (RegistrationState.SUSPENDED if action == "suspend" else RegistrationState.ENDED)
    assert not Membership.objects.get(user=person, centre=sh, role=Role.VOLUNTEER).active
    task.refresh_from_db()
    other_task.refresh_from_db()
    assert task.ended_at is not None  # the centre's case
    assert other_task.ended_at is None  # another centre's case is not this director's
    assert AuditEvent.objects.filter(action="case.task_end", case_id=case.pk).exists()
    assert OutboxMessage.objects.filter(recipient=person, kind=f"volunteers.{action}").exists()
    if action == "suspend":
        back = services.registration_transition(registration=done, actor=director, action="reinstate")
        assert back.state == RegistrationState.APPROVED
        assert Membership.objects.get(user=person, centre=sh, role=Role.VOLUNTEER).active
        task.refresh_from_db()
        assert task.ended_at is not None  # reinstating does not reopen tasks


def test_the_declared_table_walked_from_every_state(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    person = ApplicantFactory()
    registration = make_registration(person, network["shanghai"], director, "pending")
    for state in RegistrationState.values:
        for t in REGISTRATION_TRANSITIONS:
            VolunteerRegistration.objects.filter(pk=registration.pk).update(state=state)
            registration.refresh_from_db()
            actor = person if t.action == "withdraw" else director
            if state in t.from_states:
                done = services.registration_transition(
                    registration=registration, actor=actor, action=t.action, reason="理由"
                )
                assert done.state == t.to_state, (state, t.action)
            else:
                with pytest.raises(TransitionRefused) as refused:
                    services.registration_transition(registration=registration, actor=actor, action=t.action)
                assert refused.value.status == 409, (state, t.action)
    with pytest.raises(TransitionRefused) as refused:
        services.registration_transition(registration=registration, actor=director, action="promote")
    assert refused.value.status == 400


def test_pages_apply_decide_and_list(network: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    anonymous = Client()
    page = anonymous.get(reverse("volunteers:apply")).content.decode()
    assert "保密承诺" in page and "登录" in page
    assert anonymous.post(reverse("volunteers:apply"), {}).status_code == 302
    person = ApplicantFactory()
    client = Client()
    client.force_login(person)
    form = {
        "centre": "sh",
        "organisation_kind": "association",
        "organisation_name": "上海市知识产权服务行业协会",
        "availability": "周末",
        "ip_types": ["trademark"],
    }
    response = client.post(reverse("volunteers:apply"), form)
    assert response.status_code == 400 and "请阅读保密承诺并勾选同意" in response.content.decode()
    response = client.post(reverse("volunteers:apply"), {**form, "undertaking": "on"})
    assert response.status_code == 302
    registration = VolunteerRegistration.objects.get(user=person)
    response = client.post(reverse("volunteers:apply"), {**form, "undertaking": "on"})
    assert response.status_code == 400 and "请等待审核结果" in response.content.decode()
    assert client.get(reverse("volunteers:detail", args=[registration.pk])).status_code == 200

    make_registration(ApplicantFactory(), network["shanghai"], network["sh_director"], "approved")
    director = Client()
    director.force_login(network["sh_director"])
    director.get(reverse("volunteers:list"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        director.get(reverse("volunteers:list"))
    for _ in range(5):
        make_registration(ApplicantFactory(), network["shanghai"], network["sh_director"], "approved")
    with django_assert_max_num_queries(len(few.captured_queries)):  # the same count for 1 or 6 volunteers
        page = director.get(reverse("volunteers:list")).content.decode()
    assert len(few.captured_queries) <= 13
    assert "上海市知识产权服务行业协会" in page and "华东政法大学知识产权法律诊所" in page
    assert director.get(reverse("volunteers:list") + "?centre=zj").status_code == 404
    assert director.get(reverse("volunteers:list") + "?year=x").status_code == 400
    response = director.post(reverse("volunteers:act", args=[registration.pk, "decline"]), {"reason": ""})
    assert response.status_code == 400 and "请写明理由" in response.content.decode()
    response = director.post(reverse("volunteers:act", args=[registration.pk, "approve"]))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == RegistrationState.APPROVED
    mine = client.get(reverse("volunteers:mine")).content.decode()
    assert "服务中" in mine


def test_demo_seed_is_complete_and_idempotent(network: dict[str, Any]) -> None:
    zj_assist = CentreFactory(code="zj-assist", parent=network["zhejiang"])
    director = staff(zj_assist, Role.DIRECTOR)
    CentreFactory(code="sh-assist", parent=network["shanghai"])
    volunteer = UserFactory(email="volunteer@weiyuan.demo")
    ApplicantFactory(email="zhaoxw@weiyuan.demo")
    case = make_case(zj_assist)
    case = case_services.case_accept(case=case, actor=director)
    case = case_services.case_assign(case=case, actor=director, handler=staff(zj_assist, Role.HANDLER))
    Membership.objects.create(user=volunteer, centre=None, role=Role.VOLUNTEER)
    volunteer_task(case, director, volunteer)

    line = volunteers_demo_seed(log=lambda _line: None)
    assert line == "Volunteers: 1 serving volunteer with 5 hours entries, 1 pending application(s)."
    serving = VolunteerRegistration.objects.get(user=volunteer)
    assert serving.state == RegistrationState.APPROVED and serving.created_at < serving.decided_at
    states = sorted(VolunteerHours.objects.values_list("state", flat=True))
    assert states == ["confirmed", "confirmed", "confirmed", "rejected", "submitted"]
    assert VolunteerHours.objects.get(case=case).decided_by == case.handler
    assert VolunteerRegistration.objects.filter(state=RegistrationState.PENDING).count() == 1
    events = AuditEvent.objects.filter(action__startswith="volunteers.").count()
    assert volunteers_demo_seed(log=lambda _line: None) == "Volunteers: demo volunteers already present."
    assert AuditEvent.objects.filter(action__startswith="volunteers.").count() == events
