"""The notifications inbox: own notices only, paginated, mark read one (HTMX partial) or all."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from weiyuan.accounts.models import User
from weiyuan.notifications.models import Notification

pytestmark = pytest.mark.django_db


def notify(user: User, n: int, **kwargs: object) -> list[Notification]:
    return [
        Notification.objects.create(
            recipient=user, kind="case.info_requested", title=f"请补正材料 {i}", body="请上传商标注册证。", **kwargs
        )
        for i in range(n)
    ]


def test_inbox_requires_login(client: Client) -> None:
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_inbox_lists_only_own_notifications_with_unread_marked(client: Client) -> None:
    me, other = UserFactory(), UserFactory()
    mine = notify(me, 2)
    Notification.objects.create(recipient=other, kind="x", title="别人的通知", body="")
    client.force_login(me)
    response = client.get(reverse("notifications:inbox"))
    body = response.content.decode()
    assert "请补正材料 0" in body and "请补正材料 1" in body
    assert "别人的通知" not in body
    assert body.count("未读") >= 2
    assert {n.pk for n in response.context["page"].object_list} == {n.pk for n in mine}


def test_inbox_empty_state(client: Client) -> None:
    client.force_login(UserFactory())
    assert "暂无通知" in client.get(reverse("notifications:inbox")).content.decode()


def test_inbox_is_paginated_without_n_plus_one(client: Client, django_assert_max_num_queries: object) -> None:
    me = UserFactory()
    notify(me, 3)
    client.force_login(me)
    client.get(reverse("notifications:inbox"))  # warm up the session
    with django_assert_max_num_queries(10) as small:  # type: ignore[operator]
        client.get(reverse("notifications:inbox"))
    notify(me, 40)
    with django_assert_max_num_queries(10) as large:  # type: ignore[operator]
        response = client.get(reverse("notifications:inbox"))
    assert len(large.captured_queries) == len(small.captured_queries)
    page = response.context["page"]
    assert len(page.object_list) == 25 and page.paginator.num_pages == 2
    assert len(client.get(reverse("notifications:inbox") + "?page=2").context["page"].object_list) == 18


def test_mark_one_read_plain_and_htmx(client: Client) -> None:
    me = UserFactory()
    first, second = notify(me, 2)
    client.force_login(me)
    response = client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    partial = client.post(reverse("notifications:mark_read", args=[second.pk]), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    html = partial.content.decode()
    assert html.lstrip().startswith(f'<tr id="notification-{second.pk}"') and "已读" in html and "<html" not in html
    second.refresh_from_db()
    assert second.read_at is not None


def test_mark_read_of_another_users_notification_is_404(client: Client) -> None:
    me, other = UserFactory(), UserFactory()
    (theirs,) = notify(other, 1)
    client.force_login(me)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_is_post_only(client: Client) -> None:
    me = UserFactory()
    (mine,) = notify(me, 1)
    client.force_login(me)
    assert client.get(reverse("notifications:mark_read", args=[mine.pk])).status_code == 405


def test_mark_all_read_touches_only_own(client: Client) -> None:
    me, other = UserFactory(), UserFactory()
    notify(me, 3)
    notify(other, 2)
    client.force_login(me)
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "已将 3 条通知标记为已读" in response.content.decode()
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 2
