"""The consultation page (question, answers with their cited articles, rating, follow-up) and the answer editor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.consultations import ConsultationPermission as CP
from weiyuan.access.consultations import consultation_decide
from weiyuan.access.policy import Permission, Relation, case_relations, decide
from weiyuan.cases.selectors import case_clocks
from weiyuan.cases.views.common import error_summary
from weiyuan.consultations import services
from weiyuan.consultations.forms import AnswerForm, FollowUpForm, RatingForm, ReturnForm
from weiyuan.consultations.models import Consultation
from weiyuan.consultations.selectors import CitationView, consultation_get, consultation_rounds
from weiyuan.consultations.services.answering import answer_subject, first_answer_sent
from weiyuan.consultations.services.featuring import open_nomination
from weiyuan.consultations.suggestions import editor_lookup, editor_suggestions
from weiyuan.consultations.transitions import ANSWER_STEPS_BY_ACTION, NEW, STATE_LABELS, allowed_steps
from weiyuan.consultations.views.common import consultation_guarded, form_post, form_run
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


def _detail_page(
    request: HttpRequest,
    consultation: Consultation,
    *,
    rating_form: RatingForm | None = None,
    follow_up_form: FollowUpForm | None = None,
) -> HttpResponse:
    """The consultation page; with a form posted back (it holds errors), that form and its error summary."""
    context = _detail_context(request, consultation, rating_form=rating_form, follow_up_form=follow_up_form)
    posted = rating_form if rating_form is not None else follow_up_form
    if posted is not None:
        context["error_summary"] = error_summary(posted)
    return render(request, "consultations/detail.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    consultation = consultation_get(user=request.user, tracking_number=tracking_number)
    return _detail_page(request, consultation)


@login_required
@require_POST
def rate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return form_post(
        request,
        tracking_number,
        CP.RATE,
        RatingForm(request.POST, auto_id="id_rating_%s"),
        lambda c, d: services.consultation_rate(
            consultation=c, actor=request.user, score=d["score"], comment=d["comment"]
        ),
        titles=("", _("不能评价")),
        success=_("感谢您的评价。"),
        next_url=reverse("consultations:detail", args=[tracking_number]),
        page=lambda c, form: _detail_page(request, c, rating_form=form),
    )


@login_required
@require_POST
def follow_up(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return form_post(
        request,
        tracking_number,
        CP.FOLLOW_UP,
        FollowUpForm(request.POST, auto_id="id_follow_up_%s"),
        lambda c, d: services.consultation_follow_up(consultation=c, actor=request.user, question=d["question"]),
        titles=("", _("不能追问")),
        success=_("追问已提交，承办人将在答复期限内回复。"),
        next_url=reverse("consultations:detail", args=[tracking_number]),
        page=lambda c, form: _detail_page(request, c, follow_up_form=form),
    )


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


def _editor_page(
    request: HttpRequest,
    consultation: Consultation,
    form: AnswerForm | None = None,
    *,
    cited: tuple[set[int], set[int]] | None = None,
    return_form: ReturnForm | None = None,
) -> HttpResponse:
    """The editor: with the form posted, or the current draft's text; a return form with errors shows those."""
    if form is None:
        subject = answer_subject(consultation)
        form = AnswerForm(initial={"body": subject.answer.body if subject.answer is not None else ""})
    context = _editor_context(request, consultation, form, cited=cited)
    if return_form is not None:
        context["return_form"] = return_form
        context["error_summary"] = error_summary(return_form)
    return render(request, "consultations/answer.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    consultation = consultation_guarded(request, tracking_number, CP.ANSWER_WRITE, title=_("不能撰写答复"))
    if isinstance(consultation, HttpResponse):
        return consultation
    if request.method == "GET":
        return _editor_page(request, consultation)
    form = AnswerForm(request.POST)
    cited, intent = None, "save"
    if form.is_valid():
        cd = form.cleaned_data
        # Kept for the page shown again if the service refuses the text: no chosen citation is lost.
        cited, intent = (set(cd["cite_article"]), set(cd["cite_item"])), cd["intent"]
    run, success = INTENT_SERVICES.get(intent, INTENT_SERVICES["save"])
    done = form_run(
        request,
        consultation,
        form,
        lambda d: run(
            consultation=consultation,
            actor=user,
            body=d["body"],
            article_ids=d["cite_article"],
            item_ids=d["cite_item"],
        ),
        refused_title=_("不能执行该操作"),
        success=str(success),
        next_url=reverse(
            "consultations:detail" if intent == "send" else "consultations:answer", args=[tracking_number]
        ),
    )
    return done or _editor_page(request, consultation, form, cited=cited)


@login_required
@require_GET
def answer_lookup(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """HTMX: the editor's own search over articles and Q&A, as checkboxes to cite."""
    consultation = consultation_guarded(request, tracking_number, CP.ANSWER_WRITE)
    if isinstance(consultation, HttpResponse):
        return consultation
    lookup = editor_lookup(request.GET.get("q", "")[:400])
    return render(request, "consultations/_lookup.html", {"lookup": lookup})


@login_required
@require_POST
def answer_return(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return form_post(
        request,
        tracking_number,
        CP.ANSWER_APPROVE,
        ReturnForm(request.POST, auto_id="id_return_%s"),
        lambda c, d: services.answer_return(consultation=c, actor=request.user, reason=d["reason"]),
        titles=("", _("不能退回")),
        success=_("草稿已退回志愿者修改。"),
        next_url=reverse("consultations:answer", args=[tracking_number]),
        page=lambda c, form: _editor_page(request, c, return_form=form),
    )
