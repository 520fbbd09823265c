"""Queueing notices into the outbox and delivering them.

Delivery claims rows atomically (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL; a conditional UPDATE on
SQLite), so several workers never send the same row at once, and a worker killed mid-run leaves its claimed rows
to be reclaimed when the claim expires. In-app notices are keyed by outbox row, so redelivery is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from weiyuan.notifications.models import (
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    WorkerHeartbeat,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    body: str
    url: str = ""


def outbox_enqueue(
    *,
    recipients: Iterable[Any],
    notice: Notice | Callable[[], Notice],
    dedupe_key: str,
    channels: Iterable[str] | None = None,
    allow_unverified: bool = False,
) -> int:
    """Queue a notice for each recipient in the caller's transaction; returns how many rows were new.

    Pass a function building the Notice (with gettext inside) to have it written in each recipient's own language
    rather than in the language of whoever caused it.

    E-mail goes only to addresses their owner has verified (`email_verified`): an unverified address may be a typo
    or someone else's, and must not receive case details. Recipients without one still get the in-app notice.
    `allow_unverified=True` is for the verification mail itself, which has to reach the unverified address.
    """
    now = timezone.now()
    rows = []
    for user in recipients:
        if user is None:
            continue
        if callable(notice):
            with translation.override(getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE):
                text = notice()
        else:
            text = notice
        wanted = list(channels) if channels is not None else [OutboxChannel.IN_APP, OutboxChannel.EMAIL]
        for channel in wanted:
            if channel == OutboxChannel.EMAIL and (
                not user.email or not (allow_unverified or getattr(user, "email_verified", False))
            ):
                continue
            rows.append(
                OutboxMessage(
                    dedupe_key=f"{dedupe_key}:{user.pk}:{channel}"[:200],
                    channel=channel,
                    recipient=user,
                    kind=text.kind,
                    subject=text.subject[:200],
                    body=text.body,
                    url=text.url,
                    available_at=now,
                )
            )
    if not rows:
        return 0
    before = OutboxMessage.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).count()
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) - before


def _claim_batch(*, limit: int, now: dt.datetime) -> list[OutboxMessage]:
    claim_until = now + dt.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    ready = Q(status=OutboxStatus.PENDING, available_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lt=now
    )
    claimed: list[OutboxMessage] = []
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(ready).order_by("available_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = list(qs.select_for_update(skip_locked=True)[:limit])
        else:
            candidates = list(qs[:limit])
        for msg in candidates:
            # The conditional update is the claim: one row updated means this worker owns it.
            won = (
                OutboxMessage.objects.filter(pk=msg.pk)
                .filter(ready)
                .update(status=OutboxStatus.SENDING, claimed_until=claim_until, attempts=msg.attempts + 1)
            )
            if won:
                msg.status = OutboxStatus.SENDING
                msg.attempts += 1
                msg.claimed_until = claim_until
                claimed.append(msg)
    return claimed


def _deliver_one(msg: OutboxMessage) -> None:
    if msg.channel == OutboxChannel.IN_APP:
        try:
            with transaction.atomic():
                Notification.objects.get_or_create(
                    outbox=msg,
                    defaults={
                        "recipient_id": msg.recipient_id,
                        "kind": msg.kind,
                        "title": msg.subject,
                        "body": msg.body,
                        "url": msg.url,
                    },
                )
        except IntegrityError:
            pass  # delivered by an earlier attempt
    elif msg.channel == OutboxChannel.EMAIL:
        recipient = msg.recipient
        with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
            link = f"\n\n{settings.SITE_URL}{msg.url}" if msg.url else ""
            send_mail(msg.subject, msg.body + link, settings.DEFAULT_FROM_EMAIL, [recipient.email or ""])


def outbox_deliver(*, limit: int = 100, now: dt.datetime | None = None) -> int:
    """Deliver up to `limit` due messages; returns how many were sent."""
    return _deliver_claimed(_claim_batch(limit=limit, now=now or timezone.now()))


def _deliver_claimed(claimed: list[OutboxMessage]) -> int:
    sent = 0
    for msg in claimed:
        # Renew this message's claim just before sending it: if a slow batch outlived the claim and another worker
        # took the message over, the conditional update finds nothing and this worker leaves it alone.
        renewed_until = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
        if not OutboxMessage.objects.filter(
            pk=msg.pk, status=OutboxStatus.SENDING, claimed_until=msg.claimed_until
        ).update(claimed_until=renewed_until):
            continue
        msg.claimed_until = renewed_until
        try:
            _deliver_one(msg)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is retried with back-off
            failed = msg.attempts >= settings.OUTBOX_MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=msg.pk).update(
                status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
                available_at=timezone.now() + dt.timedelta(seconds=min(3600, 2**msg.attempts * 5)),
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                claimed_until=None,
            )
            log.warning("outbox message %s failed (attempt %s): %s", msg.pk, msg.attempts, exc)
            continue
        OutboxMessage.objects.filter(pk=msg.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
        )
        sent += 1
    return sent


def worker_heartbeat(*, name: str, delivered: int) -> None:
    from django.db.models import F

    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(
        last_seen=now, pid=os.getpid(), delivered_total=F("delivered_total") + delivered
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            name=name, defaults={"last_seen": now, "pid": os.getpid(), "delivered_total": delivered}
        )


def notification_mark_read(*, user: Any, notification_id: int) -> int:
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
