"""Who may see and do what on a panel (weiyuan/access/panels.py): the case centre's staff and director, the panel's
own expert, another expert, the applicant (only the signed PDF), a partner, another centre's staff and the
supervisors; the list `/panels/` with its query count; the section on the case page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, UserFactory, staff
from tests.panels_support import expert_account, formed_panel, major_case, ready_to_sign, seat_experts
from weiyuan.access.panels import PanelPermission, panel_decide
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.core.choices import Role
from weiyuan.panels import services as panels

pytestmark = pytest.mark.django_db
P = PanelPermission
PANEL_LINK = re.compile(r'href="/panels/\d+/"')


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = major_case(w, w["applicant"])
    w["seats"] = seat_experts(w, 3, with_accounts=2)
    w["member"] = w["seats"][0][1]  # the chair
    w["member2"] = w["seats"][1][1]
    w["other_expert"] = expert_account()
    w["partner"] = UserFactory()
    Membership.objects.create(user=w["partner"], centre=None, role=Role.PARTNER, organisation="某市市场监管局")
    w["zj_supervisor"] = staff(network["zhejiang"], Role.SUPERVISOR)
    w["panel"] = ready_to_sign(w, case=w["case"], seats=w["seats"])
    return w


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def status(w: dict[str, Any], who: str, method: str, name: str, data: Any = None, **kwargs: Any) -> int:
    url = reverse(name, kwargs=kwargs or {"pk": w["panel"].pk})
    c = client(w[who])
    return (c.get(url) if method == "GET" else c.post(url, data or {})).status_code


PAGE = {
    "sh_intake": 200,
    "sh_handler": 200,
    "sh_director": 200,
    "member": 200,
    "member2": 200,
    "sh_supervisor": 200,
    "national_supervisor": 200,
    "other_expert": 404,
    "applicant": 404,
    "partner": 404,
    "zj_director": 404,
    "zj_intake": 404,
    "zj_supervisor": 404,
}


@pytest.mark.parametrize("who", sorted(PAGE))
def test_the_panel_page(w: dict[str, Any], who: str) -> None:
    assert status(w, who, "GET", "panels:detail") == PAGE[who]


def test_the_member_sees_only_their_panel_not_the_case_page_through_it(w: dict[str, Any]) -> None:
    other_case = major_case(w)
    other_panel = formed_panel(w, other_case, seat_experts(w, 3, with_accounts=0))
    c = client(w["member"])
    assert c.get(reverse("panels:detail", kwargs={"pk": other_panel.pk})).status_code == 404
    page = c.get(reverse("panels:detail", kwargs={"pk": w["panel"].pk})).content.decode()
    # The panel page does not link a member to the case page (a seat gives no sight of the case).
    assert reverse("cases:detail", kwargs={"tracking_number": w["case"].tracking_number}) not in page
    assert c.get(reverse("panels:major", kwargs={"tracking_number": w["case"].tracking_number})).status_code == 404


SIGN = {"sh_director": 302, "sh_handler": 403, "sh_intake": 403, "member": 403, "sh_supervisor": 403}
SIGN.update(dict.fromkeys(("other_expert", "applicant", "partner", "zj_director"), 404))


@pytest.mark.parametrize("who", sorted(SIGN))
def test_signing(w: dict[str, Any], who: str) -> None:
    assert status(w, who, "POST", "panels:sign") == SIGN[who]


DOWNLOAD = {
    "sh_handler": 200,
    "sh_director": 200,
    "member": 200,
    "applicant": 200,
    "sh_supervisor": 200,
    "other_expert": 404,
    "partner": 404,
    "zj_director": 404,
    "zj_supervisor": 404,
}


@pytest.mark.parametrize("who", sorted(DOWNLOAD))
def test_downloading_the_signed_solution(w: dict[str, Any], who: str) -> None:
    panels.solution_sign(panel=w["panel"], actor=w["sh_director"])
    response = client(w[who]).get(reverse("panels:download", kwargs={"pk": w["panel"].pk}))
    assert response.status_code == DOWNLOAD[who]
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert AuditEvent.objects.filter(action="panel.solution.download", actor_id=w[who].pk).exists()


def test_before_signing_the_applicant_gets_nothing_and_staff_are_told_why(w: dict[str, Any]) -> None:
    assert status(w, "applicant", "GET", "panels:download") == 404
    assert status(w, "sh_handler", "GET", "panels:download") == 409


MEMBER_ADD = {"sh_handler": 409, "sh_director": 409, "member": 403, "sh_supervisor": 403}
MEMBER_ADD.update(dict.fromkeys(("other_expert", "applicant", "partner", "zj_director"), 404))


@pytest.mark.parametrize("who", sorted(MEMBER_ADD))
def test_adding_members_after_the_draft(w: dict[str, Any], who: str) -> None:
    """Members are fixed once a solution is drafted: staff are told so (409), others refused (403) or not shown."""
    assert status(w, who, "POST", "panels:member_add", {"expert": "1"}) == MEMBER_ADD[who]


def test_the_chair_drafts_and_schedules_a_plain_member_does_not(w: dict[str, Any]) -> None:
    panel = w["panel"]
    assert panel_decide(w["member"], P.DRAFT, panel) and panel_decide(w["member"], P.MEETING, panel)
    assert not panel_decide(w["member2"], P.DRAFT, panel)
    assert status(w, "member2", "GET", "panels:meeting_new") == 403
    assert status(w, "member", "GET", "panels:meeting_new") == 200
    data = {
        "solution_facts": "事实",
        "solution_issues": "",
        "solution_text": "组长修改的方案",
        "solution_recommendations": "",
    }
    assert status(w, "member", "POST", "panels:solution", data) == 302
    assert status(w, "member2", "POST", "panels:solution", data) == 403
    panel.refresh_from_db()
    assert panel.solution_text == "组长修改的方案"


def test_a_member_writes_only_their_own_view(w: dict[str, Any]) -> None:
    chair = w["panel"].members.get(user=w["member"])
    second = w["panel"].members.get(user=w["member2"])
    kwargs = {"pk": w["panel"].pk, "member_pk": chair.pk}
    c = client(w["member2"])
    assert c.post(reverse("panels:view", kwargs=kwargs), {"text": "冒名意见"}).status_code == 403
    own = {"pk": w["panel"].pk, "member_pk": second.pk}
    assert c.post(reverse("panels:view", kwargs=own), {"text": "本人意见"}).status_code == 302
    assert c.post(reverse("panels:view", kwargs=own), {"text": ""}).status_code == 400


def test_the_criteria_page_and_marking(w: dict[str, Any]) -> None:
    kwargs = {"tracking_number": w["case"].tracking_number}
    url = reverse("panels:major", kwargs=kwargs)
    assert client(w["sh_handler"]).get(url).status_code == 200
    assert client(w["sh_supervisor"]).get(url).status_code == 200
    assert client(w["applicant"]).get(url).status_code == 403
    assert client(w["zj_director"]).get(url).status_code == 404
    assert client(w["sh_supervisor"]).post(url, {"amount": "9000000", "mark": "1"}).status_code == 403
    response = client(w["sh_handler"]).post(url, {"amount": "五百万", "evaluate": "1"})
    assert response.status_code == 400 and "请填写数字" in response.content.decode()
    response = client(w["sh_handler"]).post(url, {"amount": "6000000", "evaluate": "1"})
    assert response.status_code == 200 and "达到门槛" in response.content.decode()


def test_the_list_is_scoped_and_paginated_with_few_queries(
    w: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        formed_panel(w, major_case(w), seat_experts(w, 3, with_accounts=0))
    url = reverse("panels:list")
    c = client(w["sh_handler"])
    with django_assert_max_num_queries(12):
        page = c.get(url).content.decode()
    assert len(PANEL_LINK.findall(page)) == 4
    c = client(w["member"])
    with django_assert_max_num_queries(12):
        page = c.get(url).content.decode()
    assert len(PANEL_LINK.findall(page)) == 1 and w["panel"].number in page
    assert client(w["other_expert"]).get(url).status_code == 200
    for who in ("applicant", "partner", "sh_supervisor"):
        assert client(w[who]).get(url).status_code == 403, who
    assert not PANEL_LINK.findall(client(w["zj_director"]).get(url).content.decode())


def test_the_case_page_section(w: dict[str, Any]) -> None:
    url = reverse("cases:detail", kwargs={"tracking_number": w["case"].tracking_number})
    staff_page = client(w["sh_handler"]).get(url).content.decode()
    assert 'id="major-dispute"' in staff_page and w["panel"].number in staff_page
    assert 'id="major-dispute"' not in client(w["applicant"]).get(url).content.decode()
    panels.solution_sign(panel=w["panel"], actor=w["sh_director"])
    applicant_page = client(w["applicant"]).get(url).content.decode()
    assert reverse("panels:download", kwargs={"pk": w["panel"].pk}) in applicant_page
    assert f'href="{reverse("panels:detail", kwargs={"pk": w["panel"].pk})}"' not in applicant_page


def test_the_navigation_links_an_expert_to_their_panels(w: dict[str, Any]) -> None:
    from weiyuan.access.navigation import nav_links

    assert nav_links(w["member"]).expert_panels
    assert not nav_links(w["other_expert"]).expert_panels
    assert not nav_links(w["sh_handler"]).expert_panels
    page = client(w["member"]).get(reverse("panels:list")).content.decode()
    assert f'href="{reverse("panels:list")}"' in page
