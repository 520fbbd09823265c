"""Writes on events: record an event (dates, organiser, phases, the defence hours), open the centre's station, set
the duty roster, import the exhibitor list. One transaction per write, an audit event on the chain of the centre
concerned. The complaint's steps: `complaint_services.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weiyuan.access.exhibitions import ExhibitionPermission, event_create_refusal, event_decide, station_decide
from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role, has_role
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.exhibitions import importing
from weiyuan.exhibitions.models import Duty, DutyKind, Event, Exhibitor, Station
from weiyuan.network.models import Centre

P = ExhibitionPermission
MAX_DEFENCE_HOURS = 168
MAX_PHASES = 10


@dataclass(frozen=True)
class EventInput:
    name: str
    venue: str
    starts_on: dt.date
    ends_on: dt.date
    organiser: str
    defence_hours: int = 24
    phases: tuple[dict[str, Any], ...] = ()


def _refuse(decision: Any, seen: bool) -> None:
    if not decision:
        raise TransitionRefused(decision.reason, status=403 if seen else 404)


def _check_event(event: Event, actor: Any, permission: ExhibitionPermission) -> None:
    decision = event_decide(actor, permission, event)
    _refuse(decision, bool(event_decide(actor, P.EVENT_VIEW, event)))


def _clean_phases(phases: tuple[dict[str, Any], ...], starts_on: dt.date, ends_on: dt.date) -> list[dict[str, str]]:
    cleaned = []
    if len(phases) > MAX_PHASES:
        raise ValidationError({"phases": _("展期最多 %(max)s 个。") % {"max": MAX_PHASES}})
    for index, phase in enumerate(phases, start=1):
        name = str(phase.get("name") or "").strip()[:60]
        try:
            first = dt.date.fromisoformat(str(phase.get("starts_on")))
            last = dt.date.fromisoformat(str(phase.get("ends_on")))
        except ValueError:
            raise ValidationError(
                {"phases": _("第 %(index)s 个展期的日期无效（格式 YYYY-MM-DD）。") % {"index": index}}
            ) from None
        if not name:
            raise ValidationError({"phases": _("第 %(index)s 个展期缺少名称。") % {"index": index}})
        if first > last or first < starts_on or last > ends_on:
            raise ValidationError(
                {"phases": _("第 %(index)s 个展期应在展会日期之内，且结束不早于开始。") % {"index": index}}
            )
        cleaned.append({"name": name, "starts_on": first.isoformat(), "ends_on": last.isoformat()})
    return cleaned


def _clean_event(data: EventInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, limit in (("name", 200), ("venue", 200), ("organiser", 200)):
        value = (getattr(data, name) or "").strip()
        if "\x00" in value:
            errors[name] = _("含有不可见的空字符（NUL），请删除后重新输入。")
        elif not value:
            errors[name] = _("请填写此项。")
        elif len(value) > limit:
            errors[name] = _("内容过长：最多 %(limit)s 个字。") % {"limit": limit}
        values[name] = value
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    if not 1 <= data.defence_hours <= MAX_DEFENCE_HOURS:
        errors["defence_hours"] = _("答辩时限应在 1 至 %(max)s 小时之间。") % {"max": MAX_DEFENCE_HOURS}
    if errors:
        raise ValidationError(errors)
    values.update(
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        defence_hours=data.defence_hours,
        phases=_clean_phases(data.phases, data.starts_on, data.ends_on),
    )
    return values


def _event_audit(
    event: Event, actor: Any, action: str, after: dict[str, Any], before: dict[str, Any] | None = None
) -> None:
    audit_record(actor=actor, action=action, obj=event, centre_id=event.centre_id, before=before, after=after)


def event_create(*, actor: Any, centre: Centre, data: EventInput, location: str = "") -> Event:
    """Record an event kept by one of the actor's centres, with that centre's station at it."""
    refusal = event_create_refusal(actor)
    if refusal:
        raise TransitionRefused(refusal)
    if centre.pk not in centre_ids_with_role(actor, *STAFF_ROLES):
        raise ValidationError({"centre": _("只能为本人所在的援助机构登记展会。")})
    values = _clean_event(data)
    with transaction.atomic():
        event = Event.objects.create(centre=centre, created_by=actor, **values)
        station = Station.objects.create(event=event, centre=centre, location=location.strip()[:200])
        _event_audit(event, actor, "exhibition.event_create", {**values, "station_id": station.pk})
    return event


def event_update(*, event: Event, actor: Any, data: EventInput) -> Event:
    _check_event(event, actor, P.EVENT_MANAGE)
    values = _clean_event(data)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        before = {name: getattr(event, name) for name in values}
        for name, value in values.items():
            setattr(event, name, value)
        event.save()
        _event_audit(event, actor, "exhibition.event_update", values, before)
    return event


def duty_set(*, station: Station, actor: Any, day: dt.date, user: Any, kind: str) -> Duty:
    """Put a staff member of the station's centre, or an expert, on duty on a day of the event."""
    decision = station_decide(actor, P.EVENT_MANAGE, station)
    _refuse(decision, bool(station_decide(actor, P.EVENT_VIEW, station)))
    event = station.event
    if not event.starts_on <= day <= event.ends_on:
        raise ValidationError(
            {
                "day": _("值班日期应在展会日期 %(first)s 至 %(last)s 之内。")
                % {"first": event.starts_on, "last": event.ends_on}
            }
        )
    if kind == DutyKind.EXPERT:
        if not has_role(user, Role.EXPERT):
            raise ValidationError({"user": _("该账户不是专家库中的专家。")})
    elif kind == DutyKind.STAFF:
        if station.centre_id not in centre_ids_with_role(user, *STAFF_ROLES):
            raise ValidationError({"user": _("值班工作人员应为工作站所属援助机构的工作人员。")})
    else:
        raise ValidationError({"kind": _("请选择值班类别。")})
    with transaction.atomic():
        duty, created = Duty.objects.get_or_create(station=station, day=day, user=user, defaults={"kind": kind})
        if not created and duty.kind != kind:
            duty.kind = kind
            duty.save(update_fields=["kind"])
        audit_record(
            actor=actor,
            action="exhibition.duty_set",
            obj=duty,
            centre_id=station.centre_id,
            after={"station_id": station.pk, "day": day, "user_id": user.pk, "kind": kind},
        )
    return duty


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped: list[Any]


