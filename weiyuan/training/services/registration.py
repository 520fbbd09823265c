"""Registration for an event (while it is open, under the event's row lock so the last seat is taken once),
cancelling it, and attendance with the hours credited to each attendee (after the event is held). Audited
(`training.registration.*`, `training.credit.record`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.training import TrainingPermission, training_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.training.models import EventState, Registration, RegistrationState, TrainingCredit, TrainingEvent
from weiyuan.training.services.events import audit, parse_hours

P = TrainingPermission
R = RegistrationState


def _lock(event: TrainingEvent, actor: Any, permission: TrainingPermission) -> TrainingEvent:
    locked = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    locked.centre = event.centre
    decision = training_decide(actor, permission, locked)
    if not decision:
        seen = bool(training_decide(actor, P.VIEW, locked))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    return locked


@transaction.atomic
def registration_create(*, event: TrainingEvent, actor: Any) -> Registration:
    """Register the actor while registration is open and a seat is free (the event row is locked)."""
    locked = _lock(event, actor, P.REGISTER)
    if locked.state != EventState.OPEN:
        raise TransitionRefused(
            _("该培训不在报名期内（当前状态：%(state)s）。") % {"state": locked.get_state_display()}
        )
    existing = Registration.objects.select_for_update().filter(event=locked, user=actor).first()
    if existing is not None and existing.state == R.REGISTERED:
        raise TransitionRefused(_("您已报名该培训。"))
    taken = Registration.objects.filter(event=locked, state=R.REGISTERED).count()
    if taken >= locked.capacity:
        raise TransitionRefused(_("名额已满（共 %(n)s 个名额）。") % {"n": locked.capacity})
    now = timezone.now()
    if existing is None:
        registration = Registration.objects.create(event=locked, user=actor, registered_at=now)
    else:
        registration = existing
        registration.state, registration.registered_at, registration.cancelled_at = R.REGISTERED, now, None
        registration.save(update_fields=["state", "registered_at", "cancelled_at"])
    audit(actor, "training.registration.create", locked, after={"user": actor.pk})
    return registration


@transaction.atomic
def registration_cancel(*, event: TrainingEvent, actor: Any) -> Registration:
    locked = _lock(event, actor, P.REGISTER)
    if locked.state != EventState.OPEN:
        raise TransitionRefused(_("报名已截止，不能再取消报名。"))
    registration = Registration.objects.select_for_update().filter(event=locked, user=actor, state=R.REGISTERED).first()
    if registration is None:
        raise TransitionRefused(_("您尚未报名该培训。"))
    registration.state, registration.cancelled_at = R.CANCELLED, timezone.now()
    registration.save(update_fields=["state", "cancelled_at"])
    audit(actor, "training.registration.cancel", locked, before={"user": actor.pk})
    return registration


@transaction.atomic
def attendance_record(*, event: TrainingEvent, actor: Any, attendee_ids: list[int], hours: Any) -> int:
    """Credit `hours` (the event's hours when blank) to each registered attendee in `attendee_ids` (user ids) of a
    held event; recording again for someone replaces their hours. Returns the number credited."""
    locked = _lock(event, actor, P.MANAGE)
    if locked.state != EventState.HELD:
        raise TransitionRefused(
            _("培训举办后才能登记出勤（当前状态：%(state)s）。") % {"state": locked.get_state_display()}
        )
    credited: Decimal = locked.hours if str(hours or "").strip() == "" else parse_hours(hours)
    wanted = {int(i) for i in attendee_ids}
    if not wanted:
        raise ValidationError({"attendees": _("请至少选择一名出勤人员。")})
    registrations = list(
        Registration.objects.filter(event=locked, state=R.REGISTERED, user_id__in=wanted).select_related("user")
    )
    if len(registrations) != len(wanted):
        raise ValidationError({"attendees": _("只能为已报名的人员登记出勤。")})
    now = timezone.now()
    year = timezone.localtime(locked.starts_at).year
    for registration in registrations:
        _credit, created = TrainingCredit.objects.update_or_create(
            registration=registration,
            defaults={
                "user": registration.user,
                "event": locked,
                "year": year,
                "hours": credited,
                "recorded_by": actor,
                "recorded_at": now,
            },
        )
        audit(
            actor,
            "training.credit.record",
            locked,
            after={"user": registration.user_id, "hours": credited, "new": created},
        )
    return len(registrations)
