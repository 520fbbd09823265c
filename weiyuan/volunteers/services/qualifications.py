"""Staff qualifications, kept by the centre's director for its staff (intake officers, handlers, directors) and
shown on the staff roster; an optional certificate file stored as evidence (checked by content, SHA-256).
Audited (`volunteers.qualification.*`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.policy import STAFF_ROLES
from weiyuan.access.volunteers import qualification_manage_decide
from weiyuan.accounts.models import Membership
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.evidence.services import evidence_store
from weiyuan.network.models import Centre
from weiyuan.volunteers.models import QualificationKind, StaffQualification
from weiyuan.volunteers.services.common import audit, raise_errors, text


@dataclass(frozen=True)
class QualificationInput:
    user_id: int | None
    kind: str
    number: str = ""
    issuer: str = ""
    valid_until: dt.date | None = None
    note: str = ""


def _require(actor: Any, centre_id: int) -> None:
    decision = qualification_manage_decide(actor, centre_id)
    if not decision:
        raise TransitionRefused(decision.reason, status=404)


@transaction.atomic
def qualification_add(
    *, centre: Centre, actor: Any, data: QualificationInput, certificate: UploadedFile | None = None
) -> StaffQualification:
    _require(actor, centre.pk)
    errors: dict[str, str] = {}
    member = data.user_id is not None and (
        Membership.objects.filter(
            centre=centre, user_id=data.user_id, role__in=STAFF_ROLES, active=True, user__is_active=True
        ).exists()
    )
    if not member:
        errors["user"] = _("请选择本机构在岗的工作人员。")
    if data.kind not in QualificationKind.values:
        errors["kind"] = _("请选择资质类型。")
    clean = {
        "number": text(errors, "number", data.number, max_length=60),
        "issuer": text(errors, "issuer", data.issuer, max_length=160),
        "note": text(errors, "note", data.note, max_length=200),
    }
    if data.kind == QualificationKind.OTHER and not clean["note"] and "note" not in errors:
        errors["note"] = _("资质类型为「其他」时，请在备注中写明资质名称。")
    raise_errors(errors)
    assert data.user_id is not None
    stored = None
    if certificate is not None:
        stored = evidence_store(
            upload=certificate, uploaded_by=actor, kind="certificate", field="certificate", description=_("资质证书")
        )
    qualification = StaffQualification.objects.create(
        user_id=data.user_id,
        centre=centre,
        kind=data.kind,
        valid_until=data.valid_until,
        certificate=stored,
        created_by=actor,
        created_at=timezone.now(),
        **clean,
    )
    audit(
        actor,
        "volunteers.qualification.create",
        qualification,
        centre.pk,
        after={
            "user": data.user_id,
            "kind": data.kind,
            "valid_until": data.valid_until.isoformat() if data.valid_until else None,
            "certificate_sha256": stored.sha256 if stored else None,
        },
    )
    return qualification


@transaction.atomic
def qualification_remove(*, qualification: StaffQualification, actor: Any) -> None:
    _require(actor, qualification.centre_id)
    # Locked, so that a double submit records one deletion: the second finds nothing (404).
    locked = StaffQualification.objects.select_for_update().filter(pk=qualification.pk).first()
    if locked is None:
        raise TransitionRefused(_("找不到该机构的人员资质。"), status=404)
    qualification = locked
    snapshot = {"user": qualification.user_id, "kind": qualification.kind, "number": qualification.number}
    audit(actor, "volunteers.qualification.delete", qualification, qualification.centre_id, before=snapshot)
    # The certificate file stays as evidence (its row is protected and its download was audited).
    qualification.delete()
