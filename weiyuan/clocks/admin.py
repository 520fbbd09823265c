from django.contrib import admin

from weiyuan.clocks.models import HolidayOverride


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    """Corrections to the official calendar (a year not yet published, a local day off): data, not code."""

    list_display = ("date", "is_working_day", "name", "created_at")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)
