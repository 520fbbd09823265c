"""Feedback on the clock sweep (`manage.py sweep_clocks` calls `sweep_feedback`):

1. a survey still unanswered at its `remind_due_at` gets its one reminder (with a fresh signed link) to the applicant;
2. a complaint still unanswered at its `reply_due_at` is reminded once to the handling centre's directors.

Each row is claimed with a conditional UPDATE (`reminded_at IS NULL`, `overdue_notified_at IS NULL`) and its notices
and audit event are written in the same transaction: two sweeps never remind twice, and a crash loses nothing (the
row is still unclaimed). The filters use the partial indexes on exactly those columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from weiyuan.audit.services import audit_record
from weiyuan.feedback.models import ComplaintState, ServiceComplaint, Survey
from weiyuan.feedback.services.complaints import complaint_notify, handling_directors
from weiyuan.feedback.services.surveys import ANSWERABLE_CASE_STATES, survey_notice
from weiyuan.notifications.services import outbox_enqueue


def _remind_survey(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        won = Survey.objects.filter(
            pk=pk, answered_at__isnull=True, reminded_at__isnull=True, case__state__in=ANSWERABLE_CASE_STATES
        ).update(reminded_at=now, remind_due_at=None)
        if not won:
            return False
        survey = Survey.objects.select_related("case", "case__centre", "applicant").get(pk=pk)
        outbox_enqueue(
            recipients=[survey.applicant],
            notice=lambda: survey_notice(survey, reminder=True),
            dedupe_key=f"survey:{pk}:reminder",
        )
        audit_record(
            actor=None,
            action="survey.remind",
            obj=survey,
            centre_id=survey.case.centre_id,
            case_id=survey.case_id,
            after={"reminded_at": now},
        )
    return True


def _remind_complaint(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        won = ServiceComplaint.objects.filter(
            pk=pk, state=ComplaintState.FILED, overdue_notified_at__isnull=True
        ).update(overdue_notified_at=now)
        if not won:
            return False
        complaint = ServiceComplaint.objects.select_related("centre", "handling_centre").get(pk=pk)
        complaint_notify(complaint, handling_directors(complaint), "overdue")
        audit_record(
            actor=None,
            action="complaint.overdue",
            obj=complaint,
            centre_id=complaint.handling_centre_id,
            case_id=complaint.case_id,
            after={"overdue_notified_at": now, "reply_due_at": complaint.reply_due_at},
        )
    return True


def sweep_feedback(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, Any]:
    """Send the due survey reminders and the overdue complaint reminders (each once). Idempotent."""
    now = now or timezone.now()
    counts = {"surveys_reminded": 0, "complaints_overdue": 0}
    surveys = Survey.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        remind_due_at__lte=now,
        case__state__in=ANSWERABLE_CASE_STATES,
    )
    for pk in surveys.order_by("remind_due_at", "pk").values_list("pk", flat=True)[:batch]:
        counts["surveys_reminded"] += _remind_survey(pk, now)
    complaints = ServiceComplaint.objects.filter(
        state=ComplaintState.FILED, overdue_notified_at__isnull=True, reply_due_at__lte=now
    )
    for pk in complaints.order_by("reply_due_at", "pk").values_list("pk", flat=True)[:batch]:
        counts["complaints_overdue"] += _remind_complaint(pk, now)
    return counts
