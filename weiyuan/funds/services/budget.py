"""Budgets: the lines of a centre's year per category, set by the centre's director or the parent level's
director, each change audited (`funds.budget.set`, before and after); closing the year (`funds.year.close`)
freezes them and the year's manual spending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.funds import FundsPermission, funds_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.funds.models import BudgetLine, FundYear
from weiyuan.funds.services.common import (
    audit,
    collect,
    fund_year_lock,
    parse_amount,
    parse_category,
    parse_year,
    require_open,
)
from weiyuan.network.models import Centre

P = FundsPermission


def _require(actor: Any, permission: FundsPermission, centre: Centre) -> None:
    decision = funds_decide(actor, permission, centre)
    if not decision:
        seen = bool(funds_decide(actor, P.FUNDS_VIEW, centre))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)


def budget_set(*, centre: Centre, year: Any, amounts: Mapping[str, Any], actor: Any) -> list[BudgetLine]:
    """Set the budget lines given (category -> yuan; a blank amount leaves that line as it is). One audit event per
    line whose amount changed. Refused for a closed year."""
    _require(actor, P.BUDGET_SET, centre)
    errors: dict[str, str] = {}
    year = collect(errors, parse_year, year)
    parsed: dict[str, Any] = {}
    for key, value in amounts.items():
        category = collect(errors, parse_category, key)
        if category is None or value is None or (isinstance(value, str) and not value.strip()):
            continue
        amount = collect(errors, parse_amount, value, key, allow_zero=True)
        if amount is not None:
            parsed[category] = amount
    if errors:
        raise ValidationError(errors)
    if not parsed:
        raise ValidationError({"amounts": _("请至少填写一个类别的预算金额。")})
    now = timezone.now()
    changed: list[BudgetLine] = []
    with transaction.atomic():
        require_open(fund_year_lock(centre.pk, year))
        existing = {
            line.category: line
            for line in BudgetLine.objects.select_for_update().filter(centre=centre, year=year, category__in=parsed)
        }
        for category, amount in sorted(parsed.items()):
            line = existing.get(category)
            before = None if line is None else {"amount": line.amount}
            if line is not None and line.amount == amount:
                continue
            if line is None:
                line = BudgetLine(centre=centre, year=year, category=category)
            line.amount = amount
            line.set_by = actor
            line.updated_at = now
            line.full_clean()
            line.save()
            audit(
                actor,
                "funds.budget.set",
                line,
                centre.pk,
                before=before,
                after={"year": year, "category": category, "amount": amount},
            )
            changed.append(line)
    return changed


def budget_year_close(*, centre: Centre, year: Any, actor: Any) -> FundYear:
    """Close the year: its budget lines and manual spending are no longer changed. Entries still submitted are
    refused first (decide them, then close)."""
    _require(actor, P.BUDGET_CLOSE_YEAR, centre)
    year = parse_year(year)
    from weiyuan.funds.models import SpendingEntry, SpendingState

    with transaction.atomic():
        fund_year = fund_year_lock(centre.pk, year)
        require_open(fund_year)
        pending = SpendingEntry.objects.filter(centre=centre, year=year, state=SpendingState.SUBMITTED).count()
        if pending:
            raise TransitionRefused(_("还有 %(n)s 笔支出待审批，请先审批或退回后再结账。") % {"n": pending})
        fund_year.closed_at = timezone.now()
        fund_year.closed_by = actor
        fund_year.save(update_fields=["closed_at", "closed_by"])
        audit(
            actor,
            "funds.year.close",
            fund_year,
            centre.pk,
            before={"closed": False},
            after={"year": year, "closed": True},
        )
    return fund_year
