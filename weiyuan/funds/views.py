"""Funds pages 经费: the report per centre or subtree and year (with Excel and CSV export), one centre's budget of a
year with its form and the closing of the year, the spending list (and its export), one entry with its invoices and
steps, recording and correcting an entry. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.funds import FundsPermission, funds_decide, has_funds
from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.core.tabular import export_response
from weiyuan.evidence.views import file_response
from weiyuan.experts.task_selectors import approved_expert_costs
from weiyuan.funds import exporting, selectors, services
from weiyuan.funds.flow import EDITABLE_STATES, allowed_spending_actions
from weiyuan.funds.forms import ActionForm, AttachmentForm, BudgetForm, SpendingForm
from weiyuan.funds.models import Category, SpendingEntry, SpendingSource, SpendingState
from weiyuan.funds.services.common import parse_year
from weiyuan.network.models import Centre

P = FundsPermission
EXPORT_FORMATS = ("xlsx", "csv")


def _no_funds(request: HttpRequest) -> HttpResponse:
    return refused(request, _("经费页面仅供援助机构工作人员和监督人员查看。"), title=_("经费"))


def _year_or_404(year: int) -> int:
    try:
        return parse_year(year)
    except ValidationError:
        raise Http404("no such year") from None


# --- the report -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_funds(user):
        return _no_funds(request)
    filters = selectors.parse_report_filters(user=user, data=request.GET)
    centre = filters.centre
    return render(
        request,
        "funds/report.html",
        {
            "filters": filters,
            "filter_errors": list(filters.errors.values()),
            "report": selectors.funds_report(filters=filters),
            "centres": selectors.funds_centres(user=user),
            "may_subtree": centre is not None and bool(funds_decide(user, P.FUNDS_REPORT_SUBTREE, centre)),
            "query": request.GET.urlencode(),
        },
        status=400 if filters.errors else 200,
    )


def _export(name: str, fmt: str, headers: list[str], rows: Any, sheet: str) -> HttpResponseBase:
    return export_response(name, fmt, headers, rows, sheet)


def _format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format") or "xlsx"
    return fmt if fmt in EXPORT_FORMATS else None


@login_required
@require_GET
def report_export(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not has_funds(user):
        return _no_funds(request)
    filters = selectors.parse_report_filters(user=user, data=request.GET)
    fmt = _format(request)
    if filters.errors or fmt is None or filters.centre is None:
        reasons = list(filters.errors.values()) or [_("导出格式可选：xlsx、csv。")]
        return refused(request, " ".join(reasons), 400, title=_("导出经费报表"))
    data = selectors.funds_report(filters=filters)
    suffix = "-subtree" if filters.subtree else ""
    name = f"funds-{filters.centre.code}{suffix}-{filters.years[0]}-{filters.years[-1]}"
    return _export(name, fmt, exporting.report_headers(), exporting.report_rows(data), _("经费报表"))


# --- a centre's budget ------------------------------------------------------------------------------------------


def _budget_page(request: HttpRequest, centre: Centre, year: int, form: BudgetForm, status: int = 200) -> HttpResponse:
    user = request.user
    figures = selectors.centre_year_figures(centre=centre, year=year)
    closed = selectors.year_closed(centre, year)
    return render(
        request,
        "funds/budget.html",
        {
            "centre": centre,
            "year": year,
            "figures": figures,
            "lines": selectors.budget_lines(centre=centre, year=year),
            "closed": closed,
            "may_set": not closed and bool(funds_decide(user, P.BUDGET_SET, centre)),
            "may_close": not closed and bool(funds_decide(user, P.BUDGET_CLOSE_YEAR, centre)),
            "may_create": not closed and bool(funds_decide(user, P.SPENDING_CREATE, centre)),
            "expert_costs": approved_expert_costs(centre, year),
            "form": form,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest, code: str, year: int) -> HttpResponse:
    user = request.user
    centre = selectors.funds_centre_get(user=user, code=code)
    year = _year_or_404(year)
    lines = selectors.budget_lines(centre=centre, year=year)
    form = BudgetForm(request.POST or None, initial_amounts={k: v.amount for k, v in lines.items()})
    if request.method == "POST":
        decision = funds_decide(user, P.BUDGET_SET, centre)
        if not decision:
            return refused(request, decision.reason, title=_("编制预算"))
        if form.is_valid():
            try:
                changed = services.budget_set(centre=centre, year=year, amounts=form.amounts(), actor=user)
            except TransitionRefused as exc:
                return refused(request, exc.reason, exc.status, title=_("编制预算"))
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("已保存 %(n)s 个类别的预算。") % {"n": len(changed)})
                return redirect("funds:budget", code=centre.code, year=year)
        return _budget_page(request, centre, year, form, status=400)
    return _budget_page(request, centre, year, form)


@login_required
@require_POST
def year_close(request: HttpRequest, code: str, year: int) -> HttpResponse:
    user = request.user
    centre = selectors.funds_centre_get(user=user, code=code)
    year = _year_or_404(year)
    try:
        services.budget_year_close(centre=centre, year=year, actor=user)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("年度结账"))
    messages.success(request, _("%(year)s 年度已结账。") % {"year": year})
    return redirect("funds:budget", code=centre.code, year=year)


# --- spending ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def spending_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_funds(user):
        return _no_funds(request)
    filters = selectors.parse_spending_filters(user=user, data=request.GET)
    page = paginate(request, selectors.spending_list(user=user, filters=filters))
    return render(
        request,
        "funds/spending_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": list(filters.errors.values()),
            "centres": selectors.funds_centres(user=user),
            "categories": Category.choices,
            "states": SpendingState.choices,
            "may_create": bool(centre_ids_with_role(user, *STAFF_ROLES)),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def spending_export(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not has_funds(user):
        return _no_funds(request)
    filters = selectors.parse_spending_filters(user=user, data=request.GET)
    fmt = _format(request)
    if filters.errors or fmt is None:
        reasons = list(filters.errors.values()) or [_("导出格式可选：xlsx、csv。")]
        return refused(request, " ".join(reasons), 400, title=_("导出支出明细"))
    qs = selectors.spending_list(user=user, filters=filters)
    rows = exporting.spending_rows(qs)
    return _export("funds-spending", fmt, exporting.spending_headers(), rows, _("支出明细"))


def _entry_page(request: HttpRequest, entry: SpendingEntry, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    editable = entry.state in EDITABLE_STATES and entry.source == SpendingSource.MANUAL
    may_edit = bool(funds_decide(user, P.SPENDING_EDIT, entry.centre))
    figures = selectors.centre_year_figures(centre=entry.centre, year=entry.year)
    line = next(r for r in figures.rows if r.category == entry.category)
    context = {
        "entry": entry,
        "line": line,
        "attachments": selectors.entry_attachments(entry=entry),
        "actions": allowed_spending_actions(entry, user),
        "may_edit": editable and may_edit,
        "may_attach": may_edit and entry.state in (*EDITABLE_STATES, SpendingState.SUBMITTED),
        "action_form": ActionForm(),
        "attachment_form": AttachmentForm(),
        **extra,
    }
    return render(request, "funds/spending.html", context, status=status)


@login_required
@require_GET
def spending_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, selectors.spending_get(user=request.user, pk=pk))


def _creatable_centres(user: Any) -> list[Centre]:
    ids = centre_ids_with_role(user, *STAFF_ROLES)
    return list(Centre.objects.filter(pk__in=ids).order_by("path"))


def _form_page(
    request: HttpRequest, form: SpendingForm, *, entry: Any, centres: list[Centre], status: int = 200
) -> HttpResponse:
    return render(
        request,
        "funds/spending_form.html",
        {
            "form": form,
            "entry": entry,
            "centres": centres,
            "chosen": request.POST.get("centre") or request.GET.get("centre") or "",
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def spending_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    centres = _creatable_centres(user)
    if not centres:
        return refused(request, _("只有援助机构的工作人员可以登记支出。"), title=_("登记支出"))
    form = SpendingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = request.POST.get("centre") or centres[0].code
        centre = next((c for c in centres if c.code == code), None)
        if centre is None:
            form.add_error(None, _("请选择您所在的机构。"))
        else:
            try:
                entry = services.spending_create(centre=centre, actor=user, data=form.spending_input())
            except TransitionRefused as exc:
                return refused(request, exc.reason, exc.status, title=_("登记支出"))
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("支出已保存为草稿，核对后请提交审批。"))
                return redirect("funds:spending", pk=entry.pk)
    status = 400 if form.is_bound else 200
    return _form_page(request, form, entry=None, centres=centres, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def spending_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    entry = selectors.spending_get(user=user, pk=pk)
    decision = funds_decide(user, P.SPENDING_EDIT, entry.centre)
    if not decision:
        return refused(request, decision.reason, title=_("修改支出"))
    if entry.state not in EDITABLE_STATES or entry.source != SpendingSource.MANUAL:
        reason = _("支出当前状态为「%(state)s」，不能修改。") % {"state": entry.get_state_display()}
        return refused(request, reason, 409, title=_("修改支出"))
    initial = {
        "category": entry.category,
        "amount": entry.amount,
        "spent_on": entry.spent_on.isoformat(),
        "payee": entry.payee,
        "description": entry.description,
        "over_budget_reason": entry.over_budget_reason,
    }
    form = SpendingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.spending_update(entry=entry, actor=user, data=form.spending_input())
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=_("修改支出"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("支出已更新。"))
            return redirect("funds:spending", pk=entry.pk)
    return _form_page(request, form, entry=entry, centres=[entry.centre], status=400 if form.is_bound else 200)


@login_required
@require_POST
def spending_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    entry = selectors.spending_get(user=user, pk=pk)
    form = ActionForm(request.POST)
    text = form.data.get("text", "")
    try:
        services.spending_transition(entry=entry, actor=user, action=action, text=text)
    except TransitionRefused as exc:
        if exc.status == 404:
            raise Http404("spending entry not found") from None
        return refused(request, exc.reason, exc.status, title=_("支出审批"))
    except ValidationError as exc:
        return _entry_page(request, entry, status=400, action_errors=exc.messages)
    messages.success(request, _("操作已完成。"))
    return redirect("funds:spending", pk=entry.pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    entry = selectors.spending_get(user=user, pk=pk)
    decision = funds_decide(user, P.SPENDING_EDIT, entry.centre)
    if not decision:
        return refused(request, decision.reason, title=_("上传发票"))
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _entry_page(request, entry, status=400, attachment_errors=[_("请选择要上传的发票或凭证文件。")])
    try:
        services.attachment_add(entry=entry, actor=user, upload=form.cleaned_data["file"])
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("上传发票"))
    except ValidationError as exc:
        return _entry_page(request, entry, status=400, attachment_errors=exc.messages)
    messages.success(request, _("附件已上传。"))
    return redirect("funds:spending", pk=entry.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    services.attachment_record_download(attachment=attachment, actor=request.user)
    return file_response(attachment)
