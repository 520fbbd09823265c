from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from weiyuan.access.policy import is_staff_member, memberships_of
    from weiyuan.notifications.selectors import notification_unread_count

    user = request.user
    if not user.is_authenticated:
        return {"nav_is_staff": False, "nav_unread": 0}
    return {
        "nav_is_staff": is_staff_member(user) or bool(memberships_of(user)),
        "nav_unread": notification_unread_count(user=user),
    }
