"""Evaluation pages 绩效评价: the schemes, one scheme (indicators, the assessments the user sees, its steps), the
indicator form, the ranking (page, Excel) and the network report (PDF); one assessment with its items (self scores,
evidence files, the reviewer's scores; HTMX swaps one item in place), its steps and its PDF. Thin: parse, call one
selector or service, render."""

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

from weiyuan.access.evaluation import (
    EvaluationPermission,
    evaluation_decide,
    has_evaluation,
    may_create_scheme,
    scheme_decide_manage,
    scheme_decide_network_report,
)
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.evaluation import reporting, selectors, services
from weiyuan.evaluation.flow import (
    SELF_EDITABLE,
    allowed_assessment_actions,
    allowed_scheme_actions,
    not_own_centre,
)
from weiyuan.evaluation.forms import ActionForm, FileForm, IndicatorForm, ReviewForm, SchemeForm, SelfForm
from weiyuan.evaluation.models import Assessment, AssessmentItem, AssessmentState, EvaluationScheme, SchemeState
from weiyuan.evidence.views import content_disposition, file_response
from weiyuan.funds.exporting import XLSX_CONTENT_TYPE

P = EvaluationPermission


def _title() -> str:
    return _("绩效评价")


def _no_evaluation(request: HttpRequest) -> HttpResponse:
    return refused(request, _("绩效评价页面仅供援助机构负责人和监督人员查看。"), title=_title())


def _allowed(request: HttpRequest) -> bool:
    return has_evaluation(request.user) or bool(may_create_scheme(request.user))


