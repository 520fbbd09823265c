"""Feedback pages: the survey (on the case page and through the signed link), the return-visit queue per centre and
one visit with its form, filing a complaint about a case's centre, the complaints list, one complaint and its steps.
Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.feedback import (
    FeedbackPermission,
    case_feedback_decide,
    has_return_visit_queue,
    return_visit_decide,
)
from weiyuan.access.policy import can_see_case
from weiyuan.cases.models import ServiceType
from weiyuan.cases.selectors import case_get
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.core.tabular import EXPORT_FORMATS, export_response
from weiyuan.feedback import exporting, selectors, services
from weiyuan.feedback.flow import allowed_complaint_actions
from weiyuan.feedback.forms import ComplaintActionForm, ComplaintForm, OpenCaseForm, ReturnVisitForm, SurveyForm
from weiyuan.feedback.models import ComplaintState, ReturnVisitState, Survey, SurveyChannel

P = FeedbackPermission


# --- the survey ----------------------------------------------------------------------------------------------------


def _answer(request: HttpRequest, survey: Survey, form: SurveyForm, actor: Any, via: str) -> Survey | None:
    """Call the service with the form's answer; None (errors put on the form) if the input is refused."""
    d = form.cleaned_data
    answer = services.SurveyAnswer(
        overall=d["overall"] or None,
        speed=d["speed"] or None,
        professionalism=d["professionalism"] or None,
        usefulness=d["usefulness"] or None,
        comment=d["comment"],
    )
    try:
        return services.survey_answer(survey=survey, actor=actor, answer=answer, via=via)
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return None


