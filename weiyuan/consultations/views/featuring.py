"""Excellent Q&A 优秀问答: nomination, the redaction page (proposed removals highlighted, the texts to confirm), the
director's decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from weiyuan.access.consultations import ConsultationPermission as CP
from weiyuan.cases.views.common import error_summary
from weiyuan.consultations import services
from weiyuan.consultations.forms import DecideForm, NominateForm, RedactForm
from weiyuan.consultations.models import Consultation
from weiyuan.consultations.redaction import highlight
from weiyuan.consultations.selectors import featured_history
from weiyuan.consultations.services.featuring import featured_subject, redaction_proposal
from weiyuan.consultations.transitions import FEATURED_STATE_LABELS, FEATURED_STEPS_BY_ACTION, NEW, allowed_steps
from weiyuan.consultations.views.common import consultation_guarded, form_post


def _context(
    request: HttpRequest,
    consultation: Consultation,
    *,
    nominate_form: forms.Form | None = None,
    redact_form: forms.Form | None = None,
    decide_form: forms.Form | None = None,
) -> dict[str, Any]:
    user = request.user
    subject = featured_subject(consultation)
    featured = subject.featured
    state = featured.state if featured is not None else NEW
    steps = {s.action: s for s in allowed_steps(FEATURED_STEPS_BY_ACTION, state, subject, user)}
    context: dict[str, Any] = {
        "consultation": consultation,
        "case": consultation.case,
        "featured": featured,
        "state_label": FEATURED_STATE_LABELS.get(state, state),
        "steps": steps,
        "history": list(featured_history(consultation=consultation)),
    }
    if "nominate" in steps:
        context["nominate_form"] = nominate_form or NominateForm(auto_id="id_nominate_%s")
    if "redact" in steps and featured is not None:
        proposal = redaction_proposal(consultation)
        context["proposal"] = proposal
        context["question_marked"] = highlight(proposal.question, proposal.question_findings)
        context["answer_marked"] = highlight(proposal.answer, proposal.answer_findings)
        context["findings"] = proposal.question_findings + proposal.answer_findings
        if redact_form is None:
            redacted_before = featured.redacted_at is not None
            redact_form = RedactForm(
                initial={
                    "title": featured.title if redacted_before else proposal.title,
                    "question": featured.question if redacted_before else proposal.question_redacted,
                    "answer": featured.answer if redacted_before else proposal.answer_redacted,
                    "topic_tags": featured.topic_tags,
                },
                auto_id="id_redact_%s",
            )
        context["redact_form"] = redact_form
    if {"approve", "reject"} & set(steps):
        context["decide_form"] = decide_form or DecideForm(auto_id="id_decide_%s")
    return context


@login_required
@require_GET
def featured(request: HttpRequest, tracking_number: str) -> HttpResponse:
    consultation = consultation_guarded(request, tracking_number, CP.FEATURE_VIEW, title=_("优秀问答"))
    if isinstance(consultation, HttpResponse):
        return consultation
    return render(request, "consultations/featured.html", _context(request, consultation))


def _post(
    request: HttpRequest,
    tracking_number: str,
    permission: CP,
    form: forms.Form,
    run: Callable[[Consultation, dict[str, Any]], Any],
    success: str,
    form_key: str,
) -> HttpResponse:
    def page(consultation: Consultation, form: forms.Form) -> HttpResponse:
        context = _context(request, consultation, **{form_key: form})
        context["error_summary"] = error_summary(form)
        return render(request, "consultations/featured.html", context)

    return form_post(
        request,
        tracking_number,
        permission,
        form,
        run,
        titles=(_("优秀问答"), _("优秀问答")),
        success=success,
        next_url=reverse("consultations:featured", args=[tracking_number]),
        page=page,
    )


@login_required
@require_POST
def nominate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _post(
        request,
        tracking_number,
        CP.FEATURE_NOMINATE,
        NominateForm(request.POST, auto_id="id_nominate_%s"),
        lambda c, d: services.featured_nominate(consultation=c, actor=request.user, reason=d["reason"]),
        _("已推荐为优秀问答，请完成脱敏后提交负责人审批。"),
        "nominate_form",
    )


@login_required
@require_POST
def redact(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _post(
        request,
        tracking_number,
        CP.FEATURE_REDACT,
        RedactForm(request.POST, auto_id="id_redact_%s"),
        lambda c, d: services.featured_redact(
            consultation=c,
            actor=request.user,
            title=d["title"],
            question=d["question"],
            answer=d["answer"],
            topic_tags=d["topic_tags"],
            confirm_remaining=d["confirm_remaining"],
        ),
        _("脱敏文本已确认，等待负责人审批。"),
        "redact_form",
    )


def _decide(consultation: Consultation, data: dict[str, Any], actor: Any) -> Any:
    if data["decision"] == "approve":
        return services.featured_approve(consultation=consultation, actor=actor)
    return services.featured_reject(consultation=consultation, actor=actor, reason=data.get("reason", ""))


@login_required
@require_POST
def decide(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _post(
        request,
        tracking_number,
        CP.FEATURE_APPROVE,
        DecideForm(request.POST, auto_id="id_decide_%s"),
        lambda c, d: _decide(c, d, request.user),
        _("已作出审批决定。"),
        "decide_form",
    )
