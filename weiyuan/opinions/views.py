"""Opinion pages: the case's opinions, create, the opinion (chart, verdict, steps), edit, the chart editor, the
design and trademark comparisons, the workflow steps and the letter download. Thin: parse, call one service or
selector, render. A record the user may not see answers 404; an action they may not take 403 with the reason; a step
not allowed now (or a guard) 409 with the reason."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.opinions import (
    OpinionPermission,
    case_opinions_visibility,
    opinion_create_decide,
    opinion_decide,
)
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, refused
from weiyuan.core.punctuation import labelled
from weiyuan.evidence.views import content_disposition
from weiyuan.opinions import services
from weiyuan.opinions.forms import (
    ClaimForm,
    ClaimsImportForm,
    CommentForm,
    DesignForm,
    FeatureAddForm,
    FeatureForm,
    OpinionCreateForm,
    OpinionEditForm,
    TrademarkForm,
)
from weiyuan.opinions.letter import opinion_letter_generate, opinion_letter_record_download
from weiyuan.opinions.models import Claim, Comparison, Feature, Opinion
from weiyuan.opinions.selectors import case_opinion_list, opinion_case_get, opinion_get
from weiyuan.opinions.trademark import MarkSimilarityProposal, mark_similarity_engine
from weiyuan.opinions.transitions import TRANSITIONS_BY_ACTION, allowed_opinion_actions

P = OpinionPermission
log = logging.getLogger(__name__)


def _refusal(request: HttpRequest, exc: TransitionRefused, opinion: Opinion | None = None) -> HttpResponse:
    if exc.status == 404:
        raise Http404(exc.reason)
    return refused(request, exc.reason, exc.status, title=_("无法执行该操作"))


def _flash_errors(request: HttpRequest, exc: ValidationError, labels: dict[str, str]) -> None:
    """A chart row's errors, each naming its field, shown at the top of the chart page."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            messages.error(request, message)
        return
    for key, errors in exc.message_dict.items():
        for message in errors:
            label = labels.get(key, "")
            messages.error(request, labelled(label, message) if label else message)


