"""Demo funds for `manage.py seed_demo`, run after the other demos: for the demo centres that have a director and a
handler, the budget of last year (closed) and of this year per category, set by the director; spending entries
recorded by the handler and approved by the director (several categories), one over budget with its written reason,
one awaiting approval and one draft; then a day of work on a few of the demo's open expert tasks, logged by the
expert and approved by the director through the experts services (whose approval records the expert fee), and
`expert_fees_sync` for any approved work without its entry. All through the services (audit events, notices).
Idempotent: nothing is added once any budget line exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from weiyuan.core.choices import Role
from weiyuan.funds import services
from weiyuan.funds.models import BudgetLine
from weiyuan.funds.services.common import today

MAX_CENTRES = 6
# Yuan per category for a provincial centre; smaller centres get a share.
BUDGET = {
    "personnel": 1_200_000,
    "expert_fees": 180_000,
    "training": 150_000,
    "outreach": 90_000,
    "it": 240_000,
    "other": 40_000,
}
# (category, share of the category's budget, payee, description, days into the period)
SPENDING = [
    ("personnel", "0.22", "本中心职工（工资发放）", "第一季度人员工资及社保缴纳", 20),
    ("training", "0.18", "某国际会展中心", "展会知识产权保护培训会场地租赁", 35),
    ("outreach", "0.30", "某印务有限公司", "《知识产权维权援助服务指南》宣传册印制 5,000 册", 50),
    ("it", "0.40", "某信息技术有限公司", "维权援助平台服务器年度托管及安全测评", 60),
    ("other", "0.15", "某办公用品商行", "办公耗材采购", 75),
]
OVER_REASON = "年度内新增两场海外维权培训，经主任办公会研究同意，超出部分从下年度预算中调剂。"


def _people(centre_id: int) -> tuple[Any, Any] | None:
    from weiyuan.accounts.models import User

    def first(role: str) -> Any:
        return (
            User.objects.filter(
                memberships__centre_id=centre_id, memberships__role=role, memberships__active=True, is_active=True
            )
            .order_by("pk")
            .first()
        )

    director, handler = first(Role.DIRECTOR), first(Role.HANDLER) or first(Role.INTAKE_OFFICER)
    return (director, handler) if director and handler else None


def _demo_centres() -> list[tuple[Any, Any, Any]]:
    from weiyuan.network.models import Centre

    found = []
    for centre in Centre.objects.filter(memberships__role=Role.DIRECTOR).distinct().order_by("depth", "path"):
        people = _people(centre.pk)
        if people:
            found.append((centre, *people))
        if len(found) >= MAX_CENTRES:
            break
    return found


def _day(year: int, offset: int) -> dt.date:
    day = dt.date(year, 1, 1) + dt.timedelta(days=offset)
    return min(day, today())


def _amounts(depth: int) -> dict[str, str]:
    share = {0: 2, 1: 1}.get(depth, 0.4)
    return {k: f"{v * share:.2f}" for k, v in BUDGET.items()}


def _spend(centre: Any, director: Any, handler: Any, year: int, amounts: dict[str, str]) -> int:
    n = 0
    for category, share, payee, description, offset in SPENDING:
        amount = f"{float(amounts[category]) * float(share):.2f}"
        data = services.SpendingInput(category, amount, _day(year, offset), payee, description)
        entry = services.spending_create(centre=centre, actor=handler, data=data)
        entry = services.spending_transition(entry=entry, actor=handler, action="submit")
        services.spending_transition(entry=entry, actor=director, action="approve", text="同意。")
        n += 1
    return n


EXPERT_TASKS = 3


def _expert_work(log: Callable[[str], None]) -> int:
    """A day's work on up to three open expert tasks, approved by the case centre's director: the approval records
    the fee as spending (experts.task_services.work_decide -> funds.services.expert_fee_record)."""
    from django.core.exceptions import ValidationError

    from weiyuan.cases.models import CaseAssignment
    from weiyuan.cases.transitions import TransitionRefused
    from weiyuan.experts import task_services

    done = 0
    tasks = CaseAssignment.objects.filter(kind=CaseAssignment.Kind.EXPERT, ended_at__isnull=True).select_related(
        "case", "user"
    )
    for task in tasks.order_by("pk")[: EXPERT_TASKS * 2]:
        people = _people(task.case.centre_id)
        if people is None:
            continue
        try:
            work = task_services.work_log(
                assignment=task,
                actor=task.user,
                work_date=today(),
                hours="3",
                description="查阅案卷材料，完成技术特征比对意见初稿。",
                fee="2400.00",
            )
            task_services.work_decide(entry=work, actor=people[0], approve=True)
        except (ValidationError, TransitionRefused) as exc:
            log(f"funds demo: no work logged on expert task {task.pk}: {exc}")
            continue
        done += 1
        if done >= EXPERT_TASKS:
            break
    return done


def funds_demo_seed(*, log: Callable[[str], None] = print) -> str:
    """Budgets and spending of the demo centres; a line for the seed summary."""
    if BudgetLine.objects.exists():
        return "Funds: demo budgets already present."
    this_year = today().year
    centres = _demo_centres()
    if not centres:
        log("funds demo: no centre with a director and a handler; no budgets")
        return "Funds: no demo centres."
    entries = 0
    for centre, director, handler in centres:
        amounts = _amounts(centre.depth)
        last = this_year - 1
        services.budget_set(centre=centre, year=last, amounts=amounts, actor=director)
        entries += _spend(centre, director, handler, last, amounts)
        services.budget_year_close(centre=centre, year=last, actor=director)
        services.budget_set(centre=centre, year=this_year, amounts=amounts, actor=director)
        entries += _spend(centre, director, handler, this_year, amounts)
        # Over the training budget, with the written reason it needs; then one awaiting approval and one draft.
        over = services.SpendingInput(
            "training",
            amounts["training"],
            _day(this_year, 40),
            "某海外知识产权服务机构",
            "海外展会维权专题培训讲师费及场地费",
            OVER_REASON,
        )
        entry = services.spending_create(centre=centre, actor=handler, data=over)
        entry = services.spending_transition(entry=entry, actor=handler, action="submit")
        services.spending_transition(entry=entry, actor=director, action="approve", text="同意，按说明调剂。")
        pending = services.SpendingInput(
            "outreach", "3600.00", _day(this_year, 80), "某广播电台", "4·26 知识产权宣传周公益广告播出"
        )
        entry = services.spending_create(centre=centre, actor=handler, data=pending)
        services.spending_transition(entry=entry, actor=handler, action="submit")
        draft = services.SpendingInput("other", "480.50", _day(this_year, 85), "某快递公司", "案件材料寄送费")
        services.spending_create(centre=centre, actor=handler, data=draft)
        entries += 3
    worked = _expert_work(log)
    fees = services.expert_fees_sync()
    return (
        f"Funds: budgets of {len(centres)} centres for {this_year - 1} (closed) and {this_year}, "
        f"{entries} spending entries, {worked + fees} expert-fee entries from approved expert work."
    )
