"""Review finding 6: one lockout counter per account whatever the spelling typed; the client address behind a proxy."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import UserFactory
from weiyuan.accounts.lockout import lockout_client_ip, lockout_username, login_key
from weiyuan.accounts.models import User, lookup_digest
from weiyuan.audit.middleware import client_ip
from weiyuan.audit.models import AuditEvent

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def logged_in(client: Client) -> bool:
    return bool(client.session.get("_auth_user_id"))


def phone_user(phone: str = "13812345678", **kwargs: Any) -> User:
    return UserFactory(phone=phone, phone_digest=lookup_digest(phone), **kwargs)


# --- one counter per account ------------------------------------------------------------------------------------


def test_mixed_case_spellings_lock_the_account_after_five_failures(client: Client) -> None:
    UserFactory(email="wang@example.cn")
    spellings = ["Wang@example.cn", "wAng@example.cn", "waNg@Example.CN", "wanG@example.cn"]
    for n, spelling in enumerate(spellings, start=1):
        assert login(client, spelling, f"wrong-{n}").status_code == 200
    # The fifth failure, in yet another spelling, locks the account.
    assert login(client, "WANG@EXAMPLE.CN", "wrong-5").status_code == 429
    # Now no spelling gets in, not even with the right password.
    for spelling in ("wang@example.cn", " Wang@Example.cn "):
        response = login(client, spelling)
        assert response.status_code == 429
        assert "登录已暂时锁定" in response.content.decode()
    assert not logged_in(client)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"wang@example.cn"}


def test_the_review_probe_scenario_no_longer_gets_in(client: Client) -> None:
    UserFactory(email="wang@example.cn")
    variants = ["Wang@example.cn", "wAng@example.cn", "waNg@example.cn", "wanG@example.cn", "WAng@example.cn"]
    for variant in variants:
        for n in range(4):
            login(client, variant, f"bad{n}")
    assert login(client, "WANG@example.cn").status_code == 429
    assert not logged_in(client)


def test_phone_formats_and_the_accounts_email_share_one_counter(client: Client) -> None:
    phone_user(email="li@example.cn")
    typed = ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 13812345678"]
    for n, spelling in enumerate(typed, start=1):
        assert login(client, spelling, f"wrong-{n}").status_code == 200
    assert login(client, "LI@example.cn", "wrong-5").status_code == 429
    assert login(client, "13812345678").status_code == 429
    assert not logged_in(client)


def test_phone_only_account_is_keyed_by_digest_not_by_number(client: Client) -> None:
    phone_user(email=None)
    for n in range(5):
        login(client, "138-1234-5678", f"wrong-{n}")
    assert login(client, "13812345678").status_code == 429
    keys = set(AccessAttempt.objects.values_list("username", flat=True))
    assert keys == {lookup_digest("13812345678")}  # no phone number stored in clear


def test_success_resets_the_counter_for_every_spelling(client: Client) -> None:
    UserFactory(email="zhou@example.cn")
    for n in range(4):
        login(client, "ZHOU@example.cn", f"wrong-{n}")
    assert login(client, "zhou@example.cn").status_code == 302
    client.post(reverse("accounts:logout"))
    # The successful login (which axes reports under the internal username) cleared the account's counter.
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()
    for n in range(4):
        assert login(client, "Zhou@example.cn", f"again-{n}").status_code == 200
    assert login(client, "zhou@example.cn").status_code == 302


def test_unknown_identifiers_are_counted_by_their_canonical_spelling(client: Client) -> None:
    for n, spelling in enumerate(["Nobody@Example.cn", "nobody@example.cn", "NOBODY@example.cn", "noBody@example.cn"]):
        assert login(client, spelling, f"wrong-{n}").status_code == 200
    assert login(client, "nobody@EXAMPLE.cn", "wrong-5").status_code == 429


def test_login_key_and_the_axes_callable() -> None:
    user = UserFactory(email="Sun.Li@example.cn")
    phone_only = phone_user("13900001111", email=None)
    assert login_key(" SUN.li@EXAMPLE.cn ") == "sun.li@example.cn"
    assert login_key(user.username) == "sun.li@example.cn"  # what axes passes after a successful login
    assert login_key("+86 139 0000 1111") == lookup_digest("13900001111")
    assert login_key(phone_only.username) == lookup_digest("13900001111")
    assert login_key("137-0000-2222") == lookup_digest("13700002222")  # no account: digest of the typed number
    assert login_key("Someone-Else") == "someone-else"
    request = RequestFactory().post("/accounts/login/", {"username": "Sun.Li@Example.cn"})
    assert lockout_username(request, {"username": "SUN.LI@example.cn", "password": "x"}) == "sun.li@example.cn"
    assert lockout_username(request, None) == "sun.li@example.cn"  # falls back to the form field
    assert lockout_username(RequestFactory().post("/accounts/login/", {}), None) is None
    assert lockout_username(request, {"username": "   "}) is None


# --- the client address -----------------------------------------------------------------------------------------


def _request(remote: str = "10.0.0.5", forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        # No proxy trusted: X-Forwarded-For is whatever the client wrote, so it is ignored.
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        (0, "203.0.113.9", None, "203.0.113.9"),
        # One proxy (nginx): the last entry is the address nginx saw; anything left of it is the client's own.
        (1, "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        (1, "127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (1, "127.0.0.1", " 2001:db8::1 ", "2001:db8::1"),
        # Two proxies (CDN in front of nginx): the second entry from the right.
        (2, "127.0.0.1", "6.6.6.6, 198.51.100.7, 192.0.2.50", "198.51.100.7"),
        # Too few entries (the request bypassed a proxy), no header, or garbage: REMOTE_ADDR.
        (2, "127.0.0.1", "198.51.100.7", "127.0.0.1"),
        (1, "127.0.0.1", None, "127.0.0.1"),
        (1, "127.0.0.1", "", "127.0.0.1"),
        (1, "127.0.0.1", "198.51.100.7, not-an-address", "127.0.0.1"),
    ],
)
def test_client_ip(settings: Any, count: int, remote: str, forwarded: str | None, expected: str) -> None:
    settings.WEIYUAN_TRUSTED_PROXY_COUNT = count
    request = _request(remote, forwarded)
    assert client_ip(request) == expected
    assert lockout_client_ip(request) == expected


def test_settings_point_axes_at_the_callables(settings: Any) -> None:
    assert settings.AXES_USERNAME_CALLABLE == "weiyuan.accounts.lockout.lockout_username"
    assert settings.AXES_CLIENT_IP_CALLABLE == "weiyuan.accounts.lockout.lockout_client_ip"
    assert settings.WEIYUAN_TRUSTED_PROXY_COUNT == 0  # the default: nothing in front of the server is trusted


def test_behind_one_proxy_lockout_is_per_real_client(settings: Any) -> None:
    settings.WEIYUAN_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="he@example.cn")
    attacker, owner = Client(REMOTE_ADDR="127.0.0.1"), Client(REMOTE_ADDR="127.0.0.1")
    for n in range(5):
        # The attacker varies the header's left part; nginx's appended entry stays the attacker's address.
        login(attacker, "he@example.cn", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.66")
    assert login(attacker, "he@example.cn", HTTP_X_FORWARDED_FOR="198.51.100.66").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
    # The owner, coming through the same proxy from elsewhere, is not locked out by the attacker.
    assert login(owner, "he@example.cn", HTTP_X_FORWARDED_FOR="203.0.113.20").status_code == 302


def test_without_a_trusted_proxy_the_header_cannot_dodge_the_lockout(settings: Any, client: Client) -> None:
    settings.WEIYUAN_TRUSTED_PROXY_COUNT = 0
    UserFactory(email="ma@example.cn")
    for n in range(5):
        login(client, "ma@example.cn", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert login(client, "ma@example.cn", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.parametrize(("count", "expected"), [(0, "127.0.0.1"), (1, "198.51.100.23")])
def test_audit_trail_records_the_client_address(settings: Any, count: int, expected: str) -> None:
    settings.WEIYUAN_TRUSTED_PROXY_COUNT = count
    user = UserFactory()
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23")
    client.force_login(user)
    assert client.post(reverse("accounts:logout_everywhere")).status_code == 302
    event = AuditEvent.objects.get(action="account.logout_everywhere", object_id=str(user.pk))
    assert event.ip_address == expected
