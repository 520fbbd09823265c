"""Access to trademark screening and comparison (weiyuan/marks). Default deny.

The register of marks is public reference data, and checking a mark before complaining is a service to applicants
as much as to staff: any signed-in, active account may screen and compare (staff of any centre, experts, partners,
applicants). Anonymous callers may not: the register would otherwise be an open, unmetered search service.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import Decision


class MarksPermission(StrEnum):
    COMPARE = "marks:compare"
    SCREEN = "marks:screen"


def marks_decide(user: Any, permission: MarksPermission) -> Decision:
    """Whether `user` may use `permission` (screen the register, compare two marks)."""
    if permission not in MarksPermission.__members__.values():
        return Decision(False, str(_("您的角色不能执行此操作。")))
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Decision(False, str(_("请先登录。")))
    return Decision(True)
