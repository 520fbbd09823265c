"""The delivery sweep: claim due deliveries atomically, POST each once, record the attempt, then mark the delivery
delivered, schedule the next try with back-off, or give up and tell the keeping centre's staff.

Claiming follows the outbox (`notifications.services._claim_batch`): candidates are read with
`SELECT ... FOR UPDATE SKIP LOCKED` where the database has it (PostgreSQL) and plainly otherwise (SQLite, where
writers are serialised anyway), and the claim itself is a conditional UPDATE — one row updated means this worker
won it. The claim moves `next_attempt_at` to the end of a lease (`WEBHOOKS_CLAIM_SECONDS`): a worker that dies
mid-POST leaves the row due again when the lease ends, so nothing is lost (a receiver may see a delivery twice;
`X-Weiyuan-Delivery` lets it notice). Every later write is conditional on the lease, so a worker that outlived its
lease does not overwrite the result of the one that took over.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from weiyuan.webhooks.outbound import PostResult, body_bytes, post

log = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, ... failed attempt: 1 min, 5 min, 30 min, 2 h, 12 h. After the attempt that
# finds no further step (the 6th), the delivery has failed. Data, overridable by `WEBHOOKS_RETRY_SCHEDULE`.
RETRY_SCHEDULE: tuple[int, ...] = (60, 300, 1800, 7200, 43200)


def retry_schedule() -> tuple[int, ...]:
    return tuple(getattr(settings, "WEBHOOKS_RETRY_SCHEDULE", RETRY_SCHEDULE))


def max_attempts() -> int:
    return len(retry_schedule()) + 1


def _lease_seconds() -> int:
    return int(getattr(settings, "WEBHOOKS_CLAIM_SECONDS", 120))


def envelope(delivery: WebhookDelivery) -> dict[str, Any]:
    """What is POSTed: the same bytes on every attempt of one delivery."""
    return {
        "delivery_id": str(delivery.uuid),
        "event_id": str(delivery.event_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "organisation_id": delivery.organisation_id,
        "data": delivery.payload,
    }


def _claim_batch(*, limit: int, now: dt.datetime) -> list[WebhookDelivery]:
    lease_until = now + dt.timedelta(seconds=_lease_seconds())
    claimed_ids: list[int] = []
    with transaction.atomic():
        qs = WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = list(qs.select_for_update(skip_locked=True).values_list("pk", "next_attempt_at")[:limit])
        else:
            candidates = list(qs.values_list("pk", "next_attempt_at")[:limit])
        for pk, due in candidates:
            won = WebhookDelivery.objects.filter(pk=pk, state=DeliveryState.PENDING, next_attempt_at=due).update(
                next_attempt_at=lease_until, attempts=F("attempts") + 1
            )
            if won:
                claimed_ids.append(pk)
    if not claimed_ids:
        return []
    rows = WebhookDelivery.objects.filter(pk__in=claimed_ids).select_related("endpoint", "organisation")
    return sorted(rows, key=lambda d: (d.next_attempt_at, d.pk))


def _notify_failed(delivery: WebhookDelivery, attempt_count: int) -> None:
    from weiyuan.access.policy import STAFF_ROLES
    from weiyuan.accounts.models import User
    from weiyuan.notifications.services import Notice, outbox_enqueue

    organisation = delivery.organisation
    recipients = User.objects.filter(
        is_active=True,
        memberships__centre_id=organisation.keeper_id,
        memberships__role__in=STAFF_ROLES,
        memberships__active=True,
    ).distinct()
    url = reverse("partners:deliveries", args=[organisation.pk])

    def notice() -> Notice:
        return Notice(
            kind="webhook_failed",
            subject=_("Webhook 推送失败：%(org)s") % {"org": organisation.name},
            body=_(
                "向合作单位「%(org)s」的接收地址 %(url)s 推送事件 %(event)s 已尝试 %(n)s 次均未成功"
                "（最后一次：%(error)s）。请联系对方检查接收地址，或在推送记录中重新推送。"
            )
            % {
                "org": organisation.name,
                "url": delivery.endpoint.url,
                "event": delivery.event,
                "n": delivery.attempts,
                "error": delivery.last_error or delivery.last_status_code or "-",
            },
            url=url,
        )

    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=f"webhook-failed:{delivery.uuid}:{attempt_count}")


def _finish(delivery: WebhookDelivery, result: PostResult, *, lease_until: dt.datetime, now: dt.datetime) -> str:
    """Record the attempt and the delivery's new state; returns that state ("" if the lease was lost)."""
    schedule = retry_schedule()
    with transaction.atomic():
        fields: dict[str, Any] = {
            "last_status_code": result.status_code,
            "last_error": result.error[:500],
            "last_response": result.response_excerpt[:500],
        }
        if result.ok:
            fields.update(state=DeliveryState.DELIVERED, delivered_at=now)
        elif delivery.attempts > len(schedule) or not delivery.endpoint.active:
            fields.update(state=DeliveryState.FAILED)
        else:
            fields.update(next_attempt_at=now + dt.timedelta(seconds=schedule[delivery.attempts - 1]))
        # Conditional on the lease: zero rows means another worker took the row over after our lease ended, and
        # its result stands. The attempt happened either way, so it is logged either way.
        won = WebhookDelivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.PENDING, next_attempt_at=lease_until
        ).update(**fields)
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            error=result.error[:500],
            response_excerpt=result.response_excerpt[:500],
        )
        if not won:
            return ""
        for key, value in fields.items():
            setattr(delivery, key, value)
        if delivery.state == DeliveryState.FAILED and delivery.endpoint.active:
            _notify_failed(delivery, WebhookAttempt.objects.filter(delivery=delivery).count())
    return str(delivery.state)


