"""Feedback writes: surveys, return visits, service complaints. Each public write is one transaction with an audit
event per change; notices go through the outbox in the same transaction.

The case services call `feedback_case_concluded` and `feedback_case_reopened` inside their own transaction (a plain
function call in the service layer, not a signal), so a conclusion that rolls back leaves no survey, no visit and no
notice behind."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from weiyuan.feedback.services.complaints import (
    COMPLAINT_ACTIONS,
    complaint_close,
    complaint_file,
    complaint_reply,
    complaint_withdraw,
)
from weiyuan.feedback.services.surveys import (
    SurveyAnswer,
    SurveyLinkInvalid,
    survey_answer,
    survey_from_token,
    survey_link_path,
    survey_link_token,
    survey_open_for_case,
    survey_pause_for_case,
)
from weiyuan.feedback.services.visits import (
    return_visit_open_case,
    return_visit_record,
    visits_cancel_for_case,
    visits_schedule_for_case,
)


def feedback_case_concluded(*, case: Any, actor: Any) -> None:
    """The case has just been concluded (in the caller's transaction): open its survey and schedule its visits."""
    now = case.concluded_at or timezone.now()
    survey_open_for_case(case=case, now=now)
    visits_schedule_for_case(case=case, now=now)


def feedback_case_reopened(*, case: Any, actor: Any) -> None:
    """The case is handled again (in the caller's transaction): its pending return visits are cancelled; they are
    scheduled anew, and an unanswered survey's reminder renewed, when it is concluded again."""
    visits_cancel_for_case(case=case, actor=actor)
    survey_pause_for_case(case=case)


__all__ = [
    "COMPLAINT_ACTIONS",
    "SurveyAnswer",
    "SurveyLinkInvalid",
    "complaint_close",
    "complaint_file",
    "complaint_reply",
    "complaint_withdraw",
    "feedback_case_concluded",
    "feedback_case_reopened",
    "return_visit_open_case",
    "return_visit_record",
    "survey_answer",
    "survey_from_token",
    "survey_link_path",
    "survey_link_token",
    "survey_open_for_case",
    "survey_pause_for_case",
    "visits_cancel_for_case",
    "visits_schedule_for_case",
]
