"""The way from a case's page to matching experts for it (shown to those who may match)."""

from __future__ import annotations

from typing import Any

from django import template

from weiyuan.access.experts import ExpertPermission, case_expert_decide

register = template.Library()


@register.inclusion_tag("experts/_case_hook.html", takes_context=True)
def expert_match_link(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context.get("user")
    may = case.state != "draft" and bool(case_expert_decide(user, ExpertPermission.MATCH, case))
    return {"case": case, "may_match": may}
