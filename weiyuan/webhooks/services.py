"""Writes for webhooks: queueing an event for an organisation (the public entry point for other apps), managing
endpoints (add, change, deactivate, rotate the secret) and redelivering a failed delivery.

`webhook_enqueue` only writes rows in the caller's transaction; the sweep (`webhooks.delivery.webhooks_deliver`)
sends them later. A caller whose transaction rolls back therefore sends nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.partners import PartnerPermission, organisation_decide
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.punctuation import join_list
from weiyuan.partners.models import Organisation
from weiyuan.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent
from weiyuan.webhooks.outbound import UnsafeUrl, url_check

SECRET_PREFIX = "whsec_"
MAX_ENDPOINTS_PER_ORGANISATION = 10


def _refuse(decision: Any) -> None:
    if not decision:
        raise TransitionRefused(decision.reason, status=403)


def webhook_enqueue(
    *, organisation: Organisation, event: str, payload: dict[str, Any], now: dt.datetime | None = None
) -> list[WebhookDelivery]:
    """Owe `event` with `payload` to every active endpoint of `organisation` subscribed to it: one pending delivery
    each, written in the caller's transaction (nothing is sent if it rolls back), sent by the sweep. Returns the new
    deliveries (none if the organisation has no such endpoint or is retired). `payload` must be JSON-serialisable;
    keep it to identifiers and what the receiver needs to fetch the rest through the API. Raises ValueError for an
    unknown event."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    if not isinstance(payload, dict):
        raise ValueError("webhook payload must be a dict")
    if not organisation.active:
        return []  # a retired organisation receives nothing (its accounts no longer act for it either)
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(organisation=organisation, active=True) if e.subscribes_to(event)
    ]
    if not endpoints:
        return []
    when = now or timezone.now()
    event_id = uuid.uuid4()
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            organisation_id=organisation.pk,
            event=event,
            event_id=event_id,
            payload=payload,
            next_attempt_at=when,
        )
        for endpoint in endpoints
    ]
    with transaction.atomic():
        for row in rows:
            row.save(force_insert=True)
    return rows


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = sorted({str(e) for e in events})
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": [_("订阅事件：未知事件 %(events)s。") % {"events": join_list(unknown)}]})
    if not chosen:
        raise ValidationError({"events": [_("订阅事件：请至少选择一个事件。")]})
    return chosen


def _clean_url(url: str) -> str:
    try:
        return url_check(url)
    except UnsafeUrl as exc:
        raise ValidationError({"url": [_("接收地址：%(reason)s") % {"reason": exc}]}) from exc


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "active": endpoint.active,
        "organisation": endpoint.organisation_id,
    }


