"""Expert fees 专家费用: approving an expert's work entry records an approved spending entry of the case centre's
"expert fees" line in the same transaction, once (a one-to-one link to the work entry); rejected and pro bono work
records nothing; the sync command adds what is missing and is safe to run again; the budget page shows
`approved_expert_costs` beside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client

from tests.experts_support import make_expert
from tests.factories import ApplicantFactory, UserFactory, make_case
from tests.funds_support import budget, this_year
from weiyuan.accounts.models import Membership
from weiyuan.cases import services as cases
from weiyuan.core.choices import Role
from weiyuan.experts import invitations as inv
from weiyuan.experts import task_services as ts
from weiyuan.experts.task_models import TaskWorkEntry, WorkState
from weiyuan.funds.models import SpendingEntry, SpendingSource, SpendingState
from weiyuan.funds.services.common import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(network: dict[str, Any]) -> dict[str, Any]:
    case = make_case(network["shanghai"], ApplicantFactory())
    case = cases.case_accept(case=case, actor=network["sh_intake"])
    case = cases.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    account = UserFactory()
    Membership.objects.create(user=account, centre=None, role=Role.EXPERT, organisation="某大学")
    expert = make_expert(
        network["sh_director"], network["shanghai"], name="王专家", user_email=account.email, hourly_rate="600"
    )
    invitation = inv.invitation_create(case=case, expert=expert, actor=network["sh_handler"], task="侵权比对")
    inv.invitation_undertake(invitation=invitation, actor=account, version=inv.current_undertaking_text().version)
    invitation = inv.invitation_accept(invitation=invitation, actor=account)
    return {**network, "task": invitation.assignment, "account": account, "expert": expert}


def log(t: dict[str, Any], hours: str, **kwargs: Any) -> TaskWorkEntry:
    return ts.work_log(
        assignment=t["task"], actor=t["account"], work_date=today(), hours=hours, description="比对图样", **kwargs
    )


def test_approved_work_becomes_expert_fee_spending_once(task: dict[str, Any]) -> None:
    budget(task, expert_fees="1000")
    work = log(task, "2.5")
    ts.work_decide(entry=work, actor=task["sh_director"], approve=True)
    spent = SpendingEntry.objects.get(expert_work=work)
    assert spent.category == "expert_fees" and spent.state == SpendingState.APPROVED
    assert spent.source == SpendingSource.EXPERT_WORK
    assert spent.amount == Decimal("1500.00") and spent.payee == "王专家" and spent.year == this_year()
    assert spent.centre == task["shanghai"] and spent.decided_by == task["sh_director"]
    # 1,500 yuan over a 1,000 budget: recorded (the work was approved and is owed) and flagged.
    assert spent.over_budget is True
    # Never counted twice: the link is unique, and the sync adds nothing.
    with pytest.raises(IntegrityError):
        SpendingEntry.objects.create(
            centre=spent.centre,
            year=spent.year,
            category=spent.category,
            amount=spent.amount,
            spent_on=spent.spent_on,
            payee="x",
            description="x",
            created_at=spent.created_at,
            updated_at=spent.updated_at,
            expert_work=work,
        )


def test_rejected_and_pro_bono_work_records_nothing(task: dict[str, Any]) -> None:
    rejected = log(task, "1")
    ts.work_decide(entry=rejected, actor=task["sh_director"], approve=False, reason="与任务无关的工作")
    free = log(task, "1", fee="0")
    ts.work_decide(entry=free, actor=task["sh_director"], approve=True)
    assert not SpendingEntry.objects.exists()


def test_the_fee_rolls_back_with_the_approval(task: dict[str, Any]) -> None:
    """One transaction: if recording the spending fails, the approval is not kept either."""
    work = log(task, "1")
    with (
        mock.patch("weiyuan.funds.services.expert_fees.audit", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        ts.work_decide(entry=work, actor=task["sh_director"], approve=True)
    work.refresh_from_db()
    assert work.state == WorkState.PENDING and not SpendingEntry.objects.exists()


def test_sync_command_adds_missing_fees_and_is_idempotent(task: dict[str, Any]) -> None:
    one, two = log(task, "1"), log(task, "2")
    # Approved before the funds app was there: mark them approved directly.
    TaskWorkEntry.objects.filter(pk__in=[one.pk, two.pk]).update(
        state=WorkState.APPROVED, decided_by=task["sh_director"]
    )
    call_command("funds_sync_expert_fees", stdout=(out := _Out()))
    assert "2" in out.text
    assert SpendingEntry.objects.filter(source=SpendingSource.EXPERT_WORK).count() == 2
    call_command("funds_sync_expert_fees", stdout=(out := _Out()))
    assert SpendingEntry.objects.count() == 2 and "0" in out.text


def test_budget_page_shows_the_approved_expert_costs(task: dict[str, Any]) -> None:
    budget(task, expert_fees="10000")
    ts.work_decide(entry=log(task, "3"), actor=task["sh_director"], approve=True)
    client = Client()
    client.force_login(task["sh_director"])
    page = client.get(f"/funds/centres/sh/{this_year()}/").content.decode()
    assert 'id="expert-costs"' in page and "王专家" in page and "1,800.00" in page


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass
