"""The major-dispute pages end to end: mark the case, form the panel from the candidates, convene, schedule and
record a meeting, write the views, draft and sign the solution; bad input answered next to the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.experts_support import make_expert
from tests.factories import ApplicantFactory, make_case
from tests.panels_support import expert_account
from weiyuan.cases import services as cases
from weiyuan.panels.models import Panel, PanelState

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_whole_flow_through_the_pages(network: dict[str, Any]) -> None:
    w = network
    case = make_case(w["shanghai"], ApplicantFactory(), respondent_name="杭州仿冒电子有限公司")
    case = cases.case_accept(case=case, actor=w["sh_intake"])
    case = cases.case_assign(case=case, actor=w["sh_director"], handler=w["sh_handler"])
    tn = {"tracking_number": case.tracking_number}
    handler, director = client(w["sh_handler"]), client(w["sh_director"])

    # Mark (the handler proposes), confirm (the director).
    response = handler.post(
        reverse("panels:major", kwargs=tn), {"amount": "7000000", "reason": "金额巨大", "mark": "1"}
    )
    assert response.status_code == 302
    assert "待负责人确认" in handler.get(reverse("panels:major", kwargs=tn)).content.decode()
    assert director.post(reverse("panels:major_act", kwargs={**tn, "action": "confirm"})).status_code == 302
    case.refresh_from_db()
    assert case.is_major

    # The case page offers to form a panel; forming it.
    assert "组建专家组" in handler.get(reverse("cases:detail", kwargs=tn)).content.decode()
    response = handler.post(reverse("panels:create", kwargs=tn), {"task": "研究维权路径"})
    panel = Panel.objects.get(case=case)
    assert response["Location"] == reverse("panels:detail", kwargs={"pk": panel.pk})

    account = expert_account()
    experts = [
        make_expert(w["sh_director"], w["shanghai"], name="甲专家", user_email=account.email, regions=["310000"]),
        make_expert(w["sh_director"], w["shanghai"], name="乙专家", regions=["310000"]),
        make_expert(w["sh_director"], w["shanghai"], name="丙专家", regions=["310000"]),
    ]
    conflicted = make_expert(w["sh_director"], w["shanghai"], name="丁专家", organisation_name="杭州仿冒电子有限公司")
    page = handler.get(reverse("panels:detail", kwargs={"pk": panel.pk})).content.decode()
    assert "甲专家" in page and "因利益冲突排除" in page and "丁专家" in page
    add = reverse("panels:member_add", kwargs={"pk": panel.pk})
    response = handler.post(add, {"expert": "abc"})
    assert response.status_code == 400 and "专家编号" in response.content.decode()
    assert handler.post(add, {"expert": "999999"}).status_code == 400
    assert handler.post(add, {"expert": conflicted.pk}).status_code == 409
    for i, expert in enumerate(experts):
        assert handler.post(add, {"expert": expert.pk, "chair": "on" if i == 0 else ""}).status_code == 302
    assert handler.post(reverse("panels:act", kwargs={"pk": panel.pk, "action": "convene"})).status_code == 302
    panel.refresh_from_db()
    assert panel.state == PanelState.CONVENED

    # A meeting: bad input named, then scheduled and recorded.
    new = reverse("panels:meeting_new", kwargs={"pk": panel.pk})
    response = handler.post(new, {"scheduled_at": "", "place": "", "agenda": ""})
    assert response.status_code == 400 and "请填写会商地点或线上会议链接" in response.content.decode()
    assert (
        handler.post(
            new, {"scheduled_at": "2026-12-01T14:00", "online_link": "meet.example.cn/x", "agenda": "议程"}
        ).status_code
        == 302
    )
    meeting = panel.meetings.get()
    assert meeting.online_link == "https://meet.example.cn/x"
    url = reverse("panels:meeting", kwargs={"pk": panel.pk, "meeting_pk": meeting.pk})
    members = list(panel.members.all())
    response = handler.post(url, {"minutes": ""})
    assert response.status_code == 400 and "请填写会议纪要" in response.content.decode()
    data = {"minutes": "讨论纪要", **{f"attendance_{m.pk}": "present" for m in members}}
    assert handler.post(url, data).status_code == 302

    # Views: the chair writes their own, staff record the others.
    expert_client = client(account)
    for m in members:
        view_url = reverse("panels:view", kwargs={"pk": panel.pk, "member_pk": m.pk})
        writer = expert_client if m.user_id == account.pk else handler
        assert writer.post(view_url, {"text": f"{m.expert.name}的意见"}).status_code == 302

    # The chair drafts; the director sees the checks and signs.
    solution = {
        "solution_facts": "事实",
        "solution_issues": "焦点",
        "solution_text": "调解方案",
        "solution_recommendations": "建议",
    }
    assert expert_client.post(reverse("panels:solution", kwargs={"pk": panel.pk}), solution).status_code == 302
    page = director.get(reverse("panels:detail", kwargs={"pk": panel.pk})).content.decode()
    assert "✓ 解决方案正文不为空" in page and 'data-action="sign"' in page
    assert director.post(reverse("panels:sign", kwargs={"pk": panel.pk})).status_code == 302
    panel.refresh_from_db()
    assert panel.state == PanelState.SIGNED and panel.pdf_sha256
