"""Helpers shared by the consultation views: the permission check that opens a page, running a service from a
form, and putting the service's messages next to the form's fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from weiyuan.access.consultations import ConsultationPermission, consultation_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import refused
from weiyuan.consultations.models import Consultation
from weiyuan.consultations.selectors import consultation_get

# The service (and the API) name these fields as in the API; the form names them as on the page.
FORM_FIELD_NAMES = {"centre_code": "centre", "applicant_region_code": "region"}


def apply_errors(exc: ValidationError, form: Any) -> None:
    """Put a service's ValidationError messages next to the fields they name."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        name = FORM_FIELD_NAMES.get(key, key)
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)


def consultation_guarded(
    request: HttpRequest, tracking_number: str, permission: ConsultationPermission, *, title: str = ""
) -> Consultation | HttpResponse:
    """The consultation (404 if the user may not see it), or the refusal page (403, with the reason) if the user
    may not take the page's action."""
    consultation = consultation_get(user=request.user, tracking_number=tracking_number)
    decision = consultation_decide(request.user, permission, consultation.case)
    if not decision:
        return refused(request, decision.reason, 403, case=consultation.case, title=title)
    return consultation


def form_run(
    request: HttpRequest,
    consultation: Consultation,
    form: forms.Form,
    run: Callable[[dict[str, Any]], object],
    *,
    refused_title: str,
    success: str,
    next_url: str,
) -> HttpResponse | None:
    """Run the service of a valid form with its cleaned data: then the success message and a redirect to
    `next_url`, or the refusal page (403/409 with the reason). None when the form holds errors (its own, or the
    service's, put next to the fields): the caller shows the page again with the form."""
    if not form.is_valid():
        return None
    try:
        run(form.cleaned_data)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, case=consultation.case, title=refused_title)
    except ValidationError as exc:
        apply_errors(exc, form)
        return None
    messages.success(request, success)
    return redirect(next_url)


def form_post[F: forms.Form](
    request: HttpRequest,
    tracking_number: str,
    permission: ConsultationPermission,
    form: F,
    run: Callable[[Consultation, dict[str, Any]], object],
    *,
    titles: tuple[str, str],
    success: str,
    next_url: str,
    page: Callable[[Consultation, F], HttpResponse],
) -> HttpResponse:
    """One POST of a consultation page: the permission check (`titles[0]` heads its refusal page), the service run
    with the form's data (`titles[1]` heads a refusal by the service), then the redirect, or `page` showing the
    form again with its errors."""
    consultation = consultation_guarded(request, tracking_number, permission, title=titles[0])
    if isinstance(consultation, HttpResponse):
        return consultation
    done = form_run(
        request,
        consultation,
        form,
        lambda data: run(consultation, data),
        refused_title=titles[1],
        success=success,
        next_url=next_url,
    )
    return done or page(consultation, form)
