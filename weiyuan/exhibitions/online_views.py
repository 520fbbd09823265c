"""The rights holder's online complaint 网上投诉: an applicant account files a complaint against an exhibitor of an
event before or during the fair (`complaint_services.complaint_file`: the same right checks and certificate as at
the station desk), then follows it on the complaint page (its own complaints only; anyone else's: 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import PAGE_SIZE, apply_service_errors, error_summary, paginate, refused
from weiyuan.exhibitions import complaint_services
from weiyuan.exhibitions.forms import ComplaintForm
from weiyuan.exhibitions.models import Complaint, Event, Station
from weiyuan.exhibitions.views import TITLE


def _applicant(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_applicant)


@login_required
@require_GET
def online_events(request: HttpRequest) -> HttpResponse:
    """The fairs not yet over (to file against) and the applicant's own complaints at fairs."""
    user = request.user
    if not _applicant(user):
        return refused(request, _("网上展会投诉仅供权利人账户使用。"), title=str(TITLE))
    today = timezone.localdate()
    events = paginate(request, Event.objects.filter(ends_on__gte=today).order_by("starts_on", "id"))
    mine = Paginator(
        Complaint.objects.filter(complainant_account_id=user.pk)
        .select_related("station__event", "respondent")
        .order_by("-filed_at", "-id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("mine"))
    return render(request, "exhibitions/online.html", {"page": events, "mine": mine, "today": today})


def _online_station(user: Any, pk: int) -> Station:
    """The keeping centre's station of the event, for an applicant account; anyone else: the event does not exist."""
    event = Event.objects.filter(pk=pk).first() if _applicant(user) else None
    station = None
    if event is not None:
        stations = list(Station.objects.filter(event=event).select_related("event", "centre"))
        station = next((s for s in stations if s.centre_id == event.centre_id), stations[0] if stations else None)
    if station is None:
        raise Http404(_("找不到该展会。"))
    return station


@login_required
@require_http_methods(["GET", "POST"])
def online_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    station = _online_station(user, pk)
    event = station.event
    if timezone.localdate() > event.ends_on:
        return refused(
            request, _("展会已于 %(date)s 结束，不再接受现场投诉。") % {"date": event.ends_on}, title=str(TITLE)
        )
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_services.complaint_file(
                station=station,
                actor=user,
                data=form.complaint_input(),
                certificate=form.cleaned_data["certificate"],
                photos=form.cleaned_data["photos"],
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=str(TITLE))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(
                request, _("投诉已提交：%(number)s。工作站将核对后向被投诉人送达。") % {"number": complaint.number}
            )
            return redirect("exhibitions:complaint", pk=complaint.pk)
    return render(
        request,
        "exhibitions/complaint_form.html",
        {
            "form": form,
            "event": event,
            "online": True,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=400 if form.is_bound and form.errors else 200,
    )
