"""Admin for the case spine's configuration data only.

Cases themselves are not in the admin: their querysets must be scoped by the acting user and every change must
go through a service (transition table, clocks, audit). Service types and per-centre clock limits are data that
platform admins maintain here; each change is audited like any other write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest

from weiyuan.audit.services import audit_record
from weiyuan.cases.models import CentreServiceClock, ServiceType


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletions run inside the admin's transaction and append an audit event."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'change' if change else 'create'}",
            obj=obj,
            centre_id=getattr(obj, "centre_id", None),
            before=before,
            after=model_to_dict(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = model_to_dict(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.delete",
            object_type=obj._meta.label_lower,
            object_id=pk,
            centre_id=getattr(obj, "centre_id", None),
            before=before,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Bulk deletion would bypass delete_model (and the audit); single deletions still go through it.
        return super().has_delete_permission(request, obj) and obj is not None


@admin.register(ServiceType)
class ServiceTypeAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "name_en",
        "acceptance_working_days",
        "handling_working_days",
        "needs_right",
        "needs_respondent",
        "position",
        "active",
    )
    list_filter = ("active", "needs_right", "needs_respondent")
    search_fields = ("code", "name", "name_en")
    ordering = ("position", "code")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Cases refer to service types (PROTECT); retire one by clearing "active" instead.
        return False


@admin.register(CentreServiceClock)
class CentreServiceClockAdmin(AuditedAdmin):
    list_display = ("centre", "service_type", "acceptance_working_days", "handling_working_days")
    list_filter = ("service_type",)
    search_fields = ("centre__name", "centre__code")
    raw_id_fields = ("centre",)
    list_select_related = ("centre", "service_type")
