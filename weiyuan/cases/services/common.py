"""Shared pieces of the case services: the transition step (_apply), timeline events, clock limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.cases.models import (
    Case,
    CaseEvent,
    CentreServiceClock,
)
from weiyuan.cases.transitions import check_transition
from weiyuan.notifications.services import Notice, outbox_enqueue

TRACKING_NUMBER_RE = re.compile(r"^WY-(\d{4})-(\d{5})-(\d{6})$")
AUDITED_FIELDS = ("state", "centre_id", "handler_id", "outcome", "reject_reason", "is_major")


def tracking_number_format(*, year: int, centre_id: int, seq: int) -> str:
    """Readable and unique across the network: year, issuing centre, that centre's running number."""
    return f"WY-{year:04d}-{centre_id:05d}-{seq:06d}"


def validate_tracking_number(value: str) -> str:
    v = value.strip().upper()
    if not TRACKING_NUMBER_RE.match(v):
        raise ValidationError(
            {"tracking_number": _("案件编号格式应为 WY-年份-5位机构号-6位序号，例如 WY-2026-00012-000345。")}
        )
    return v


def _snapshot(case: Case) -> dict[str, Any]:
    return {f: getattr(case, f) for f in AUDITED_FIELDS}


def _event(case: Case, action: str, actor: Any, from_state: str, note: str = "", public: bool = True) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        centre_id=case.centre_id,
        public=public,
        note=note,
    )


def _notify_applicant(case: Case, kind: str, render: Callable[[], tuple[str, str]], dedupe: str) -> None:
    """Queue a notice to the applicant account, written in the applicant's language: `render` -> (subject, body)."""
    if case.applicant_user_id:

        def notice() -> Notice:
            subject, body = render()
            return Notice(kind=kind, subject=subject, body=body, url=f"/cases/{case.tracking_number}/")

        outbox_enqueue(recipients=[case.applicant_user], notice=notice, dedupe_key=dedupe)


def _centre_staff(centre_id: int, *roles: str) -> list[Any]:
    from weiyuan.accounts.models import User

    return list(
        User.objects.filter(
            memberships__centre_id=centre_id, memberships__role__in=roles, memberships__active=True, is_active=True
        ).distinct()
    )


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock so two officers cannot both accept it."""
    locked = Case.objects_unscoped.select_for_update().select_related("centre").get(pk=case.pk)
    # Keep memoised access relations of the caller's object valid for the locked copy.
    return locked


def _apply(case: Case, action: str, actor: Any, note: str = "", public: bool = True, **changes: Any) -> Case:
    """Check the table, change state and fields, record the timeline step and the audit event."""
    case = _lock(case)
    transition = check_transition(case, action, actor)
    before = _snapshot(case)
    from_state = case.state
    target = transition.target_for(case)  # decided on the state before this step's changes
    for name, value in changes.items():
        setattr(case, name, value)
    case.state = target
    _validate_fields(case)
    case.save()
    _event(case, action, actor, from_state, note=note, public=public)
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        centre_id=case.centre_id,
        case_id=case.pk,
        before=before,
        after={**_snapshot(case), "note": note} if note else _snapshot(case),
    )
    return case


def _validate_fields(case: Case) -> None:
    """Field checks (lengths, choices); relations are checked by the service that sets them."""
    relation_fields = [f.name for f in Case._meta.fields if f.is_relation]
    case.clean_fields(exclude=[*relation_fields, "applicant_id_number", "applicant_phone"])


def _evidence_count(case: Case) -> int:
    # The reverse manager `case.evidence_files` is scoped (it refuses to run unscoped); services count directly.
    from weiyuan.evidence.models import EvidenceFile

    return EvidenceFile.objects_unscoped.filter(case=case).count()


def _clock_amount(case: Case, rule: str) -> int:
    override = CentreServiceClock.objects.filter(centre_id=case.centre_id, service_type_id=case.service_type_id).first()
    if rule == "acceptance":
        return (override and override.acceptance_working_days) or case.service_type.acceptance_working_days
    return (override and override.handling_working_days) or case.service_type.handling_working_days
