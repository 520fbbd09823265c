"""Case pages for applicants and staff. Thin: parse with a form, call one service or selector, render."""

from weiyuan.cases.views.case_page import audit_trail, case_action, detail, letter, personal_data
from weiyuan.cases.views.intake import (
    intake_checks,
    intake_form,
    intake_route,
    intake_start,
    my_cases,
    region_options,
    track,
)
from weiyuan.cases.views.workbench import bulk_assign, workbench

__all__ = [
    "audit_trail",
    "bulk_assign",
    "case_action",
    "detail",
    "intake_checks",
    "intake_form",
    "intake_route",
    "intake_start",
    "letter",
    "my_cases",
    "personal_data",
    "region_options",
    "track",
    "workbench",
]
