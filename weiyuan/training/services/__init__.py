"""Training writes 培训: events and their steps (`events`), registration and attendance with credited hours
(`registration`). Each public write is one transaction with an audit event per change."""

from __future__ import annotations

from weiyuan.training.services.events import EventInput, event_create, event_transition, event_update, parse_hours
from weiyuan.training.services.registration import attendance_record, registration_cancel, registration_create

__all__ = [
    "EventInput",
    "attendance_record",
    "event_create",
    "event_transition",
    "event_update",
    "parse_hours",
    "registration_cancel",
    "registration_create",
]
