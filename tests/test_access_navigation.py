"""The main navigation shows each link only to the people its page serves (weiyuan/access/navigation.py): every
link a user is shown opens for them, and a knowledge-base editor gets the knowledge base's staff page, not the
workbench."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, UserFactory, staff
from weiyuan.access.navigation import WORKBENCH_ROLES, nav_links
from weiyuan.accounts.models import Membership
from weiyuan.cases.selectors import available_queues
from weiyuan.core.choices import Role

pytestmark = pytest.mark.django_db

LINKS = {
    "workbench": "cases:workbench",
    "consultation_queue": "consultations:queue",
    "experts": "experts:list",
    "partners": "partners:list",
    "own_organisation": "partners:own",
    "expert_invitations": "experts:invitations",
    "expert_tasks": "experts:tasks",
    "knowledge_manage": "knowledge:manage",
    "my_cases": "cases:my_cases",
    "ask": "consultations:ask",
    "intake": "cases:intake_start",
    "return_visits": "feedback:visits",
    "exhibitions": "exhibitions:list",
    "funds": "funds:report",
    "kpis": "kpis:home",
    "fair_complaints": "exhibitions:online",
    "training": "training:list",
    "evaluation": "evaluation:list",
    "volunteers": "volunteers:list",
    "my_volunteering": "volunteers:mine",
}


def people(network: dict[str, Any]) -> dict[str, Any]:
    sh = network["shanghai"]
    found: dict[str, Any] = {"applicant": ApplicantFactory()}
    for role in (Role.INTAKE_OFFICER, Role.HANDLER, Role.DIRECTOR, Role.SUPERVISOR, Role.EDITOR):
        found[role] = staff(sh, role)
    for role in (Role.EXPERT, Role.VOLUNTEER, Role.PARTNER):
        user = UserFactory()
        Membership.objects.create(user=user, centre=None, role=role, organisation="华东政法大学")
        found[role] = user
    return found


def nav_hrefs(client: Client) -> set[str]:
    page = client.get(reverse("knowledge:home")).content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S)
    assert nav is not None
    return set(re.findall(r'href="([^"]+)"', nav.group(0)))


EXPECTED = {
    "applicant": {"my_cases", "ask", "intake", "fair_complaints"},
    Role.INTAKE_OFFICER: {
        "workbench",
        "consultation_queue",
        "experts",
        "partners",
        "knowledge_manage",
        "return_visits",
        "exhibitions",
        "funds",
        "kpis",
        "training",
    },
    Role.HANDLER: {
        "workbench",
        "consultation_queue",
        "experts",
        "partners",
        "knowledge_manage",
        "return_visits",
        "exhibitions",
        "funds",
        "kpis",
        "training",
    },
    Role.DIRECTOR: {
        "workbench",
        "consultation_queue",
        "experts",
        "partners",
        "knowledge_manage",
        "return_visits",
        "exhibitions",
        "funds",
        "kpis",
        "training",
        "evaluation",
        "volunteers",
    },
    Role.SUPERVISOR: {
        "workbench",
        "experts",
        "partners",
        "knowledge_manage",
        "return_visits",
        "exhibitions",
        "funds",
        "kpis",
        "training",
        "evaluation",
    },
    Role.EDITOR: {"knowledge_manage"},
    Role.EXPERT: {"expert_invitations", "expert_tasks"},
    Role.VOLUNTEER: {"workbench", "consultation_queue", "training", "my_volunteering"},
    Role.PARTNER: {"my_cases"},
}


def test_each_role_sees_the_links_it_can_use_and_each_opens(network: dict[str, Any]) -> None:
    for who, user in people(network).items():
        client = Client()
        client.force_login(user)
        shown = {name for name, url in LINKS.items() if reverse(url) in nav_hrefs(client)}
        assert shown == EXPECTED[who], who
        for name in shown:
            response = client.get(reverse(LINKS[name]))
            assert response.status_code == 200, (who, name, response.status_code)
        for name in set(LINKS) - shown:
            assert getattr(nav_links(user), name) is False


def test_an_editor_has_no_workbench_link_and_the_workbench_would_refuse(network: dict[str, Any]) -> None:
    editor = staff(network["shanghai"], Role.EDITOR)
    client = Client()
    client.force_login(editor)
    hrefs = nav_hrefs(client)
    assert reverse("cases:workbench") not in hrefs and reverse("consultations:queue") not in hrefs
    assert reverse("knowledge:manage") in hrefs
    assert client.get(reverse("cases:workbench")).status_code == 403


def test_anonymous_visitors_get_the_public_links_only() -> None:
    hrefs = nav_hrefs(Client())
    assert not {reverse(url) for url in LINKS.values()} & hrefs
    assert reverse("accounts:login") in hrefs


def test_the_workbench_link_follows_the_workbench_queues(network: dict[str, Any]) -> None:
    """The roles of the workbench link are the roles with a workbench queue (the applicant's own list aside)."""
    for role in Role.values:
        user = UserFactory()
        Membership.objects.create(user=user, centre=network["shanghai"], role=role)
        has_queue = bool([q for q in available_queues(user) if q != "applications"])
        assert nav_links(user).workbench is has_queue is (role in WORKBENCH_ROLES), role
