"""Writes on complaints at a fair station, each through the declared table of `flow.py`: filing (the right's validity
checked, the respondent found among the exhibitors, the repeat-respondent flag, a trademark checked against the
register of weiyuan.marks and recorded, `mark_check.py`), serving the notice (the respondent's defence clock in
hours, rule `fair_respondent_defence`, due time stored), the defence, the experts' finding with the measures for
infringing exhibits, the staff confirmation of the measures (photo, time, signer), the refusal to comply (told to
the organiser), withdrawal. One transaction per write; a step, an audit event and the outbox notices in the same
transaction. A refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.exhibitions import ExhibitionPermission, station_decide
from weiyuan.access.exhibitions import complaint_decide as complaint_access
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import RULES, compute_due
from weiyuan.core.choices import IPType
from weiyuan.evidence.services import check_upload_count, evidence_store
from weiyuan.exhibitions import mark_check, notices
from weiyuan.exhibitions.flow import DEFENCE_RULE, check_complaint_transition
from weiyuan.exhibitions.importing import company_key
from weiyuan.exhibitions.models import (
    Complaint,
    ComplaintFile,
    ComplaintState,
    ComplaintStep,
    Exhibitor,
    FileKind,
    Measure,
    MeasureKind,
    MeasureState,
    Station,
)

P = ExhibitionPermission
S = ComplaintState
TEXT_MAX = 5000
OUTCOMES = {"infringing": "decide_infringing", "not_infringing": "decide_not_infringing", "refer": "decide_refer"}


@dataclass(frozen=True)
class ComplaintInput:
    complainant: str
    right_type: str
    right_number: str
    right_owner: str
    right_valid_from: dt.date | None
    right_valid_until: dt.date | None
    respondent: str  # a booth number or the exhibitor's name
    exhibits: str
    right_title: str = ""
    statement: str = ""
    complainant_contact: str = ""
    accused_mark: str = ""  # trademarks: the sign the exhibitor uses, scored against the registered mark


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("内容过长：最多 %(limit)s 个字。") % {"limit": limit}})
    return value


def right_validity_problem(data: ComplaintInput, on: dt.date) -> dict[str, str]:
    """Why the right cannot ground a complaint on `on` (field -> reason); empty when it can. Registered (a number
    and its term on record), in force on the complaint date, owned by the complainant."""
    problems: dict[str, str] = {}
    if data.right_type not in IPType.values:
        problems["right_type"] = _("请选择权利类型。")
    if not (data.right_number or "").strip():
        problems["right_number"] = _("请填写权利的注册号或专利号：只有已登记注册的权利可以在展会投诉。")
    if data.right_valid_from is None or data.right_valid_until is None:
        problems["right_valid_until"] = _("请填写权利的有效期（起止日期），以核对投诉之日权利是否有效。")
    elif data.right_valid_until < data.right_valid_from:
        problems["right_valid_until"] = _("有效期截止日不能早于起始日。")
    elif on < data.right_valid_from:
        problems["right_valid_from"] = _("该权利自 %(date)s 起生效，投诉之日（%(on)s）尚未生效，不予受理。") % {
            "date": data.right_valid_from,
            "on": on,
        }
    elif on > data.right_valid_until:
        problems["right_valid_until"] = _(
            "该权利已于 %(date)s 届满失效，投诉之日（%(on)s）不在有效期内，不予受理。"
        ) % {
            "date": data.right_valid_until,
            "on": on,
        }
    owner, complainant = (data.right_owner or "").strip(), (data.complainant or "").strip()
    if not owner:
        problems["right_owner"] = _("请填写权利人。")
    elif complainant and company_key(owner) != company_key(complainant):
        problems["right_owner"] = _("权利人「%(owner)s」与投诉人「%(complainant)s」不一致：投诉应由权利人提出。") % {
            "owner": owner,
            "complainant": complainant,
        }
    return problems


def find_respondent(station: Station, value: str) -> Exhibitor:
    """The exhibitor named by booth number (case-insensitive) or by company name (normalised)."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({"respondent": _("请填写被投诉人的展位号或名称。")})
    exhibitors = Exhibitor.objects.filter(event_id=station.event_id)
    by_booth = exhibitors.filter(booth=value.upper()).first()
    if by_booth is not None:
        return by_booth
    by_name = list(exhibitors.filter(company_key=company_key(value))[:5])
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise ValidationError(
            {
                "respondent": _("名称「%(value)s」对应多个展位（%(booths)s），请填写展位号。")
                % {"value": value, "booths": "、".join(e.booth for e in by_name)}
            }
        )
    raise ValidationError({"respondent": _("展位号或名称「%(value)s」不在本展会的参展商名录中。") % {"value": value}})


