"""Django admin for accounts: people, roles, API tokens. Sensitive values are shown masked and never editable
here; token hashes are never shown. No case content is reachable from these pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from weiyuan.accounts.models import ApiToken, Membership, User
from weiyuan.accounts.services import new_username, user_resend_verification
from weiyuan.core.validators import mask_middle


class UserCreateForm(AdminUserCreationForm):
    """Admin "add user": e-mail, name and password; the internal username is generated."""

    class Meta:
        model = User
        fields = ("email", "display_name")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("centre", "role", "organisation", "active")
    raw_id_fields = ("centre",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("display_name", "email", "applicant_kind", "is_active", "is_superuser", "date_joined")
    list_filter = ("applicant_kind", "is_active", "is_superuser", "email_verified")
    search_fields = ("display_name", "email", "organisation_name")
    ordering = ("id",)
    readonly_fields = (
        "username",
        "masked_phone",
        "masked_id_number",
        "email_verified",
        "session_generation",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (_("账号"), {"fields": ("username", "email", "email_verified", "password", "is_active")}),
        (
            _("申请人信息"),
            {
                "fields": (
                    "display_name",
                    "applicant_kind",
                    "organisation_name",
                    "credit_code",
                    "region",
                    "priority_group",
                    "masked_phone",
                    "masked_id_number",
                )
            },
        ),
        (_("平台权限"), {"fields": ("is_staff", "is_superuser")}),
        (_("会话"), {"fields": ("preferred_language", "session_generation", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "usable_password", "password1", "password2")},
        ),
    )
    add_form = UserCreateForm
    raw_id_fields = ("region",)
    inlines = (MembershipInline,)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: User) -> str:
        return mask_middle(obj.phone or "") or "—"

    @admin.display(description=_("居民身份证号码"))
    def masked_id_number(self, obj: User) -> str:
        return mask_middle(obj.id_number or "") or "—"

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change and not obj.username:
            obj.username = new_username()
        super().save_model(request, obj, form, change)
        if not change and obj.email and not obj.email_verified:
            # Notices are e-mailed to verified addresses only: ask the new user to confirm the address typed here.
            user_resend_verification(email=obj.email)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "centre", "role", "organisation", "active", "created_at")
    list_filter = ("role", "active")
    search_fields = ("user__display_name", "user__email", "centre__name", "organisation")
    raw_id_fields = ("user", "centre")
    list_select_related = ("user", "centre")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners (the clear value is shown only to them); admins can only see and revoke."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