@transaction.atomic
def webhook_endpoint_create(
    *, actor: Any, organisation: Organisation, url: str, events: Iterable[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint; returns it and its signing secret, to be shown to the director once."""
    _refuse(organisation_decide(actor, PartnerPermission.MANAGE_WEBHOOKS, organisation))
    errors: dict[str, list[str]] = {}
    try:
        clean_url = _clean_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_events = _clean_events(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len(description or "") > 120:
        errors["description"] = [_("说明：最多 120 个字符。")]
    if WebhookEndpoint.objects.filter(organisation=organisation, active=True).count() >= MAX_ENDPOINTS_PER_ORGANISATION:
        errors.setdefault("url", []).append(
            _("接收地址：一个合作单位最多 %(n)s 个启用的接收地址。") % {"n": MAX_ENDPOINTS_PER_ORGANISATION}
        )
    if errors:
        raise ValidationError(errors)
    secret = _new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=clean_url,
        events=clean_events,
        description=(description or "").strip(),
        secret=secret,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="webhook_endpoint.create",
        obj=endpoint,
        centre_id=organisation.keeper_id,
        after=_snapshot(endpoint),
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, actor: Any, endpoint: WebhookEndpoint, url: str, events: Iterable[str], description: str = ""
) -> WebhookEndpoint:
    organisation = endpoint.organisation
    _refuse(organisation_decide(actor, PartnerPermission.MANAGE_WEBHOOKS, organisation))
    errors: dict[str, list[str]] = {}
    try:
        clean_url = _clean_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_events = _clean_events(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len(description or "") > 120:
        errors["description"] = [_("说明：最多 120 个字符。")]
    if errors:
        raise ValidationError(errors)
    before = _snapshot(endpoint)
    endpoint.url, endpoint.events, endpoint.description = clean_url, clean_events, (description or "").strip()
    endpoint.save(update_fields=["url", "events", "description", "updated_at"])
    after = _snapshot(endpoint)
    keys = [k for k in after if before[k] != after[k]]
    if keys:
        audit_record(
            actor=actor,
            action="webhook_endpoint.update",
            obj=endpoint,
            centre_id=organisation.keeper_id,
            before={k: before[k] for k in keys},
            after={k: after[k] for k in keys},
        )
    return endpoint


@transaction.atomic
def webhook_endpoint_set_active(*, actor: Any, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Deactivate (no new deliveries; pending ones fail at their next attempt) or reactivate an endpoint."""
    organisation = endpoint.organisation
    _refuse(organisation_decide(actor, PartnerPermission.MANAGE_WEBHOOKS, organisation))
    if endpoint.active == active:
        return endpoint
    endpoint.active = active
    endpoint.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        action="webhook_endpoint.activate" if active else "webhook_endpoint.deactivate",
        obj=endpoint,
        centre_id=organisation.keeper_id,
        before={"active": not active},
        after={"active": active},
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, actor: Any, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (the old one stops working at once); returned to be shown once."""
    organisation = endpoint.organisation
    _refuse(organisation_decide(actor, PartnerPermission.MANAGE_WEBHOOKS, organisation))
    secret = _new_secret()
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "updated_at"])
    audit_record(
        actor=actor,
        action="webhook_endpoint.rotate_secret",
        obj=endpoint,
        centre_id=organisation.keeper_id,
        after={"rotated": True},
    )
    return endpoint, secret


@transaction.atomic
def webhook_delivery_redeliver(
    *, actor: Any, delivery: WebhookDelivery, now: dt.datetime | None = None
) -> WebhookDelivery:
    """Queue a failed delivery again, with a fresh round of attempts; the same `X-Weiyuan-Delivery` id is sent,
    so a receiver that did get it after all can recognise it."""
    organisation = delivery.organisation
    _refuse(organisation_decide(actor, PartnerPermission.REDELIVER, organisation))
    if delivery.state != DeliveryState.FAILED:
        raise TransitionRefused(_("只有发送失败的推送可以重新推送。"), status=409)
    if not delivery.endpoint.active:
        raise TransitionRefused(_("该接收地址已停用，请先启用再重新推送。"), status=409)
    when = now or timezone.now()
    updated = WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=when
    )
    if not updated:
        raise TransitionRefused(_("只有发送失败的推送可以重新推送。"), status=409)
    delivery.state, delivery.attempts, delivery.next_attempt_at = DeliveryState.PENDING, 0, when
    audit_record(
        actor=actor,
        action="webhook_delivery.redeliver",
        obj=delivery,
        centre_id=organisation.keeper_id,
        before={"state": DeliveryState.FAILED},
        after={"state": DeliveryState.PENDING, "event": delivery.event},
    )
    return delivery


@transaction.atomic
def webhook_endpoint_ping(*, actor: Any, endpoint: WebhookEndpoint, now: dt.datetime | None = None) -> WebhookDelivery:
    """Queue a `ping` event to this endpoint only (whatever it subscribed to), to test the receiver."""
    organisation = endpoint.organisation
    _refuse(organisation_decide(actor, PartnerPermission.MANAGE_WEBHOOKS, organisation))
    if not endpoint.active:
        raise TransitionRefused(_("该接收地址已停用，请先启用。"), status=409)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        organisation_id=organisation.pk,
        event=WebhookEvent.PING,
        payload={"message": "ping"},
        next_attempt_at=now or timezone.now(),
    )
    audit_record(
        actor=actor,
        action="webhook_endpoint.ping",
        obj=endpoint,
        centre_id=organisation.keeper_id,
        after={"delivery": str(delivery.uuid)},
    )
    return delivery
