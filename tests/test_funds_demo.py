"""The funds demo: budgets of last year (closed) and this year for the centres with a director and a handler, spending
in every state the pages show (approved, over budget with its reason, awaiting approval, draft), the expert fees of
approved work; running it again adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.funds_support import this_year
from weiyuan.audit.models import AuditEvent
from weiyuan.funds.demo import funds_demo_seed
from weiyuan.funds.models import BudgetLine, FundYear, SpendingEntry, SpendingState

pytestmark = pytest.mark.django_db


def test_demo_seed_is_complete_and_idempotent(network: dict[str, Any]) -> None:
    line = funds_demo_seed(log=lambda _line: None)
    assert "budgets of 2 centres" in line  # Shanghai and Zhejiang have a director and a handler
    assert BudgetLine.objects.filter(year=this_year()).count() == 12
    assert FundYear.objects.get(centre=network["shanghai"], year=this_year() - 1).closed_at is not None
    states = set(SpendingEntry.objects.values_list("state", flat=True))
    assert states == {SpendingState.APPROVED, SpendingState.SUBMITTED, SpendingState.DRAFT}
    over = SpendingEntry.objects.filter(over_budget=True, state=SpendingState.APPROVED)
    assert over.exists() and all(e.over_budget_reason for e in over)
    events = AuditEvent.objects.filter(action__startswith="funds.").count()
    counts = (BudgetLine.objects.count(), SpendingEntry.objects.count())
    assert funds_demo_seed(log=lambda _line: None) == "Funds: demo budgets already present."
    assert (BudgetLine.objects.count(), SpendingEntry.objects.count()) == counts
    assert AuditEvent.objects.filter(action__startswith="funds.").count() == events
