"""Login by e-mail or phone, lockout (django-axes), logout, log out everywhere, profile, language, password."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, staff
from weiyuan.accounts.models import User, lookup_digest
from weiyuan.accounts.services import user_logout_everywhere
from weiyuan.audit.models import AuditEvent
from weiyuan.core.choices import Role
from weiyuan.core.validators import id_number_check_char

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password

pytestmark = pytest.mark.django_db


def phone_user(phone: str = "13812345678", **kwargs: object) -> User:
    return UserFactory(phone=phone, phone_digest=lookup_digest(phone), **kwargs)


def login(client: Client, username: str, password: str = PASSWORD) -> object:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def logged_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_login_page_renders(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "邮箱或手机号" in response.content.decode()


def test_login_by_email(client: Client) -> None:
    user = UserFactory(email="wang@example.cn")
    response = login(client, "Wang@Example.cn")
    assert response.status_code == 302
    assert logged_in_as(client) == user.pk
    assert client.session["weiyuan_session_generation"] == user.session_generation


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_login_by_phone(client: Client, typed: str) -> None:
    user = phone_user()
    response = login(client, typed)
    assert response.status_code == 302
    assert logged_in_as(client) == user.pk


def test_login_wrong_password_names_the_problem(client: Client) -> None:
    UserFactory(email="li@example.cn")
    response = login(client, "li@example.cn", "wrong-password")
    assert response.status_code == 200
    assert "邮箱或手机号与密码不匹配" in response.content.decode()
    assert logged_in_as(client) is None


def test_login_sets_language_cookie_from_preference(client: Client) -> None:
    UserFactory(email="en@example.cn", preferred_language="en")
    login(client, "en@example.cn")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_lockout_after_five_failures(client: Client) -> None:
    UserFactory(email="zhao@example.cn")
    for attempt in range(1, 5):
        response = login(client, "zhao@example.cn", f"wrong-{attempt}")
        assert response.status_code == 200, attempt
    response = login(client, "zhao@example.cn", "wrong-5")
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录已暂时锁定" in body and "12330" in body and "30 分钟后再试" in body
    # Even the right password is refused while locked.
    response = login(client, "zhao@example.cn", PASSWORD)
    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_logout_is_post_only(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_logout_everywhere_ends_other_sessions_and_keeps_this_one() -> None:
    user = UserFactory(email="sun@example.cn")
    here, elsewhere = Client(), Client()
    login(here, "sun@example.cn")
    login(elsewhere, "sun@example.cn")
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200
    response = here.post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.session_generation == 1
    assert AuditEvent.objects.filter(action="account.logout_everywhere", object_id=str(user.pk)).exists()
    response = elsewhere.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert here.get(reverse("accounts:profile")).status_code == 200


def test_logout_everywhere_service_also_ends_sessions_opened_before(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    user_logout_everywhere(user=user)
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_logout_everywhere_is_post_only(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405


def test_profile_masks_phone_and_id_and_lists_memberships(client: Client, network: dict) -> None:
    id_number = "31011519800101123" + id_number_check_char("31011519800101123")
    user = phone_user("13912345678", id_number=id_number, username="u0badc0ffee0042")
    from weiyuan.accounts.models import Membership

    Membership.objects.create(user=user, centre=network["shanghai"], role=Role.HANDLER)
    client.force_login(user)
    response = client.get(reverse("accounts:profile"))
    body = response.content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert id_number not in body and id_number[:3] in body and id_number[-4:] in body
    assert "上海市知识产权维权援助中心" in body and "承办人" in body
    assert user.username not in body  # the internal handle is never shown


def test_profile_requires_login(client: Client) -> None:
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_language_preference_saved_and_cookie_set(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert AuditEvent.objects.filter(action="account.language", object_id=str(user.pk)).exists()


def test_language_preference_rejects_unknown_code(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"language": "xx"})
    assert response.status_code == 200
    assert "language" in response.context["language_form"].errors
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"


def test_password_change_is_audited_and_keeps_session(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"old_password": "nope", "new_password1": "Xinmima-2025!", "new_password2": "Xinmima-2025!"})
    assert bad.status_code == 200 and "old_password" in bad.context["form"].errors
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "Xinmima-2025!", "new_password2": "Xinmima-2025!"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Xinmima-2025!")
    event = AuditEvent.objects.get(action="account.password_changed", object_id=str(user.pk))
    assert not event.before and not event.after
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_staff_member_can_use_site_without_2fa(client: Client, network: dict, settings: object) -> None:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = True  # type: ignore[attr-defined]
    handler = staff(network["shanghai"], Role.HANDLER)
    client.force_login(handler)
    assert client.get(reverse("accounts:profile")).status_code == 200