def _survey_page(
    request: HttpRequest, survey: Survey, form: SurveyForm, *, action: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "feedback/survey.html",
        {
            "survey": survey,
            "case": survey.case,
            "form": form,
            "action": action,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The applicant's survey of a concluded case; for anyone else it does not exist (404)."""
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    survey = selectors.survey_of_case(case=case)
    if survey is None or not case_feedback_decide(user, P.SURVEY_ANSWER, case):
        raise Http404("survey not found")
    survey.case = case
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answered = _answer(request, survey, form, user, SurveyChannel.CASE_PAGE)
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=case, title=_("满意度评价"))
        if answered is not None:
            messages.success(request, _("感谢您的评价。"))
            return redirect("cases:detail", tracking_number=case.tracking_number)
    status = 400 if form.is_bound else 200
    return _survey_page(request, survey, form, action=request.path, status=status)


@require_http_methods(["GET", "POST"])
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link of the notice: the token stands for the applicant (no sign-in needed). A signed-in account
    other than the applicant gets 404; a forged or expired token a page saying so; an answered survey is not
    answered again."""
    try:
        survey = services.survey_from_token(token)
    except services.SurveyLinkInvalid as exc:
        return render(request, "feedback/survey_link_invalid.html", {"reason": exc.reason}, status=400)
    user = request.user
    if user.is_authenticated and user.pk != survey.applicant_id:
        raise Http404("survey not found")
    if survey.answered_at is not None:
        status = 409 if request.method == "POST" else 200
        return render(request, "feedback/survey_done.html", {"survey": survey}, status=status)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answered = _answer(request, survey, form, survey.applicant, SurveyChannel.LINK)
        except TransitionRefused as exc:
            return render(request, "feedback/survey_link_invalid.html", {"reason": exc.reason}, status=exc.status)
        if answered is not None:
            return render(request, "feedback/survey_done.html", {"survey": answered, "thanks": True})
    return _survey_page(request, survey, form, action=request.path, status=400 if form.is_bound else 200)


# --- return visits -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def visit_queue(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not has_return_visit_queue(user):
        return refused(request, _("回访列表仅供援助机构工作人员和监督人员查看。"), title=_("回访"))
    filters = selectors.parse_visit_filters(request.GET)
    now = timezone.now()
    visits = selectors.return_visit_list(user=user, filters=filters, now=now)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in EXPORT_FORMATS:
            raise Http404("no such format")
        headers, rows = exporting.visit_table(visits)
        return export_response(f"return-visits-{filters.status or 'pending'}", fmt, headers, rows, sheet=_("回访"))
    page = paginate(request, visits)
    return render(
        request,
        "feedback/visit_queue.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": list(filters.errors.values()),
            "centres": selectors.queue_centres(user=user),
            "today": selectors.today_in_china(now),
            "statuses": [
                ("", _("全部待回访")),
                ("due", _("近期到期")),
                ("overdue", _("已逾期")),
                ("done", _("已回访")),
                ("cancelled", _("已取消")),
            ],
        },
    )


def _service_type_choices() -> list[tuple[str, str]]:
    return [(t.code, t.display_name) for t in ServiceType.objects.filter(active=True)]


def _visit_page(request: HttpRequest, visit: Any, form: ReturnVisitForm, *, status: int = 200) -> HttpResponse:
    user = request.user
    may_record = bool(return_visit_decide(user, P.RETURN_VISIT_RECORD, visit))
    return render(
        request,
        "feedback/visit.html",
        {
            "visit": visit,
            "case": visit.case,
            "form": form,
            "may_record": may_record and visit.state == ReturnVisitState.PENDING,
            "may_open_case": may_record
            and visit.state == ReturnVisitState.DONE
            and bool(visit.new_needs)
            and visit.new_case_id is None,
            "open_form": OpenCaseForm(service_types=_service_type_choices()),
            "case_link": can_see_case(user, visit.case),
            "referral_checks": selectors.visit_referral_checks(visit=visit),
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = selectors.return_visit_get(user=user, pk=pk)
    form = ReturnVisitForm(request.POST or None)
    if request.method == "POST":
        decision = return_visit_decide(user, P.RETURN_VISIT_RECORD, visit)
        if not decision:
            return refused(request, decision.reason, title=_("记录回访"))
        if form.is_valid():
            try:
                services.return_visit_record(visit=visit, actor=user, **form.service_kwargs())
            except TransitionRefused as exc:
                return refused(request, exc.reason, exc.status, title=_("记录回访"))
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("回访已记录。"))
                return redirect("feedback:visit", pk=visit.pk)
        return _visit_page(request, visit, form, status=400)
    return _visit_page(request, visit, form)


@login_required
@require_POST
def visit_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = selectors.return_visit_get(user=user, pk=pk)
    decision = return_visit_decide(user, P.RETURN_VISIT_RECORD, visit)
    if not decision:
        return refused(request, decision.reason, title=_("登记新案件"))
    form = OpenCaseForm(request.POST, service_types=_service_type_choices())
    if not form.is_valid():
        return refused(request, _("请选择新案件的服务类型。"), 400, title=_("登记新案件"))
    try:
        new = services.return_visit_open_case(
            visit=visit, actor=user, service_type_code=form.cleaned_data["service_type"]
        )
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("登记新案件"))
    except ValidationError as exc:
        return refused(request, "；".join(exc.messages), 400, title=_("登记新案件"))
    messages.success(request, _("已登记新案件草稿 %(number)s，请补充后提交。") % {"number": new.tracking_number})
    return redirect("cases:detail", tracking_number=new.tracking_number)


# --- complaints ----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_feedback_decide(user, P.COMPLAINT_FILE, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("服务意见和投诉"))
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_file(case=case, actor=user, **form.cleaned_data)
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=case, title=_("服务意见和投诉"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(
                request, _("已提交，答复机构：%(centre)s。") % {"centre": complaint.handling_centre.display_name}
            )
            return redirect("feedback:complaint", pk=complaint.pk)
    parent = case.centre.parent or case.centre
    return render(
        request,
        "feedback/complaint_new.html",
        {"case": case, "form": form, "handling": parent, "error_summary": error_summary(form) if form.is_bound else []},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    state = (request.GET.get("state") or "").strip()
    if state not in selectors.COMPLAINT_FILTERS:
        state = ""
    page = paginate(request, selectors.complaint_list(user=request.user, state=state))
    return render(
        request,
        "feedback/complaints.html",
        {"page": page, "state": state, "states": [("", _("全部")), ("open", _("未办结")), *ComplaintState.choices]},
    )


def _complaint_page(request: HttpRequest, complaint: Any, form: ComplaintActionForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "feedback/complaint.html",
        {
            "complaint": complaint,
            "actions": allowed_complaint_actions(complaint, request.user),
            "form": form,
            "case_link": complaint.case is not None and can_see_case(request.user, complaint.case),
            "error_summary": error_summary(form) if form.is_bound else [],
            "overdue": complaint.state == ComplaintState.FILED and complaint.reply_due_at < timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    return _complaint_page(request, complaint, ComplaintActionForm())


@login_required
@require_POST
def complaint_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    complaint = selectors.complaint_get(user=user, pk=pk)
    step = services.COMPLAINT_ACTIONS.get(action)
    if step is None:
        return refused(request, _("未知操作：%(action)s") % {"action": action}, 400, title=_("服务意见和投诉"))
    form = ComplaintActionForm(request.POST)
    form.is_valid()
    try:
        step(complaint, user, form.cleaned_data.get("text", ""))
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("服务意见和投诉"))
    except ValidationError as exc:
        form.add_error("text", exc.messages)
        return _complaint_page(request, complaint, form, status=400)
    messages.success(request, _("已处理。"))
    return redirect("feedback:complaint", pk=complaint.pk)
