"""Webhooks to cooperating organisations: where to POST (endpoints), what is owed (deliveries) and what happened
(attempts). A delivery is a row first and is sent later by the sweep, so a crash or a rolled-back write loses or
leaks nothing: the row is created in the caller's transaction and the sweep claims it once it is due.
"""

from __future__ import annotations

import uuid as uuidlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField


class WebhookEvent(models.TextChoices):
    """The events an endpoint may subscribe to (the `X-Weiyuan-Event` header). Named `<noun>.<verb>`."""

    REFERRAL_CREATED = "referral.created", _("新的移交")
    REFERRAL_UPDATED = "referral.updated", _("移交有变化")
    REFERRAL_WITHDRAWN = "referral.withdrawn", _("移交已撤回")
    REFERRAL_OVERDUE = "referral.overdue", _("移交逾期未签收或未反馈")
    # E-commerce fast handling (weiyuan/ecommerce): a notice to the platform, a complaint or lawsuit that keeps the
    # measures, and the end of the 15-day wait of E-Commerce Law Art. 43 (end the measures).
    ECOMMERCE_NOTICE_SENT = "ecommerce.notice_sent", _("新的电商侵权通知")
    ECOMMERCE_COMPLAINT_FILED = "ecommerce.complaint_filed", _("权利人已投诉或起诉")
    ECOMMERCE_MEASURES_END = "ecommerce.measures_end", _("请终止所采取的措施")
    PING = "ping", _("连通测试")


class WebhookEndpoint(models.Model):
    """A URL of a cooperating organisation that receives signed POSTs for the events it subscribed to."""

    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("合作单位")
    )
    url = models.URLField(_("接收地址"), max_length=500)
    description = models.CharField(_("说明"), max_length=120, blank=True)
    # The HMAC key is needed in clear to sign, so it is encrypted at rest (not hashed); shown once when created
    # or rotated.
    secret = EncryptedCharField(_("签名密钥"), max_length=80)
    events = models.JSONField(_("订阅事件"), default=list)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "active"], name="webhook_endpoint_org_idx")]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event: str) -> bool:
        return event in (self.events or [])


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")


class WebhookDelivery(models.Model):
    """One event owed to one endpoint. `uuid` is the `X-Weiyuan-Delivery` header and stays the same across retries
    and redeliveries, so a receiver that saw it already can answer 2xx and ignore it."""

    uuid = models.UUIDField(default=uuidlib.uuid4, unique=True, editable=False)
    # One per `webhook_enqueue` call, shared by the deliveries of the same event to several endpoints.
    event_id = models.UUIDField(default=uuidlib.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # Denormalised from the endpoint, so the delivery log of an organisation is one indexed range.
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("事件"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("内容"), default=dict)
    state = models.CharField(_("状态"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("本轮尝试次数"), default=0)
    # When the sweep should try next. While a worker holds the row, this is the end of its lease: a worker that
    # dies mid-send leaves the row to be taken over when the lease ends.
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_response = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["organisation", "-created_at"], name="webhook_delivery_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.state})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, the answer's status (None: no answer), how long it took, what went wrong."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["delivery", "at"], name="webhook_attempt_delivery_idx")]
