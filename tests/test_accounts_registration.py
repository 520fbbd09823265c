"""Applicant registration (person / organisation / agent) and e-mail verification."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, pdf_upload
from weiyuan.accounts.models import AgentAuthorisation, User, lookup_digest
from weiyuan.accounts.services import email_verification_token
from weiyuan.audit.models import AuditEvent
from weiyuan.core.validators import credit_code_check_char, id_number_check_char
from weiyuan.evidence.models import EvidenceFile
from weiyuan.notifications.models import OutboxMessage
from weiyuan.notifications.services import outbox_deliver

PASSWORD = "Lanting-Xu-2024!"
VALID_ID = "11010519491231002" + id_number_check_char("11010519491231002")
VALID_CREDIT = "91310115MA1K3YJ12" + credit_code_check_char("91310115MA1K3YJ12")
PRINCIPAL_CREDIT = "91330100MA2B7XQ45" + credit_code_check_char("91330100MA2B7XQ45")

pytestmark = pytest.mark.django_db


def form_data(kind: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": kind,
        "display_name": "张兰亭",
        "email": "zhang.lanting@example.cn",
        "phone": "13812345678",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "region": "310115",
        "priority_group": "",
        "consent": "on",
    }
    if kind == "person":
        data["id_number"] = VALID_ID
    if kind == "organisation":
        data.update(organisation_name="上海兰亭科技有限公司", credit_code=VALID_CREDIT, priority_group="sme")
    if kind == "agent":
        data.update(
            principal_name="杭州西溪文化传播有限公司",
            principal_credit_code=PRINCIPAL_CREDIT,
            power_of_attorney=pdf_upload("授权委托书.pdf"),
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client: Client, kind: str, **overrides: Any) -> Any:
    return client.post(reverse("accounts:register"), form_data(kind, **overrides))


def snapshot() -> tuple[int, ...]:
    return (
        User.objects.count(),
        AgentAuthorisation.objects.count(),
        EvidenceFile.objects_unscoped.count(),
        OutboxMessage.objects.count(),
        AuditEvent.objects.count(),
    )


def test_register_page_shows_a_tab_per_kind(client: Client) -> None:
    response = client.get(reverse("accounts:register") + "?kind=agent")
    assert response.status_code == 200
    body = response.content.decode()
    assert "授权委托书" in body and "委托人" in body
    assert 'name="credit_code"' not in body  # organisation-only field not on the agent tab


def test_register_person(client: Client) -> None:
    response = register(client, "person")
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    user = User.objects.get(email="zhang.lanting@example.cn")
    assert user.applicant_kind == "person"
    assert user.id_number == VALID_ID
    assert user.phone == "13812345678"
    assert user.phone_digest == lookup_digest("13812345678")
    assert user.region_id == "310115"
    assert user.username.startswith("u") and user.username != user.email
    assert not user.email_verified
    assert user.check_password(PASSWORD)
    # ID and phone are encrypted at rest: the raw column holds neither.
    raw = User.objects.filter(pk=user.pk).values_list("id_number", "phone").query
    from django.db import connection

    with connection.cursor() as cursor:
        sql, params = raw.sql_with_params()
        cursor.execute(sql, params)
        stored_id, stored_phone = cursor.fetchone()
    assert VALID_ID not in str(stored_id) and "13812345678" not in str(stored_phone)
    # The audit trail names the registration but never the phone, ID number or password.
    event = AuditEvent.objects.get(action="account.register", object_id=str(user.pk))
    dumped = str(event.after)
    assert "13812345678" not in dumped and VALID_ID not in dumped and PASSWORD not in dumped
    assert event.after["phone"] == "138****5678"
    # A verification link is queued for e-mail only.
    assert list(OutboxMessage.objects.filter(recipient=user).values_list("channel", flat=True)) == ["email"]


def test_register_organisation(client: Client) -> None:
    response = register(client, "organisation", phone="")
    assert response.status_code == 302
    user = User.objects.get(email="zhang.lanting@example.cn")
    assert user.applicant_kind == "organisation"
    assert user.organisation_name == "上海兰亭科技有限公司"
    assert user.credit_code == VALID_CREDIT
    assert user.priority_group == "sme"
    assert user.phone is None and user.phone_digest is None


def test_register_agent_with_power_of_attorney(client: Client) -> None:
    response = register(client, "agent", email="", phone="+86 139 0000 1111")
    assert response.status_code == 302
    user = User.objects.get(phone_digest=lookup_digest("13900001111"))
    assert user.applicant_kind == "agent" and user.email is None
    authorisation = AgentAuthorisation.objects.get(agent=user)
    assert authorisation.principal_name == "杭州西溪文化传播有限公司"
    assert authorisation.principal_credit_code == PRINCIPAL_CREDIT
    poa = authorisation.power_of_attorney
    assert poa.kind == "power_of_attorney" and poa.case_id is None and poa.content_type == "application/pdf"
    assert OutboxMessage.objects.filter(recipient=user).count() == 0  # no e-mail, nothing to verify


@pytest.mark.parametrize(
    ("kind", "overrides", "field", "fragment"),
    [
        ("organisation", {"credit_code": "91310115MA1K3YJ12X"}, "credit_code", "统一社会信用代码"),
        ("organisation", {"credit_code": ""}, "credit_code", "统一社会信用代码"),
        ("person", {"id_number": "110105194912310021"}, "id_number", "身份证号码"),
        ("person", {"id_number": "11010519491331002X"}, "id_number", "出生日期"),
        ("person", {"region": "999999"}, "region", "找不到行政区划代码 999999"),
        ("person", {"region": "31"}, "region", "6 位行政区划代码"),
        ("person", {"password2": "Something-Else-99"}, "password2", "两次输入的密码不一致"),
        ("person", {"password1": "12345678", "password2": "12345678"}, "password1", "密码"),
        ("person", {"email": "", "phone": ""}, "email", "至少填写电子邮箱或手机号"),
        ("person", {"phone": "1234"}, "phone", "11 位手机号码"),
        ("person", {"display_name": ""}, "display_name", "请填写姓名"),
        ("person", {"consent": None}, "consent", "同意"),
        ("agent", {"principal_credit_code": "ABC"}, "principal_credit_code", "统一社会信用代码"),
        ("agent", {"power_of_attorney": None}, "power_of_attorney", "授权委托书"),
        (
            "agent",
            {"power_of_attorney": SimpleUploadedFile("poa.pdf", b"this is plain text, not a PDF", "application/pdf")},
            "power_of_attorney",
            "poa.pdf",
        ),
        (
            "agent",
            {"power_of_attorney": SimpleUploadedFile("poa.zip", b"PK\x03\x04" + b"\x00" * 40, "application/zip")},
            "power_of_attorney",
            "PDF",
        ),
    ],
)
def test_register_bad_input_names_the_field_and_saves_nothing(
    client: Client, kind: str, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    before = snapshot()
    response = register(client, kind, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]
    assert fragment in response.content.decode()
    assert snapshot() == before


def test_register_duplicate_email_and_phone(client: Client) -> None:
    UserFactory(email="zhang.lanting@example.cn")
    UserFactory(phone="13812345678", phone_digest=lookup_digest("13812345678"))
    before = snapshot()
    response = register(client, "person", email="Zhang.Lanting@example.cn")
    errors = response.context["form"].errors
    # The taken phone number is refused in neutral words; the taken address is not mentioned at all
    # (tests/test_review_accounts_registration.py covers how a taken address is answered).
    assert "email" not in errors
    assert errors["phone"] == ["手机号：该号码无法用于注册，请使用其他号码，或用该号码直接登录。"]
    assert "已注册" not in response.content.decode()
    assert snapshot() == before


def test_register_duplicate_phone_written_differently(client: Client) -> None:
    register(client, "person", email="")
    response = register(client, "person", email="", phone="+86-138-1234-5678")
    assert response.context["form"].errors["phone"] == [
        "手机号：该号码无法用于注册，请使用其他号码，或用该号码直接登录。"
    ]
    assert User.objects.count() == 1


# --- e-mail verification --------------------------------------------------------------------------------------


def _verification_path() -> str:
    outbox_deliver()
    assert len(mail.outbox) == 1
    match = re.search(r"http://[^/\s]+(/accounts/verify/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_email_verification_link_verifies(client: Client) -> None:
    register(client, "person")
    path = _verification_path()
    assert "zhang" not in path  # the address is not in the URL
    response = client.get(path)
    assert response.status_code == 200
    assert "邮箱已验证" in response.content.decode()
    user = User.objects.get(email="zhang.lanting@example.cn")
    assert user.email_verified
    assert AuditEvent.objects.filter(action="account.email_verified", object_id=str(user.pk)).count() == 1
    # Opening the link again is harmless.
    assert client.get(path).status_code == 200
    assert AuditEvent.objects.filter(action="account.email_verified", object_id=str(user.pk)).count() == 1


def test_email_verification_expired_link_offers_resend(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    user = UserFactory(email="late@example.cn", email_verified=False)
    four_days_ago = int(time.time()) - 4 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(four_days_ago))
        token = email_verification_token(user)
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "验证链接已过期" in body and "重新发送验证邮件" in body
    user.refresh_from_db()
    assert not user.email_verified
    # The resend button carries the authentic (expired) link, so no address needs typing.
    response = client.post(reverse("accounts:resend_verification"), {"token": token, "email": ""})
    assert response.status_code == 302
    outbox_deliver()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["late@example.cn"]
    fresh = re.search(r"(/accounts/verify/\S+/)", mail.outbox[0].body)
    assert fresh
    assert client.get(fresh.group(1)).status_code == 200
    user.refresh_from_db()
    assert user.email_verified


def test_email_verification_tampered_link(client: Client) -> None:
    user = UserFactory(email="tamper@example.cn", email_verified=False)
    token = email_verification_token(user)
    _pk, rest = token.split(".", 1)
    forged = f"{user.pk + 1}.{rest}"  # someone else's account id under the same signature
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "garbage"):
        response = client.get(reverse("accounts:verify_email", args=[bad]))
        assert response.status_code == 400
        assert "验证链接无效" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_verified


def test_resend_does_not_reveal_unknown_addresses(client: Client) -> None:
    response = client.post(reverse("accounts:resend_verification"), {"email": "nobody@example.cn"}, follow=True)
    assert "如果该邮箱已注册且尚未验证" in response.content.decode()
    assert OutboxMessage.objects.count() == 0


def test_resend_form_requires_an_address(client: Client) -> None:
    response = client.post(reverse("accounts:resend_verification"), {"email": ""})
    assert response.status_code == 200
    assert "电子邮箱" in response.context["form"].errors["email"][0]
