"""The major-dispute section of a case's page: the major mark and the panel for the case's staff (read-only for
co-handlers and supervisors), and the signed solution's PDF for the applicant. Nothing for anyone else."""

from __future__ import annotations

from typing import Any

from django import template

from weiyuan.access.panels import MajorPermission, PanelPermission, case_major_decide, panel_decide
from weiyuan.panels.models import PanelState

register = template.Library()


@register.inclusion_tag("panels/_case_section.html", takes_context=True)
def case_panel(context: dict[str, Any], case: Any) -> dict[str, Any]:
    from weiyuan.panels.designation import open_designation
    from weiyuan.panels.forms import PanelCreateForm
    from weiyuan.panels.selectors import case_panels, current_panel

    user = context.get("user")
    empty: dict[str, Any] = {"show": False}
    if case is None or case.state == "draft":
        return empty
    staff_side = bool(case_major_decide(user, MajorPermission.EVALUATE, case))
    if staff_side:
        panels = case_panels(case=case)
        may_create = bool(case_major_decide(user, MajorPermission.PANEL_CREATE, case))
        return {
            "show": True,
            "staff_side": True,
            "case": case,
            "designation": open_designation(case),
            "panels": panels,
            "may_create": may_create and case.is_major and current_panel(case) is None,
            "create_form": PanelCreateForm(),
        }
    signed = [
        p
        for p in case_panels(case=case)
        if p.state == PanelState.SIGNED and panel_decide(user, PanelPermission.DOWNLOAD, p)
    ]
    if not signed:
        return empty
    return {"show": True, "staff_side": False, "case": case, "signed": signed}
