"""Training pages 培训: the event list, one event (registering, its steps, its registrations and attendance),
creating and correcting an event, one's own training and hours, a centre's staff roster with training hours.
Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.training import (
    TrainingPermission,
    director_centre_ids,
    has_training_list,
    may_organise,
    training_decide,
)
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.network.models import Centre
from weiyuan.training import selectors, services
from weiyuan.training.flow import EDITABLE_STATES, allowed_event_actions
from weiyuan.training.forms import AttendanceForm, EventForm
from weiyuan.training.models import EventState, TrainingEvent
from weiyuan.training.services.events import material_ids
from weiyuan.volunteers.paging import paged
from weiyuan.volunteers.selectors import annotate_expired, roster_volunteers

P = TrainingPermission


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_training_list(user):
        return refused(request, _("培训页面仅供援助网络的工作人员、志愿者和申请人查看。"), title=_("培训"))
    page = paginate(request, selectors.event_list(user=user))
    context = {
        "page": page,
        "may_create": bool(may_organise(user)),
        "roster_centres": list(Centre.objects.filter(pk__in=director_centre_ids(user)).order_by("path")),
    }
    return render(request, "training/list.html", context)


def _event_page(request: HttpRequest, event: TrainingEvent, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    manages = bool(training_decide(user, P.MANAGE, event))
    context = {
        "event": event,
        "materials": selectors.event_materials(event=event),
        "taken": selectors.seats_taken(event=event),
        "own": selectors.own_registration(user=user, event=event),
        "may_register": event.state == EventState.OPEN and bool(training_decide(user, P.REGISTER, event)),
        "manages": manages,
        "may_edit": manages and event.state in EDITABLE_STATES,
        "actions": allowed_event_actions(event, user),
        "registrations": selectors.event_registrations(event=event) if manages else [],
        "may_record": manages and event.state == EventState.HELD,
        **extra,
    }
    return render(request, "training/event.html", context, status=status)


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_page(request, selectors.event_get(user=request.user, pk=pk))


def _form_page(
    request: HttpRequest, form: EventForm, *, event: Any, centres: list[Centre], status: int = 200
) -> HttpResponse:
    context = {"form": form, "event": event, "centres": centres, "errors": error_summary(form)}
    return render(request, "training/form.html", context, status=status)


def _input(form: EventForm) -> services.EventInput:
    d = form.cleaned_data
    return services.EventInput(
        title=d["title"],
        kind=d["kind"],
        starts_at=d["starts_at"],
        ends_at=d["ends_at"],
        capacity=d["capacity"],
        hours=d["hours"],
        place=d["place"],
        online_url=d["online_url"],
        description=d["description"],
        public=d["public"],
        material_ids=d["materials"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    centres = list(Centre.objects.filter(pk__in=may_organise(user)).order_by("path"))
    if not centres:
        return refused(request, _("只有援助机构的工作人员可以发布培训。"), title=_("发布培训"))
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = request.POST.get("centre") or centres[0].code
        centre = next((c for c in centres if c.code == code), None)
        if centre is None:
            form.add_error(None, _("请选择您所在的机构。"))
        else:
            try:
                event = services.event_create(centre=centre, actor=user, data=_input(form))
            except TransitionRefused as exc:
                return refused(request, exc.reason, exc.status, title=_("发布培训"))
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("培训已保存为草稿，核对后请开放报名。"))
                return redirect("training:event", pk=event.pk)
    return _form_page(request, form, event=None, centres=centres, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = selectors.event_get(user=user, pk=pk)
    decision = training_decide(user, P.MANAGE, event)
    if not decision:
        return refused(request, decision.reason, title=_("修改培训"))
    if event.state not in EDITABLE_STATES:
        reason = _("培训当前状态为「%(state)s」，不能修改。") % {"state": event.get_state_display()}
        return refused(request, reason, 409, title=_("修改培训"))
    tz = timezone.get_current_timezone()
    initial = {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at.astimezone(tz),
        "ends_at": event.ends_at.astimezone(tz),
        "place": event.place,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "hours": event.hours,
        "public": event.public,
        "description": event.description,
        "materials": ", ".join(str(i) for i in material_ids(event)),
    }
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, actor=user, data=_input(form))
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=_("修改培训"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("培训已更新。"))
            return redirect("training:event", pk=event.pk)
    return _form_page(request, form, event=event, centres=[], status=400 if form.is_bound else 200)


def _act(request: HttpRequest, pk: int, title: str, fn: Any, done: str, **kwargs: Any) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    try:
        fn(event=event, actor=request.user, **kwargs)
    except TransitionRefused as exc:
        if exc.status == 404:
            raise Http404("training event not found") from None
        return refused(request, exc.reason, exc.status, title=title)
    except ValidationError as exc:
        return _event_page(request, event, status=400, action_errors=exc.messages)
    messages.success(request, done)
    return redirect("training:event", pk=event.pk)


@login_required
@require_POST
def event_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return _act(request, pk, _("培训"), services.event_transition, _("操作已完成。"), action=action)


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _("报名培训"), services.registration_create, _("报名成功。"))


@login_required
@require_POST
def unregister(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _("取消报名"), services.registration_cancel, _("已取消报名。"))


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    form = AttendanceForm(request.POST)
    form.is_valid()
    return _act(
        request,
        pk,
        _("登记出勤"),
        services.attendance_record,
        _("出勤和学时已登记。"),
        attendee_ids=form.attendee_ids(request.POST),
        hours=request.POST.get("hours", ""),
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = paginate(request, selectors.my_registrations(user=user))
    years = selectors.hours_by_year(user=user)
    total = sum((y["total"] for y in years), start=0)
    return render(request, "training/mine.html", {"page": page, "years": years, "total": total})


@login_required
@require_GET
def roster(request: HttpRequest, code: str) -> HttpResponse:
    centre = selectors.roster_centre_get(user=request.user, code=code)
    year = timezone.localdate().year
    raw = request.GET.get("year", "")
    if raw:
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            return render(
                request,
                "cases/refused.html",
                {"reason": _("年度应为四位数字，例如 2026。"), "title": _("人员名册")},
                status=400,
            )
        year = int(raw)
    page = paginate(request, selectors.roster(centre=centre, year=year))
    today = timezone.localdate()
    for membership in page.object_list:
        annotate_expired(membership.user.quals, today)
    volunteers = paged(request, roster_volunteers(centre=centre, year=year), "v")
    context = {"centre": centre, "year": year, "page": page, "volunteers": volunteers}
    return render(request, "training/roster.html", context)
