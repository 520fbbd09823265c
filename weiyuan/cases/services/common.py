"""Shared pieces of the case services: the transition step (_apply), timeline events, clock limits.

Public here, for the services built on the case spine (consultations): `case_event_record` (a timeline step that
changes no state), `case_audit_record` (an audit event on the case's trail), `centre_staff` (who of a centre is
told) and `clock_working_days` (a clock's length). The names
with an underscore are for the case services only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weiyuan.audit.models import AuditEvent
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


def case_event_record(
    case: Case, action: str, actor: Any, from_state: str, note: str = "", public: bool = True
) -> CaseEvent:
    """Add a step to the case's timeline (`public`: shown to the applicant too), ending in the case's current
    state. `_apply` records one for every transition; a service records one directly for a step that changes no
    state (a follow-up question, a co-handling grant). The caller records its own audit event."""
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


def case_audit_record(
    *,
    case: Case,
    actor: Any,
    action: str,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """An audit event about the case or a record of it (`obj`, default the case), in the chain of the case's
    centre and linked to the case, so the case's audit trail lists it. Runs in the caller's transaction."""
    return audit_record(
        actor=actor,
        action=action,
        obj=case if obj is None else obj,
        centre_id=case.centre_id,
        case_id=case.pk,
        before=before,
        after=after,
    )


def centre_staff(centre_id: int, *roles: str) -> list[Any]:
    """The active accounts with an active membership in one of `roles` at the centre, each once: whom a notice
    for the centre goes to (new application, transfer received, a nomination to approve)."""
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
    case_event_record(case, action, actor, from_state, note=note, public=public)
    after = {**_snapshot(case), "note": note} if note else _snapshot(case)
    case_audit_record(case=case, actor=actor, action=f"case.{action}", before=before, after=after)
    return case


def _validate_fields(case: Case) -> None:
    """Field checks (lengths, choices); relations are checked by the service that sets them."""
    relation_fields = [f.name for f in Case._meta.fields if f.is_relation]
    case.clean_fields(exclude=[*relation_fields, "applicant_id_number", "applicant_phone"])


def _evidence_count(case: Case) -> int:
    # The reverse manager `case.evidence_files` is scoped (it refuses to run unscoped); services count directly.
    from weiyuan.evidence.models import EvidenceFile

    return EvidenceFile.objects_unscoped.filter(case=case).count()


def clock_working_days(case: Case, rule: str) -> int:
    """The length in working days of the case's "acceptance" or "handling" clock (any other rule: handling): the
    case centre's own figure for the service type (`CentreServiceClock`) where it sets one, else the service
    type's default."""
    override = CentreServiceClock.objects.filter(centre_id=case.centre_id, service_type_id=case.service_type_id).first()
    if rule == "acceptance":
        return (override and override.acceptance_working_days) or case.service_type.acceptance_working_days
    return (override and override.handling_working_days) or case.service_type.handling_working_days
