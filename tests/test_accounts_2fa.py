"""TOTP two-factor: required for directors and platform admins, optional for others; set-up, verify, demo command."""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from weiyuan.accounts.models import User
from weiyuan.accounts.otp import current_code, provisioning_url
from weiyuan.accounts.services import totp_device_create
from weiyuan.accounts.views import TOTP_SETUP_SESSION_KEY
from weiyuan.audit.models import AuditEvent

PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _require_2fa(settings: Any) -> None:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = True


def code_for(key_hex: str, offset_steps: int = 0) -> str:
    return str(totp(bytes.fromhex(key_hex), t0=-offset_steps * 30)).zfill(6)


def password_login(client: Client, user: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_director_without_device_is_sent_to_setup_then_uses_the_site(client: Client, network: dict) -> None:
    director = network["sh_director"]
    password_login(client, director)
    home = client.get("/")
    assert home.status_code == 302
    assert home.url.startswith(reverse("accounts:two_factor_setup")) and "next=%2F" in home.url
    assert client.get(reverse("notifications:inbox")).status_code == 302
    # Exempt: health check, static files, i18n, API, the 2FA pages themselves, logout.
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get(reverse("accounts:two_factor_verify")).status_code == 302  # verify -> setup (no device)

    page = client.get(reverse("accounts:two_factor_setup") + "?next=/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "http" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    key_hex = client.session[TOTP_SETUP_SESSION_KEY]
    assert TOTPDevice.objects.filter(user=director).count() == 0  # nothing written by GET

    wrong_code = "000000" if code_for(key_hex) != "000000" else "111111"
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": wrong_code, "next": "/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=director).count() == 0

    response = client.post(reverse("accounts:two_factor_setup"), {"code": code_for(key_hex), "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    device = TOTPDevice.objects.get(user=director)
    assert device.confirmed and device.key == key_hex
    assert AuditEvent.objects.filter(action="account.2fa_enabled", object_id=str(director.pk)).exists()
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_director_with_device_must_verify_each_session(client: Client, network: dict) -> None:
    director = network["zj_director"]
    device = totp_device_create(user=director)
    password_login(client, director)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor_verify"))
    # Setup is not a way around verification for someone who already has a device.
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor_verify"))

    bad = client.post(reverse("accounts:two_factor_verify"), {"code": "12", "next": "/accounts/profile/"})
    assert bad.status_code == 200 and "code" in bad.context["form"].errors
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()

    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": current_code(device), "next": "/accounts/profile/"}
    )
    assert response.status_code == 302 and response.url == "/accounts/profile/"
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_verified_code_cannot_be_replayed(network: dict) -> None:
    director = network["sh_director"]
    device = totp_device_create(user=director)
    code = current_code(device)
    first, second = Client(), Client()
    password_login(first, director)
    password_login(second, director)
    assert first.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 302
    replay = second.post(reverse("accounts:two_factor_verify"), {"code": code})
    assert replay.status_code == 200 and "验证码不正确或已使用" in replay.content.decode()


def test_superuser_is_required_too(client: Client) -> None:
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor_setup"))


def test_applicant_and_handler_are_not_required(client: Client, network: dict) -> None:
    client.force_login(network["sh_handler"])
    assert client.get(reverse("accounts:profile")).status_code == 200
    other = Client()
    other.force_login(UserFactory(applicant_kind="person"))
    assert other.get(reverse("accounts:profile")).status_code == 200


def test_optional_user_with_device_is_asked_and_may_switch_it_off(client: Client, network: dict) -> None:
    handler = network["sh_handler"]
    device = totp_device_create(user=handler)
    client.force_login(handler)
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(reverse("accounts:two_factor_disable"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=handler).exists()


def test_director_cannot_switch_2fa_off(client: Client, network: dict) -> None:
    director = network["sh_director"]
    device = totp_device_create(user=director)
    client.force_login(director)
    client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    response = client.post(reverse("accounts:two_factor_disable"))
    assert response.status_code == 403
    assert "必须使用双因素认证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=director).exists()


def test_htmx_request_gets_client_redirect(client: Client, network: dict) -> None:
    client.force_login(network["sh_director"])
    response = client.get(reverse("notifications:inbox"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:two_factor_setup"))


def test_api_and_healthz_are_not_redirected(client: Client, network: dict) -> None:
    client.force_login(network["sh_director"])
    assert client.get("/healthz").status_code in (200, 503)
    api = client.get("/api/v1/openapi.json")
    assert "2fa" not in api.get("Location", "")
    language = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert language.status_code == 302 and language["Location"] == "/"
    logout = client.post(reverse("accounts:logout"))
    assert logout.status_code == 302 and "2fa" not in logout["Location"]


def test_totp_device_create_is_idempotent_for_a_key(network: dict) -> None:
    director = network["sh_director"]
    key = "3132333435363738393031323334353637383930"
    first = totp_device_create(user=director, key_hex=key)
    second = totp_device_create(user=director, key_hex=key)
    assert first.pk == second.pk and first.confirmed
    assert TOTPDevice.objects.filter(user=director).count() == 1
    # RFC 6238 test key: our code matches the reference implementation.
    assert current_code(first, at=59) == "287082"


def test_totp_code_command(network: dict, settings: Any) -> None:
    director = network["sh_director"]
    device = totp_device_create(user=director)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("totp_code", director.email)
    out = StringIO()
    call_command("totp_code", director.email, "--force", stdout=out)
    printed = out.getvalue().strip()
    assert len(printed) == 6 and printed.isdigit()
    assert printed in {current_code(device, at=time.time() + d) for d in (-30, 0)}
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no confirmed TOTP device"):
        call_command("totp_code", network["sh_handler"].email)


def test_provisioning_url_names_issuer_and_account() -> None:
    url = provisioning_url(key_hex="00" * 20, account_label="director@example.cn")
    assert url == (
        "otpauth://totp/%E7%BB%B4%E6%8F%B4%3Adirector%40example.cn?secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "&algorithm=SHA1&digits=6&period=30&issuer=%E7%BB%B4%E6%8F%B4"
    )
