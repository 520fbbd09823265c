"""The consultation page (question, answers with their cited articles, rating, follow-up) and the answer editor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.consultations import ConsultationPermission as CP
from weiyuan.access.consultations import consultation_decide
from weiyuan.access.policy import Permission, Relation, case_relations, decide
from weiyuan.cases.selectors import case_clocks
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import error_summary, refused
from weiyuan.consultations import services
from weiyuan.consultations.forms import AnswerForm, FollowUpForm, RatingForm, ReturnForm
from weiyuan.consultations.models import Consultation
from weiyuan.consultations.selectors import CitationView, consultation_get, consultation_rounds
from weiyuan.consultations.services.answering import answer_subject, first_answer_sent
from weiyuan.consultations.services.featuring import open_nomination
from weiyuan.consultations.suggestions import editor_lookup, editor_suggestions
from weiyuan.consultations.transitions import ANSWER_STEPS_BY_ACTION, NEW, STATE_LABELS, allowed_steps
from weiyuan.consultations.views.asking import apply_errors
from weiyuan.evidence.selectors import evidence_for_case

STAFF_SIDE = {
    Relation.INTAKE_OFFICER,
    Relation.HANDLER,
    Relation.ASSIGNED_HANDLER,
    Relation.DIRECTOR,
    Relation.CO_HANDLER,
    Relation.SUPERVISOR,
}


def _may(user: Any, permission: CP, consultation: Consultation) -> bool:
    return bool(consultation_decide(user, permission, consultation.case))


def _detail_context(
    request: HttpRequest,
    consultation: Consultation,
    *,
    rating_form: RatingForm | None = None,
    follow_up_form: FollowUpForm | None = None,
) -> dict[str, Any]:
    user = request.user
    case = consultation.case
    relations = case_relations(user, case)
    answered = first_answer_sent(consultation)
    context: dict[str, Any] = {
        "consultation": consultation,
        "case": case,
        "rounds": consultation_rounds(consultation=consultation, user=user),
        "is_applicant": Relation.APPLICANT in relations,
        "staff_side": bool(relations & STAFF_SIDE),
        "may_write": _may(user, CP.ANSWER_WRITE, consultation),
        "may_feature": _may(user, CP.FEATURE_VIEW, consultation),
        "answered": answered,
        "clocks": [c for c in case_clocks(case=case) if c.rule == "handling"],
        "evidence": list(evidence_for_case(user=user, case=case)),
        "may_download": bool(decide(user, Permission.EVIDENCE_DOWNLOAD, case)),
        "now": timezone.now(),
    }
    if _may(user, CP.RATE, consultation) and answered and consultation.rated_at is None:
        context["rating_form"] = rating_form or RatingForm(auto_id="id_rating_%s")
    if _may(user, CP.FOLLOW_UP, consultation) and answered:
        refusal = services.follow_up_refusal(consultation)
        if refusal:
            context["follow_up_note"] = refusal
        else:
            context["follow_up_form"] = follow_up_form or FollowUpForm(auto_id="id_follow_up_%s")
    if context["may_feature"]:
        context["nomination"] = open_nomination(consultation)
    return context


@login_required
@require_GET
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    consultation = consultation_get(user=request.user, tracking_number=tracking_number)
    return render(request, "consultations/detail.html", _detail_context(request, consultation))


@login_required
@require_POST
def rate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    consultation = consultation_get(user=request.user, tracking_number=tracking_number)
    decision = consultation_decide(request.user, CP.RATE, consultation.case)
    if not decision:
        return refused(request, decision.reason, 403, case=consultation.case)
    form = RatingForm(request.POST, auto_id="id_rating_%s")
    if form.is_valid():
        try:
            services.consultation_rate(
                consultation=consultation,
                actor=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=consultation.case, title=_("不能评价"))
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect(reverse("consultations:detail", args=[tracking_number]))
    context = _detail_context(request, consultation, rating_form=form)
    context["error_summary"] = error_summary(form)
    return render(request, "consultations/detail.html", context)


@login_required
@require_POST
def follow_up(request: HttpRequest, tracking_number: str) -> HttpResponse:
    consultation = consultation_get(user=request.user, tracking_number=tracking_number)
    decision = consultation_decide(request.user, CP.FOLLOW_UP, consultation.case)
    if not decision:
        return refused(request, decision.reason, 403, case=consultation.case)
    form = FollowUpForm(request.POST, auto_id="id_follow_up_%s")
    if form.is_valid():
        try:
            services.consultation_follow_up(
                consultation=consultation, actor=request.user, question=form.cleaned_data["question"]
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=consultation.case, title=_("不能追问"))
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("追问已提交，承办人将在答复期限内回复。"))
            return redirect(reverse("consultations:detail", args=[tracking_number]))
    context = _detail_context(request, consultation, follow_up_form=form)
    context["error_summary"] = error_summary(form)
    return render(request, "consultations/detail.html", context)


# --- the answer editor -----------------------------------------------------------------------------------------

INTENT_SERVICES = {
    "save": (services.answer_save, gettext_lazy("草稿已保存。")),
    "submit": (services.answer_submit, gettext_lazy("草稿已提交承办人审核。")),
    "send": (services.answer_send, gettext_lazy("答复已发送给申请人。")),
}


def _editor_context(
    request: HttpRequest, consultation: Consultation, form: AnswerForm, *, cited: tuple[set[int], set[int]] | None
) -> dict[str, Any]:
    user = request.user
    subject = answer_subject(consultation)
    state = subject.answer.state if subject.answer is not None else NEW
    rounds = consultation_rounds(consultation=consultation, user=user)
    current = rounds[-1] if rounds else None
    existing: list[CitationView] = current.citations if current is not None and current.answer is not None else []
    if cited is None:
        cited = ({c.pk for c in existing if c.kind == "article"}, {c.pk for c in existing if c.kind == "qa"})
    question_text = subject.question.text if subject.question is not None else ""
    suggestions = [
        h
        for h in editor_suggestions(question_text)
        if not (h.source == "article" and h.source_id in cited[0])
        and not (h.source == "qa" and h.source_id in cited[1])
    ]
    shown_articles = {c.pk for c in existing if c.kind == "article"} | {
        h.source_id for h in suggestions if h.source == "article"
    }
    shown_items = {c.pk for c in existing if c.kind == "qa"} | {h.source_id for h in suggestions if h.source == "qa"}
    return {
        "consultation": consultation,
        "case": consultation.case,
        "rounds": rounds,
        # Chosen (from the search box) but not listed on this page: kept, so a correction loses no citation.
        "hidden_articles": sorted(cited[0] - shown_articles),
        "hidden_items": sorted(cited[1] - shown_items),
        "subject": subject,
        "state": state,
        "state_label": STATE_LABELS.get(state, state),
        "steps": {s.action: s for s in allowed_steps(ANSWER_STEPS_BY_ACTION, state, subject, user)},
        "form": form,
        "existing": existing,
        "cited_articles": cited[0],
        "cited_items": cited[1],
        "suggestions": suggestions,
        "return_form": ReturnForm(auto_id="id_return_%s"),
        "error_summary": error_summary(form) if form.is_bound else [],
        "clocks": [c for c in case_clocks(case=consultation.case) if c.rule == "handling"],
        "now": timezone.now(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    consultation = consultation_get(user=user, tracking_number=tracking_number)
    decision = consultation_decide(user, CP.ANSWER_WRITE, consultation.case)
    if not decision:
        return refused(request, decision.reason, 403, case=consultation.case, title=_("不能撰写答复"))
    if request.method == "GET":
        subject = answer_subject(consultation)
        initial = {"body": subject.answer.body if subject.answer is not None else ""}
        return render(
            request,
            "consultations/answer.html",
            _editor_context(request, consultation, AnswerForm(initial=initial), cited=None),
        )
    form = AnswerForm(request.POST)
    cited = None
    if form.is_valid():
        cd = form.cleaned_data
        cited = (set(cd["cite_article"]), set(cd["cite_item"]))
        run, success = INTENT_SERVICES[cd["intent"]] if cd["intent"] in INTENT_SERVICES else INTENT_SERVICES["save"]
        try:
            run(
                consultation=consultation,
                actor=user,
                body=cd["body"],
                article_ids=cd["cite_article"],
                item_ids=cd["cite_item"],
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=consultation.case, title=_("不能执行该操作"))
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, str(success))
            if cd["intent"] == "send":
                return redirect(reverse("consultations:detail", args=[tracking_number]))
            return redirect(reverse("consultations:answer", args=[tracking_number]))
    return render(request, "consultations/answer.html", _editor_context(request, consultation, form, cited=cited))


@login_required
@require_GET
def answer_lookup(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """HTMX: the editor's own search over articles and Q&A, as checkboxes to cite."""
    consultation = consultation_get(user=request.user, tracking_number=tracking_number)
    decision = consultation_decide(request.user, CP.ANSWER_WRITE, consultation.case)
    if not decision:
        return refused(request, decision.reason, 403, case=consultation.case)
    lookup = editor_lookup(request.GET.get("q", "")[:400])
    return render(request, "consultations/_lookup.html", {"lookup": lookup})


@login_required
@require_POST
def answer_return(request: HttpRequest, tracking_number: str) -> HttpResponse:
    consultation = consultation_get(user=request.user, tracking_number=tracking_number)
    decision = consultation_decide(request.user, CP.ANSWER_APPROVE, consultation.case)
    if not decision:
        return refused(request, decision.reason, 403, case=consultation.case)
    form = ReturnForm(request.POST, auto_id="id_return_%s")
    if form.is_valid():
        try:
            services.answer_return(consultation=consultation, actor=request.user, reason=form.cleaned_data["reason"])
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=consultation.case, title=_("不能退回"))
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("草稿已退回志愿者修改。"))
            return redirect(reverse("consultations:answer", args=[tracking_number]))
    subject = answer_subject(consultation)
    initial = {"body": subject.answer.body if subject.answer is not None else ""}
    context = _editor_context(request, consultation, AnswerForm(initial=initial), cited=None)
    context["return_form"] = form
    context["error_summary"] = error_summary(form)
    return render(request, "consultations/answer.html", context)
