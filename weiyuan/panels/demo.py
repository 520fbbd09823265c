"""Demo data for `manage.py seed_demo`: one major case (an open major-dispute case of the demo, where there is one)
with a signed major-dispute solution, made through the real services: the mark, a panel of three demo experts with
钱立衡 (the demo expert account) as chair, a held meeting, the views, the solution, the sign-off by the centre's
director and its PDF. Idempotent: nothing is added when a panel exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Case as Switch
from django.db.models import F, IntegerField, Q, Value, When
from django.utils import timezone

from weiyuan.core.choices import Role
from weiyuan.experts.matching import case_parties, conflicts_of
from weiyuan.experts.models import Expert
from weiyuan.panels import designation as major
from weiyuan.panels import services
from weiyuan.panels.models import Panel

SHANGHAI = "sh"
# Preferred members, chair first; the rest of the demo experts fill in if one of them conflicts with the case.
PREFERRED = ("钱立衡", "吴晓峰", "黄嘉怡", "孙海燕", "林文博")

FACTS = "申请人为发明专利权人，被请求人在多个电商平台和境外展会销售被控产品，涉及金额较大，影响本市相关产业集群。"
ISSUES = "一、被控产品是否落入涉案专利权利要求的保护范围；二、境外销售部分的维权途径；三、赔偿数额的计算依据。"
SOLUTION = (
    "一、由援助中心主持双方调解，被请求人停止销售并下架被控产品，就已销售部分协商赔偿；\n"
    "二、调解不成的，申请人可向有管辖权的人民法院起诉，并申请证据保全；\n"
    "三、境外部分可通过展会知识产权投诉机制和当地律师处理。"
)
RECOMMENDATIONS = "建议申请人尽快固定电商平台的销售证据，关注被请求人可能提出的无效宣告请求，并完善海外专利布局。"


def _members(case: Any) -> list[Expert]:
    parties = case_parties(case)
    order = Switch(
        *[When(name=name, then=Value(i)) for i, name in enumerate(PREFERRED)],
        default=Value(len(PREFERRED)),
        output_field=IntegerField(),
    )
    chosen: list[Expert] = []
    for expert in Expert.objects_unscoped.filter(active=True).annotate(o=order).order_by("o", "name", "id"):
        if expert.matchable and not conflicts_of(expert, parties):
            chosen.append(expert)
        if len(chosen) == 3:
            break
    return chosen


def _director(case: Any) -> Any:
    from weiyuan.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__centre_id=case.centre_id,
            memberships__role=Role.DIRECTOR,
            memberships__active=True,
        )
        .order_by("id")
        .first()
    )


def _case() -> Any:
    """An open case whose centre has a director: a major-dispute case first, then a major one, then one of the
    Shanghai demo centre; one with an applicant account first (the applicant can then download the PDF)."""
    from weiyuan.cases.models import Case

    open_cases = Case.objects_unscoped.filter(state__in=services.PANEL_CASE_STATES)
    order = (F("applicant_user_id").desc(nulls_last=True), "id")
    for wanted in (Q(service_type__code="major_dispute_solution"), Q(is_major=True), Q(centre__code=SHANGHAI)):
        for case in open_cases.filter(wanted).order_by(*order)[:5]:
            if _director(case) is not None:
                return case
    return None


def panels_demo_seed(*, log: Callable[[str], None] = print) -> str:
    from weiyuan.experts.demo import experts_demo_seed

    if Panel.objects.exists():
        return "Major-dispute panels: already present."
    experts_demo_seed(log=log)  # the panel's members (idempotent: the seed_demo command runs it again)
    case = _case()
    if case is None:
        return "Major-dispute panels: no open case at a centre with a director; skipped."
    director = _director(case)
    members = _members(case)
    if len(members) < 3:
        return "Major-dispute panels: fewer than three demo experts without conflicts; skipped."
    staff = case.handler or director
    if not case.is_major:
        facts = major.case_facts(case=case, amount="8600000", party_abroad=True, abroad_note="部分被控产品销往境外")
        major.major_mark(case=case, actor=director, facts=facts, reason="争议金额较大，且涉及境外销售。")
        case.refresh_from_db()
    panel = services.panel_create(case=case, actor=staff, task="研究本案的维权路径、调解方案和境外部分的处理。")
    for i, expert in enumerate(members):
        services.panel_member_add(panel=panel, actor=staff, expert=expert, chair=i == 0)
    panel = services.panel_convene(panel=panel, actor=staff)
    meeting = services.meeting_schedule(
        panel=panel,
        actor=staff,
        scheduled_at=timezone.now() - dt.timedelta(days=2),
        place="上海市知识产权维权援助中心 3 号会议室",
        online_link="https://meeting.weiyuan.demo/panel",
        agenda="一、承办人介绍案情；二、专家讨论侵权比对和维权路径；三、形成解决方案。",
    )
    seated = list(panel.members.select_related("expert", "user").order_by("-is_chair", "added_at", "id"))
    services.meeting_record(
        meeting=meeting,
        actor=staff,
        attendance={m.pk: "present" for m in seated},
        minutes="专家组听取案情介绍，逐项讨论了侵权比对、证据和赔偿，一致认为宜先行调解，调解不成再行诉讼。",
    )
    for m in seated:
        services.view_write(
            member=m,
            actor=m.user or staff,
            text=f"{m.expert.name}：被控产品落入保护范围的可能性较大，建议先行调解，同时做好诉讼准备。",
        )
    services.solution_draft(
        panel=panel, actor=staff, facts=FACTS, issues=ISSUES, solution=SOLUTION, recommendations=RECOMMENDATIONS
    )
    panel = services.solution_sign(panel=panel, actor=director)
    return f"Major-dispute panels: {panel.number} signed for case {case.tracking_number}."
