"""Exhibitions pages: the events a user sees, one event (phases, station, duty roster, exhibitors and their import),
the station's live board, filing a complaint at the station, one complaint with its clock and allowed actions, the
printable notice to the respondent, and the audited download of a complaint's files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.exhibitions import (
    ExhibitionPermission,
    complaint_decide,
    event_create_refusal,
    event_decide,
    has_event_list,
    station_decide,
)
from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.evidence.services import evidence_record_download
from weiyuan.evidence.views import file_response
from weiyuan.exhibitions import complaint_services, mark_check, selectors, services
from weiyuan.exhibitions.flow import TRANSITIONS_BY_ACTION, allowed_complaint_actions
from weiyuan.exhibitions.forms import (
    ComplaintForm,
    ConfirmForm,
    DecideForm,
    DefendForm,
    DutyForm,
    EventForm,
    ImportForm,
    NoteForm,
)
from weiyuan.exhibitions.importing import column_label
from weiyuan.exhibitions.models import Complaint, ComplaintState, Exhibitor
from weiyuan.marks.models import MarkStatus
from weiyuan.marks.selectors import nice_headings
from weiyuan.network.models import Centre

P = ExhibitionPermission
TITLE = gettext_lazy("展会驻场服务")


def _refusal(request: HttpRequest, exc: TransitionRefused) -> HttpResponse:
    if exc.status == 404:
        raise Http404(exc.reason)
    return refused(request, exc.reason, exc.status, title=str(TITLE))


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_event_list(user):
        return refused(request, _("展会列表仅供援助机构工作人员、监督人员和值班人员查看。"), title=str(TITLE))
    page = paginate(request, selectors.event_list(user=user))
    return render(request, "exhibitions/list.html", {"page": page, "may_create": not event_create_refusal(user)})


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    refusal = event_create_refusal(user)
    if refusal:
        return refused(request, refusal, title=str(TITLE))
    centres = Centre.objects.filter(pk__in=centre_ids_with_role(user, *STAFF_ROLES)).order_by("path")
    form = EventForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=user,
                centre=form.cleaned_data["centre"],
                data=form.event_input(),
                location=form.cleaned_data["location"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("展会已登记，工作站已开设：请导入参展商名录并安排值班。"))
            return redirect("exhibitions:detail", pk=event.pk)
    return render(
        request,
        "exhibitions/form.html",
        {"form": form, "error_summary": error_summary(form) if form.is_bound else []},
        status=400 if form.is_bound and form.errors else 200,
    )


def _event_page(request: HttpRequest, event: Any, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    stations = list(event.stations.select_related("centre").prefetch_related("duties__user"))
    page = paginate(request, Exhibitor.objects.filter(event=event).order_by("booth", "id"))
    context = {
        "event": event,
        "stations": stations,
        "page": page,
        "may_manage": bool(event_decide(user, P.EVENT_MANAGE, event)),
        "import_form": ImportForm(),
        "duty_form": DutyForm(),
        **extra,
    }
    return render(request, "exhibitions/detail.html", context, status=status)


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_page(request, selectors.event_get(user=request.user, pk=pk))


@login_required
@require_POST
def exhibitors_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = selectors.event_get(user=user, pk=pk)
    decision = event_decide(user, P.EVENT_MANAGE, event)
    if not decision:
        return refused(request, decision.reason, title=str(TITLE))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _event_page(request, event, status=400, import_form=form)
    upload = form.cleaned_data["file"]
    try:
        result = services.exhibitors_import(
            event=event,
            actor=user,
            name=upload.name,
            data=upload.read(),
            valid_only=form.cleaned_data["valid_only"],
        )
    except ValidationError as exc:
        rows = [(e.row, column_label(e.column), e.message) for e in getattr(exc, "row_errors", [])]
        if not rows:
            form.add_error("file", exc.messages)
        return _event_page(request, event, status=400, import_form=form, import_errors=rows)
    messages.success(
        request,
        _("已导入参展商：新增 %(created)s，更新 %(updated)s，跳过有误的行 %(skipped)s。")
        % {"created": result.created, "updated": result.updated, "skipped": len(result.skipped)},
    )
    return redirect("exhibitions:detail", pk=event.pk)


@login_required
@require_POST
def duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    station = selectors.station_get(user=user, pk=pk)
    decision = station_decide(user, P.EVENT_MANAGE, station)
    if not decision:
        return refused(request, decision.reason, title=str(TITLE))
    form = DutyForm(request.POST)
    if form.is_valid():
        member = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        try:
            if member is None:
                raise ValidationError({"email": _("找不到使用该邮箱的账户。")})
            services.duty_set(
                station=station, actor=user, day=form.cleaned_data["day"], user=member, kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("值班已安排。"))
            return redirect("exhibitions:detail", pk=station.event_id)
    return _event_page(request, station.event, status=400, duty_form=form, duty_errors=error_summary(form))


@login_required
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The station's live board during the fair: open complaints, running clocks with the time left, measures due."""
    station = selectors.station_get(user=request.user, pk=pk)
    page = paginate(request, selectors.board_complaints(station=station))
    now = timezone.now()
    rows = []
    for complaint in page.object_list:
        left = None
        if complaint.state == ComplaintState.SERVED and complaint.defence_due_at:
            left = int((complaint.defence_due_at - now).total_seconds())
        seconds = max(left or 0, 0)
        rows.append((complaint, left, seconds // 3600, seconds % 3600 // 60))
    today = timezone.localtime(now).date()
    on_duty = list(station.duties.filter(day=today).select_related("user"))
    template = "exhibitions/_board.html" if request.headers.get("HX-Request") else "exhibitions/board.html"
    return render(
        request,
        template,
        {
            "station": station,
            "event": station.event,
            "page": page,
            "rows": rows,
            "counts": selectors.board_counts(station=station),
            "on_duty": on_duty,
            "now": now,
            "may_file": bool(station_decide(request.user, P.COMPLAINT_HANDLE, station)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    station = selectors.station_get(user=user, pk=pk)
    decision = station_decide(user, P.COMPLAINT_HANDLE, station)
    if not decision:
        return refused(request, decision.reason, title=str(TITLE))
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
            return _refusal(request, exc)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("投诉已受理：%(number)s。") % {"number": complaint.number})
            return redirect("exhibitions:complaint", pk=complaint.pk)
    return render(
        request,
        "exhibitions/complaint_form.html",
        {"form": form, "station": station, "error_summary": error_summary(form) if form.is_bound else []},
        status=400 if form.is_bound and form.errors else 200,
    )


def _forms_for(complaint: Complaint) -> dict[str, Any]:
    return {
        "defend_form": DefendForm(),
        "decide_form": DecideForm(initial={"exhibit": complaint.exhibits[:200]}),
        "confirm_form": ConfirmForm(),
        "note_form": NoteForm(),
    }


def _mark_check_context(complaint: Complaint, user: Any) -> dict[str, Any]:
    """The trademark check for the station's staff and those on duty (nothing for anyone else)."""
    if not complaint.mark_check or not complaint_decide(user, P.COMPLAINT_MARK_CHECK, complaint):
        return {"mark_check": None}
    check = complaint.mark_check
    register = check.get("register") or {}
    classes = register.get("classes") or []
    headings = nice_headings() if classes else {}
    return {
        "mark_check": check,
        "mark_problems": mark_check.problem_texts(check),
        "mark_reasons": mark_check.reason_texts(check),
        "mark_classes": [(n, headings.get(n, "")) for n in classes],
        "mark_status_label": MarkStatus(register["status"]).label if register.get("status") in MarkStatus else "",
        "mark_checked_at": dt.datetime.fromisoformat(check["checked_at"]) if check.get("checked_at") else None,
    }


def _complaint_page(request: HttpRequest, complaint: Complaint, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    now = timezone.now()
    actions = [t.action for t in allowed_complaint_actions(complaint, user, now=now)]
    context = {
        "complaint": complaint,
        "station": complaint.station,
        "event": complaint.station.event,
        "actions": actions,
        "now": now,
        "may_download": bool(complaint_decide(user, P.COMPLAINT_DOWNLOAD, complaint)),
        "may_handle": bool(complaint_decide(user, P.COMPLAINT_HANDLE, complaint)),
        **_mark_check_context(complaint, user),
        **_forms_for(complaint),
        **extra,
    }
    return render(request, "exhibitions/complaint.html", context, status=status)


@login_required
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _complaint_page(request, selectors.complaint_get(user=request.user, pk=pk))


@login_required
@require_POST
def complaint_mark_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the trademark against the register again (staff of the station's centre)."""
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    try:
        complaint_services.complaint_mark_recheck(complaint=complaint, actor=request.user)
    except TransitionRefused as exc:
        return _refusal(request, exc)
    messages.success(request, _("已重新核对商标注册簿。"))
    return redirect("exhibitions:complaint", pk=complaint.pk)


@login_required
@require_GET
def complaint_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice to the respondent, printable (served at the booth)."""
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    if complaint.served_at is None:
        return refused(request, _("投诉尚未送达被投诉人。"), 409, title=str(TITLE))
    return render(request, "exhibitions/notice.html", {"complaint": complaint, "event": complaint.station.event})


@login_required
@require_GET
def complaint_file(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    user = request.user
    complaint = selectors.complaint_get(user=user, pk=pk)
    decision = complaint_decide(user, P.COMPLAINT_DOWNLOAD, complaint)
    if not decision:
        return refused(request, decision.reason, title=str(TITLE))
    item = next((f for f in complaint.files.all() if f.evidence_id == evidence_id), None)
    if item is None:
        raise Http404(_("找不到该文件。"))
    evidence_record_download(evidence=item.evidence, user=user)
    return file_response(item.evidence)


OUTCOME_OF = {"decide_infringing": "infringing", "decide_not_infringing": "not_infringing", "decide_refer": "refer"}


def _run(action: str, complaint: Complaint, request: HttpRequest) -> tuple[Any, Any]:
    """Parse the action's form and call its service; (form, None) when the form is invalid."""
    user = request.user
    if action == "serve":
        return None, complaint_services.complaint_serve(complaint=complaint, actor=user)
    if action == "defend":
        form: Any = DefendForm(request.POST, request.FILES)
        if not form.is_valid():
            return form, None
        return form, complaint_services.complaint_defend(
            complaint=complaint, actor=user, text=form.cleaned_data["defence"], files=form.cleaned_data["files"]
        )
    if action in OUTCOME_OF:
        form = DecideForm(request.POST)
        if not form.is_valid():
            return form, None
        exhibit = form.cleaned_data["exhibit"] or complaint.exhibits[:200]
        return form, complaint_services.complaint_decide(
            complaint=complaint,
            actor=user,
            outcome=OUTCOME_OF[action],
            reason=form.cleaned_data["reason"],
            measures=[(kind, exhibit) for kind in form.cleaned_data["measures"]],
        )
    if action == "confirm_measures":
        form = ConfirmForm(request.POST, request.FILES)
        if not form.is_valid():
            return form, None
        return form, complaint_services.complaint_confirm_measures(
            complaint=complaint, actor=user, photo=form.cleaned_data["photo"], signer=form.cleaned_data["signer"]
        )
    form = NoteForm(request.POST)
    if not form.is_valid():
        return form, None
    if action == "record_refusal":
        return form, complaint_services.complaint_record_refusal(
            complaint=complaint, actor=user, note=form.cleaned_data["note"]
        )
    return form, complaint_services.complaint_withdraw(
        complaint=complaint, actor=user, reason=form.cleaned_data["note"]
    )


FORM_NAMES = {
    "defend": "defend_form",
    "decide_infringing": "decide_form",
    "decide_not_infringing": "decide_form",
    "decide_refer": "decide_form",
    "confirm_measures": "confirm_form",
    "record_refusal": "note_form",
    "withdraw": "note_form",
}


@login_required
@require_POST
def complaint_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    complaint = selectors.complaint_get(user=user, pk=pk)
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        return refused(request, _("未知操作：%(action)s") % {"action": action}, 400, title=str(TITLE))
    decision = complaint_decide(user, transition.permission, complaint)
    if not decision:
        return refused(request, decision.reason, title=str(TITLE))
    try:
        form, done = _run(action, complaint, request)
    except TransitionRefused as exc:
        return _refusal(request, exc)
    except ValidationError as exc:
        form = {"defend": DefendForm, "confirm_measures": ConfirmForm}.get(action, NoteForm)(request.POST)
        if action in OUTCOME_OF:
            form = DecideForm(request.POST)
        form.is_valid()
        apply_service_errors(exc, form)
        done = None
    if done is None:
        return _complaint_page(
            request,
            complaint,
            status=400,
            **{FORM_NAMES[action]: form, f"{FORM_NAMES[action]}_errors": error_summary(form)},
        )
    messages.success(request, _("已办理：%(action)s。") % {"action": transition.label})
    return redirect("exhibitions:complaint", pk=complaint.pk)
