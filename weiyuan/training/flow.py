"""The life of a training event as one declared table (action, from-states, to-state, permission, guards):

    draft  -> open       the organiser centre's staff open registration
    open   -> closed     registration closes (no more registering or cancelling)
    closed -> held       the event has taken place (not before its start): attendance may be recorded
    draft, open, closed -> cancelled

The services go through `check_event_transition`; the event page lists the allowed actions from the same table;
`tests/test_training.py` walks every action from every state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.training import TrainingPermission, training_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.training.models import EventState, TrainingEvent

S = EventState
P = TrainingPermission


def has_started(event: TrainingEvent, actor: Any) -> str:
    if event.starts_at > timezone.now():
        return str(_("培训尚未开始，不能标记为已举办。"))
    return ""


@dataclass(frozen=True)
class EventTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    label: Promise
    permission: TrainingPermission = P.MANAGE
    guards: tuple[Callable[[TrainingEvent, Any], str], ...] = field(default=())


TRANSITIONS: tuple[EventTransition, ...] = (
    EventTransition("open", (S.DRAFT,), S.OPEN, _("开放报名")),
    EventTransition("close", (S.OPEN,), S.CLOSED, _("截止报名")),
    EventTransition("hold", (S.CLOSED,), S.HELD, _("标记为已举办"), guards=(has_started,)),
    EventTransition("cancel", (S.DRAFT, S.OPEN, S.CLOSED), S.CANCELLED, _("取消培训")),
)
TRANSITIONS_BY_ACTION: dict[str, EventTransition] = {t.action: t for t in TRANSITIONS}
EDITABLE_STATES = (S.DRAFT, S.OPEN)


def check_event_transition(event: TrainingEvent, action: str, actor: Any) -> EventTransition:
    """The transition if `actor` may take it now; else TransitionRefused (400 unknown, 404 unseen, 403, 409)."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = training_decide(actor, transition.permission, event)
    if not decision:
        seen = bool(training_decide(actor, P.VIEW, event))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if event.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("培训当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": event.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(event, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_event_actions(event: TrainingEvent, actor: Any) -> list[EventTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_event_transition(event, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
