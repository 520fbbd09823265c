"""API writes: translate a validated request body into one call of the cases or evidence services.

No business rule lives here; the services check the transition table, the access module and the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from weiyuan.access.policy import Permission, decide
from weiyuan.access.referrals import acting_organisation_id
from weiyuan.accounts.models import User
from weiyuan.api.schemas import CaseCreateIn, TransitionIn
from weiyuan.cases import services as cases
from weiyuan.cases.models import Case, CaseMessage
from weiyuan.cases.services.collaboration import require_open_for_correspondence
from weiyuan.cases.transitions import TRANSITIONS_BY_ACTION, TransitionRefused, check_transition
from weiyuan.evidence.models import EvidenceFile
from weiyuan.evidence.services import check_upload_count, evidence_store, sniff_upload
from weiyuan.network.models import Centre
from weiyuan.referrals.services import inbound_referral_record


@contextmanager
def api_field_names(aliases: dict[str, str]) -> Iterator[None]:
    """Services name some fields after the model ("centre"); the API names them as in the request ("centre_code")."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({aliases.get(name, name): errors for name, errors in exc.error_dict.items()}) from exc


CREATE_FIELDS = {
    "centre": "centre_code",
    "service_type": "service_type_code",
    "applicant_region": "applicant_region_code",
}
TRANSITION_FIELDS = {
    "handler": "handler_id",
    "target": "target_centre_code",
    "reject_suggested_channel": "suggested_channel",
    "reject_text": "text",
    "reject_fix": "fix",
}


def case_create_from_api(*, actor: Any, payload: CaseCreateIn) -> Case:
    data = cases.CaseInput(
        **payload.model_dump(exclude={"rights", "submit"}),
        rights=[cases.RightInput(**right.model_dump()) for right in payload.rights],
    )
    with api_field_names(CREATE_FIELDS), transaction.atomic():
        case = cases.case_create(actor=actor, data=data, submit=payload.submit)
        # A partner body referring a case in: record which organisation (its referred-in list, statistics).
        if acting_organisation_id(actor) is not None:
            inbound_referral_record(case=case, actor=actor)
        return case


# --- transitions --------------------------------------------------------------------------------------------


def _centre_by_code(code: str, *, field: str, required: bool) -> Centre | None:
    code = code.strip()
    if not code:
        if required:
            raise ValidationError({field: _("请填写机构代码（可在机构名录中查到）。")})
        return None
    centre = Centre.objects.filter(code=code).first()
    if centre is None:
        raise ValidationError({field: _("找不到代码为「%(code)s」的机构，请在机构名录中核对。") % {"code": code}})
    return centre


def _handler_by_id(handler_id: int | None) -> User:
    if handler_id is None:
        raise ValidationError({"handler_id": _("请填写承办人的用户编号 handler_id。")})
    handler = User.objects.filter(pk=handler_id, is_active=True).first()
    if handler is None:
        # Same answer as for a user of another centre: the id space of users is not for probing.
        raise ValidationError({"handler_id": _("承办人须为本中心的承办人或负责人。")})
    return handler


Action = Callable[[Case, Any, TransitionIn], Case]

ACTIONS: dict[str, Action] = {
    "submit": lambda case, actor, p: cases.case_submit(case=case, actor=actor),
    "request_info": lambda case, actor, p: cases.case_request_info(case=case, actor=actor, request_text=p.request_text),
    "answer_info": lambda case, actor, p: cases.case_answer_info(case=case, actor=actor, answer_text=p.answer_text),
    "accept": lambda case, actor, p: cases.case_accept(case=case, actor=actor, note=p.note.strip()),
    "reject": lambda case, actor, p: cases.case_reject(
        case=case,
        actor=actor,
        reason=p.reason,
        text=p.text,
        fix=p.fix,
        suggested_centre=_centre_by_code(p.suggested_centre_code, field="suggested_centre_code", required=False),
        suggested_channel=p.suggested_channel,
    ),
    "assign": lambda case, actor, p: cases.case_assign(case=case, actor=actor, handler=_handler_by_id(p.handler_id)),
    "start": lambda case, actor, p: cases.case_start(case=case, actor=actor),
    "conclude": lambda case, actor, p: cases.case_conclude(
        case=case, actor=actor, outcome=p.outcome, result_letter=p.result_letter
    ),
    "close": lambda case, actor, p: cases.case_close(case=case, actor=actor),
    "reopen": lambda case, actor, p: cases.case_reopen(case=case, actor=actor, reason=p.reason),
    "withdraw": lambda case, actor, p: cases.case_withdraw(case=case, actor=actor, reason=p.reason),
    "transfer": lambda case, actor, p: cases.case_transfer(
        case=case,
        actor=actor,
        target=_centre_by_code(p.target_centre_code, field="target_centre_code", required=True),  # type: ignore[arg-type]
        reason=p.reason,
    ),
    "receive_transfer": lambda case, actor, p: cases.case_receive_transfer(case=case, actor=actor),
}
assert set(ACTIONS) == set(TRANSITIONS_BY_ACTION), "every transition of the table has an API action"


def case_act(*, case: Case, actor: Any, action: str, payload: TransitionIn) -> Case:
    """Run one action of the transition table. Precedence of refusals: unknown action (400), not permitted (403),
    wrong state (409), then the action's own fields (422)."""
    run = ACTIONS.get(action)
    if run is None:
        raise TransitionRefused(
            _("未知操作：%(action)s。可用的操作有：%(actions)s。") % {"action": action, "actions": ", ".join(ACTIONS)},
            status=400,
        )
    check_transition(case, action, actor)
    with api_field_names(TRANSITION_FIELDS):
        return run(case, actor, payload)


# --- messages and evidence ----------------------------------------------------------------------------------


def case_message_from_api(*, case: Case, actor: Any, body: str, internal: bool) -> CaseMessage:
    return cases.case_message_post(case=case, actor=actor, body=body, internal=internal)


@transaction.atomic
def case_evidence_add(*, case: Case, actor: Any, files: list[UploadedFile]) -> list[EvidenceFile]:
    """Add files to a case: all of them or none. Every file is checked (type by content, size) before any is kept."""
    decision = decide(actor, Permission.EVIDENCE_UPLOAD, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    # Not on a draft (not yet with the centre) nor on a rejected, withdrawn or closed case: 409 with the reason.
    require_open_for_correspondence(case)
    if not files:
        raise ValidationError({"files": _("请至少选择一个文件。")})
    existing = EvidenceFile.objects_unscoped.filter(case=case).count()
    check_upload_count(len(files), existing=existing, field="files")
    messages: list[str] = []
    for upload in files:
        try:
            sniff_upload(upload, field="files")
        except ValidationError as exc:
            messages.extend(exc.messages)
    if messages:
        raise ValidationError({"files": messages})
    return [evidence_store(upload=upload, uploaded_by=actor, case=case, field="files") for upload in files]
