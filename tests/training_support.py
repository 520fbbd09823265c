"""Helpers of the training tests: an event of a centre in a given state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from weiyuan.training import services
from weiyuan.training.models import TrainingEvent


def event_input(**overrides: Any) -> services.EventInput:
    start = timezone.now() + dt.timedelta(days=7)
    data: dict[str, Any] = {
        "title": "展会知识产权保护实务培训",
        "kind": "training",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=3),
        "capacity": 30,
        "hours": "3",
        "place": "上海市知识产权维权援助中心 3 楼会议室",
        "description": "展会投诉处理流程与证据固定。",
    }
    data.update(overrides)
    return services.EventInput(**data)


def make_event(centre: Any, actor: Any, state: str = "open", **overrides: Any) -> TrainingEvent:
    """An event walked through the declared steps up to `state` (held: its start moved into the past first)."""
    event = services.event_create(centre=centre, actor=actor, data=event_input(**overrides))
    steps = {"draft": [], "open": ["open"], "closed": ["open", "close"], "held": ["open", "close", "hold"]}
    steps["cancelled"] = ["cancel"]
    for action in steps[state]:
        if action == "hold":
            past = timezone.now() - dt.timedelta(hours=4)
            TrainingEvent.objects.filter(pk=event.pk).update(starts_at=past, ends_at=past + dt.timedelta(hours=3))
            event.refresh_from_db()
        event = services.event_transition(event=event, actor=actor, action=action)
    return event
