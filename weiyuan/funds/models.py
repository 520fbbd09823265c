"""Funds 经费 (issue #7): a centre's budget per year and category, its spending entries with their invoices, and the
closing of a year. Amounts are yuan with two decimals (Decimal, never float).

A year of a centre is one `FundYear` row: it is created with the first budget line or spending entry, closing it
freezes the budget lines and manual spending of that year, and every write that checks the remaining budget locks
it first (`select_for_update`), so two entries submitted at once cannot both fit into the same remainder."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY_DIGITS = 14  # up to 999,999,999,999.99 yuan
MONEY_PLACES = 2


class Category(models.TextChoices):
    PERSONNEL = "personnel", _("人员经费")
    EXPERT_FEES = "expert_fees", _("专家费用")
    TRAINING = "training", _("培训")
    OUTREACH = "outreach", _("宣传推广")
    IT = "it", _("信息化")
    OTHER = "other", _("其他")


class SpendingState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")
    VOIDED = "voided", _("已作废")


class SpendingSource(models.TextChoices):
    MANUAL = "manual", _("手工登记")
    EXPERT_WORK = "expert_work", _("专家工时核准")


# Entries that count against the budget's remainder: approved, and submitted ones awaiting approval.
COMMITTED_STATES = (SpendingState.SUBMITTED, SpendingState.APPROVED)


class FundYear(models.Model):
    """One centre's budget year (the calendar year, as the state budget's fiscal year). Closed: no more budget
    changes nor manual spending."""

    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    closed_at = models.DateTimeField(_("结账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="funds_year_unique")]

    def __str__(self) -> str:
        return f"{self.centre_id}/{self.year}"


class BudgetLine(models.Model):
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    amount = models.DecimalField(_("预算金额（元）"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["centre", "year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "year", "category"], name="funds_budget_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_budget_amount_not_negative"),
        ]


def attachment_path(instance: SpendingAttachment, filename: str) -> str:
    # Random names: the stored path carries nothing of the payee and cannot be guessed.
    return f"funds/{instance.received_at:%Y/%m}/{uuid.uuid4().hex}"


class SpendingEntry(models.Model):
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    spent_on = models.DateField(_("支出日期"))
    payee = models.CharField(_("收款方"), max_length=120)
    description = models.TextField(_("用途说明"))
    state = models.CharField(_("状态"), max_length=12, choices=SpendingState.choices, default=SpendingState.DRAFT)
    source = models.CharField(_("来源"), max_length=12, choices=SpendingSource.choices, default=SpendingSource.MANUAL)
    # Over the remaining budget when last saved or submitted: the written reason it was asked for.
    over_budget = models.BooleanField(_("超出预算"), default=False)
    over_budget_reason = models.TextField(_("超预算说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(_("作废原因"), blank=True)
    # The approved expert work this entry pays (source expert_work): one entry per work entry, never counted twice.
    expert_work = models.OneToOneField(
        "experts.TaskWorkEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="funds_spending"
    )

    class Meta:
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_spending_amount_positive"),
        ]
        indexes = [
            # The report's and the remainder's read: a centre's entries of a year by category and state.
            models.Index(fields=["centre", "year", "category", "state"], name="funds_spending_centre_idx"),
            models.Index(fields=["state", "centre"], name="funds_spending_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount}"

    @property
    def number(self) -> str:
        return f"JF{self.year}-{self.pk:06d}"


class SpendingAttachment(models.Model):
    """An invoice or receipt of a spending entry: checked by content like evidence (evidence.services.sniff_upload),
    SHA-256 at receipt, private storage, served only through the access check, audited."""

    entry = models.ForeignKey(SpendingEntry, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return self.original_name


ZERO = Decimal("0.00")
