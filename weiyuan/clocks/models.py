"""Obligations with their due time stored on the row, so a sweep (not a timer in memory) finds them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayOverride(models.Model):
    """An admin correction to the official calendar: a day off, or a make-up working day (调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已按期完成")
    CANCELLED = "cancelled", _("已取消")


class Clock(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="clocks")
    rule = models.CharField(_("规则"), max_length=40)
    state = models.CharField(_("状态"), max_length=16, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("届满时间"), null=True, blank=True)
    # Working-day rules keep their remaining days while paused; hour and calendar rules keep seconds.
    remaining_units = models.IntegerField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The calendar did not cover part of the period: weekends-only fallback was used (shown in the UI).
    calendar_fallback = models.BooleanField(default=False)
    # Sweep bookkeeping: each stage is notified once (the outbox dedupe key makes a repeat harmless anyway).
    due_soon_notified_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            # The sweep's only filter: running clocks by due time (partial on PostgreSQL and SQLite).
            models.Index(fields=["due_at"], name="clock_running_due_idx", condition=models.Q(state="running")),
            models.Index(fields=["case", "rule"], name="clock_case_rule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} → {self.due_at}"
