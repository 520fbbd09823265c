"""The feedback section of a case page (`{% case_feedback case %}`): the applicant answers the survey (or sees their
answer) and may file an opinion or complaint about the centre; the case's staff and supervisors see the answer and
the return visits. Who sees what is decided in weiyuan/access/feedback.py."""

from __future__ import annotations

from typing import Any

from django import template

from weiyuan.access.feedback import FeedbackPermission, case_feedback_decide, return_visit_scope_q
from weiyuan.cases.models import CaseState
from weiyuan.feedback.forms import SurveyForm
from weiyuan.feedback.models import ReturnVisit
from weiyuan.feedback.selectors import survey_of_case

register = template.Library()
P = FeedbackPermission


@register.inclusion_tag("feedback/_case_section.html", takes_context=True)
def case_feedback(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context.get("user")
    if case.state == CaseState.DRAFT or not case_feedback_decide(user, P.SURVEY_VIEW, case):
        return {"visible": False}
    applicant = bool(case_feedback_decide(user, P.SURVEY_ANSWER, case))
    survey = survey_of_case(case=case)
    visits = (
        list(ReturnVisit.objects.filter(return_visit_scope_q(user), case_id=case.pk).select_related("done_by"))
        if not applicant
        else []
    )
    answerable = (
        applicant
        and survey is not None
        and survey.answered_at is None
        and case.state
        in (
            CaseState.CONCLUDED,
            CaseState.CLOSED,
        )
    )
    return {
        "visible": survey is not None or bool(visits) or applicant,
        "case": case,
        "survey": survey,
        "applicant": applicant,
        "answerable": answerable,
        "form": SurveyForm() if answerable else None,
        "visits": visits,
        "may_complain": applicant and bool(case_feedback_decide(user, P.COMPLAINT_FILE, case)),
    }
