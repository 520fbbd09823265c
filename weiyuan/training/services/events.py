"""Training events: created and corrected by the organiser centre's staff, moved through the declared table of
`weiyuan/training/flow.py`. Every change is audited (`training.event.*`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.training import TrainingPermission, may_organise, training_decide
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.knowledge.models import KnowledgeItem
from weiyuan.network.models import Centre
from weiyuan.training.flow import EDITABLE_STATES, check_event_transition
from weiyuan.training.models import EventKind, TrainingEvent

P = TrainingPermission
MAX_HOURS = Decimal("99.9")
MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class EventInput:
    title: Any
    kind: Any
    starts_at: Any
    ends_at: Any
    capacity: Any
    hours: Any
    place: Any = ""
    online_url: Any = ""
    description: Any = ""
    public: bool = False
    material_ids: list[int] = field(default_factory=list)


def parse_hours(value: Any, field_name: str = "hours") -> Decimal:
    """Hours with at most one decimal, 0 to 99.9; the error names the field."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValidationError({field_name: _("学时应为数字，例如 2 或 1.5。")}) from None
    if not hours.is_finite():
        raise ValidationError({field_name: _("学时应为数字，例如 2 或 1.5。")})
    if hours < 0:
        raise ValidationError({field_name: _("学时不能为负数。")})
    if hours != hours.quantize(Decimal("0.1")) or hours > MAX_HOURS:
        raise ValidationError({field_name: _("学时最多保留一位小数，且不超过 99.9。")})
    return hours.quantize(Decimal("0.1"))


def _clean(data: EventInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = str(data.title or "").strip()
    if not 2 <= len(title) <= 160:
        errors["title"] = _("请填写标题（2 至 160 个字）。")
    if data.kind not in EventKind.values:
        errors["kind"] = _("类型可选：培训、研讨会、讲座。")
    starts, ends = data.starts_at, data.ends_at
    if not isinstance(starts, dt.datetime):
        errors["starts_at"] = _("请填写开始时间。")
    if not isinstance(ends, dt.datetime):
        errors["ends_at"] = _("请填写结束时间。")
    elif isinstance(starts, dt.datetime) and ends <= starts:
        errors["ends_at"] = _("结束时间应晚于开始时间。")
    try:
        capacity = int(data.capacity)
    except (TypeError, ValueError):
        capacity = 0
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("名额应为 1 至 %(max)s 之间的整数。") % {"max": MAX_CAPACITY}
    hours = Decimal(0)
    try:
        hours = parse_hours(data.hours)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    place = str(data.place or "").strip()[:200]
    online_url = str(data.online_url or "").strip()
    if not place and not online_url:
        errors["place"] = _("请填写地点或线上链接。")
    materials = list(KnowledgeItem.objects.published().filter(pk__in=list(data.material_ids or [])))
    if len(materials) != len(set(data.material_ids or [])):
        errors["materials"] = _("培训资料只能选择已发布的知识库条目。")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "kind": data.kind,
        "starts_at": starts,
        "ends_at": ends,
        "capacity": capacity,
        "hours": hours,
        "place": place,
        "online_url": online_url,
        "description": str(data.description or "").strip(),
        "public": bool(data.public),
        "materials": materials,
    }


def _snapshot(e: TrainingEvent) -> dict[str, Any]:
    return {
        "title": e.title,
        "kind": e.kind,
        "state": e.state,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "capacity": e.capacity,
        "hours": e.hours,
        "public": e.public,
        "materials": material_ids(e),
    }


def material_ids(e: TrainingEvent) -> list[int]:
    """The linked items' ids, read through the link table (the item manager refuses unscoped reads)."""
    through = TrainingEvent.materials.through
    return sorted(through.objects.filter(trainingevent_id=e.pk).values_list("knowledgeitem_id", flat=True))


def _set_materials(e: TrainingEvent, items: list[KnowledgeItem]) -> None:
    through = TrainingEvent.materials.through
    through.objects.filter(trainingevent_id=e.pk).delete()
    through.objects.bulk_create([through(trainingevent_id=e.pk, knowledgeitem_id=i.pk) for i in items])


def audit(actor: Any, action: str, event: TrainingEvent, before: Any = None, after: Any = None) -> None:
    audit_record(actor=actor, action=action, obj=event, centre_id=event.centre_id, before=before, after=after)


@transaction.atomic
def event_create(*, centre: Centre, actor: Any, data: EventInput) -> TrainingEvent:
    """A draft event of the centre (its staff)."""
    if centre.pk not in may_organise(actor):
        raise TransitionRefused(_("只有本机构的工作人员可以发布培训。"), status=403)
    clean = _clean(data)
    materials = clean.pop("materials")
    now = timezone.now()
    event = TrainingEvent.objects.create(centre=centre, created_by=actor, created_at=now, updated_at=now, **clean)
    _set_materials(event, materials)
    audit(actor, "training.event.create", event, after=_snapshot(event))
    return event


@transaction.atomic
def event_update(*, event: TrainingEvent, actor: Any, data: EventInput) -> TrainingEvent:
    """Correct a draft or open event. The capacity may not fall below the people already registered."""
    decision = training_decide(actor, P.MANAGE, event)
    if not decision:
        seen = bool(training_decide(actor, P.VIEW, event))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    locked = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    if locked.state not in EDITABLE_STATES:
        raise TransitionRefused(_("培训当前状态为「%(state)s」，不能修改。") % {"state": locked.get_state_display()})
    clean = _clean(data)
    registered = locked.registrations.filter(state="registered").count()
    if clean["capacity"] < registered:
        raise ValidationError({"capacity": _("已有 %(n)s 人报名，名额不能少于报名人数。") % {"n": registered}})
    before = _snapshot(locked)
    materials = clean.pop("materials")
    for key, value in clean.items():
        setattr(locked, key, value)
    locked.updated_at = timezone.now()
    locked.save()
    _set_materials(locked, materials)
    audit(actor, "training.event.update", locked, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def event_transition(*, event: TrainingEvent, actor: Any, action: str) -> TrainingEvent:
    locked = TrainingEvent.objects.select_for_update().select_related("centre").get(pk=event.pk)
    transition = check_event_transition(locked, action, actor)
    before = locked.state
    locked.state = transition.to_state
    locked.updated_at = timezone.now()
    locked.save(update_fields=["state", "updated_at"])
    audit(actor, f"training.event.{action}", locked, before={"state": before}, after={"state": locked.state})
    return locked
