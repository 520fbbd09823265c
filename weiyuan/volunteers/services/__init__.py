"""Volunteer writes 志愿者: the registration and its steps (`registration`), hours and their confirmation
(`hours`), staff qualifications (`qualifications`). Each public write is one transaction with an audit event per
change."""

from __future__ import annotations

from weiyuan.volunteers.services.hours import HoursInput, hours_log, hours_transition
from weiyuan.volunteers.services.qualifications import QualificationInput, qualification_add, qualification_remove
from weiyuan.volunteers.services.registration import ApplicationInput, registration_apply, registration_transition

__all__ = [
    "ApplicationInput",
    "HoursInput",
    "QualificationInput",
    "hours_log",
    "hours_transition",
    "qualification_add",
    "qualification_remove",
    "registration_apply",
    "registration_transition",
]