def _chart_url(opinion: Opinion, anchor: str = "") -> str:
    return reverse("opinions:chart", args=[opinion.pk]) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def case_opinions(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The opinions of a case: for an expert (who reaches it from their task) as for the centre's staff."""
    case = opinion_case_get(user=request.user, tracking_number=tracking_number)
    opinions = list(case_opinion_list(user=request.user, case=case))
    return render(
        request,
        "opinions/case_list.html",
        {
            "case": case,
            "opinions": opinions,
            "visibility": case_opinions_visibility(request.user, case),
            "may_create": bool(opinion_create_decide(request.user, case)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    case = opinion_case_get(user=user, tracking_number=tracking_number)
    decision = opinion_create_decide(user, case)
    if not decision:
        return refused(request, decision.reason, case=None, title=_("起草参考意见"))
    rights = list(case.rights.all())
    initial = {"kind": services._kind_for(case), "title": _("关于%(title)s的侵权判定参考意见") % {"title": case.title}}
    form = OpinionCreateForm(request.POST or None, rights=rights, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = services.OpinionInput(
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            accused_object=form.cleaned_data["accused_object"],
            right_id=form.cleaned_data["right_id"],
        )
        try:
            opinion = services.opinion_create(case=case, actor=user, data=data)
        except TransitionRefused as exc:
            return _refusal(request, exc)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已创建参考意见草稿，请录入比对内容。"))
            return redirect("opinions:chart", pk=opinion.pk)
    return render(
        request,
        "opinions/form.html",
        {
            "case": case,
            "form": form,
            "heading": _("起草侵权判定参考意见"),
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


def _detail_context(request: HttpRequest, opinion: Opinion) -> dict[str, Any]:
    user = request.user
    claims = list(opinion.claims.prefetch_related("features")) if opinion.is_patent else []
    if opinion.signed_at and (get_language() or "").startswith("zh"):
        verdict, reasoning = opinion.verdict, opinion.reasoning  # as signed (the chart is locked since)
    else:
        verdict, reasoning = services.opinion_verdict(opinion)  # live, in the UI language
    from weiyuan.opinions import verdict as v

    return {
        "opinion": opinion,
        "case": opinion.case,
        "claims": claims,
        "design": getattr(opinion, "design", None) if opinion.kind == "design" else None,
        "trademark": getattr(opinion, "trademark", None) if opinion.kind == "trademark" else None,
        "basis": list(opinion.basis.select_related("article__version__law")),
        "verdict": verdict,
        "verdict_label": v.verdict_label(verdict or v.UNDECIDED),
        "reasoning": reasoning,
        "actions": allowed_opinion_actions(opinion, user),
        "may_edit": opinion.editable and bool(opinion_decide(user, P.EDIT, opinion)),
        "may_download": bool(opinion_decide(user, P.DOWNLOAD, opinion)),
        "comment_form": CommentForm(),
        "comparison_choices": Comparison.choices,
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = opinion_get(user=request.user, pk=pk)
    if not opinion_decide(request.user, P.VIEW, opinion):
        raise Http404("opinion not found")  # the applicant and supervisors have only the letter
    return render(request, "opinions/detail.html", _detail_context(request, opinion))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opinion = opinion_get(user=user, pk=pk)
    decision = opinion_decide(user, P.EDIT, opinion)
    if not decision:
        return refused(request, decision.reason, title=_("修改参考意见"))
    from weiyuan.knowledge.selectors import citations_text

    initial = {name: getattr(opinion, name) for name in services.NOTE_FIELDS}
    initial["basis"] = citations_text([b.article for b in opinion.basis.select_related("article__version__law")])
    form = OpinionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_update(opinion=opinion, actor=user, data=services.NotesInput(**form.cleaned_data))
        except TransitionRefused as exc:
            return _refusal(request, exc)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已保存。"))
            return redirect("opinions:detail", pk=opinion.pk)
    return render(
        request,
        "opinions/form.html",
        {
            "case": opinion.case,
            "opinion": opinion,
            "form": form,
            "heading": _("修改参考意见"),
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


@login_required
@require_GET
def chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The chart editor (patents) or the comparison form (designs, trademarks)."""
    user = request.user
    opinion = opinion_get(user=user, pk=pk)
    decision = opinion_decide(user, P.EDIT, opinion)
    if not decision:
        return refused(request, decision.reason, title=_("编辑比对"))
    context = _detail_context(request, opinion)
    context["import_form"] = ClaimsImportForm()
    if opinion.kind == "design":
        context["comparison_form"] = _design_form(opinion)
    elif opinion.kind == "trademark":
        context["comparison_form"] = TrademarkForm(instance=getattr(opinion, "trademark", None))
        context["mark_proposal"] = _mark_proposal(opinion)
    return render(request, "opinions/chart.html", context)


def _mark_proposal(opinion: Opinion) -> MarkSimilarityProposal | None:
    """The similarity engine's proposal for the two marks saved on the comparison (none before they are saved)."""
    trademark = getattr(opinion, "trademark", None)
    if trademark is None:
        return None
    return mark_similarity_engine(trademark.registered_mark, trademark.accused_mark)


def _design_form(opinion: Opinion, data: Any = None) -> DesignForm:
    design = getattr(opinion, "design", None)
    initial: dict[str, Any] = {}
    if design is not None:
        for d in design.differences.all():
            initial[f"difference_{d.position}"], initial[f"weight_{d.position}"] = d.text, d.weight
    return DesignForm(data, instance=design, initial=initial)


def _editable_opinion(request: HttpRequest, pk: int) -> Opinion:
    opinion = opinion_get(user=request.user, pk=pk)
    decision = opinion_decide(request.user, P.EDIT, opinion)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    return opinion


def _chart_post(
    request: HttpRequest, pk: int, run: Any, success: str, labels: dict[str, str], anchor: str = ""
) -> HttpResponseBase:
    try:
        opinion = _editable_opinion(request, pk)
        run(opinion)
    except TransitionRefused as exc:
        return _refusal(request, exc)
    except ValidationError as exc:
        _flash_errors(request, exc, labels)
    else:
        messages.success(request, success)
    return redirect(_chart_url(opinion, anchor))


@login_required
@require_POST
def claims_import(request: HttpRequest, pk: int) -> HttpResponseBase:
    form = ClaimsImportForm(request.POST)
    labels = {"claims_text": _("权利要求书")}

    def run(opinion: Opinion) -> None:
        if not form.is_valid():
            raise _form_errors(form)
        services.claims_import(
            opinion=opinion,
            actor=request.user,
            text=form.cleaned_data["claims_text"],
            replace=form.cleaned_data["replace"],
        )

    return _chart_post(request, pk, run, _("已按编号拆分权利要求并分解技术特征，请逐项核对。"), labels)


def _claim_of(opinion: Opinion, claim_id: int) -> Claim:
    claim = Claim.objects.filter(pk=claim_id, opinion=opinion).first()
    if claim is None:
        raise Http404("claim not found")
    claim.opinion = opinion
    return claim


def _feature_of(opinion: Opinion, feature_id: int) -> Feature:
    feature = Feature.objects.select_related("claim").filter(pk=feature_id, claim__opinion=opinion).first()
    if feature is None:
        raise Http404("feature not found")
    feature.claim.opinion = opinion
    return feature


def _form_errors(form: Any) -> ValidationError:
    return ValidationError({k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()})


@login_required
@require_POST
def claim_edit(request: HttpRequest, pk: int, claim_id: int) -> HttpResponseBase:
    labels = {"text": _("权利要求")}

    def run(opinion: Opinion) -> None:
        claim = _claim_of(opinion, claim_id)
        if request.POST.get("delete"):
            services.claim_delete(claim=claim, actor=request.user)
            return
        form = ClaimForm(request.POST)
        if not form.is_valid():
            raise _form_errors(form)
        services.claim_update(claim=claim, actor=request.user, **form.cleaned_data)

    return _chart_post(request, pk, run, _("已保存。"), labels, f"claim-{claim_id}")


@login_required
@require_POST
def feature_add(request: HttpRequest, pk: int, claim_id: int) -> HttpResponseBase:
    labels = {"text": _("技术特征")}

    def run(opinion: Opinion) -> None:
        claim = _claim_of(opinion, claim_id)
        form = FeatureAddForm(request.POST)
        if not form.is_valid():
            raise _form_errors(form)
        services.feature_add(claim=claim, actor=request.user, text=form.cleaned_data["text"])

    return _chart_post(request, pk, run, _("已添加技术特征。"), labels, f"claim-{claim_id}")


FEATURE_LABELS = {
    "text": gettext_lazy("技术特征"),
    "accused_text": gettext_lazy("被诉产品对应特征"),
    "comparison": gettext_lazy("比对结果"),
    "means": gettext_lazy("手段"),
    "function": gettext_lazy("功能"),
    "effect": gettext_lazy("效果"),
}


@login_required
@require_POST
def feature_edit(request: HttpRequest, pk: int, feature_id: int) -> HttpResponseBase:
    def run(opinion: Opinion) -> None:
        feature = _feature_of(opinion, feature_id)
        if request.POST.get("delete"):
            services.feature_delete(feature=feature, actor=request.user)
            return
        form = FeatureForm(request.POST)
        if not form.is_valid():
            raise _form_errors(form)
        services.feature_update(feature=feature, actor=request.user, data=services.FeatureInput(**form.cleaned_data))

    labels = {k: str(v) for k, v in FEATURE_LABELS.items()}
    return _chart_post(request, pk, run, _("已保存。"), labels, f"feature-{feature_id}")


@login_required
@require_POST
def comparison(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the design or trademark comparison; errors re-render the form next to its fields."""
    user = request.user
    try:
        opinion = _editable_opinion(request, pk)
    except TransitionRefused as exc:
        return _refusal(request, exc)
    if opinion.kind == "design":
        form: Any = _design_form(opinion, request.POST)
    elif opinion.kind == "trademark":
        form = TrademarkForm(request.POST, instance=getattr(opinion, "trademark", None))
    else:
        return refused(request, _("专利意见使用权利要求对比表。"), 409)
    if form.is_valid():
        try:
            if opinion.kind == "design":
                services.design_save(
                    opinion=opinion, actor=user, data=form.comparison_data(), differences=form.differences()
                )
            else:
                services.trademark_save(opinion=opinion, actor=user, data=form.comparison_data())
        except TransitionRefused as exc:
            return _refusal(request, exc)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已保存。"))
            return redirect("opinions:detail", pk=opinion.pk)
    context = _detail_context(request, opinion)
    context.update(comparison_form=form, import_form=ClaimsImportForm(), error_summary=error_summary(form))
    if opinion.kind == "trademark":
        context["mark_proposal"] = _mark_proposal(opinion)
    return render(request, "opinions/chart.html", context, status=422)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A step of the declared table: submit, review, return, send back, sign, generate."""
    user = request.user
    opinion = opinion_get(user=user, pk=pk)
    if action not in TRANSITIONS_BY_ACTION:
        raise Http404("unknown action")
    try:
        if action == "generate":
            opinion = opinion_letter_generate(opinion=opinion, actor=user)
        else:
            form = CommentForm(request.POST)
            comment = form.cleaned_data["comment"] if form.is_valid() else ""
            opinion = services.opinion_act(opinion=opinion, actor=user, action=action, comment=comment)
            if action == "sign" and opinion_decide(user, P.GENERATE, opinion):
                # Signing issues the letter at once; if rendering fails the opinion stays signed and the
                # "generate" button remains.
                try:
                    opinion = opinion_letter_generate(opinion=opinion, actor=user)
                except Exception:
                    log.exception("opinion letter generation failed after sign-off (opinion %s)", opinion.pk)
                    messages.warning(request, _("意见已签发，但意见书生成失败，请稍后点击「生成意见书」重试。"))
    except TransitionRefused as exc:
        return _refusal(request, exc)
    except ValidationError as exc:
        return refused(request, "；".join(exc.messages), 422, title=str(TRANSITIONS_BY_ACTION[action].label))
    messages.success(request, _("已%(action)s。") % {"action": TRANSITIONS_BY_ACTION[action].label})
    return redirect("opinions:detail", pk=opinion.pk)


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    opinion = opinion_get(user=user, pk=pk)
    decision = opinion_decide(user, P.DOWNLOAD, opinion)
    if not decision:
        return refused(request, decision.reason, 409, title=_("下载意见书"))
    opinion_letter_record_download(opinion=opinion, user=user)
    response = FileResponse(opinion.letter.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{opinion.number or opinion.pk}.pdf")
    response["Content-Length"] = str(opinion.letter_size or opinion.letter.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
