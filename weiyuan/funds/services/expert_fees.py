"""Expert fees 专家费用 as spending: an expert's work entry approved by the director of the case's centre
(`experts.task_services.work_decide`) becomes an approved spending entry of category `expert_fees` in the same
transaction as the approval — a plain call from that service, not a signal. The entry's one-to-one link to the work
entry means it is never counted twice; `funds_sync_expert_fees` records approved work that predates this (or was
approved while the link was missing) and is safe to run again.

The work was approved and is owed, so it is recorded even when it takes the category over the budget (flagged
`over_budget`, shown on the pages) and even in a closed year (the year of the work date, as
`approved_expert_costs` counts it). A pro bono entry (fee 0) records nothing."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from weiyuan.experts.task_models import TaskWorkEntry, WorkState
from weiyuan.funds.models import Category, SpendingEntry, SpendingSource, SpendingState
from weiyuan.funds.services.common import audit, fund_year_lock, remaining_budget

DESCRIPTION_MAX = 500


def expert_fee_record(*, work_entry: TaskWorkEntry, actor: Any) -> SpendingEntry | None:
    """The spending entry of an approved work entry (created once; the existing one if already there)."""
    if work_entry.state != WorkState.APPROVED or work_entry.fee <= 0:
        return None
    existing = SpendingEntry.objects.filter(expert_work_id=work_entry.pk).first()
    if existing is not None:
        return existing
    year = work_entry.work_date.year
    with transaction.atomic():
        fund_year_lock(work_entry.centre_id, year)
        work = TaskWorkEntry.objects.select_related("assignment__case", "expert", "user").get(pk=work_entry.pk)
        remaining = remaining_budget(work.centre_id, year, Category.EXPERT_FEES)
        now = timezone.now()
        payee = (
            (work.expert.name if work.expert_id and work.expert else "") or work.user.get_full_name() or work.user.email
        )
        description = (
            f"{work.assignment.case.tracking_number} {work.work_date:%Y-%m-%d} {work.hours}h：{work.description}"
        )
        entry = SpendingEntry(
            centre_id=work.centre_id,
            year=year,
            category=Category.EXPERT_FEES,
            amount=work.fee,
            spent_on=work.work_date,
            payee=str(payee or "")[:120],
            description=description[:DESCRIPTION_MAX],
            state=SpendingState.APPROVED,
            source=SpendingSource.EXPERT_WORK,
            over_budget=work.fee > remaining,
            created_by=actor,
            created_at=now,
            updated_at=now,
            decided_by=work.decided_by or actor,
            decided_at=work.decided_at or now,
            expert_work=work,
        )
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            # Another process recorded it between the read and the insert.
            return SpendingEntry.objects.get(expert_work_id=work_entry.pk)
        audit(
            actor,
            "funds.spending.expert_fee",
            entry,
            entry.centre_id,
            after={"work_entry": work.pk, "amount": entry.amount, "year": year, "over_budget": entry.over_budget},
        )
    return entry


def expert_fees_sync(*, centre_id: int | None = None, year: int | None = None) -> int:
    """Record every approved, paid work entry that has no spending entry yet; returns how many were added."""
    qs = TaskWorkEntry.objects.filter(state=WorkState.APPROVED, fee__gt=0, funds_spending__isnull=True)
    if centre_id is not None:
        qs = qs.filter(centre_id=centre_id)
    if year is not None:
        qs = qs.filter(work_date__year=year)
    added = 0
    for work in qs.order_by("pk").iterator(chunk_size=500):
        before = SpendingEntry.objects.filter(expert_work_id=work.pk).exists()
        if expert_fee_record(work_entry=work, actor=work.decided_by) is not None and not before:
            added += 1
    return added
