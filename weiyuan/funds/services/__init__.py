"""Funds writes 经费: budgets and closing a year (`budget`), spending entries, their steps and invoices
(`spending`), expert fees from approved expert work (`expert_fees`). Each public write is one transaction with an
audit event per change; notices go through the outbox in the same transaction."""

from __future__ import annotations

from weiyuan.funds.services.budget import budget_set, budget_year_close
from weiyuan.funds.services.expert_fees import expert_fee_record, expert_fees_sync
from weiyuan.funds.services.spending import (
    SpendingInput,
    attachment_add,
    attachment_record_download,
    spending_create,
    spending_transition,
    spending_update,
)

__all__ = [
    "SpendingInput",
    "attachment_add",
    "attachment_record_download",
    "budget_set",
    "budget_year_close",
    "expert_fee_record",
    "expert_fees_sync",
    "spending_create",
    "spending_transition",
    "spending_update",
]
