"""Trusted rights holders: the fast lane (issue #6), decided by one rule.

A sender is **trusted** when, over the last `TRUST_WINDOW_DAYS` (two years) before now,

- at least `TRUST_MIN_VALID_NOTICES` (5) of its notices were **valid**: sent, with no wrong-notice record, and the
  platform took measures on at least one listing (the listing reached `measures_taken` or a later state other than
  `rejected`), and
- **no** notice of its was recorded as wrong (Art. 42 para 3: a notice later shown wrong is recorded against the
  sender; one such record takes the fast lane away until it falls out of the window).

A notice sent by a trusted sender is flagged `fast_lane` when sent (stored, so the platform's inbox orders by an
index, and the flag does not change under the platform's feet); the inbox shows fast-lane notices first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from weiyuan.ecommerce.models import Listing, ListingState, Notice, NoticeState, WrongNotice

TRUST_WINDOW_DAYS = 730
TRUST_MIN_VALID_NOTICES = 5
ACTED_ON = (
    ListingState.MEASURES_TAKEN,
    ListingState.COUNTER_NOTICED,
    ListingState.COMPLAINT_FILED,
    ListingState.RESTORED,
)


@dataclass(frozen=True)
class SenderStanding:
    valid_notices: int
    wrong_notices: int

    @property
    def trusted(self) -> bool:
        return self.valid_notices >= TRUST_MIN_VALID_NOTICES and self.wrong_notices == 0


def sender_standing(sender: Any, *, now: dt.datetime | None = None) -> SenderStanding:
    """The record of `sender` (a user) over the window: valid notices and notices shown wrong. Two queries."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=TRUST_WINDOW_DAYS)
    wrong = WrongNotice.objects.filter(sender=sender, recorded_at__gte=since).count()
    valid = (
        Notice.objects.filter(sender=sender, state=NoticeState.SENT, sent_at__gte=since)
        .filter(Exists(Listing.objects.filter(notice=OuterRef("pk"), state__in=ACTED_ON)))
        .exclude(Exists(WrongNotice.objects.filter(notice=OuterRef("pk"))))
        .count()
    )
    return SenderStanding(valid_notices=valid, wrong_notices=wrong)
