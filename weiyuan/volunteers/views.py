"""Volunteer pages 志愿者: the public application "成为志愿者", the director's list (pending applications and
volunteers), one volunteer (decisions, hours, drafts, training hours), "我的志愿服务", the queue of hours to
confirm, and the staff qualifications of a centre (added and removed by its director; shown on the training roster).
Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.volunteers import (
    VolunteerPermission,
    certificate_decide,
    director_centre_ids,
    has_hours_queue,
    has_volunteer_admin,
    qualification_manage_decide,
    volunteer_decide,
)
from weiyuan.cases.models import CaseAssignment
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, refused
from weiyuan.core.choices import IPType
from weiyuan.evidence.services import evidence_record_download
from weiyuan.evidence.views import file_response
from weiyuan.experts.models import Language
from weiyuan.network.models import Centre
from weiyuan.training.selectors import hours_by_year
from weiyuan.volunteers import selectors, services
from weiyuan.volunteers.flow import allowed_actions
from weiyuan.volunteers.forms import ApplicationForm, DecisionForm, HoursForm, QualificationForm
from weiyuan.volunteers.models import UNDERTAKING, RegistrationState, VolunteerRegistration
from weiyuan.volunteers.paging import paged

P = VolunteerPermission


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    if not raw:
        return timezone.localdate().year
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return None


def _bad_year(request: HttpRequest, title: str) -> HttpResponse:
    return refused(request, _("年度应为四位数字，例如 2026。"), 400, title=title)


# --- applying --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Public: anyone reads what volunteering means and the undertaking; applying needs an account (a new person
    registers one first and comes back here)."""
    user = request.user
    if request.method == "POST" and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    initial = {"centre": request.GET.get("centre", "")}
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.ApplicationInput(
            organisation_kind=d["organisation_kind"],
            organisation_name=d["organisation_name"],
            member_number=d["member_number"],
            expertise=[f.pk for f in d["expertise"]],
            ip_types=list(d["ip_types"]),
            languages=list(d["languages"]),
            availability=d["availability"],
            motivation=d["motivation"],
            undertaking=bool(d["undertaking"]),
        )
        try:
            registration = services.registration_apply(actor=user, centre=d["centre"], data=data)
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=_("成为志愿者"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("申请已提交，机构负责人审核后会通知您。"))
            return redirect("volunteers:detail", pk=registration.pk)
    context = {"form": form, "error_summary": error_summary(form), "undertaking": UNDERTAKING}
    return render(request, "volunteers/apply.html", context, status=400 if form.is_bound else 200)


# --- the director's list and one volunteer ----------------------------------------------------------------------


@login_required
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_volunteer_admin(user):
        return refused(request, _("志愿者管理页面仅供援助机构负责人使用。"), title=_("志愿者"))
    year = _year(request)
    if year is None:
        return _bad_year(request, _("志愿者"))
    centres = list(Centre.objects.filter(pk__in=director_centre_ids(user)).order_by("path"))
    code = request.GET.get("centre", "")
    centre = next((c for c in centres if c.code == code), None)
    if code and centre is None:
        raise Http404("centre not found")
    pending = paged(request, selectors.director_registrations(user=user, centre=centre, pending=True, year=year), "p")
    serving = paged(request, selectors.director_registrations(user=user, centre=centre, pending=False, year=year))
    context = {"centres": centres, "centre": centre, "year": year, "pending": pending, "page": serving}
    return render(request, "volunteers/list.html", context)


def _detail_page(
    request: HttpRequest, registration: VolunteerRegistration, *, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    is_director = bool(volunteer_decide(user, P.DECIDE, registration))
    hours = selectors.hours_list(registration=registration)
    drafts = selectors.drafts(volunteer_id=registration.user_id, centre=registration.centre if is_director else None)
    may_log = registration.user_id == user.pk and registration.state == RegistrationState.APPROVED
    context = {
        "registration": registration,
        "expertise": list(registration.expertise.all()),
        "ip_type_labels": [str(IPType(v).label) for v in registration.ip_types if v in IPType.values],
        "language_labels": [str(Language(v).label) for v in registration.languages if v in Language.values],
        "actions": allowed_actions("registration", registration, user),
        "decision_form": extra.pop("decision_form", None) or DecisionForm(),
        "hours_page": paged(request, hours),
        "totals": selectors.hours_totals(hours),
        "training": hours_by_year(user=registration.user),
        "drafts_page": paged(request, drafts, "d"),
        "draft_counts": selectors.draft_counts(drafts),
        "is_director": is_director,
        "hours_form": extra.pop("hours_form", None) or (_hours_form(registration, user) if may_log else None),
        **extra,
    }
    return render(request, "volunteers/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.registration_get(user=request.user, pk=pk))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    registration = selectors.registration_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.registration_transition(
            registration=registration, actor=request.user, action=action, reason=request.POST.get("reason", "")
        )
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("志愿者"))
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _detail_page(request, registration, status=400, decision_form=form)
    messages.success(request, _("操作已完成。"))
    return redirect("volunteers:detail", pk=pk)


