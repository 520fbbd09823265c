"""The opinions section of a case's page: `{% load opinion_tags %}{% case_opinions case %}`. The access module
decides what it shows (all opinions to the working side, issued letters to the applicant, nothing to others)."""

from __future__ import annotations

from typing import Any

from django import template

from weiyuan.access.opinions import case_opinions_visibility, opinion_create_decide
from weiyuan.opinions.selectors import case_opinion_list

register = template.Library()


@register.inclusion_tag("opinions/_case_section.html", takes_context=True)
def case_opinions(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context.get("user")
    visibility = case_opinions_visibility(user, case) if case.state != "draft" else ""
    return {
        "case": case,
        "visibility": visibility,
        "opinions": list(case_opinion_list(user=user, case=case)) if visibility else [],
        "may_create": bool(visibility) and bool(opinion_create_decide(user, case)),
    }
