"""Expert task pages: the expert's list of their tasks, the task page (the expert's view with the applicant masked
unless needed and only the shared documents; for staff of the case's centre, the controls to share documents, mark
personal data needed, set a deadline, end the task, review work entries and rate), a shared document's download,
and the case's list of its expert tasks for its staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from weiyuan.access.expert_tasks import (
    TaskPermission,
    TaskRelation,
    case_tasks_decide,
    has_task_queue,
    task_decide,
    task_relations,
    work_review_centre_ids,
)
from weiyuan.audit.services import audit_record
from weiyuan.cases.models import CaseAssignment
from weiyuan.cases.selectors import case_get
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.evidence.services import evidence_record_download
from weiyuan.evidence.views import file_response
from weiyuan.experts import services as expert_services
from weiyuan.experts import task_selectors as selectors
from weiyuan.experts import task_services as services
from weiyuan.experts.task_forms import (
    DecideWorkForm,
    DueDateForm,
    EndForm,
    PersonalDataForm,
    RatingForm,
    RevokeShareForm,
    ShareForm,
    WorkForm,
)
from weiyuan.experts.task_models import TaskWorkEntry, WorkState
from weiyuan.network.models import Centre

TP = TaskPermission


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_task_queue(user):
        return refused(request, _("专家任务仅供具有专家角色的账户查看。"), title=_("我的任务"))
    page = paginate(request, selectors.task_queue(user=user))
    totals = selectors.expert_approved_totals(user_id=user.pk or 0)
    return render(request, "experts/tasks/list.html", {"page": page, "totals": totals})


def _revealed(assignment: CaseAssignment) -> bool:
    terms = getattr(assignment, "expert_terms", None)
    return bool(terms and terms.personal_data_needed and assignment.ended_at is None)


def _share_choices(assignment: CaseAssignment, shared_ids: set[int]) -> list[tuple[str, str]]:
    return [
        (str(f.pk), f"{f.original_name} · {f.get_kind_display()} · {f.received_at:%Y-%m-%d}")
        for f in services.shareable_files(assignment)
        if f.pk not in shared_ids
    ]


def _context(request: HttpRequest, assignment: CaseAssignment, **forms_given: Any) -> dict[str, Any]:
    user = request.user
    relations = task_relations(user, assignment)

    def may(permission: TaskPermission) -> bool:
        return bool(task_decide(user, permission, assignment))

    is_open = assignment.ended_at is None
    is_expert = TaskRelation.EXPERT in relations
    manage = may(TP.MANAGE)
    # Unmasked for the expert only (when staff marked it needed); staff and observers see the masked form here and
    # the case page's audited reveal for the rest.
    revealed = is_expert and _revealed(assignment)
    shares = selectors.task_shares(assignment=assignment)
    # The expert sees the documents while the task is open; staff always see what was shared.
    show_shares = manage or (may(TP.VIEW) and (is_open or not is_expert))
    can = {
        "manage": manage and is_open,
        "download": may(TP.DOWNLOAD) and (is_open or manage),
        "end": may(TP.END) and is_open,
        "log_work": may(TP.LOG_WORK),
        "approve": may(TP.APPROVE_WORK),
        "rate": may(TP.RATE) and not is_open and getattr(assignment, "expert_rating", None) is None,
        "feedback": may(TP.FEEDBACK) and not is_open and getattr(assignment, "expert_feedback", None) is None,
    }
    terms = getattr(assignment, "expert_terms", None)
    context: dict[str, Any] = {
        "assignment": assignment,
        "case": assignment.case,
        "terms": terms,
        "is_expert": is_expert,
        "is_open": is_open,
        "applicant": selectors.applicant_for_task(assignment.case, revealed=revealed),
        "shown_to_expert": _revealed(assignment),
        "shares": shares if show_shares else [],
        "entries": selectors.task_work_entries(assignment=assignment),
        "totals": selectors.task_approved_totals(assignment=assignment),
        "rating": getattr(assignment, "expert_rating", None),
        "feedback": getattr(assignment, "expert_feedback", None),
        "can": can,
        "WorkState": WorkState,
    }
    if can["manage"]:
        choices = _share_choices(assignment, {s.evidence_file_id for s in shares})
        share_form = forms_given.get("share") or ShareForm(choices=choices)
        field = share_form.fields["documents"]
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = choices  # a re-shown form offers the case's files again
        context["share_form"] = share_form
        context["personal_form"] = forms_given.get("personal_data") or PersonalDataForm(
            initial={"needed": "1" if terms and terms.personal_data_needed else "0"}
        )
        context["due_form"] = forms_given.get("due_date") or DueDateForm(
            initial={"due_date": terms.due_date if terms else None}
        )
    if can["end"]:
        context["end_form"] = forms_given.get("end") or EndForm()
    if can["log_work"]:
        context["work_form"] = forms_given.get("log_work") or WorkForm()
    if can["rate"]:
        context["rating_form"] = forms_given.get("rate") or RatingForm()
    if can["feedback"]:
        context["feedback_form"] = forms_given.get("feedback") or RatingForm()
    if can["approve"]:
        context["decide_errors"] = forms_given.get("decide_errors", [])
    summary: list[Any] = []
    for form in forms_given.values():
        if isinstance(form, forms.Form) and form.is_bound:
            summary += error_summary(form)
    context["error_summary"] = summary
    return context


def _audit_personal_read(request: HttpRequest, assignment: CaseAssignment) -> None:
    """The expert read the applicant's unmasked personal data (staff marked it needed): one audit event a view."""
    audit_record(
        actor=request.user,
        action="expert.task.personal_data_read",
        obj=assignment,
        centre_id=assignment.case.centre_id,
        case_id=assignment.case_id,
        after={"assignment_id": assignment.pk},
    )


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.task_get(user=request.user, pk=pk)
    context = _context(request, assignment)
    if context["is_expert"] and not context["applicant"]["masked"]:
        _audit_personal_read(request, assignment)
    return render(request, "experts/tasks/detail.html", context)


