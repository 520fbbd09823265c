"""An expert's task 专家任务 on a case: the `CaseAssignment` (kind expert) an accepted invitation opens, and what
this app keeps about it — the documents shared with it, whether the applicant's personal data is needed, the
deadline, the expert's work entries (hours and fees, approved by the centre's director) and the expert's rating of
the cooperation. The centre's rating of the expert is `ExpertRating` (models.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TaskTerms(models.Model):
    """Per-task settings kept by the staff of the case's centre (one row per task, created on first change)."""

    assignment = models.OneToOneField("cases.CaseAssignment", on_delete=models.CASCADE, related_name="expert_terms")
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    # The applicant's personal data is masked on the task page unless staff marked it needed, with a reason.
    personal_data_needed = models.BooleanField(_("需要申请人个人信息"), default=False)
    personal_data_reason = models.TextField(_("需要个人信息的理由"), blank=True)
    personal_data_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    personal_data_set_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_note = models.TextField(_("结束说明"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class TaskDocumentShare(models.Model):
    """One evidence file of the case shared with one expert task; revoking keeps the row (and its history)."""

    assignment = models.ForeignKey("cases.CaseAssignment", on_delete=models.CASCADE, related_name="document_shares")
    evidence_file = models.ForeignKey("evidence.EvidenceFile", on_delete=models.PROTECT, related_name="task_shares")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shared_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "evidence_file"],
                condition=Q(revoked_at__isnull=True),
                name="task_share_open_unique",
            )
        ]
        indexes = [models.Index(fields=["assignment", "revoked_at"], name="task_share_assignment_idx")]


class WorkState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("已退回")


class FeeSource(models.TextChoices):
    RATE = "rate", _("按小时费率计算")
    ENTERED = "entered", _("专家填写")


class TaskWorkEntry(models.Model):
    """A day's work the expert logged on a task, with its fee; the director of the case's centre approves or rejects
    it. Approved entries are the expert costs a budget reads (`task_selectors.approved_expert_costs`)."""

    assignment = models.ForeignKey("cases.CaseAssignment", on_delete=models.CASCADE, related_name="work_entries")
    expert = models.ForeignKey("experts.Expert", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The centre the cost falls on: the case's centre when logged, and again when decided.
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    work_date = models.DateField(_("工作日期"))
    hours = models.DecimalField(
        _("工时（小时）"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("24"))],
    )
    description = models.TextField(_("工作内容"))
    hourly_rate = models.DecimalField(_("小时费率（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    fee = models.DecimalField(_("费用（元）"), max_digits=11, decimal_places=2)
    fee_source = models.CharField(max_length=8, choices=FeeSource.choices)
    state = models.CharField(_("状态"), max_length=10, choices=WorkState.choices, default=WorkState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["work_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="task_work_hours_range"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="task_work_fee_positive"),
        ]
        indexes = [
            models.Index(fields=["assignment", "work_date"], name="task_work_assignment_idx"),
            # The budget's read: a centre's approved entries of a year.
            models.Index(fields=["centre", "state", "work_date"], name="task_work_centre_idx"),
            # The daily cap: one account's hours on one day.
            models.Index(fields=["user", "work_date"], name="task_work_user_day_idx"),
        ]


class TaskFeedback(models.Model):
    """The expert's rating of the cooperation on a finished task (1-5), once."""

    assignment = models.OneToOneField("cases.CaseAssignment", on_delete=models.CASCADE, related_name="expert_feedback")
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评价"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="task_feedback_score_range")
        ]
