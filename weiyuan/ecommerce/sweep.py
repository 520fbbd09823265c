"""The end of the 15-day wait of E-Commerce Law Art. 43, on the clock sweep: a listing whose counter-notice reached
the rights holder more than 15 days ago (due time stored, rule `ecommerce_counter_notice_wait`) without a complaint
or lawsuit recorded is restored, and the platform is told to end its measures (an outbox notice to its accounts
and the signed webhook `ecommerce.measures_end`).

Each listing is claimed with a conditional UPDATE (`state = counter_noticed AND wait_due_at = <the due time read>`)
in the transaction that writes its step, audit event, notices and webhook: one row updated means this sweep won;
zero means another sweep (or the rights holder's complaint, or the platform's own restoration) got there first. A
crash before COMMIT leaves the listing due for the next sweep; nothing is held in memory. Found by the partial
index on `wait_due_at WHERE state = 'counter_noticed'`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from weiyuan.ecommerce.listing_services import restore_effects
from weiyuan.ecommerce.models import Listing, ListingState, RestoreReason

S = ListingState


def _restore_one(pk: int, due: dt.datetime, now: dt.datetime) -> bool:
    with transaction.atomic():
        won = Listing.objects.filter(pk=pk, state=S.COUNTER_NOTICED, wait_due_at=due).update(
            state=S.RESTORED, restored_at=now, restore_reason=RestoreReason.EXPIRED, updated_at=now
        )
        if not won:
            return False
        listing = Listing.objects.select_related(
            "notice", "notice__platform", "notice__centre", "notice__sender", "notice__case"
        ).get(pk=pk)
        before = {"state": S.COUNTER_NOTICED, "wait_due_at": due}
        restore_effects(listing, None, before)
    return True


def sweep_counter_notice_waits(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, Any]:
    """Restore the listings whose wait has ended (each once). Idempotent; run by the clock sweep and by
    `manage.py ecommerce_sweep`."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    now = now or timezone.now()
    restored = 0
    due = Listing.objects.filter(state=S.COUNTER_NOTICED, wait_due_at__lt=now).order_by("wait_due_at", "pk")
    after: tuple[dt.datetime, int] | None = None
    while True:
        # Keyset paging: a row another worker claimed, or one that could not be restored, is passed, not re-read.
        page = (
            due if after is None else due.filter(Q(wait_due_at__gt=after[0]) | Q(wait_due_at=after[0], pk__gt=after[1]))
        )
        rows = list(page.values_list("pk", "wait_due_at")[:batch])
        for pk, at in rows:
            assert at is not None  # filtered on wait_due_at < now
            if _restore_one(pk, at, now):
                restored += 1
        if len(rows) < batch:
            break
        last_pk, last_at = rows[-1]
        assert last_at is not None
        after = (last_at, last_pk)
    return {"ecommerce_restored": restored}
