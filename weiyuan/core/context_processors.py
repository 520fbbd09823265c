from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`nav`: the links of the main navigation the user gets (decided in weiyuan/access/navigation.py);
    `nav_unread`: the number of unread notifications."""
    from weiyuan.access.navigation import NavLinks, nav_links
    from weiyuan.notifications.selectors import notification_unread_count

    user = request.user
    if not user.is_authenticated:
        return {"nav": NavLinks(), "nav_unread": 0}
    return {"nav": nav_links(user), "nav_unread": notification_unread_count(user=user)}
