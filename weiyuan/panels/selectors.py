"""Reading panels, always scoped by the acting user (weiyuan/access/panels.py decides)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from weiyuan.access.panels import can_download_solution, can_see_panel, panel_list_q
from weiyuan.cases.models import Case
from weiyuan.panels.models import CLOSED_STATES, MajorDesignation, Panel, PanelMeeting, PanelMember

RELATED = ("case", "case__centre", "case__service_type", "case__handler", "created_by", "signed_by", "drafted_by")


def panel_get(*, user: Any, pk: int) -> Panel:
    """The panel if the user may see it (staff of the case's centre, co-handlers and supervisors read-only, its
    members); otherwise 404."""
    panel = Panel.objects.select_related(*RELATED).filter(pk=pk).first()
    if panel is None or not can_see_panel(user, panel):
        raise Http404("panel not found")
    return panel


def panel_get_for_download(*, user: Any, pk: int) -> Panel:
    """The signed panel whose PDF the user may download (also the case's applicant); otherwise 404."""
    panel = Panel.objects.select_related(*RELATED).filter(pk=pk).first()
    if panel is None or not (can_see_panel(user, panel) or can_download_solution(user, panel)):
        raise Http404("panel not found")
    return panel


def panel_list(*, user: Any) -> QuerySet[Panel]:
    """The user's panels: their staff centres' panels, an expert's own; newest first, with the member count."""
    return (
        Panel.objects.filter(panel_list_q(user))
        .select_related("case", "case__centre")
        .annotate(member_count=Count("members"))
        .order_by("-created_at", "-id")
    )


def case_panels(*, case: Case) -> list[Panel]:
    """The case's panels, newest first (callers have checked the user's standing towards the case)."""
    return list(Panel.objects.filter(case=case).annotate(member_count=Count("members")).order_by("-created_at", "-id"))


def current_panel(case: Case) -> Panel | None:
    return Panel.objects.filter(case=case).exclude(state__in=CLOSED_STATES).first()


def panel_members(panel: Panel) -> list[PanelMember]:
    return list(panel.members.select_related("expert", "user", "view", "view__written_by"))


def panel_meetings(panel: Panel) -> list[PanelMeeting]:
    return list(panel.meetings.select_related("scheduled_by", "recorded_by").order_by("scheduled_at", "id"))


def meeting_get(*, panel: Panel, pk: int) -> PanelMeeting:
    meeting = panel.meetings.select_related("scheduled_by", "recorded_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404("meeting not found")
    return meeting


def member_get(*, panel: Panel, pk: int) -> PanelMember:
    member = panel.members.select_related("expert", "user").filter(pk=pk).first()
    if member is None:
        raise Http404("member not found")
    return member


def designations(*, case: Case) -> list[MajorDesignation]:
    return list(
        MajorDesignation.objects.filter(case=case)
        .select_related("proposed_by", "confirmed_by", "unmarked_by")
        .order_by("-proposed_at", "-id")
    )