def exhibitors_import(*, event: Event, actor: Any, name: str, data: bytes, valid_only: bool = False) -> ImportResult:
    """Import the exhibitor list. Any error refuses the whole file (every row, column and reason named), unless
    `valid_only`: then the valid rows are saved and the errors returned. A booth already listed is updated."""
    _check_event(event, actor, P.EVENT_MANAGE)
    parsed = importing.parse_upload(name, data)
    header_errors = [e for e in parsed.errors if e.row <= 1]
    if parsed.errors and (header_errors or not valid_only):
        raise importing.errors_as_validation(parsed.errors)
    if not parsed.rows:
        raise ValidationError({"file": _("文件中没有可导入的参展商。")})
    created = updated = 0
    with transaction.atomic():
        existing = {e.booth: e for e in Exhibitor.objects.select_for_update().filter(event=event)}
        new = []
        for row in parsed.rows:
            values = {
                "company": row.company,
                "company_key": importing.company_key(row.company),
                "products": row.products,
                "contact": row.contact,
                "country": row.country,
                "industry": row.industry,
            }
            current = existing.get(row.booth)
            if current is None:
                new.append(Exhibitor(event=event, booth=row.booth, **values))
                created += 1
            else:
                for key, value in values.items():
                    setattr(current, key, value)
                current.save()
                updated += 1
        Exhibitor.objects.bulk_create(new)
        _event_audit(
            event,
            actor,
            "exhibition.exhibitors_import",
            {"file": name[:200], "created": created, "updated": updated, "skipped": len(parsed.errors)},
        )
    return ImportResult(created, updated, parsed.errors)


def exhibitor_link_account(*, exhibitor: Exhibitor, actor: Any, account: Any) -> Exhibitor:
    """Link an exhibitor to its own account, so notices are also served online."""
    _check_event(exhibitor.event, actor, P.EVENT_MANAGE)
    if account is None or not account.is_active or not getattr(account, "is_applicant", False):
        raise ValidationError({"account": _("请选择被投诉人自己的申请人账户。")})
    with transaction.atomic():
        before = {"account_id": exhibitor.account_id}
        exhibitor.account = account
        exhibitor.save(update_fields=["account"])
        audit_record(
            actor=actor,
            action="exhibition.exhibitor_account",
            obj=exhibitor,
            centre_id=exhibitor.event.centre_id,
            before=before,
            after={"account_id": account.pk},
        )
    return exhibitor
