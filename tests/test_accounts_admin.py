"""Django admin for accounts: sensitive values masked and read-only, token hashes never shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, admin_add_user_form
from weiyuan.accounts.models import ApiToken, Membership, User, lookup_digest
from weiyuan.accounts.otp import current_code
from weiyuan.accounts.services import api_token_create, totp_device_create
from weiyuan.core.choices import Role
from weiyuan.core.validators import id_number_check_char

pytestmark = pytest.mark.django_db

ID_NUMBER = "31011519800101123" + id_number_check_char("31011519800101123")


@pytest.fixture
def admin_client(settings: object) -> Client:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = True  # type: ignore[attr-defined]
    admin = UserFactory(is_superuser=True, is_staff=True)
    device = totp_device_create(user=admin)
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    return client


def test_user_change_page_masks_phone_and_id_and_does_not_edit_them(admin_client: Client) -> None:
    person = UserFactory(phone="13912345678", phone_digest=lookup_digest("13912345678"), id_number=ID_NUMBER)
    response = admin_client.get(reverse("admin:accounts_user_change", args=[person.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert ID_NUMBER not in body
    assert 'name="phone"' not in body and 'name="id_number"' not in body and "phone_digest" not in body


def test_user_list_and_membership_admin(admin_client: Client, network: dict) -> None:
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    membership = Membership.objects.filter(role=Role.DIRECTOR).first()
    assert membership is not None
    assert admin_client.get(reverse("admin:accounts_membership_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_membership_change", args=[membership.pk])).status_code == 200


def test_admin_can_add_user_with_generated_username(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        admin_add_user_form(email="new.staff@example.cn", display_name="新同事"),
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.staff@example.cn")
    assert user.username.startswith("u") and len(user.username) == 17


def test_api_token_admin_never_shows_the_hash(admin_client: Client) -> None:
    owner = UserFactory()
    token, clear = api_token_create(user=owner, name="ci")
    listing = admin_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    page = admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    for body in (listing, page):
        assert token.token_hash not in body and clear not in body
        assert token.prefix in body
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert ApiToken.objects.count() == 1


def test_admin_requires_two_factor(settings: object) -> None:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = True  # type: ignore[attr-defined]
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and reverse("accounts:two_factor_setup") in response.url
