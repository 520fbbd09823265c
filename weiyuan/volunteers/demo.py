"""Demo volunteers for `manage.py seed_demo`, run after the other demos: the demo volunteer
(`volunteer@weiyuan.demo`, of a university legal clinic) applies to the Zhejiang assistance centre — where the demo
gave them consultation tasks — and its director approves; the volunteer logs hours (outreach, training, and draft
work on a case they hold a task on), some confirmed by the director or the case's handler, one not confirmed with
its reason, one still waiting; and one person (`zhaoxw@weiyuan.demo`) has a pending application at the Shanghai
assistance centre. All through the services (audit events, notices); the registration's dates are then moved back
so its history reads in order. Idempotent: nothing is added once any registration exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from weiyuan.accounts.models import User
from weiyuan.cases.models import CaseAssignment
from weiyuan.core.choices import Role
from weiyuan.network.models import Centre
from weiyuan.volunteers import services
from weiyuan.volunteers.models import VolunteerRegistration

VOLUNTEER = "volunteer@weiyuan.demo"
SERVING_AT = "zj-assist"
APPLICANT = "zhaoxw@weiyuan.demo"
PENDING_AT = "sh-assist"


def _director(centre: Centre) -> Any:
    return (
        User.objects.filter(
            memberships__centre=centre, memberships__role=Role.DIRECTOR, memberships__active=True, is_active=True
        )
        .order_by("pk")
        .first()
    )


def volunteers_demo_seed(*, log: Callable[[str], None] = print) -> str:
    """The demo volunteer's registration and hours, and one pending application; a line for the seed summary."""
    if VolunteerRegistration.objects.exists():
        return "Volunteers: demo volunteers already present."
    volunteer = User.objects.filter(email=VOLUNTEER).first()
    centre = Centre.objects.filter(code=SERVING_AT).first()
    director = _director(centre) if centre else None
    if volunteer is None or centre is None or director is None:
        log("volunteers demo: the demo volunteer, the Zhejiang assistance centre or its director is missing")
        return "Volunteers: no demo volunteer."
    with transaction.atomic():
        hours = _serving(volunteer, centre, director)
        pending = _pending()
    return f"Volunteers: 1 serving volunteer with {hours} hours entries, {pending} pending application(s)."


def _serving(volunteer: Any, centre: Centre, director: Any) -> int:
    registration = services.registration_apply(
        actor=volunteer,
        centre=centre,
        data=services.ApplicationInput(
            organisation_kind="clinic",
            organisation_name="浙江大学光华法学院知识产权法律诊所",
            member_number="22113045",
            ip_types=["trademark", "copyright", "invention"],
            languages=["zh", "en"],
            availability="每周二、周四下午；寒暑假可全天",
            motivation="知识产权法方向研究生，参加法律诊所两年，曾协助起草商标侵权咨询答复。",
            undertaking=True,
        ),
    )
    registration = services.registration_transition(registration=registration, actor=director, action="approve")
    # Its history starts before the hours below.
    applied = timezone.now() - dt.timedelta(days=75)
    VolunteerRegistration.objects.filter(pk=registration.pk).update(
        created_at=applied, undertaking_signed_at=applied, decided_at=applied + dt.timedelta(days=2)
    )
    today = timezone.localdate()
    task = (
        CaseAssignment.objects.filter(
            user=volunteer, kind="volunteer", case__centre__path__startswith=centre.path, ended_at__isnull=True
        )
        .select_related("case", "case__handler")
        .order_by("id")
        .first()
    )
    plan: list[tuple[int, str, str, str, str, str]] = [
        # (days ago, hours, activity, description, decision, reason)
        (60, "3", "outreach", "义乌国际商贸城商户知识产权宣传咨询", "confirm", ""),
        (45, "2", "training", "参加电商平台通知与声明规则培训", "confirm", ""),
        (
            30,
            "4",
            "other",
            "整理展会维权常见问题汇编",
            "reject",
            "该项工作已由中心工作人员完成，请与承办人核对后重新登记。",
        ),
        (3, "2.5", "outreach", "高校知识产权讲座志愿服务", "", ""),
    ]
    made = 0
    for days, amount, activity, description, decision, reason in plan:
        entry = services.hours_log(
            registration=registration,
            actor=volunteer,
            data=services.HoursInput(
                worked_on=today - dt.timedelta(days=days), hours=amount, activity=activity, description=description
            ),
        )
        if decision:
            services.hours_transition(entry=entry, actor=director, action=decision, reason=reason)
        made += 1
    if task is not None:
        entry = services.hours_log(
            registration=registration,
            actor=volunteer,
            data=services.HoursInput(
                worked_on=today - dt.timedelta(days=10),
                hours="3",
                activity="consultation_draft",
                case_number=task.case.tracking_number,
                description="起草咨询答复初稿并核对法条",
            ),
        )
        services.hours_transition(entry=entry, actor=task.case.handler or director, action="confirm")
        made += 1
    return made


def _pending() -> int:
    person = User.objects.filter(email=APPLICANT).first()
    centre = Centre.objects.filter(code=PENDING_AT).first()
    if person is None or centre is None:
        return 0
    services.registration_apply(
        actor=person,
        centre=centre,
        data=services.ApplicationInput(
            organisation_kind="association",
            organisation_name="上海市知识产权服务行业协会",
            member_number="SHIPSA-2023-0417",
            ip_types=["trademark", "design"],
            languages=["zh"],
            availability="每月两个周六",
            undertaking=True,
        ),
    )
    return 1
