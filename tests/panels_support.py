"""Helpers shared by the major-dispute tests: a confirmed major case, a panel with members, a panel taken to the
sign-off, all through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.experts_support import make_expert
from tests.factories import ApplicantFactory, UserFactory, make_case
from weiyuan.accounts.models import Membership
from weiyuan.cases import services as cases
from weiyuan.core.choices import Role
from weiyuan.panels import designation as major
from weiyuan.panels import services as panels
from weiyuan.panels.models import Panel, PanelMeeting


def expert_account() -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT, organisation="某大学")
    return user


def major_case(w: dict[str, Any], applicant: Any = None, **overrides: Any) -> Any:
    """An accepted case at the Shanghai centre, assigned to sh_handler, confirmed major by sh_director (amount)."""
    overrides.setdefault("applicant_name", "上海云澜智能科技有限公司")
    overrides.setdefault("respondent_name", "杭州仿冒电子有限公司")
    case = make_case(w["shanghai"], applicant or ApplicantFactory(), **overrides)
    case = cases.case_accept(case=case, actor=w["sh_intake"])
    case = cases.case_assign(case=case, actor=w["sh_director"], handler=w["sh_handler"])
    facts = major.case_facts(case=case, amount="8000000")
    major.major_mark(case=case, actor=w["sh_director"], facts=facts, reason="涉案金额巨大")
    case.refresh_from_db()
    return case


def seat_experts(w: dict[str, Any], n: int = 3, *, with_accounts: int = 1) -> list[tuple[Any, Any]]:
    """(expert, account or None) for n new profiles kept by Shanghai; the first `with_accounts` have accounts."""
    seats = []
    for i in range(n):
        account = expert_account() if i < with_accounts else None
        kwargs = {"user_email": account.email} if account else {}
        expert = make_expert(w["sh_director"], w["shanghai"], name=f"组员{i}", **kwargs)
        seats.append((expert, account))
    return seats


def formed_panel(w: dict[str, Any], case: Any, seats: list[tuple[Any, Any]]) -> Panel:
    panel = panels.panel_create(case=case, actor=w["sh_handler"], task="研究维权路径和和解方案")
    for i, (expert, _account) in enumerate(seats):
        panels.panel_member_add(panel=panel, actor=w["sh_handler"], expert=expert, chair=i == 0)
    return panel


def held_meeting(w: dict[str, Any], panel: Panel, statuses: list[str] | None = None) -> PanelMeeting:
    meeting = panels.meeting_schedule(
        panel=panel,
        actor=w["sh_handler"],
        scheduled_at=timezone.now() + dt.timedelta(days=2),
        place="上海市知识产权维权援助中心 3 号会议室",
        online_link="",
        agenda="一、案情介绍；二、专家讨论；三、形成方案",
    )
    members = list(panel.members.order_by("added_at", "id"))
    statuses = statuses or ["present"] * len(members)
    return panels.meeting_record(
        meeting=meeting,
        actor=w["sh_handler"],
        attendance={m.pk: s for m, s in zip(members, statuses, strict=True)},
        minutes="专家组听取了案情介绍，讨论了侵权比对和和解的可能性，一致建议先行调解。",
    )


def ready_to_sign(w: dict[str, Any], case: Any | None = None, seats: Any = None) -> Panel:
    """A panel with three members (the chair has an account), a held meeting, every view and a drafted solution."""
    case = case or major_case(w)
    seats = seats or seat_experts(w)
    panel = formed_panel(w, case, seats)
    panel = panels.panel_convene(panel=panel, actor=w["sh_handler"])
    held_meeting(w, panel)
    for member in panel.members.all():
        actor = member.user or w["sh_handler"]
        panels.view_write(member=member, actor=actor, text=f"{member.expert.name}的意见：建议先行调解，保留诉讼。")
    return panels.solution_draft(
        panel=panel,
        actor=w["sh_handler"],
        facts="申请人系发明专利权人，被请求人销售的产品落入其权利要求保护范围。",
        issues="一、被控产品是否落入保护范围；二、赔偿数额。",
        solution="建议在援助中心主持下进行调解，被请求人停止销售并赔偿；调解不成，申请人可向人民法院起诉。",
        recommendations="建议申请人保全证据，并关注被请求人的无效宣告请求。",
    )
