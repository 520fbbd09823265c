"""Append-only, hash-chained audit events.

Events are chained per centre (chain 0 holds network-wide events) rather than in one global chain, so that
2,000 centres writing at once do not queue on a single row lock; `audit_verify` checks every chain.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    chain = models.BigIntegerField(_("chain"), help_text="centre id, or 0 for network-wide events")
    seq = models.BigIntegerField(_("sequence"))
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    case_id = models.BigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [
            models.Index(fields=["case_id", "id"], name="audit_case_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]
        ordering = ["id"]
        # Django's internal (base) manager must refuse bulk updates and deletes too.
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The last link of each chain; locked while an event is appended so links never fork."""

    chain = models.BigIntegerField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
