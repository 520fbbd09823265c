"""Shared pieces of the consultation services: the row locks, the start of a declared step, notices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weiyuan.cases.models import Case
from weiyuan.consultations.models import Consultation
from weiyuan.consultations.transitions import Step, Subject, check_step
from weiyuan.notifications.services import Notice, outbox_enqueue


def consultation_url(case: Case) -> str:
    return f"/consultations/{case.tracking_number}/"


def consultation_lock(consultation: Consultation) -> Consultation:
    """Re-read the consultation and its case under row locks: two people acting at once act one after the other."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    locked.case = (
        Case.objects_unscoped.select_for_update().select_related("centre", "service_type").get(pk=locked.case_id)
    )
    return locked


def step_start(
    consultation: Consultation,
    actor: Any,
    action: str,
    *,
    table: dict[str, Step],
    subject_of: Callable[[Consultation], Subject],
    state_of: Callable[[Subject], str],
) -> tuple[Consultation, Subject, str, Step]:
    """Lock the consultation, read what the step acts on and check the declared table (TransitionRefused with the
    reason if the step is not allowed): (the locked consultation, the subject, its state before, the step)."""
    consultation = consultation_lock(consultation)
    subject = subject_of(consultation)
    state = state_of(subject)
    return consultation, subject, state, check_step(table, action, state, subject, actor)


def consultation_notify(recipients: list[Any], kind: str, subject: str, body: str, url: str, dedupe: str) -> None:
    """Queue a notice to each recipient given (None, e.g. a case without a handler, is skipped)."""
    outbox_enqueue(
        recipients=[r for r in recipients if r is not None],
        notice=Notice(kind=kind, subject=subject, body=body, url=url),
        dedupe_key=dedupe,
    )
