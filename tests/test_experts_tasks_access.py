"""Who may do what on an expert task (weiyuan/access/expert_tasks.py): roles (the task's expert, another expert with a
task elsewhere, the applicant, a partner, a volunteer, the case centre's staff, another centre's staff, supervisors
above and elsewhere) x actions (the task page, a shared document, sharing, personal data needed, ending, logging
hours, approving hours, rating the expert, the expert's feedback, the case's task list). Default deny: a user who
may not see the task gets 404; one who sees it but may not act, 403; an allowed role gets its page, a redirect, or
a 400 / 409 about the input or the task's state (never 403 / 404). Each request runs in a rolled-back savepoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, make_case, staff
from tests.test_experts_tasks import expert_account, setup, today  # noqa: F401 - the fixture
from weiyuan.access.expert_tasks import TaskPermission, task_decide
from weiyuan.accounts.models import Membership
from weiyuan.cases import services as cases
from weiyuan.cases.models import CaseAssignment
from weiyuan.core.choices import Role
from weiyuan.experts import task_services as ts

pytestmark = pytest.mark.django_db

OK, NOT_FOUND, FORBIDDEN, LOGIN = "ok", "404", "403", "login"

ROLES = [
    "anonymous",
    "expert_own",
    "expert_other",
    "applicant",
    "partner",
    "volunteer",
    "sh_intake",
    "sh_handler",  # the assigned handler
    "sh_handler2",  # another handler of the centre
    "sh_director",
    "zj_director",
    "zj_handler",
    "sh_supervisor",
    "national_supervisor",
    "zj_supervisor",
]
SEES = {"expert_own", "sh_intake", "sh_handler", "sh_handler2", "sh_director", "sh_supervisor", "national_supervisor"}
STAFF = {"sh_intake", "sh_handler", "sh_handler2", "sh_director"}


@pytest.fixture
def world(setup: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    w = dict(setup)
    w["expert_own"] = setup["account"]
    other = expert_account()
    other_case = cases.case_accept(case=make_case(setup["zhejiang"]), actor=setup["zj_intake"])
    w["other_task"] = CaseAssignment.objects.create(
        case=other_case, user=other, kind="expert", task="浙江任务", assigned_by=setup["zj_director"]
    )
    w["expert_other"] = other
    for key, role in (("partner", Role.PARTNER), ("volunteer", Role.VOLUNTEER)):
        user = UserFactory()
        Membership.objects.create(user=user, centre=None, role=role, organisation="某单位")
        w[key] = user
    w["sh_handler2"] = staff(setup["shanghai"], Role.HANDLER)
    w["zj_supervisor"] = staff(setup["zhejiang"], Role.SUPERVISOR)
    ts.task_share_files(assignment=setup["task"], actor=setup["sh_handler"], evidence_ids=[setup["files"][0].pk])
    w["entry"] = ts.work_log(
        assignment=setup["task"], actor=setup["account"], work_date=today(), hours="2", description="阅读材料"
    )
    return w


def outcome(status: int, location: str = "") -> str:
    if status == 404:
        return NOT_FOUND
    if status == 403:
        return FORBIDDEN
    if status in (301, 302) and "/accounts/login/" in location:
        return LOGIN
    assert status < 500, status
    return OK


def run(w: dict[str, Any], role: str, method: str, url: str, data: dict[str, Any] | None = None) -> str:
    client = Client()
    if role != "anonymous":
        client.force_login(w[role])
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        transaction.set_rollback(True)
    return outcome(response.status_code, response.get("Location", ""))


def rule(allowed: set[str], sees: set[str] = SEES) -> Callable[[str], str]:
    def expect(role: str) -> str:
        if role == "anonymous":
            return LOGIN
        if role not in sees:
            return NOT_FOUND
        return OK if role in allowed else FORBIDDEN

    return expect


def t(w: dict[str, Any], suffix: str = "") -> str:
    return f"/experts/tasks/{w['task'].pk}/{suffix}"


# name -> (method, url, data, expected outcome per role)
ROWS: dict[str, tuple[str, Callable[[dict[str, Any]], str], Callable[[dict[str, Any]], dict[str, Any]], Any]] = {
    "task page": ("GET", lambda w: t(w), lambda w: {}, rule(SEES)),
    "shared document": (
        "GET",
        lambda w: t(w, f"documents/{w['files'][0].pk}/"),
        lambda w: {},
        rule({"expert_own", *STAFF}),
    ),
    "share": ("POST", lambda w: t(w, "share/"), lambda w: {"documents": [w["files"][1].pk]}, rule(STAFF)),
    "revoke share": ("POST", lambda w: t(w, "revoke_share/"), lambda w: {"share": 0}, rule(STAFF)),
    "personal data needed": (
        "POST",
        lambda w: t(w, "personal_data/"),
        lambda w: {"needed": "1", "reason": "核对申请人身份"},
        rule(STAFF),
    ),
    "deadline": ("POST", lambda w: t(w, "due_date/"), lambda w: {"due_date": ""}, rule(STAFF)),
    "end task": ("POST", lambda w: t(w, "end/"), lambda w: {"note": ""}, rule(STAFF)),
    "log hours": (
        "POST",
        lambda w: t(w, "log_work/"),
        lambda w: {"work_date": today().isoformat(), "hours": "1", "description": "撰写意见"},
        rule({"expert_own"}),
    ),
    "approve hours": (
        "POST",
        lambda w: t(w, "decide_work/"),
        lambda w: {"entry": w["entry"].pk, "decision": "approve", "reason": ""},
        rule({"sh_director"}),
    ),
    "rate the expert": ("POST", lambda w: t(w, "rate/"), lambda w: {"score": "4"}, rule({"sh_director", "sh_handler"})),
    "expert feedback": ("POST", lambda w: t(w, "feedback/"), lambda w: {"score": "4"}, rule({"expert_own"})),
    # The case's list of expert tasks: those who see tasks through the case; the expert has no case (404), the
    # applicant sees the case but not its task list (403).
    "case task list": (
        "GET",
        lambda w: f"/cases/{w['case'].tracking_number}/expert-tasks/",
        lambda w: {},
        rule(SEES - {"expert_own"}, sees=SEES - {"expert_own"} | {"applicant"}),
    ),
}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_access_rows(world: dict[str, Any], name: str) -> None:
    method, url, data, expect = ROWS[name]
    wrong = {}
    for role in ROLES:
        got = run(world, role, method, url(world), data(world))
        if got != expect(role):
            wrong[role] = f"expected {expect(role)}, got {got}"
    assert not wrong, f"{name}: {wrong}"


def test_allowed_actions_take_effect(world: dict[str, Any]) -> None:
    """The rows above roll back; here the allowed posts change what they should."""
    client = Client()
    client.force_login(world["sh_director"])
    assert client.post(t(world, "decide_work/"), {"entry": world["entry"].pk, "decision": "approve"}).status_code == 302
    world["entry"].refresh_from_db()
    assert world["entry"].state == "approved"
    assert client.post(t(world, "end/"), {"note": "完成"}).status_code == 302
    task = CaseAssignment.objects.get(pk=world["task"].pk)
    assert task.ended_at is not None and task.ended_at <= timezone.now()


def test_the_rules_in_the_access_module(world: dict[str, Any]) -> None:
    task = CaseAssignment.objects.select_related("case", "case__centre").get(pk=world["task"].pk)
    assert task_decide(world["expert_own"], TaskPermission.LOG_WORK, task)
    assert not task_decide(world["expert_other"], TaskPermission.VIEW, task)
    refused = task_decide(world["sh_handler"], TaskPermission.APPROVE_WORK, task)
    assert not refused and "负责人" in refused.reason
    # A volunteer task is not an expert task: nobody sees it here.
    volunteer_task = CaseAssignment.objects.create(
        case=task.case, user=world["volunteer"], kind="volunteer", task="志愿任务", assigned_by=world["sh_director"]
    )
    assert not task_decide(world["sh_director"], TaskPermission.VIEW, volunteer_task)
    client = Client()
    client.force_login(world["sh_director"])
    assert client.get(f"/experts/tasks/{volunteer_task.pk}/").status_code == 404
    # An expert who lost the expert role no longer sees their task.
    Membership.objects.filter(user=world["expert_own"], role=Role.EXPERT).update(active=False)
    expert = type(world["expert_own"]).objects.get(pk=world["expert_own"].pk)
    assert not task_decide(expert, TaskPermission.VIEW, task)
