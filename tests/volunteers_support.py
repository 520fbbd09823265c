"""Helpers of the volunteer tests: an application, a registration walked to a state, a volunteer task on a case."""

from __future__ import annotations

from typing import Any

from weiyuan.cases import services as case_services
from weiyuan.cases.models import CaseAssignment
from weiyuan.volunteers import services
from weiyuan.volunteers.models import VolunteerRegistration


def application(**overrides: Any) -> services.ApplicationInput:
    data: dict[str, Any] = {
        "organisation_kind": "clinic",
        "organisation_name": "华东政法大学知识产权法律诊所",
        "member_number": "2024310123",
        "ip_types": ["trademark", "copyright"],
        "languages": ["zh", "en"],
        "availability": "每周二、周四下午",
        "undertaking": True,
    }
    data.update(overrides)
    return services.ApplicationInput(**data)


def make_registration(
    user: Any, centre: Any, director: Any, state: str = "approved", **overrides: Any
) -> VolunteerRegistration:
    """A registration through the services: applied, then approved (and suspended or ended) or declined."""
    registration = services.registration_apply(actor=user, centre=centre, data=application(**overrides))
    steps = {
        "pending": [],
        "approved": ["approve"],
        "declined": ["decline"],
        "suspended": ["approve", "suspend"],
        "ended": ["approve", "end"],
        "withdrawn": [],
    }
    for action in steps[state]:
        registration = services.registration_transition(
            registration=registration, actor=director, action=action, reason="测试理由"
        )
    if state == "withdrawn":
        registration = services.registration_transition(registration=registration, actor=user, action="withdraw")
    return registration


def volunteer_task(case: Any, handler: Any, volunteer: Any) -> CaseAssignment:
    return case_services.case_task_assign(case=case, actor=handler, user=volunteer, kind="volunteer", task="起草答复")