def _file_refusal(station: Station, actor: Any, today: dt.date) -> str:
    """Staff of the station's centre file at the desk; an applicant account files online before or during the fair."""
    if station_decide(actor, P.COMPLAINT_HANDLE, station):
        return ""
    if getattr(actor, "is_applicant", False) and actor.is_active:
        if today > station.event.ends_on:
            return str(_("展会已于 %(date)s 结束，不再接受现场投诉。") % {"date": station.event.ends_on})
        return ""
    return str(_("只有工作站所属援助机构的工作人员或权利人账户可以提交展会投诉。"))


def _step(complaint: Complaint, actor: Any, action: str, before: dict[str, Any], note: str = "") -> None:
    now = timezone.now()
    ComplaintStep.objects.create(
        complaint=complaint, action=action, state=complaint.state, actor=actor, note=note, at=now
    )
    audit_record(
        actor=actor,
        action=f"exhibition.complaint_{action}",
        obj=complaint,
        centre_id=complaint.station.centre_id,
        before=before,
        after=_snapshot(complaint),
    )


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    return {
        "state": complaint.state,
        "respondent_id": complaint.respondent_id,
        "right_number": complaint.right_number,
        "defence_due_at": complaint.defence_due_at,
        "earlier_complaints": complaint.earlier_complaints,
        "mark_check_status": complaint.mark_check_status,
    }


def _store(complaint: Complaint, actor: Any, uploads: Iterable[UploadedFile], kind: str, field: str) -> None:
    for upload in uploads:
        evidence = evidence_store(
            upload=upload,
            uploaded_by=actor,
            kind="certificate" if kind == FileKind.CERTIFICATE else "evidence",
            field=field,
        )
        ComplaintFile.objects.create(complaint=complaint, kind=kind, evidence=evidence)


