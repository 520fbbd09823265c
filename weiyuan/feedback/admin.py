"""Admin for feedback configuration only: the return-visit schedule per service type (days after conclusion).
Surveys, visits and complaints are case content and stay out of the admin (platform admins see no case content)."""

from __future__ import annotations

from django.contrib import admin

from weiyuan.cases.admin import AuditedAdmin
from weiyuan.feedback.models import ReturnVisitSchedule


@admin.register(ReturnVisitSchedule)
class ReturnVisitScheduleAdmin(AuditedAdmin):
    list_display = ("service_type", "days_after")
    list_select_related = ("service_type",)
    search_fields = ("service_type__code", "service_type__name")