# --- schemes ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return _no_evaluation(request)
    page = paginate(request, selectors.scheme_list(user=request.user))
    return render(
        request,
        "evaluation/list.html",
        {"page": page, "may_create": bool(may_create_scheme(request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_create_scheme(user):
        return refused(request, _("只有国家级指导中心的负责人可以创建评价方案。"), title=_("新建评价方案"))
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scheme = services.scheme_create(actor=user, year=d["year"], title=d["title"], description=d["description"])
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=_("新建评价方案"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("评价方案已创建，请添加指标。"))
            return redirect("evaluation:scheme", year=scheme.year)
    return render(
        request,
        "evaluation/scheme_form.html",
        {"form": form, "error_summary": error_summary(form) if form.is_bound else []},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def scheme_detail(request: HttpRequest, year: int) -> HttpResponse:
    user = request.user
    scheme = selectors.scheme_get(user=user, year=year)
    state = request.GET.get("state", "")
    page = paginate(request, selectors.assessment_list(user=user, scheme=scheme, state=state))
    indicators = selectors.indicators(scheme)
    return render(
        request,
        "evaluation/scheme.html",
        {
            "scheme": scheme,
            "indicators": indicators,
            "weight_total": sum((i.weight for i in indicators), 0),
            "page": page,
            "state": state,
            "states": AssessmentState.choices,
            "may_manage": bool(scheme_decide_manage(user, scheme)) and scheme.state == SchemeState.DRAFT,
            "may_network_report": bool(scheme_decide_network_report(user, scheme)),
            "actions": allowed_scheme_actions(scheme, user),
        },
    )


@login_required
@require_POST
def scheme_act(request: HttpRequest, year: int, action: str) -> HttpResponse:
    scheme = selectors.scheme_get(user=request.user, year=year)
    try:
        services.scheme_transition(scheme=scheme, actor=request.user, action=action)
    except TransitionRefused as exc:
        if exc.status == 404:
            raise Http404("scheme not found") from None
        return refused(request, exc.reason, exc.status, title=_("评价方案"))
    messages.success(request, _("操作已完成。"))
    return redirect("evaluation:scheme", year=scheme.year)


def _indicator_page(
    request: HttpRequest, scheme: EvaluationScheme, form: IndicatorForm, indicator: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "evaluation/indicator_form.html",
        {
            "scheme": scheme,
            "indicator": indicator,
            "form": form,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


def _indicator_form(request: HttpRequest, scheme: EvaluationScheme, indicator: Any) -> HttpResponse:
    user = request.user
    decision = scheme_decide_manage(user, scheme)
    if not decision:
        return refused(request, decision.reason, title=_("评价指标"))
    initial = {}
    if indicator is not None:
        initial = {
            f: getattr(indicator, f)
            for f in ("code", "name", "name_en", "kind", "weight", "max_score", "formula", "guidance", "position")
        }
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(scheme=scheme, actor=user, data=form.indicator_input(), indicator=indicator)
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=_("评价指标"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("指标已保存。"))
            return redirect("evaluation:scheme", year=scheme.year)
    return _indicator_page(request, scheme, form, indicator, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest, year: int) -> HttpResponse:
    return _indicator_form(request, selectors.scheme_get(user=request.user, year=year), None)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    scheme = selectors.scheme_get(user=request.user, year=year)
    return _indicator_form(request, scheme, selectors.indicator_get(scheme=scheme, pk=pk))


@login_required
@require_POST
def indicator_delete(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    scheme = selectors.scheme_get(user=request.user, year=year)
    indicator = selectors.indicator_get(scheme=scheme, pk=pk)
    try:
        services.indicator_delete(indicator=indicator, actor=request.user)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("评价指标"))
    messages.success(request, _("指标已删除。"))
    return redirect("evaluation:scheme", year=scheme.year)


# --- ranking and reports ------------------------------------------------------------------------------------------


@login_required
@require_GET
def ranking(request: HttpRequest, year: int) -> HttpResponse:
    user = request.user
    scheme = selectors.scheme_get(user=user, year=year)
    if scheme.state == SchemeState.DRAFT:
        return refused(request, _("评价方案尚未发布，没有排名。"), 409, title=_("评价排名"))
    return render(
        request,
        "evaluation/ranking.html",
        {
            "scheme": scheme,
            "groups": selectors.ranking(user=user, scheme=scheme),
            "may_network_report": bool(scheme_decide_network_report(user, scheme)),
        },
    )


@login_required
@require_GET
def ranking_export(request: HttpRequest, year: int) -> HttpResponse:
    user = request.user
    scheme = selectors.scheme_get(user=user, year=year)
    if scheme.state == SchemeState.DRAFT:
        return refused(request, _("评价方案尚未发布，没有排名。"), 409, title=_("评价排名"))
    response = HttpResponse(reporting.ranking_xlsx(user=user, scheme=scheme), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"evaluation-ranking-{scheme.year}.xlsx")
    return response


@login_required
@require_GET
def network_report(request: HttpRequest, year: int) -> HttpResponse:
    user = request.user
    scheme = selectors.scheme_get(user=user, year=year)
    decision = scheme_decide_network_report(user, scheme)
    if not decision:
        return refused(request, decision.reason, title=_("全网评价报告"))
    if scheme.state == SchemeState.DRAFT:
        return refused(request, _("评价方案尚未发布，没有报告。"), 409, title=_("全网评价报告"))
    rendered = reporting.network_pdf(user=user, scheme=scheme)
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"evaluation-network-{scheme.year}.pdf")
    return response


# --- one assessment -----------------------------------------------------------------------------------------------


def _item_context(request: HttpRequest, assessment: Assessment, item: AssessmentItem, **extra: Any) -> dict[str, Any]:
    user = request.user
    may_self = bool(evaluation_decide(user, P.EVALUATION_SELF_ASSESS, assessment))
    may_score = bool(evaluation_decide(user, P.EVALUATION_SCORE, assessment))
    open_ = assessment.scheme.state == SchemeState.PUBLISHED
    return {
        "assessment": assessment,
        "item": item,
        "may_self": may_self and open_ and assessment.state in SELF_EDITABLE,
        "may_score": may_score
        and open_
        and assessment.state == AssessmentState.SUBMITTED
        and not not_own_centre(assessment, user),
        "sees_result": bool(evaluation_decide(user, P.EVALUATION_VIEW_RESULT, assessment)),
        "self_form": extra.pop("self_form", None)
        or SelfForm(initial={"self_score": item.self_score, "self_explanation": item.self_explanation}),
        "review_form": extra.pop("review_form", None)
        or ReviewForm(initial={"score": item.score, "review_comment": item.review_comment}),
        "file_form": FileForm(),
        **extra,
    }


def _assessment_page(request: HttpRequest, assessment: Assessment, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    items = selectors.assessment_items(assessment)
    sees_result = bool(evaluation_decide(user, P.EVALUATION_VIEW_RESULT, assessment))
    forms_for = extra.pop("forms_for", {})
    rows = [_item_context(request, assessment, item, **forms_for.get(item.pk, {})) for item in items]
    context = {
        "assessment": assessment,
        "scheme": assessment.scheme,
        "rows": rows,
        "sees_result": sees_result,
        "total": services.assessment_total(items) if sees_result else None,
        "rank": selectors.assessment_rank(assessment) if sees_result else None,
        "actions": allowed_assessment_actions(assessment, user),
        "action_form": ActionForm(),
        **extra,
    }
    return render(request, "evaluation/assessment.html", context, status=status)


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _assessment_page(request, selectors.assessment_get(user=request.user, pk=pk))


def _item_response(
    request: HttpRequest, assessment: Assessment, item: AssessmentItem, status: int, **forms: Any
) -> HttpResponse:
    """After a change to one item: the item alone for HTMX, else the whole page (or back to it)."""
    if getattr(request, "htmx", False):
        item = next(i for i in selectors.assessment_items(assessment) if i.pk == item.pk)
        return render(
            request, "evaluation/_item.html", _item_context(request, assessment, item, **forms), status=status
        )
    if status == 200:
        return redirect(f"{assessment_url(assessment)}#item-{item.pk}")
    return _assessment_page(request, assessment, status=status, forms_for={item.pk: forms})


def assessment_url(assessment: Assessment) -> str:
    from django.urls import reverse

    return reverse("evaluation:assessment", kwargs={"pk": assessment.pk})


def _item_post(
    request: HttpRequest, pk: int, item_pk: int, form_class: Any, form_key: str, title: str, save: Any
) -> HttpResponse:
    """One item's form (self-assessment or review): the service call with the cleaned values, then the item (or the
    page) again, with the service's refusal or its field errors."""
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    item = selectors.item_get(assessment=assessment, pk=item_pk)
    form = form_class(request.POST)
    form.is_valid()
    try:
        save(item, form.cleaned_data)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=title)
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _item_response(request, assessment, item, 400, **{form_key: form})
    return _item_response(request, assessment, item, 200)


@login_required
@require_POST
def item_self(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _item_post(
        request,
        pk,
        item_pk,
        SelfForm,
        "self_form",
        _("自评"),
        lambda item, data: services.item_self_assess(
            item=item,
            actor=request.user,
            self_score=data.get("self_score"),
            explanation=data.get("self_explanation"),
        ),
    )


@login_required
@require_POST
def item_review(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _item_post(
        request,
        pk,
        item_pk,
        ReviewForm,
        "review_form",
        _("评分"),
        lambda item, data: services.item_review(
            item=item, actor=request.user, score=data.get("score"), comment=data.get("review_comment")
        ),
    )


@login_required
@require_POST
def file_upload(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    item = selectors.item_get(assessment=assessment, pk=item_pk)
    decision = evaluation_decide(user, P.EVALUATION_SELF_ASSESS, assessment)
    if not decision:
        return refused(request, decision.reason, title=_("上传佐证文件"))
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _item_response(request, assessment, item, 400, file_errors=[_("请选择要上传的佐证文件。")])
    try:
        services.item_file_add(item=item, actor=user, upload=form.cleaned_data["file"])
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("上传佐证文件"))
    except ValidationError as exc:
        return _item_response(request, assessment, item, 400, file_errors=exc.messages)
    messages.success(request, _("佐证文件已上传。"))
    return _item_response(request, assessment, item, 200)


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attached = selectors.file_get(user=request.user, pk=pk)
    services.file_record_download(attached=attached, actor=request.user)
    return file_response(attached.evidence)


@login_required
@require_POST
def assessment_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    form = ActionForm(request.POST)
    try:
        services.assessment_transition(
            assessment=assessment, actor=user, action=action, text=form.data.get("reason", "")
        )
    except TransitionRefused as exc:
        if exc.status == 404:
            raise Http404("assessment not found") from None
        return refused(request, exc.reason, exc.status, title=_("绩效评价"))
    except ValidationError as exc:
        return _assessment_page(request, assessment, status=400, action_errors=exc.messages)
    messages.success(request, _("操作已完成。"))
    return redirect("evaluation:assessment", pk=assessment.pk)


@login_required
@require_GET
def assessment_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    decision = evaluation_decide(user, P.EVALUATION_VIEW_RESULT, assessment)
    if not decision:
        return refused(request, decision.reason, title=_("评价报告"))
    rendered = reporting.assessment_pdf(assessment=assessment)
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"evaluation-{assessment.scheme.year}-{assessment.centre.code}.pdf"
    )
    return response
