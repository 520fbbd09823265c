"""API tokens: shown once, stored hashed, revocable, authenticated by the selector the API uses."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from weiyuan.accounts.models import ApiToken
from weiyuan.accounts.selectors import api_token_authenticate
from weiyuan.accounts.services import api_token_create, api_token_revoke
from weiyuan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_create_shows_token_once_and_stores_only_its_hash(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:api_tokens"), {"name": "案件同步脚本"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    clear = response.context["new_token"]
    assert clear.startswith("wy_") and len(clear) > 40
    assert clear in response.content.decode()
    row = ApiToken.objects.get(user=user)
    assert row.name == "案件同步脚本"
    assert row.prefix == clear[3:11]
    assert row.token_hash == hashlib.sha256(clear.encode()).hexdigest()
    assert clear not in str(list(ApiToken.objects.values()))
    event = AuditEvent.objects.get(action="api_token.create")
    assert clear not in str(event.after)
    # The list shows the prefix, never the token again.
    listing = client.get(reverse("accounts:api_tokens")).content.decode()
    assert row.prefix in listing and clear not in listing and "案件同步脚本" in listing


def test_create_requires_a_name(client: Client) -> None:
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:api_tokens"), {"name": "  "})
    assert response.status_code == 400
    assert "名称" in response.context["form"].errors["name"][0]
    assert ApiToken.objects.count() == 0


def test_authenticate_checks_hash_revocation_and_active_user() -> None:
    user = UserFactory()
    token, clear = api_token_create(user=user, name="ci")
    assert api_token_authenticate(clear) == user
    assert api_token_authenticate(clear + "x") is None
    assert api_token_authenticate("wy_" + "a" * 43) is None
    assert api_token_authenticate("") is None
    assert api_token_authenticate(clear[3:]) is None  # without its prefix
    user.is_active = False
    user.save()
    assert api_token_authenticate(clear) is None
    user.is_active = True
    user.save()
    api_token_revoke(user=user, token=token)
    assert api_token_authenticate(clear) is None


def test_last_used_is_touched_at_most_once_a_minute(django_assert_num_queries: object) -> None:
    user = UserFactory()
    token, clear = api_token_create(user=user, name="ci")
    assert api_token_authenticate(clear) == user
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert api_token_authenticate(clear) == user
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api_token_authenticate(clear)
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first_use


def test_revoke_via_page_and_other_users_token_is_404(client: Client) -> None:
    owner, other = UserFactory(), UserFactory()
    token, clear = api_token_create(user=owner, name="ci")
    client.force_login(other)
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    assert api_token_authenticate(clear) == owner
    client.force_login(owner)
    assert client.get(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(clear) is None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()
    assert "已撤销" in client.get(reverse("accounts:api_tokens")).content.decode()


def test_token_list_only_own_and_paginated(client: Client, django_assert_max_num_queries: object) -> None:
    owner, other = UserFactory(), UserFactory()
    for n in range(30):
        api_token_create(user=owner, name=f"令牌{n}")
    api_token_create(user=other, name="别人的令牌")
    client.force_login(owner)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(reverse("accounts:api_tokens"))
    page = response.context["page"]
    assert len(page.object_list) == 25 and page.paginator.count == 30
    assert "别人的令牌" not in response.content.decode()
    assert len(client.get(reverse("accounts:api_tokens") + "?page=2").context["page"].object_list) == 5