# --- hours -----------------------------------------------------------------------------------------------------


def _assigned_cases(registration: VolunteerRegistration, user: Any) -> list[tuple[str, str]]:
    rows = (
        CaseAssignment.objects.filter(
            user=user, kind=CaseAssignment.Kind.VOLUNTEER, case__centre__path__startswith=registration.centre.path
        )
        .order_by("-created_at")
        .values_list("case__tracking_number", "case__title")[:100]
    )
    return [(number, f"{number} {title}") for number, title in dict.fromkeys(rows)]


def _hours_form(registration: VolunteerRegistration, user: Any, data: Any = None) -> HoursForm:
    return HoursForm(data, cases=_assigned_cases(registration, user), initial={"worked_on": timezone.localdate()})


@login_required
@require_POST
def log_hours(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    registration = selectors.registration_get(user=user, pk=pk)
    decision = volunteer_decide(user, P.LOG_HOURS, registration)
    if not decision:
        return refused(request, decision.reason, title=_("登记服务时长"))
    form = _hours_form(registration, user, request.POST)
    if not form.is_valid():
        # Nothing is written for a form that did not parse: an entry saved behind a 400 would be logged again.
        return _detail_page(request, registration, status=400, hours_form=form)
    d = form.cleaned_data
    data = services.HoursInput(
        worked_on=d.get("worked_on"),
        hours=request.POST.get("hours", ""),
        activity=request.POST.get("activity", ""),
        case_number=request.POST.get("case", ""),
        description=request.POST.get("description", ""),
    )
    try:
        services.hours_log(registration=registration, actor=user, data=data)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("登记服务时长"))
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _detail_page(request, registration, status=400, hours_form=form)
    messages.success(request, _("服务时长已登记，待确认。"))
    return redirect("volunteers:detail", pk=pk)


@login_required
@require_GET
def hours_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_hours_queue(user):
        return refused(request, _("待确认的服务时长仅供机构负责人和承办人查看。"), title=_("待确认时长"))
    page = paged(request, selectors.hours_to_confirm(user=user))
    return render(request, "volunteers/hours_queue.html", {"page": page, "decision_form": DecisionForm()})


@login_required
@require_POST
def hours_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = selectors.hours_get(user=request.user, pk=pk)
    try:
        services.hours_transition(entry=entry, actor=request.user, action=action, reason=request.POST.get("reason", ""))
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("确认服务时长"))
    except ValidationError as exc:
        return refused(request, " ".join(exc.messages), 400, title=_("确认服务时长"))
    messages.success(request, _("操作已完成。"))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/volunteers/") else "volunteers:hours")


# --- my volunteering ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    hours = selectors.my_hours(user=user)
    drafts = selectors.drafts(volunteer_id=request.user.pk or 0)
    context = {
        "registrations": selectors.my_registrations(user=user),
        "hours_page": paged(request, hours),
        "totals": selectors.hours_totals(hours),
        "training": hours_by_year(user=user),
        "drafts_page": paged(request, drafts, "d"),
        "draft_counts": selectors.draft_counts(drafts),
    }
    return render(request, "volunteers/mine.html", context)


# --- staff qualifications ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def qualification_new(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    centre = Centre.objects.filter(code=code).first()
    if centre is None or not qualification_manage_decide(user, centre.pk):
        raise Http404("centre not found")
    form = QualificationForm(request.POST or None, request.FILES or None, people=selectors.staff_choices(centre=centre))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.QualificationInput(
            user_id=int(d["user"]) if str(d["user"]).isdigit() else None,
            kind=d["kind"],
            number=d["number"],
            issuer=d["issuer"],
            valid_until=d["valid_until"],
            note=d["note"],
        )
        try:
            services.qualification_add(centre=centre, actor=user, data=data, certificate=d.get("certificate"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("资质已登记。"))
            return redirect("training:roster", code=centre.code)
    context = {"form": form, "centre": centre, "error_summary": error_summary(form)}
    return render(request, "volunteers/qualification_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def qualification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    qualification = selectors.qualification_get(pk=pk)
    if not qualification_manage_decide(request.user, qualification.centre_id):
        raise Http404("qualification not found")
    code = Centre.objects.filter(pk=qualification.centre_id).values_list("code", flat=True).get()
    try:
        services.qualification_remove(qualification=qualification, actor=request.user)
    except TransitionRefused:
        raise Http404("qualification not found") from None
    messages.success(request, _("资质已删除。"))
    return redirect("training:roster", code=code)


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponseBase:
    qualification = selectors.qualification_get(pk=pk)
    if qualification.certificate is None or not certificate_decide(request.user, qualification):
        raise Http404("certificate not found")
    evidence_record_download(evidence=qualification.certificate, user=request.user)
    return file_response(qualification.certificate)