def complaint_file(
    *,
    station: Station,
    actor: Any,
    data: ComplaintInput,
    certificate: UploadedFile | None,
    photos: Iterable[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Complaint:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    refusal = _file_refusal(station, actor, today)
    if refusal:
        seen = bool(station_decide(actor, P.EVENT_VIEW, station)) or getattr(actor, "is_applicant", False)
        raise TransitionRefused(refusal, status=403 if seen else 404)
    values = {
        "complainant": _text(data.complainant, "complainant", 200),
        "complainant_contact": _text(data.complainant_contact, "complainant_contact", 200, required=False),
        "right_number": _text(data.right_number, "right_number", 60, required=False),
        "right_title": _text(data.right_title, "right_title", 200, required=False),
        "right_owner": _text(data.right_owner, "right_owner", 200, required=False),
        "exhibits": _text(data.exhibits, "exhibits", TEXT_MAX),
        "statement": _text(data.statement, "statement", TEXT_MAX, required=False),
        "accused_mark": _text(data.accused_mark, "accused_mark", 60, required=False),
    }
    problems = right_validity_problem(data, today)
    if values["accused_mark"] and data.right_type != IPType.TRADEMARK:
        problems["accused_mark"] = _("只有商标投诉需要填写被投诉人使用的标识。")
    if certificate is None:
        problems["certificate"] = _("请上传权利证书（注册证、专利证书等）。")
    if problems:
        raise ValidationError(problems)
    photos = list(photos)
    check_upload_count(len(photos) + 1, field="photos")
    respondent = find_respondent(station, data.respondent)
    assert data.right_valid_from is not None and data.right_valid_until is not None  # checked above
    event = station.event
    with transaction.atomic():
        earlier = (
            Complaint.objects.filter(
                respondent__company_key=respondent.company_key, station__event__starts_on__lt=event.starts_on
            )
            .exclude(station__event=event)
            .count()
        )
        complaint = Complaint.objects.create(
            station=station,
            complainant_account=actor if getattr(actor, "is_applicant", False) else None,
            right_type=data.right_type,
            right_valid_from=data.right_valid_from,
            right_valid_until=data.right_valid_until,
            respondent=respondent,
            earlier_complaints=earlier,
            filed_at=now,
            filed_by=actor,
            **values,
            **_mark_check_fields(data.right_type, values, today),
        )
        complaint.number = f"EX-{today.year}-{complaint.pk:07d}"
        complaint.save(update_fields=["number"])
        assert certificate is not None
        _store(complaint, actor, [certificate], FileKind.CERTIFICATE, "certificate")
        _store(complaint, actor, photos, FileKind.PHOTO, "photos")
        _step(complaint, actor, "file", {})
    return complaint


def _mark_check_fields(right_type: str, values: dict[str, Any], on: dt.date) -> dict[str, Any]:
    """The trademark check against the register, recorded on the complaint (nothing for other rights)."""
    if right_type != IPType.TRADEMARK:
        return {"mark_check_status": "", "mark_check": {}}
    check = mark_check.trademark_check(
        right_number=values["right_number"],
        right_owner=values["right_owner"],
        right_title=values["right_title"],
        accused_mark=values["accused_mark"],
        on=on,
    )
    return {"mark_check_status": check["status"], "mark_check": check}


def complaint_mark_recheck(*, complaint: Complaint, actor: Any, now: dt.datetime | None = None) -> Complaint:
    """Check the trademark against the register again (it may have been completed since the filing); staff of the
    station's centre. Recorded with an audit event; the complaint's state does not change."""
    now = now or timezone.now()
    decision = complaint_access(actor, P.COMPLAINT_HANDLE, complaint)
    if not decision:
        seen = bool(complaint_access(actor, P.COMPLAINT_VIEW, complaint))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if complaint.right_type != IPType.TRADEMARK:
        raise TransitionRefused(str(_("只有商标投诉可以核对商标注册簿。")), status=409)
    with transaction.atomic():
        complaint = _lock(complaint)
        before = {"mark_check_status": complaint.mark_check_status}
        on = timezone.localtime(complaint.filed_at).date()
        fields = _mark_check_fields(
            complaint.right_type,
            {
                "right_number": complaint.right_number,
                "right_owner": complaint.right_owner,
                "right_title": complaint.right_title,
                "accused_mark": complaint.accused_mark,
            },
            on,
        )
        complaint.mark_check_status = fields["mark_check_status"]
        complaint.mark_check = fields["mark_check"]
        complaint.save(update_fields=["mark_check_status", "mark_check", "updated_at"])
        audit_record(
            actor=actor,
            action="exhibition.complaint_mark_check",
            obj=complaint,
            centre_id=complaint.station.centre_id,
            before=before,
            after={"mark_check_status": complaint.mark_check_status, "at": now},
        )
    return complaint


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("station", "station__event", "station__centre", "respondent")
        .get(pk=complaint.pk)
    )


def complaint_serve(*, complaint: Complaint, actor: Any, now: dt.datetime | None = None) -> Complaint:
    """Serve the notice: printable at the booth, and online when the respondent has an account. Starts the clock."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        check_complaint_transition(complaint, "serve", actor, now=now)
        before = _snapshot(complaint)
        complaint.state = S.SERVED
        complaint.served_at = now
        complaint.defence_due_at = compute_due(
            RULES[DEFENCE_RULE], now, amount=complaint.station.event.defence_hours
        ).due_at
        complaint.save()
        _step(complaint, actor, "serve", before)
        notices.notify(complaint, [complaint.respondent.account], "served")
    return complaint


def complaint_defend(
    *, complaint: Complaint, actor: Any, text: str, files: Iterable[UploadedFile] = (), now: dt.datetime | None = None
) -> Complaint:
    """The respondent's defence, with its evidence; refused after the due time naming the rule."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        check_complaint_transition(complaint, "defend", actor, now=now)
        text = _text(text, "defence", TEXT_MAX)
        before = _snapshot(complaint)
        complaint.state = S.DEFENDED
        complaint.defence = text
        complaint.defended_at = now
        complaint.save()
        files = list(files)
        check_upload_count(len(files), field="files")
        _store(complaint, actor, files, FileKind.DEFENCE, "files")
        _step(complaint, actor, "defend", before)
    return complaint


def clean_measures(measures: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    chosen = []
    for kind, exhibit in measures:
        if kind not in MeasureKind.values:
            raise ValidationError({"measures": _("未知的措施：%(value)s。") % {"value": kind}})
        chosen.append((kind, _text(exhibit, "measures", 200)))
    if not chosen:
        raise ValidationError({"measures": _("认定侵权时请至少选择一项措施：撤下展品、遮盖或撤回宣传资料。")})
    return chosen


def complaint_decide(
    *,
    complaint: Complaint,
    actor: Any,
    outcome: str,
    reason: str,
    measures: Iterable[tuple[str, str]] = (),
    now: dt.datetime | None = None,
) -> Complaint:
    """The hearing's finding by an expert on duty: infringing (with the measures), not infringing, or refer."""
    now = now or timezone.now()
    action = OUTCOMES.get(outcome)
    if action is None:
        raise ValidationError({"outcome": _("请选择判定结果：侵权、不侵权或无法判定。")})
    with transaction.atomic():
        complaint = _lock(complaint)
        transition = check_complaint_transition(complaint, action, actor, now=now)
        reason = _text(reason, "reason", TEXT_MAX)
        chosen = clean_measures(measures) if outcome == "infringing" else []
        before = _snapshot(complaint)
        complaint.state = transition.to_state
        complaint.decision_reason = reason
        complaint.decided_at = now
        complaint.decided_by = actor
        if outcome != "infringing":
            complaint.closed_at = now
        complaint.save()
        Measure.objects.bulk_create(Measure(complaint=complaint, kind=k, exhibit=e) for k, e in chosen)
        _step(complaint, actor, action, before, reason)
        notices.notify(complaint, [complaint.complainant_account, complaint.respondent.account], "decided")
    return complaint


def complaint_confirm_measures(
    *, complaint: Complaint, actor: Any, photo: UploadedFile | None, signer: str, now: dt.datetime | None = None
) -> Complaint:
    """Staff confirm on site that the measures were carried out: a photo, the time, who signed."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        check_complaint_transition(complaint, "confirm_measures", actor, now=now)
        signer = _text(signer, "signer", 60)
        if photo is None:
            raise ValidationError({"photo": _("请上传措施落实后的现场照片。")})
        evidence = evidence_store(upload=photo, uploaded_by=actor, kind="evidence", field="photo")
        ComplaintFile.objects.create(complaint=complaint, kind=FileKind.PHOTO, evidence=evidence)
        before = _snapshot(complaint)
        complaint.measures.filter(state=MeasureState.DUE).update(
            state=MeasureState.CONFIRMED, photo=evidence, confirmed_at=now, confirmed_by=actor, signer=signer
        )
        complaint.state = S.COMPLIED
        complaint.closed_at = now
        complaint.save()
        _step(complaint, actor, "confirm_measures", before, signer)
    return complaint


def complaint_record_refusal(
    *, complaint: Complaint, actor: Any, note: str, now: dt.datetime | None = None
) -> Complaint:
    """The respondent refuses to comply: recorded, and the organiser is told (its accounts, through the outbox)."""
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        check_complaint_transition(complaint, "record_refusal", actor, now=now)
        note = _text(note, "note", TEXT_MAX)
        before = _snapshot(complaint)
        complaint.measures.filter(state=MeasureState.DUE).update(state=MeasureState.REFUSED)
        complaint.state = S.REFUSED
        complaint.refusal_note = note
        complaint.organiser_told_at = now
        complaint.closed_at = now
        complaint.save()
        _step(complaint, actor, "record_refusal", before, note)
        notices.notify(complaint, list(complaint.station.event.organiser_accounts.all()), "refused")
    return complaint


def complaint_withdraw(*, complaint: Complaint, actor: Any, reason: str, now: dt.datetime | None = None) -> Complaint:
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _lock(complaint)
        check_complaint_transition(complaint, "withdraw", actor, now=now)
        reason = _text(reason, "reason", TEXT_MAX)
        before = _snapshot(complaint)
        complaint.state = S.WITHDRAWN
        complaint.closed_at = now
        complaint.save()
        _step(complaint, actor, "withdraw", before, reason)
    return complaint
