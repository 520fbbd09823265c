"""Funds services: budgets set by the director or the parent level (audited, frozen when the year is closed),
spending entries with bad input refused naming the field, the over-budget reason, the declared table walked (four
eyes, editing an approved entry refused, void with a reason), and the remainder under concurrent entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.factories import staff
from tests.funds_support import budget, entry, entry_input, second_director, this_year
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.funds import services
from weiyuan.funds.flow import TRANSITIONS, allowed_spending_actions, check_spending_transition
from weiyuan.funds.models import BudgetLine, SpendingEntry, SpendingState
from weiyuan.funds.services.common import parse_amount
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
S = SpendingState


def fields(exc: Any) -> set[str]:
    return set(exc.value.message_dict)


# --- amounts and categories -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1200", Decimal("1200.00")),
        ("1,200.5", Decimal("1200.50")),
        (Decimal("0.01"), Decimal("0.01")),
        (3500.25, Decimal("3500.25")),
    ],
)
def test_amounts_are_yuan_with_two_decimals(value: Any, ok: Decimal) -> None:
    assert parse_amount(value, "amount") == ok


@pytest.mark.parametrize("value", ["-1", "0", "12.345", "abc", "", None, "NaN", "Infinity", "1e20", True])
def test_bad_amounts_are_refused_naming_the_field(value: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_amount(value, "amount")
    assert fields(exc) == {"amount"}


def test_budget_set_by_director_audited_and_changes_only_what_changed(network: dict[str, Any]) -> None:
    lines = services.budget_set(
        centre=network["shanghai"],
        year=this_year(),
        amounts={"personnel": "800000", "training": "50000.50", "it": ""},
        actor=network["sh_director"],
    )
    assert {line.category: line.amount for line in lines} == {
        "personnel": Decimal("800000.00"),
        "training": Decimal("50000.50"),
    }
    again = services.budget_set(
        centre=network["shanghai"],
        year=this_year(),
        amounts={"personnel": "800000", "training": "60000"},
        actor=network["sh_director"],
    )
    assert [line.category for line in again] == ["training"]
    events = list(AuditEvent.objects.filter(action="funds.budget.set").order_by("id"))
    assert len(events) == 3
    assert events[-1].before == {"amount": "50000.50"} and events[-1].after["amount"] == "60000.00"


def test_budget_set_by_the_parent_level_but_not_by_staff_or_supervisors(network: dict[str, Any]) -> None:
    # The Shanghai director sets the Pudong sub-centre's budget (the level below).
    services.budget_set(
        centre=network["pudong"], year=this_year(), amounts={"other": "1000"}, actor=network["sh_director"]
    )
    assert BudgetLine.objects.filter(centre=network["pudong"]).count() == 1
    with pytest.raises(TransitionRefused) as exc:
        services.budget_set(
            centre=network["shanghai"], year=this_year(), amounts={"other": "1"}, actor=network["sh_handler"]
        )
    assert exc.value.status == 403
    with pytest.raises(TransitionRefused) as exc:
        services.budget_set(
            centre=network["shanghai"], year=this_year(), amounts={"other": "1"}, actor=network["zj_director"]
        )
    assert exc.value.status == 404
    with pytest.raises(TransitionRefused) as exc:
        services.budget_set(
            centre=network["shanghai"], year=this_year(), amounts={"other": "1"}, actor=network["sh_supervisor"]
        )
    assert exc.value.status == 403


def test_budget_bad_input_names_the_fields(network: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        services.budget_set(
            centre=network["shanghai"],
            year="20x6",
            amounts={"travel": "100", "training": "-5", "it": "1.001"},
            actor=network["sh_director"],
        )
    assert fields(exc) == {"year", "category", "training", "it"}
    with pytest.raises(ValidationError) as exc:
        services.budget_set(centre=network["shanghai"], year=this_year(), amounts={}, actor=network["sh_director"])
    assert fields(exc) == {"amounts"}


def test_closed_year_freezes_budget_and_manual_spending(network: dict[str, Any]) -> None:
    budget(network, training="1000")
    draft = entry(network, amount="100")
    submitted = services.spending_transition(
        entry=entry(network, amount="50"), actor=network["sh_handler"], action="submit"
    )
    with pytest.raises(TransitionRefused, match="待审批"):
        services.budget_year_close(centre=network["shanghai"], year=this_year(), actor=network["sh_director"])
    services.spending_transition(entry=submitted, actor=network["sh_director"], action="return", text="请补发票")
    services.budget_year_close(centre=network["shanghai"], year=this_year(), actor=network["sh_director"])
    assert AuditEvent.objects.filter(action="funds.year.close").count() == 1
    with pytest.raises(TransitionRefused, match="已结账"):
        budget(network, training="2000")
    with pytest.raises(TransitionRefused, match="已结账"):
        entry(network)
    with pytest.raises(TransitionRefused, match="已结账"):
        services.spending_update(entry=draft, actor=network["sh_handler"], data=entry_input(amount="90"))


# --- spending entries -------------------------------------------------------------------------------------------


def test_entry_bad_input_names_every_field(network: dict[str, Any]) -> None:
    bad = services.SpendingInput(
        category="travel", amount="-3", spent_on="2026-13-01", payee="", description="x", over_budget_reason=""
    )
    with pytest.raises(ValidationError) as exc:
        services.spending_create(centre=network["shanghai"], actor=network["sh_handler"], data=bad)
    assert fields(exc) == {"category", "amount", "spent_on", "payee", "description"}
    assert "未知的经费类别「travel」" in exc.value.message_dict["category"][0]
    with pytest.raises(ValidationError) as exc:
        entry(network, amount="10.999")
    assert exc.value.message_dict["amount"] == ["金额最多保留两位小数（精确到分）。"]
    with pytest.raises(ValidationError) as exc:
        entry(network, spent_on=dt.date.today() + dt.timedelta(days=3))
    assert fields(exc) == {"spent_on"}


def test_over_the_remaining_budget_needs_a_written_reason(network: dict[str, Any]) -> None:
    budget(network, training="1000")
    first = entry(network, amount="800")
    services.spending_transition(entry=first, actor=network["sh_handler"], action="submit")
    # 800 is committed: 300 more goes over the remaining 200.
    with pytest.raises(ValidationError) as exc:
        entry(network, amount="300")
    assert fields(exc) == {"over_budget_reason"}
    assert "剩余预算 200.00 元" in exc.value.message_dict["over_budget_reason"][0]
    over = entry(network, amount="300", reason="年度培训计划追加一场，已报上级同意。")
    assert over.over_budget is True
    within = entry(network, amount="200")
    assert within.over_budget is False and within.over_budget_reason == ""
    # No budget line at all: every entry of that category is over budget.
    with pytest.raises(ValidationError) as exc:
        entry(network, category="it", amount="1")
    assert fields(exc) == {"over_budget_reason"}


def test_approval_rechecks_the_remainder(network: dict[str, Any]) -> None:
    budget(network, training="1000")
    a = services.spending_transition(entry=entry(network, amount="600"), actor=network["sh_handler"], action="submit")
    b = entry(network, amount="400")
    b = services.spending_transition(entry=b, actor=network["sh_handler"], action="submit")
    services.spending_transition(entry=a, actor=network["sh_director"], action="approve")
    # The budget is cut after b was submitted: approving b would now go over, and b carries no reason.
    budget(network, training="900")
    with pytest.raises(TransitionRefused, match="超预算说明"):
        services.spending_transition(entry=b, actor=network["sh_director"], action="approve")
    assert SpendingEntry.objects.get(pk=b.pk).state == S.SUBMITTED


def test_four_eyes_a_director_does_not_approve_their_own_entry(network: dict[str, Any]) -> None:
    budget(network, training="5000")
    own = entry(network, actor="sh_director", amount="100")
    own = services.spending_transition(entry=own, actor=network["sh_director"], action="submit")
    with pytest.raises(TransitionRefused, match="四眼原则") as exc:
        services.spending_transition(entry=own, actor=network["sh_director"], action="approve")
    assert exc.value.status == 409
    assert [t.action for t in allowed_spending_actions(own, network["sh_director"])] == ["return"]
    other = second_director(network)
    approved = services.spending_transition(entry=own, actor=other, action="approve", text="同意")
    assert approved.state == S.APPROVED and approved.decided_by == other
    assert OutboxMessage.objects.filter(kind="funds.spending.approved", recipient=network["sh_director"]).exists()


def test_an_approved_entry_is_not_edited_and_is_voided_with_a_reason(network: dict[str, Any]) -> None:
    budget(network, training="5000")
    e = services.spending_transition(entry=entry(network, amount="100"), actor=network["sh_handler"], action="submit")
    e = services.spending_transition(entry=e, actor=network["sh_director"], action="approve")
    with pytest.raises(TransitionRefused, match="不能修改") as exc:
        services.spending_update(entry=e, actor=network["sh_handler"], data=entry_input(amount="90"))
    assert exc.value.status == 409
    with pytest.raises(ValidationError) as verr:
        services.spending_transition(entry=e, actor=network["sh_director"], action="void", text="")
    assert fields(verr) == {"reason"}
    with pytest.raises(TransitionRefused) as exc:
        services.spending_transition(entry=e, actor=network["sh_handler"], action="void", text="重复登记")
    assert exc.value.status == 403
    e = services.spending_transition(entry=e, actor=network["sh_director"], action="void", text="与 3 月重复登记")
    assert e.state == S.VOIDED and e.void_reason == "与 3 月重复登记"
    actions = list(
        AuditEvent.objects.filter(object_id=str(e.pk), action__startswith="funds.spending").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "funds.spending.create",
        "funds.spending.submit",
        "funds.spending.approve",
        "funds.spending.void",
    ]


def test_returned_entry_is_corrected_and_submitted_again(network: dict[str, Any]) -> None:
    budget(network, training="5000")
    e = services.spending_transition(entry=entry(network, amount="100"), actor=network["sh_handler"], action="submit")
    with pytest.raises(ValidationError) as exc:
        services.spending_transition(entry=e, actor=network["sh_director"], action="return", text="")
    assert fields(exc) == {"note"}
    e = services.spending_transition(entry=e, actor=network["sh_director"], action="return", text="缺少发票")
    e = services.spending_update(entry=e, actor=network["sh_handler"], data=entry_input(amount="120"))
    assert e.amount == Decimal("120.00") and e.state == S.RETURNED
    e = services.spending_transition(entry=e, actor=network["sh_handler"], action="submit")
    assert e.state == S.SUBMITTED


def test_the_declared_table_walked_from_every_state(network: dict[str, Any]) -> None:
    """Every action from every state: allowed ones succeed for the right person, the rest are refused with 409."""
    budget(network, training="100000")
    approver = second_director(network)
    for state in S.values:
        for t in TRANSITIONS:
            e = entry(network, amount="10")
            SpendingEntry.objects.filter(pk=e.pk).update(state=state, submitted_by=network["sh_handler"])
            e.refresh_from_db()
            actor = network["sh_handler"] if t.action == "submit" else approver
            if state in t.from_states:
                done = services.spending_transition(entry=e, actor=actor, action=t.action, text="理由充分的说明")
                assert done.state == t.to_state
            else:
                with pytest.raises(TransitionRefused) as exc:
                    check_spending_transition(e, t.action, actor)
                assert exc.value.status == 409, (state, t.action)
    with pytest.raises(TransitionRefused) as exc:
        check_spending_transition(entry(network, amount="1"), "approve_all", approver)
    assert exc.value.status == 400


def test_staff_of_another_centre_and_supervisors_do_not_write(network: dict[str, Any]) -> None:
    with pytest.raises(TransitionRefused) as exc:
        entry(network, actor="zj_intake")
    assert exc.value.status == 404
    with pytest.raises(TransitionRefused) as exc:
        entry(network, actor="sh_supervisor")
    assert exc.value.status == 403
    volunteer = staff(network["shanghai"], Role.VOLUNTEER)
    with pytest.raises(TransitionRefused):
        services.spending_create(centre=network["shanghai"], actor=volunteer, data=entry_input())