@login_required
@require_GET
def task_document(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    """A document shared with the task: the expert (while the task is open) and the case centre's staff; the
    download is audited as every evidence download is."""
    user = request.user
    assignment = selectors.task_get(user=user, pk=pk)
    decision = task_decide(user, TP.DOWNLOAD, assignment)
    if not decision:
        return refused(request, decision.reason, title=_("不能下载该文件"))
    share = selectors.task_shared_file(assignment=assignment, evidence_id=evidence_id)
    if assignment.ended_at is not None and not task_decide(user, TP.MANAGE, assignment):
        return refused(request, _("任务已结束，共享的文件不能再下载。"), 409, title=_("不能下载该文件"))
    evidence = share.evidence_file
    evidence_record_download(evidence=evidence, user=user)
    return file_response(evidence)


# --- actions ----------------------------------------------------------------------------------------------------


def _share(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    posted = request.POST.getlist("documents")
    form = ShareForm(request.POST, choices=[(v, v) for v in posted])
    ids = [int(v) for v in posted if v.isdigit()]
    return form, lambda: services.task_share_files(assignment=a, actor=request.user, evidence_ids=ids), _("已共享。")


def _revoke(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = RevokeShareForm(request.POST)
    return (
        form,
        lambda: services.task_revoke_share(assignment=a, actor=request.user, share_id=form.cleaned_data["share"]),
        _("已撤销共享。"),
    )


def _personal(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = PersonalDataForm(request.POST)
    return (
        form,
        lambda: services.task_set_personal_data(
            assignment=a, actor=request.user, needed=form.cleaned_data["needed"], reason=form.cleaned_data["reason"]
        ),
        _("已更新个人信息设置。"),
    )


def _due(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = DueDateForm(request.POST)
    return (
        form,
        lambda: services.task_set_due_date(assignment=a, actor=request.user, due_date=form.cleaned_data["due_date"]),
        _("已更新完成期限。"),
    )


def _end(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = EndForm(request.POST)
    return (
        form,
        lambda: services.task_end(assignment=a, actor=request.user, note=form.cleaned_data["note"]),
        _("任务已结束。"),
    )


def _log(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = WorkForm(request.POST)
    return (
        form,
        lambda: services.work_log(
            assignment=a,
            actor=request.user,
            work_date=form.cleaned_data["work_date"],
            hours=form.cleaned_data["hours"],
            description=form.cleaned_data["description"],
            fee=form.cleaned_data["fee"],
        ),
        _("工时已登记，等待中心负责人审核。"),
    )


def _decide(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = DecideWorkForm(request.POST)

    def run() -> Any:
        entry = TaskWorkEntry.objects.filter(pk=form.cleaned_data["entry"], assignment_id=a.pk).first()
        if entry is None:
            raise ValidationError({"entry": _("找不到该工时记录。")})
        return services.work_decide(
            entry=entry,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )

    return form, run, _("已审核。")


def _rate(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = RatingForm(request.POST)
    return (
        form,
        lambda: expert_services.expert_rate(
            assignment=a,
            actor=request.user,
            score=int(form.cleaned_data["score"]),
            comment=form.cleaned_data["comment"],
        ),
        _("已评价专家。"),
    )


def _feedback(request: HttpRequest, a: CaseAssignment) -> tuple[forms.Form, Callable[[], Any], str]:
    form = RatingForm(request.POST)
    return (
        form,
        lambda: services.task_feedback(
            assignment=a, actor=request.user, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
        ),
        _("已评价本次合作。"),
    )


# action -> (the permission checked first, the handler)
ACTIONS: dict[str, tuple[TaskPermission, Callable[[HttpRequest, CaseAssignment], Any]]] = {
    "share": (TP.MANAGE, _share),
    "revoke_share": (TP.MANAGE, _revoke),
    "personal_data": (TP.MANAGE, _personal),
    "due_date": (TP.MANAGE, _due),
    "end": (TP.END, _end),
    "log_work": (TP.LOG_WORK, _log),
    "decide_work": (TP.APPROVE_WORK, _decide),
    "rate": (TP.RATE, _rate),
    "feedback": (TP.FEEDBACK, _feedback),
}


@login_required
@require_POST
def task_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    assignment = selectors.task_get(user=user, pk=pk)
    if action not in ACTIONS:
        raise Http404("unknown action")
    permission, handler = ACTIONS[action]
    decision = task_decide(user, permission, assignment)
    if not decision:
        return refused(request, decision.reason, title=_("专家任务"))
    form, run, success = handler(request, assignment)
    if form.is_valid():
        try:
            run()
        except TransitionRefused as exc:
            if exc.status == 404:
                raise Http404(exc.reason) from None
            return refused(request, exc.reason, exc.status, title=_("专家任务"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, success)
            return redirect("experts:task", pk=assignment.pk)
    assignment = selectors.task_get(user=user, pk=pk)
    key = "decide_errors" if action == "decide_work" else action
    given: dict[str, Any] = {key: error_summary(form) if action == "decide_work" else form}
    context = _context(request, assignment, **given)
    if action == "decide_work":
        context["error_summary"] = error_summary(form)
    return render(request, "experts/tasks/detail.html", context, status=400)


@login_required
@require_GET
def case_tasks(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The case's expert tasks, open and ended, for its centre's staff, co-handling centres and supervisors."""
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_tasks_decide(user, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("专家任务"))
    return render(request, "experts/tasks/case.html", {"case": case, "tasks": selectors.case_expert_tasks(case=case)})


@login_required
@require_GET
def work_review(request: HttpRequest) -> HttpResponse:
    """A director's page: the pending work entries of the centres they direct (each decided on its task page) and
    the approved expert costs of a year per centre and expert (`approved_expert_costs`, the budget's read)."""
    user = request.user
    centre_ids = work_review_centre_ids(user)
    if not centre_ids:
        return refused(request, _("只有援助机构的负责人可以审核专家工时。"), title=_("专家工时"))
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    pending = paginate(request, selectors.pending_work(centre_ids=centre_ids))
    centres = list(Centre.objects.filter(pk__in=centre_ids).order_by("path"))
    costs = [(centre, selectors.approved_expert_costs(centre, year)) for centre in centres]
    return render(
        request,
        "experts/tasks/work.html",
        {"page": pending, "costs": costs, "year": year, "years": list(range(this_year, this_year - 5, -1))},
    )
