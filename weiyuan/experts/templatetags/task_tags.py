"""The way from a case's page to its expert tasks (shown to those who see the tasks through the case)."""

from __future__ import annotations

from typing import Any

from django import template

from weiyuan.access.expert_tasks import case_tasks_decide

register = template.Library()


@register.inclusion_tag("experts/tasks/_case_link.html", takes_context=True)
def expert_tasks_link(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context.get("user")
    may = case.state != "draft" and bool(case_tasks_decide(user, case))
    return {"case": case, "may_see_tasks": may}
