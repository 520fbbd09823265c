"""The outbox: every notice is a row first, delivered later by a worker, at least once and idempotently."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxChannel(models.TextChoices):
    IN_APP = "in_app", _("站内通知")
    EMAIL = "email", _("电子邮件")


class OutboxMessage(models.Model):
    # The same notice asked for twice (a retried sweep, a retried request) maps to one row.
    dedupe_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=16, choices=OutboxChannel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["available_at"],
                name="outbox_pending_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            )
        ]


class Notification(models.Model):
    """An in-app notice. One per outbox message (unique), so a redelivery cannot show it twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    outbox = models.OneToOneField(OutboxMessage, null=True, on_delete=models.SET_NULL, related_name="notification")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")]


class WorkerHeartbeat(models.Model):
    name = models.CharField(max_length=60, primary_key=True)
    last_seen = models.DateTimeField()
    pid = models.IntegerField(default=0)
    delivered_total = models.BigIntegerField(default=0)
