"""Review finding 12: e-mail only to verified addresses; registration does not reveal taken e-mails or phones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, UserFactory, admin_add_user_form, make_case, pdf_upload, staff
from tests.test_accounts_registration import form_data, snapshot
from weiyuan.accounts import services
from weiyuan.accounts.models import AgentAuthorisation, User, lookup_digest
from weiyuan.accounts.services import RegistrationInput, user_register, user_self_register
from weiyuan.audit.models import AuditEvent
from weiyuan.evidence.models import EvidenceFile
from weiyuan.notifications.models import Notification, OutboxMessage
from weiyuan.notifications.services import Notice, outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db

NEUTRAL = "注册申请已提交。我们已向 %s 发送一封邮件，请查收（包括垃圾邮件箱）并按邮件中的说明操作。"
PHONE_REFUSED = "手机号：该号码无法用于注册，请使用其他号码，或用该号码直接登录。"


def register(client: Client, kind: str = "person", **overrides: Any) -> Any:
    return client.post(reverse("accounts:register"), form_data(kind, **overrides))


def flash(client: Client, response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def channels(user: User, kind: str | None = None) -> list[str]:
    qs = OutboxMessage.objects.filter(recipient=user)
    if kind:
        qs = qs.filter(kind=kind)
    return sorted(qs.values_list("channel", flat=True))


# --- e-mail only to verified addresses ----------------------------------------------------------------------------


def test_outbox_sends_email_only_to_verified_addresses() -> None:
    verified = UserFactory(email="ok@example.cn", email_verified=True)
    unverified = UserFactory(email="typo@example.cn", email_verified=False)
    no_address = UserFactory(email=None)
    notice = Notice(kind="case.accepted", subject="已受理", body="您的案件已受理。")
    assert outbox_enqueue(recipients=[verified, unverified, no_address], notice=notice, dedupe_key="k") == 4
    assert channels(verified) == ["email", "in_app"]
    assert channels(unverified) == ["in_app"]  # the in-app notice still goes to everyone
    assert channels(no_address) == ["in_app"]
    outbox_deliver()
    assert [m.to for m in mail.outbox] == [["ok@example.cn"]]
    assert Notification.objects.filter(recipient=unverified).count() == 1


def test_allow_unverified_is_what_lets_the_verification_mail_through() -> None:
    unverified = UserFactory(email="new@example.cn", email_verified=False)
    no_address = UserFactory(email=None)
    notice = Notice(kind="account.verify_email", subject="验证", body="请验证。")
    queued = outbox_enqueue(
        recipients=[unverified, no_address], notice=notice, dedupe_key="v", channels=["email"], allow_unverified=True
    )
    assert queued == 1 and channels(unverified) == ["email"] and channels(no_address) == []


def test_case_notices_to_an_unverified_applicant_stay_in_the_app(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory(email_verified=False)
    officer = staff(network["shanghai"], "intake_officer", email_verified=False)
    make_case(network["shanghai"], applicant=applicant)
    sent = OutboxMessage.objects.filter(recipient__in=[applicant, officer])
    assert sent.exists()
    assert set(sent.values_list("channel", flat=True)) == {"in_app"}


def test_registration_still_mails_the_unverified_address_its_link(client: Client) -> None:
    response = register(client)
    assert response.status_code == 302
    user = User.objects.get(email="zhang.lanting@example.cn")
    assert not user.email_verified
    assert channels(user) == ["email"]
    outbox_deliver()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhang.lanting@example.cn"]
    assert "/accounts/verify/" in mail.outbox[0].body


# --- a taken e-mail address is not revealed ---------------------------------------------------------------------


def test_new_and_taken_addresses_get_the_same_answer(client: Client) -> None:
    response = register(client, email="fresh@example.cn", phone="")
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert flash(client, response) == [NEUTRAL % "f***@example.cn"]

    UserFactory(email="taken@example.cn", display_name="原账号", email_verified=True)
    other = Client()
    response = register(other, email="Taken@Example.cn", phone="")
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert flash(other, response) == [NEUTRAL % "T***@example.cn"]
    page = other.get(reverse("accounts:login")).content.decode()
    assert "已注册" not in page


def test_taken_verified_address_creates_nothing_and_tells_its_holder(client: Client) -> None:
    holder = UserFactory(email="zhang.lanting@example.cn", display_name="张原有", email_verified=True)
    users, authorisations, evidence, _outbox, _audit = snapshot()
    response = register(client, "agent", email="ZHANG.lanting@example.cn", phone="13900002222")
    assert response.status_code == 302
    assert User.objects.count() == users and AgentAuthorisation.objects.count() == authorisations
    assert not User.objects.filter(phone_digest=lookup_digest("13900002222")).exists()
    assert EvidenceFile.objects_unscoped.count() == evidence  # the power of attorney was not kept
    assert channels(holder, "account.registration_attempt") == ["email", "in_app"]
    event = AuditEvent.objects.get(action="account.register_existing_email")
    assert event.object_id == str(holder.pk) and event.after == {"email": "z***@example.cn", "email_verified": True}
    outbox_deliver()
    (sent,) = mail.outbox
    assert sent.to == ["zhang.lanting@example.cn"]
    assert "有人尝试用您的邮箱注册" in sent.subject
    assert "张原有" in sent.body and "没有创建新账号" in sent.body and "直接" in sent.body
    assert reverse("accounts:login") in sent.body


def test_taken_unverified_address_gets_a_fresh_verification_link(client: Client) -> None:
    holder = UserFactory(email="zhang.lanting@example.cn", email_verified=False)
    response = register(client)
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert channels(holder) == ["email"]
    outbox_deliver()
    (sent,) = mail.outbox
    assert sent.to == ["zhang.lanting@example.cn"]
    path = re.search(r"(/accounts/verify/\S+/)", sent.body)
    assert path is not None
    assert client.get(path.group(1)).status_code == 200
    holder.refresh_from_db()
    assert holder.email_verified  # the link verifies the existing account, nothing else


def test_repeated_attempts_tell_the_holder_once_an_hour(client: Client) -> None:
    holder = UserFactory(email="zhang.lanting@example.cn", email_verified=True)
    for _n in range(3):
        assert register(client, phone="").status_code == 302
    assert channels(holder, "account.registration_attempt") == ["email", "in_app"]


def test_deactivated_holder_gets_nothing_and_the_answer_is_the_same(client: Client) -> None:
    UserFactory(email="zhang.lanting@example.cn", is_active=False)
    response = register(client, phone="")
    assert response.status_code == 302
    assert flash(client, response) == [NEUTRAL % "z***@example.cn"]
    assert OutboxMessage.objects.count() == 0
    assert User.objects.count() == 1


def test_other_problems_are_still_reported_with_a_taken_address(client: Client) -> None:
    UserFactory(email="zhang.lanting@example.cn")
    before = snapshot()
    response = register(client, region="999999")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "region" in errors and "email" not in errors
    assert snapshot() == before


# --- a taken phone number ---------------------------------------------------------------------------------------


def test_taken_phone_is_refused_in_neutral_words(client: Client) -> None:
    UserFactory(email=None, phone="13812345678", phone_digest=lookup_digest("13812345678"))
    before = snapshot()
    response = register(client, email="", phone="138 1234 5678")
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [PHONE_REFUSED]
    body = response.content.decode()
    assert PHONE_REFUSED in body and "已注册" not in body
    assert snapshot() == before


# --- the services ------------------------------------------------------------------------------------------------


def _input(**overrides: Any) -> RegistrationInput:
    data: dict[str, Any] = {
        "kind": "person",
        "display_name": "李四",
        "password": "Lanting-Xu-2024!",
        "region_code": "310115",
        "email": "li.si@example.cn",
    }
    data.update(overrides)
    return RegistrationInput(**data)


def test_strict_user_register_still_refuses_a_taken_address() -> None:
    UserFactory(email="li.si@example.cn")
    with pytest.raises(ValidationError) as err:
        user_register(data=_input(email="LI.SI@example.cn"))
    assert "该邮箱已注册" in err.value.message_dict["email"][0]


def test_self_register_outcomes() -> None:
    created = user_self_register(data=_input())
    assert created.user is not None and created.email == "li.si@example.cn"
    again = user_self_register(data=_input(email="Li.Si@example.cn", phone="13700003333"))
    assert again.user is None and again.email == "Li.Si@example.cn"
    assert User.objects.count() == 1
    with pytest.raises(ValidationError) as err:
        user_self_register(data=_input(email="", phone="+86 13700003333", display_name=""))
    assert "display_name" in err.value.message_dict


def test_a_race_for_the_same_address_ends_in_the_neutral_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    holder = UserFactory(email="li.si@example.cn", email_verified=True)
    answers = iter([False, True])  # free when checked, taken by the time of the insert
    monkeypatch.setattr(services, "email_taken", lambda email: next(answers))
    outcome = user_self_register(data=_input())
    assert outcome.user is None
    assert User.objects.count() == 1
    assert channels(holder, "account.registration_attempt") == ["email", "in_app"]


def test_a_race_in_the_strict_service_names_the_email_field(monkeypatch: pytest.MonkeyPatch) -> None:
    UserFactory(email="li.si@example.cn")
    answers = iter([False, True])
    monkeypatch.setattr(services, "email_taken", lambda email: next(answers))
    with pytest.raises(ValidationError) as err:
        user_register(data=_input())
    assert "该邮箱已注册" in err.value.message_dict["email"][0]


def test_a_race_for_the_same_phone_names_the_phone_field(monkeypatch: pytest.MonkeyPatch) -> None:
    UserFactory(email=None, phone="13700003333", phone_digest=lookup_digest("13700003333"))
    real = services.registration_problems
    monkeypatch.setattr(
        services,
        "registration_problems",
        lambda data, check_email_taken=True: {k: v for k, v in real(data).items() if k != "phone"},
    )
    with pytest.raises(ValidationError) as err:
        user_self_register(data=_input(email="", phone="13700003333"))
    assert err.value.message_dict["phone"] == [PHONE_REFUSED]
    assert User.objects.count() == 1


def test_agent_power_of_attorney_is_stored_for_a_new_address(client: Client) -> None:
    response = register(client, "agent", power_of_attorney=pdf_upload("授权委托书.pdf"))
    assert response.status_code == 302
    assert EvidenceFile.objects_unscoped.filter(kind="power_of_attorney").count() == 1


def test_admin_created_account_is_asked_to_verify_its_address() -> None:
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        admin_add_user_form(email="new.staff@example.cn", display_name="新同事"),
    )
    assert response.status_code == 302
    created = User.objects.get(email="new.staff@example.cn")
    assert not created.email_verified
    # Notices will be e-mailed only once the address is confirmed, so the verification link goes out at once.
    assert channels(created) == ["email"]
    outbox_deliver()
    assert mail.outbox[0].to == ["new.staff@example.cn"] and "/accounts/verify/" in mail.outbox[0].body
