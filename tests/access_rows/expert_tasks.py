"""Access-matrix rows of expert tasks (weiyuan/experts/views/tasks.py, weiyuan/access/expert_tasks.py).

Case A carries an expert task of `expert_assigned` (made by the shared world) with case A's evidence shared with it;
case B (Zhejiang) a task of `expert_other`. An expert sees their own task and its shared documents, never the case;
the case centre's staff manage the task; supervisors above the centre read it; anyone else: the task is not there.
"""

from __future__ import annotations

from typing import Any

from tests.access_support import (
    DIRECTORS,
    FORBIDDEN,
    LOGIN,
    MANAGES_TASK_A,
    OK,
    SEES_CASE_A,
    SEES_TASK_A,
    STAFF_ZJ,
    Route,
    case_a,
    case_rule,
    only,
)

SEES_TASK_B = {"expert_other", *STAFF_ZJ, "zj_supervisor", "national_supervisor"}


def extend_world(w: dict[str, Any]) -> None:
    from django.utils import timezone

    from weiyuan.cases.models import CaseAssignment
    from weiyuan.experts.task_models import TaskDocumentShare

    w["task_a"] = CaseAssignment.objects.get(case=w["case_a"], user=w["expert_assigned"], kind="expert")
    TaskDocumentShare.objects.create(
        assignment=w["task_a"], evidence_file=w["evidence_a"], shared_by=w["sh_handler"], shared_at=timezone.now()
    )
    w["task_b"] = CaseAssignment.objects.create(
        case=w["case_b"], user=w["expert_other"], kind="expert", task="浙江的任务", assigned_by=w["zj_director"]
    )
    TaskDocumentShare.objects.create(
        assignment=w["task_b"], evidence_file=w["evidence_b"], shared_by=w["zj_director"], shared_at=timezone.now()
    )


def task(key: str) -> Any:
    return lambda w: {"pk": w[key].pk}


def document(task_key: str, evidence_key: str) -> Any:
    return lambda w: {"pk": w[task_key].pk, "evidence_id": w[evidence_key].pk}


def act(key: str, action: str) -> Any:
    return lambda w: {"pk": w[key].pk, "action": action}


def own_tasks(role: str) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role in {"expert_assigned", "expert_other"} else FORBIDDEN


ROUTES = {
    "experts:tasks": Route("GET", expect=own_tasks),
    # The review of work entries and the approved expert costs: the directors, for the centres they direct.
    "experts:work_review": Route("GET", query="year=2026", expect=only(DIRECTORS)),
    "experts:task": Route("GET", kwargs=task("task_a"), expect=case_rule(SEES_TASK_A)),
    # Supervisors read the task but download nothing through it.
    "experts:task_document": Route(
        "GET",
        kwargs=document("task_a", "evidence_a"),
        expect=case_rule(SEES_TASK_A, {"expert_assigned"} | MANAGES_TASK_A),
    ),
    # Logging work with nothing filled in: the expert gets the form errors (400); the others may not log (403).
    "experts:task_act": Route(
        "POST", kwargs=act("task_a", "log_work"), expect=case_rule(SEES_TASK_A, {"expert_assigned"})
    ),
    # The case's list of expert tasks: the case centre's staff and supervisors; the applicant sees the case, not it.
    "experts:case_tasks": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A, SEES_CASE_A - {"applicant_own"})),
}

OTHER_CENTRE_ROUTES = {
    "experts:task": Route("GET", kwargs=task("task_b"), expect=case_rule(SEES_TASK_B)),
    "experts:task_document": Route(
        "GET", kwargs=document("task_b", "evidence_b"), expect=case_rule(SEES_TASK_B, {"expert_other", *STAFF_ZJ})
    ),
    "experts:task_act": Route(
        "POST",
        kwargs=act("task_b", "share"),
        data=lambda w: {"documents": []},
        expect=case_rule(SEES_TASK_B, set(STAFF_ZJ)),
    ),
}
