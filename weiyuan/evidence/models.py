"""Evidence files: hashed at receipt, stored through Django's storage API, served only via an access check."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weiyuan.access.scoping import ScopedManager


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    # Random names: the stored path carries no personal data and cannot be guessed.
    return f"evidence/{instance.received_at:%Y/%m}/{uuid.uuid4().hex}"


class EvidenceKind(models.TextChoices):
    EVIDENCE = "evidence", _("证据")
    CERTIFICATE = "certificate", _("权利证书")
    POWER_OF_ATTORNEY = "power_of_attorney", _("授权委托书")
    ATTACHMENT = "attachment", _("附件")


class EvidenceFile(models.Model):
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence_files"
    )
    message = models.ForeignKey(
        "cases.CaseMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("类别"), max_length=24, choices=EvidenceKind.choices, default=EvidenceKind.EVIDENCE)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("接收时间"))

    objects = ScopedManager()
    objects_unscoped = models.Manager()

    class Meta:
        base_manager_name = "objects_unscoped"
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["case", "received_at"], name="evidence_case_idx")]

    def __str__(self) -> str:
        return self.original_name