def _deliver_one(delivery: WebhookDelivery, *, lease_until: dt.datetime, now: dt.datetime) -> str:
    endpoint = delivery.endpoint
    if not endpoint.active:
        result = PostResult(None, 0, error=_("接收地址已停用。"))
    else:
        result = post(
            url=endpoint.url,
            secret=endpoint.secret,
            event=delivery.event,
            delivery_uuid=str(delivery.uuid),
            body=body_bytes(envelope(delivery)),
            # The signed timestamp is the real time of sending (the receiver compares it with its clock).
            timestamp=int(time.time()),
        )
    if not result.ok:
        log.warning("webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, result.error)
    return _finish(delivery, result, lease_until=lease_until, now=now)


def webhooks_deliver(*, limit: int = 100, now: dt.datetime | None = None) -> dict[str, int]:
    """Send up to `limit` due deliveries once each; returns counts by outcome (delivered, retry, failed)."""
    when = now or timezone.now()
    started = time.monotonic()
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    for delivery in _claim_batch(limit=limit, now=when):
        # Renew this row's lease just before its POST: a batch of slow receivers can outlast the first lease, and a
        # row another worker took over meanwhile is left to that worker (the conditional update finds nothing).
        elapsed = dt.timedelta(seconds=time.monotonic() - started)
        lease_until = max(delivery.next_attempt_at, when + elapsed + dt.timedelta(seconds=_lease_seconds()))
        if not WebhookDelivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.PENDING, next_attempt_at=delivery.next_attempt_at
        ).update(next_attempt_at=lease_until):
            continue
        delivery.next_attempt_at = lease_until
        state = _deliver_one(delivery, lease_until=lease_until, now=when)
        if state == DeliveryState.DELIVERED:
            counts["delivered"] += 1
        elif state == DeliveryState.FAILED:
            counts["failed"] += 1
        elif state == DeliveryState.PENDING:
            counts["retry"] += 1
    return counts


def retry_wait_labels() -> list[str]:
    """The back-off steps in words, for the delivery log page ("1 分钟", "2 小时")."""
    from django.utils.translation import ngettext

    labels = []
    for seconds in retry_schedule():
        if seconds % 3600 == 0:
            n = seconds // 3600
            labels.append(ngettext("%(n)s 小时", "%(n)s 小时", n) % {"n": n})
        elif seconds % 60 == 0:
            n = seconds // 60
            labels.append(ngettext("%(n)s 分钟", "%(n)s 分钟", n) % {"n": n})
        else:
            labels.append(ngettext("%(n)s 秒", "%(n)s 秒", seconds) % {"n": seconds})
    return labels
